"""Offer each chapter as an executed `.ipynb` in the page's download menu.

The chapters are jupytext MyST files; myst-nb executes each into `_build/jupyter_execute/`.
sphinx-book-theme lists a `.ipynb` download only when `context["ipynb_source"]` names a file
under `_sources/`, and sets it itself only when launch buttons (Binder, Colab, ...) are
configured, which this offline book has none of. This hook copies the executed notebook there
and sets the name, just before the theme builds its buttons (priority 501).
"""
from pathlib import Path
from shutil import copy2


def offer_notebook(app, pagename, templatename, context, doctree):
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if app.builder.format != "html" or not executed.exists():
        return  # a page without code cells (references) or a non-HTML build
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", offer_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
