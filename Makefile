# Every target sets up first (idempotent, fast when nothing changed); see README.md.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup book pdf test status results bench lab clean

setup:
	@bash .ci/setup.sh

book: setup  ## HTML book from the committed results -> book/_build/html/index.html
	@fmnist-lab status >/dev/null || echo "note: some runs are missing from the store; the build will train them (slow)"
	jupyter-book build book

pdf:  ## PDF via pdflatex (installs the TeX packages it needs) -> book/_build/latex/book.pdf
	@FMNIST_PDF=1 bash .ci/setup.sh
	jupyter-book build book --builder pdflatex

test: setup  ## unit tests + every chapter executed in the smoke profile
	FMNIST_TEST_BUDGET=1 pytest --nbval -n auto --dist loadfile --durations=10

status: setup
	fmnist-lab status

results: setup  ## train whatever the book needs and the store lacks (full profile)
	fmnist-lab run

bench: setup
	fmnist-lab bench --augmented

lab: setup  ## Jupyter Lab on book/: right-click a chapter (.md) > Open With > Notebook (jupytext)
	@.venv/bin/python -c "import jupyterlab" 2>/dev/null || .venv/bin/python -m pip install -q jupyterlab==4.6.6
	cd book && jupyter lab --ip=127.0.0.1 --no-browser $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	jupyter-book clean --all book
