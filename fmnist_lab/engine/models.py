"""`build_model(cfg)`: the MLP family and two small CNNs, all taking (B, 1, 28, 28) input."""
from __future__ import annotations

import math

from torch import nn

from .choices import ACTIVATIONS, INITS
from .config import RunConfig


def _activation(cfg: RunConfig) -> type[nn.Module]:
    return ACTIVATIONS[cfg.activation].build


def mlp(cfg: RunConfig) -> nn.Sequential:
    """Flatten -> [Linear -> (BatchNorm) -> activation -> (Dropout)] x depth -> Linear."""
    layers: list[nn.Module] = [nn.Flatten()]
    width_in = 28 * 28
    for width in cfg.hidden:
        layers.append(nn.Linear(width_in, width, bias=not cfg.batchnorm))
        if cfg.batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(_activation(cfg)())
        if cfg.dropout:
            layers.append(nn.Dropout(cfg.dropout))
        width_in = width
    layers.append(nn.Linear(width_in, 10))
    return nn.Sequential(*layers)


def lenet(cfg: RunConfig) -> nn.Sequential:
    """LeNet-5 style: two 5x5 convolutions with average pooling, then three dense layers."""
    c1, c2 = (cfg.channels + cfg.channels)[:2]
    act = _activation(cfg)
    return nn.Sequential(
        nn.Conv2d(1, c1, 5, padding=2), act(), nn.AvgPool2d(2),
        nn.Conv2d(c1, c2, 5), act(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 5 * 5, 120), act(), nn.Dropout(cfg.dropout),
        nn.Linear(120, 84), act(), nn.Linear(84, 10),
    )


def cnn(cfg: RunConfig) -> nn.Sequential:
    """A small modern CNN: per block two 3x3 conv-BN-activation layers and a 2x2 max pool."""
    act = _activation(cfg)
    layers: list[nn.Module] = []
    c_in, size = 1, 28
    for c_out in cfg.channels:
        layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), act(),
                   nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), act(),
                   nn.MaxPool2d(2)]
        c_in, size = c_out, size // 2
    layers += [nn.Flatten(), nn.Dropout(cfg.dropout), nn.Linear(c_in * size * size, 10)]
    return nn.Sequential(*layers)


def _initialise(model: nn.Module, scheme: str, activation: str) -> None:
    """Re-initialise Linear/Conv weights by `choices.INITS` (biases to zero); 'default' keeps PyTorch's."""
    fill = INITS[scheme].build
    if fill is None:
        return
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            fill(module.weight, activation)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def build_model(cfg: RunConfig) -> nn.Module:
    """The network `cfg` describes, initialised from the current torch RNG state."""
    model = {"mlp": mlp, "lenet": lenet, "cnn": cnn}[cfg.model](cfg)
    _initialise(model, cfg.init, cfg.activation)
    return model


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def widths_for_budget(depth: int, budget: int) -> int:
    """Equal hidden width that gives an MLP of `depth` hidden layers about `budget` parameters.

    Solves (depth - 1) w^2 + (784 + depth + 10) w + 10 = budget for w.
    """
    a, b, c = depth - 1, 784 + depth + 10, 10 - budget
    width = -c / b if a == 0 else (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    return max(1, round(width))
