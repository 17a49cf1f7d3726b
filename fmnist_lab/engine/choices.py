"""The settings a `RunConfig` picks by name, each registered once.

One mapping per choice: `RunConfig` validates against its keys, `models`/`train` build from its
`build`, and the book shows its `title`. To add an activation, an initialization, an optimizer
or a schedule, add one line here; nothing else needs to know the list.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn


@dataclass(frozen=True)
class Choice:
    title: str  # what a reader sees in tables and legends
    build: Callable[..., Any] | None = None  # None: nothing to build (the default behaviour)

    @property
    def prose_title(self) -> str:
        """The title as the book's pages write it in Markdown, a normal distribution as an italic
        *N* ('*N*(0, 1)'): read as it is in the HTML and the PDF, with no math renderer."""
        return self.title.replace("N(", "*N*(")


def _sgd(cfg, params, **extra):
    return torch.optim.SGD(params, lr=cfg.lr, weight_decay=cfg.weight_decay, **extra)


def _step(cfg, optimizer, steps_per_epoch):
    period = cfg.step_epochs * steps_per_epoch
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: cfg.step_gamma ** (step // period))


def _multistep(cfg, optimizer, steps_per_epoch):
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: cfg.step_gamma ** bisect.bisect_right(cfg.milestones, step // steps_per_epoch))


def _cosine(cfg, optimizer, steps_per_epoch):
    total = cfg.epochs * steps_per_epoch
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total) / total)))


# Activation layers: build() -> nn.Module.
ACTIVATIONS = {
    "sigmoid": Choice("sigmoid", nn.Sigmoid),
    "tanh": Choice("tanh", nn.Tanh),
    "relu": Choice("ReLU", nn.ReLU),
    "leaky_relu": Choice("leaky ReLU", nn.LeakyReLU),
    "elu": Choice("ELU", nn.ELU),
    "gelu": Choice("GELU", nn.GELU),
    "silu": Choice("SiLU", nn.SiLU),
}

# Weight initializations of Linear/Conv layers: build(weight, activation name) fills `weight`
# in place; biases are zeroed. "default" keeps PyTorch's Kaiming-uniform (a = sqrt 5) and its biases.
INITS = {
    "normal1": Choice("N(0, 1)", lambda w, act: nn.init.normal_(w, 0.0, 1.0)),
    "normal001": Choice("N(0, 0.01²)", lambda w, act: nn.init.normal_(w, 0.0, 0.01)),
    "xavier": Choice("Xavier normal", lambda w, act: nn.init.xavier_normal_(w)),  # Glorot & Bengio's, gain 1
    "kaiming": Choice("Kaiming normal", lambda w, act: nn.init.kaiming_normal_(
        w, nonlinearity=act if act in ("relu", "leaky_relu", "tanh", "sigmoid") else "relu")),
    "default": Choice("PyTorch default"),
}

# Optimizers: build(cfg, parameters) -> torch.optim.Optimizer. Weight decay is coupled L2 for all
# but AdamW, where it is decoupled.
OPTIMIZERS = {
    "sgd": Choice("SGD", _sgd),
    "momentum": Choice("SGD + momentum", lambda cfg, params: _sgd(cfg, params, momentum=cfg.momentum)),
    "nesterov": Choice("Nesterov", lambda cfg, params: _sgd(cfg, params, momentum=cfg.momentum, nesterov=True)),
    "rmsprop": Choice("RMSProp", lambda cfg, params: torch.optim.RMSprop(params, lr=cfg.lr, weight_decay=cfg.weight_decay)),
    "adam": Choice("Adam", lambda cfg, params: torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)),
    "adamw": Choice("AdamW", lambda cfg, params: torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)),
}

# Learning-rate schedules, stepped once per mini-batch over the planned `cfg.epochs`:
# build(cfg, optimizer, steps_per_epoch) -> scheduler; "constant" has none.
SCHEDULES = {
    "constant": Choice("constant"),
    "step": Choice("step decay", _step),
    "multistep": Choice("step decay at set epochs", _multistep),
    "cosine": Choice("cosine", _cosine),
    "onecycle": Choice("one-cycle", lambda cfg, optimizer, steps_per_epoch: torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=cfg.lr, total_steps=cfg.epochs * steps_per_epoch)),
}


def title(registry: dict[str, Choice], name: str) -> str:
    """The reader's name of a registered choice."""
    return registry[name].title
