"""The offline hook (book/_ext/offline.py): sphinx-thebe's handlers are dropped, every other stays."""
from types import SimpleNamespace

from sphinx.events import EventManager

from book_extensions import book_extension


def test_sphinx_thebes_handlers_are_dropped_and_no_other():
    offline = book_extension("offline")
    events = EventManager(SimpleNamespace())
    thebe = type("Handler", (), {"__module__": "sphinx_thebe", "__call__": lambda self, *a: None})()
    mine = type("Handler", (), {"__module__": "myst_nb.sphinx_", "__call__": lambda self, *a: None})()
    events.connect("env-before-read-docs", thebe, 500)
    events.connect("doctree-resolved", thebe, 500)
    events.connect("doctree-resolved", mine, 500)
    offline.drop_thebe(SimpleNamespace(events=events))
    assert [e.handler for e in events.listeners["doctree-resolved"]] == [mine]
    assert events.listeners["env-before-read-docs"] == []
