"""The book's one Sphinx extension (book/_ext/notebook_download.py): each chapter downloadable as an executed notebook."""
from types import SimpleNamespace

import yaml

from book_extensions import BOOK, book_extension




def _extension():
    return book_extension("notebook_download")


def test_the_book_loads_the_extension_from_its_folder():
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    folder = config["sphinx"]["local_extensions"]["notebook_download"]
    assert (BOOK / folder / "notebook_download.py").exists()


def test_a_chapter_gets_its_executed_notebook_and_a_page_without_code_does_not(tmp_path):
    html = tmp_path / "_build" / "html"
    (tmp_path / "_build" / "jupyter_execute").mkdir(parents=True)
    (tmp_path / "_build" / "jupyter_execute" / "02_baseline.ipynb").write_text('{"cells": []}')
    app = SimpleNamespace(outdir=str(html), builder=SimpleNamespace(format="html"))
    chapter, references = {}, {}
    _extension().offer_notebook(app, "02_baseline", "page.html", chapter, None)
    _extension().offer_notebook(app, "references", "page.html", references, None)
    assert chapter["ipynb_source"] == "02_baseline.ipynb"  # the theme links _sources/<this>
    assert (html / "_sources" / "02_baseline.ipynb").read_text() == '{"cells": []}'
    assert "ipynb_source" not in references
