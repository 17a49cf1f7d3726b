"""The NumPy MLP with hand-written backprop (fmnist_lab.engine.scratch) against numerical and autograd gradients."""
import numpy as np
import pytest

from fakes import images  # noqa: F401  (fixtures)

from fmnist_lab.engine import scratch


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 20)), rng.integers(0, 10, 16)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backprop_matches_numerical_gradients(batch, activation):
    net = scratch.NumpyMLP([20, 12, 8, 10], activation=activation, seed=1)
    rows = scratch.gradient_check(net, *batch, samples=40)
    assert len(rows) == 6
    assert max(r["max_relative_error"] for r in rows) < 1e-5  # ReLU kinks allow ~1e-6


def test_gradient_check_catches_a_broken_backward(batch, monkeypatch):
    net = scratch.NumpyMLP([20, 12, 10], activation="tanh", seed=1)
    monkeypatch.setattr(net, "_act_grad", lambda z, a: np.ones_like(z))  # forgot the tanh derivative
    assert max(r["max_relative_error"] for r in scratch.gradient_check(net, *batch)) > 1e-3


def test_backprop_agrees_with_autograd(batch):
    net = scratch.NumpyMLP([20, 12, 10], activation="relu", seed=2)
    by_hand, by_torch = net.gradients(*batch), scratch.autograd_gradients(net, *batch)
    for name in by_hand:
        np.testing.assert_allclose(by_hand[name], by_torch[name], rtol=1e-10, atol=1e-12)


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="'sigmoid' is not supported"):
        scratch.NumpyMLP([4, 2], activation="sigmoid")


def test_check_backprop_on_uint8_images(images):
    imgs, labels = images
    rows, autograd_diff = scratch.check_backprop(imgs, labels, mean=0.3, std=0.3, n=16, sizes=(784, 8, 10), seed=1)
    assert [r["parameter"] for r in rows] == ["W0", "b0", "W1", "b1"]
    assert max(r["max_relative_error"] for r in rows) < 1e-5
    assert autograd_diff < 1e-10
