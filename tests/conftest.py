import socket

import pytest

from fmnist_lab.config import RunConfig


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
