import socket

import pytest

from fmnist_lab.engine.config import RunConfig


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests must never reach the network (the dataset comes from disk)."""
    def refuse(*args, **kwargs):
        raise RuntimeError("a test tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def tiny() -> RunConfig:
    """A real but small run: 2 000 training images, 2 epochs."""
    return RunConfig(hidden=(64,), train_size=2000, epochs=2, seed=0)


@pytest.fixture
def glued(monkeypatch):
    """What the report helpers glue, by name, instead of handing it to myst-nb."""
    import myst_nb

    values = {}
    # Every glue helper ends in myst_nb.glue: numbers as themselves, texts and tables as Markdown.
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: values.update({name: getattr(value, "data", value)}))
    return values


@pytest.fixture
def themed():
    """The book's plot theme for one test; the global rcParams are restored afterwards."""
    import matplotlib.pyplot as plt

    from fmnist_lab.report import figures

    with plt.rc_context():
        figures.use_style()
        yield
    plt.close("all")
