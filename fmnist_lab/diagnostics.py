"""Looking inside a network without training it: activations and gradients, layer by layer.

These are the classic figures for activations and initialization: how the scale of the signal
and of the gradient changes with depth, and how many ReLU units are dead.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import RunConfig
from .data import FashionMNIST
from .choices import ACTIVATIONS
from .models import build_model
from .train import as_unit_float, input_scaling


def probe_batch(data: FashionMNIST, cfg: RunConfig, n: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `n` validation images, scaled as `cfg` scales its input, with labels."""
    shift, scale = input_scaling(cfg, data)
    return (as_unit_float(data.val_images[:n], torch.device("cpu")) - shift) / scale, data.val_labels[:n]


def hidden_activations(model: nn.Module, x: torch.Tensor, training: bool = False) -> list[torch.Tensor]:
    """The output of every hidden activation layer (after the nonlinearity).

    `training=True` runs batch norm on the batch's own statistics, as in a training step (what
    matters at initialization); the default is inference mode (what a trained model does).
    """
    outputs: list[torch.Tensor] = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach()))
             for m in model.modules() if isinstance(m, tuple(c.build for c in ACTIVATIONS.values()))]
    was_training = model.training
    model.train(training)
    with torch.no_grad():
        model(x)
    model.train(was_training)
    for h in hooks:
        h.remove()
    return outputs


def fresh_model(cfg: RunConfig) -> nn.Module:
    torch.manual_seed(cfg.seed)
    return build_model(cfg)


def activation_std(cfg: RunConfig, x: torch.Tensor) -> list[float]:
    """Standard deviation of each hidden layer's output at initialization (as in a training step)."""
    return [a.std().item() for a in hidden_activations(fresh_model(cfg), x, training=True)]


def gradient_norms(cfg: RunConfig, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Norm of d(loss)/d(weight) of every Linear layer at initialization, first layer first."""
    model = fresh_model(cfg)
    model.train()
    F.cross_entropy(model(x), y).backward()
    return [m.weight.grad.norm().item() for m in model.modules() if isinstance(m, nn.Linear)]


def dead_fraction(model: nn.Module, x: torch.Tensor) -> list[float]:
    """Per hidden layer, the fraction of units that output zero for every image in `x`."""
    return [(a.reshape(len(a), -1) <= 0).all(0).float().mean().item() for a in hidden_activations(model, x)]
