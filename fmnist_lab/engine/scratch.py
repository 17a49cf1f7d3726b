"""A NumPy MLP with hand-written backprop, to check gradients the way the earlier NumPy reports did.

`gradient_check` compares the analytic gradients with central differences; `autograd_gradients`
computes the same gradients with torch so the two implementations can be compared directly.
"""
from __future__ import annotations

import numpy as np
import torch


class NumpyMLP:
    """Affine -> tanh/ReLU -> ... -> affine -> softmax cross-entropy, float64 throughout."""

    def __init__(self, sizes: list[int], activation: str = "tanh", seed: int = 0):
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation {activation!r} is not supported; use 'tanh' or 'relu'")
        rng = np.random.default_rng(seed)
        self.activation = activation
        self.params: dict[str, np.ndarray] = {}
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.params[f"W{i}"] = rng.normal(0, np.sqrt(1 / n_in), (n_in, n_out))
            self.params[f"b{i}"] = rng.normal(0, 0.1, n_out)  # non-zero so bias gradients are exercised
        self.depth = len(sizes) - 1

    def _act(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0)

    def _act_grad(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return 1 - a ** 2 if self.activation == "tanh" else (z > 0).astype(z.dtype)

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        return self._forward(x, y)[0]

    def _forward(self, x: np.ndarray, y: np.ndarray):
        cache = [(None, x)]
        a = x
        for i in range(self.depth):
            z = a @ self.params[f"W{i}"] + self.params[f"b{i}"]
            a = self._act(z) if i < self.depth - 1 else z
            cache.append((z, a))
        logits = a - a.max(1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        return -log_probs[np.arange(len(y)), y].mean(), log_probs, cache

    def gradients(self, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """Backpropagation by hand: d(mean cross-entropy)/d(every parameter)."""
        _, log_probs, cache = self._forward(x, y)
        delta = np.exp(log_probs)
        delta[np.arange(len(y)), y] -= 1
        delta /= len(y)  # d loss / d logits
        grads = {}
        for i in reversed(range(self.depth)):
            a_prev = cache[i][1]
            grads[f"W{i}"] = a_prev.T @ delta
            grads[f"b{i}"] = delta.sum(0)
            if i > 0:
                z_prev, a_prev_act = cache[i]
                delta = (delta @ self.params[f"W{i}"].T) * self._act_grad(z_prev, a_prev_act)
        return grads


def gradient_check(model: NumpyMLP, x: np.ndarray, y: np.ndarray, samples: int = 50,
                   eps: float = 1e-6, seed: int = 0) -> list[dict]:
    """Max relative error between backprop and central differences, on `samples` random entries per tensor."""
    rng = np.random.default_rng(seed)
    analytic = model.gradients(x, y)
    rows = []
    for name, param in model.params.items():
        flat = param.reshape(-1)
        picks = rng.choice(flat.size, size=min(samples, flat.size), replace=False)
        errors = []
        for j in picks:
            old = flat[j]
            flat[j] = old + eps
            plus = model.loss(x, y)
            flat[j] = old - eps
            minus = model.loss(x, y)
            flat[j] = old
            numeric = (plus - minus) / (2 * eps)
            exact = analytic[name].reshape(-1)[j]
            errors.append(abs(numeric - exact) / max(abs(numeric) + abs(exact), 1e-12))
        rows.append({"parameter": name, "shape": "x".join(map(str, param.shape)), "checked": len(picks),
                     "max_relative_error": float(max(errors))})
    return rows


def autograd_gradients(model: NumpyMLP, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """The same loss differentiated by torch autograd (float64), for comparison with `gradients`."""
    params = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    a = torch.tensor(x)
    for i in range(model.depth):
        z = a @ params[f"W{i}"] + params[f"b{i}"]
        a = (torch.tanh(z) if model.activation == "tanh" else torch.relu(z)) if i < model.depth - 1 else z
    torch.nn.functional.cross_entropy(a, torch.tensor(y)).backward()
    return {k: p.grad.numpy() for k, p in params.items()}


def check_backprop(images: torch.Tensor, labels: torch.Tensor, mean: float, std: float, n: int = 64,
                   sizes: tuple[int, ...] = (784, 32, 10), activation: str = "tanh", seed: int = 0) -> tuple[list[dict], float]:
    """The gradient check on the first `n` images (uint8, standardized with `mean`/`std` on the [0, 1]
    scale): the rows of `gradient_check`, and the largest absolute difference between the
    hand-written gradients and torch autograd's on the same weights."""
    x = (images[:n].reshape(n, -1).double().numpy() / 255 - mean) / std
    y = labels[:n].numpy()
    net = NumpyMLP(list(sizes), activation=activation, seed=seed)
    by_hand, by_autograd = net.gradients(x, y), autograd_gradients(net, x, y)
    return gradient_check(net, x, y), max(float(np.abs(by_hand[k] - by_autograd[k]).max()) for k in by_hand)
