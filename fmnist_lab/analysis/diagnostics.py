"""Looking inside a network without training it: activations and gradients, layer by layer.

These are the classic figures for activations and initialization: how the scale of the signal
and of the gradient changes with depth, and how many ReLU units are dead.
"""
from __future__ import annotations

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..engine.checkpoints import load_checkpoint
from ..engine.choices import ACTIVATIONS
from ..engine.config import RunConfig
from ..engine.data import FashionMNIST
from ..engine.models import build_model
from ..engine.train import as_unit_float, input_scaling
from ..runs.experiments import current_store


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


def per_layer_factor(values: list[float]) -> float:
    """Geometric mean of the layer-to-layer ratio of a per-layer quantity (e.g. `activation_std`):
    the factor by which each layer multiplies it on average."""
    return (values[-1] / values[0]) ** (1 / (len(values) - 1))


def dead_units(networks: dict[str, RunConfig], data: FashionMNIST, store=None) -> pd.DataFrame:
    """Per network and hidden layer, the percentage of units that output zero on every validation
    image, at initialization and after training (the saved checkpoint of each configuration in
    `store`, by default the current one). Columns: network, layer, dead at init %, dead after training %."""

    store = store or current_store()
    rows = []
    for name, cfg in networks.items():
        x, _ = probe_batch(data, cfg, n=len(data.val_labels))
        trained, _ = load_checkpoint(store.checkpoint_path(cfg.key()))
        before, after = dead_fraction(fresh_model(cfg), x), dead_fraction(trained, x)
        rows += [{"network": name, "layer": layer, "dead at init %": 100 * b, "dead after training %": 100 * a}
                 for layer, (b, a) in enumerate(zip(before, after), 1)]
    return pd.DataFrame(rows)
