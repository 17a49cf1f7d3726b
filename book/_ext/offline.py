"""The HTML book reads offline and fetches nothing: jupyter-book 1.x always loads sphinx-thebe
(live code through Binder), which writes a script URL on unpkg.com and a Binder repository that
is not ours into every page, though this book has no launch button. Its event handlers are
dropped once every extension is set up, so no page carries them."""
from sphinx.events import EventManager


def drop_thebe(app, config=None) -> None:
    """Remove every event handler that sphinx-thebe connected (`config-inited`: all are set up)."""
    events: EventManager = app.events
    for listeners in events.listeners.values():
        listeners[:] = [e for e in listeners if getattr(e.handler, "__module__", "").split(".")[0] != "sphinx_thebe"]


def setup(app):
    app.connect("config-inited", drop_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
