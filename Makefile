# Every target sets up first (idempotent, fast when nothing changed); see README.md.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup book pdf test status results bench clean

setup:
	@bash .ci/setup.sh

book: setup  ## HTML book from the committed results -> book/_build/html/index.html
	@fmnist-lab status >/dev/null || echo "note: some runs are missing from the store; the build will train them (slow)"
	jupyter-book build book

pdf:  ## PDF via pdflatex (installs the TeX packages it needs) -> book/_build/latex/book.pdf
	@FMNIST_PDF=1 bash .ci/setup.sh
	jupyter-book build book --builder pdflatex

test: setup  ## unit tests + every chapter executed in the smoke profile
	pytest --nbval

status: setup
	fmnist-lab status

results: setup  ## train whatever the book needs and the store lacks (full profile)
	fmnist-lab run

bench: setup
	fmnist-lab bench --augmented

clean:
	jupyter-book clean --all book
