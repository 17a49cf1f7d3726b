"""`RunConfig`: the one frozen description of a training run.

Everything that changes a result lives here (and nothing else: not the device), so that
`key()` names a run: same key, same experiment. Bump `ENGINE_VERSION` whenever training
semantics change; stored results then stop matching and are retrained.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .choices import ACTIVATIONS, INITS, OPTIMIZERS, SCHEDULES

ENGINE_VERSION = "1"

MODELS = ("mlp", "lenet", "cnn")
EARLY_STOPPING = ("val_acc", "val_loss", "none")
NORMALIZATIONS = ("standardize", "unit", "raw")
AUGMENTATIONS = ("hflip", "rotate", "shift", "erase")
DISTILLATION_FIELDS = ("teacher", "distill_weight", "distill_temperature")
# Fields added after runs were stored, with the value that leaves them out of the run key.
LATER_FIELDS = {"refit": False, "val_size": None, "mixup": 0.0, "ema": 0.0, "milestones": ()}


def _choice(name: str, value: Any, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"RunConfig.{name}={value!r} is not valid; choose one of {', '.join(map(repr, allowed))}")


def _positive(name: str, value: Any, integer: bool = False) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        what = "a positive integer" if integer else "a positive number"
        raise ValueError(f"RunConfig.{name}={value!r} is not valid; it must be {what}")


@dataclass(frozen=True)
class RunConfig:
    """A training run. The defaults are the book's reference MLP (2 x 256, ReLU, Adam 1e-3)."""

    model: str = "mlp"
    hidden: tuple[int, ...] = (256, 256)  # MLP hidden widths; () is softmax regression
    channels: tuple[int, ...] = (32, 64)  # CNN channels per block
    activation: str = "relu"
    dropout: float = 0.0
    batchnorm: bool = False
    init: str = "default"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9  # used by momentum and nesterov
    weight_decay: float = 0.0  # coupled L2 for sgd/rmsprop/adam, decoupled for adamw
    schedule: str = "constant"
    step_epochs: int = 10  # StepLR period (Report A: step_size=10, gamma=0.1)
    step_gamma: float = 0.1
    # The "multistep" schedule: after each of these epochs the rate is multiplied by step_gamma
    # (Nokland & Eidnes 2019's --lr-decay-milestones); only that schedule reads it.
    milestones: tuple[int, ...] = ()
    batch_size: int = 128
    epochs: int = 30
    early_stopping: str = "val_acc"
    patience: int = 5
    augment: tuple[str, ...] = ()
    normalization: str = "standardize"
    label_smoothing: float = 0.0
    train_size: int | None = None  # None: the whole 50k training split
    # After selection: train on the training and validation splits together (60k images) for
    # exactly `epochs`. Such a run has no held-out validation score, so it cannot be selected.
    refit: bool = False
    # Score validation on its first `val_size` images only (None: all 10 000). Only the smoke
    # profile sets it: per-epoch validation of a CNN would otherwise dominate its seconds-long runs.
    val_size: int | None = None
    # Knowledge distillation: also learn the softened predictions of a committed checkpoint
    # (its run key). The model itself stays what `model` says; only its training targets change.
    teacher: str | None = None
    distill_weight: float = 0.9  # share of the loss spent on matching the teacher
    distill_temperature: float = 4.0
    # Chapter 11's tricks. mixup: train on convex mixtures of two images and their labels, the
    # weight drawn from Beta(mixup, mixup) per batch (Zhang et al. 2018); 0 is off. ema: evaluate,
    # select and keep an exponential moving average of the weights (and batch-norm statistics)
    # with this decay per step instead of the weights themselves; 0 is off.
    mixup: float = 0.0
    ema: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        # Normalise list inputs (e.g. from JSON) to tuples so equal configs hash equally.
        for name in ("hidden", "channels", "augment", "milestones"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        _choice("model", self.model, MODELS)
        _choice("activation", self.activation, ACTIVATIONS)
        _choice("init", self.init, INITS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("early_stopping", self.early_stopping, EARLY_STOPPING)
        _choice("normalization", self.normalization, NORMALIZATIONS)
        for aug in self.augment:
            _choice("augment", aug, AUGMENTATIONS)
        for width in self.hidden:
            _positive("hidden", width, integer=True)
        if self.model != "mlp" and not self.channels:
            raise ValueError("RunConfig.channels must name at least one block for a CNN")
        for width in self.channels:
            _positive("channels", width, integer=True)
        for epoch in self.milestones:
            _positive("milestones", epoch, integer=True)
        if list(self.milestones) != sorted(set(self.milestones)):
            raise ValueError(f"RunConfig.milestones={self.milestones!r} is not valid; it must be strictly increasing epochs")
        if (self.schedule == "multistep") != bool(self.milestones):
            raise ValueError("RunConfig.milestones go with schedule='multistep' and only with it: "
                             "set both (e.g. schedule='multistep', milestones=(100, 150)) or neither")
        for name in ("lr", "step_gamma"):
            _positive(name, getattr(self, name))
        for name in ("batch_size", "epochs", "patience", "step_epochs"):
            _positive(name, getattr(self, name), integer=True)
        if self.train_size is not None:
            _positive("train_size", self.train_size, integer=True)
        if self.val_size is not None:
            _positive("val_size", self.val_size, integer=True)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"RunConfig.dropout={self.dropout!r} is not valid; it must be in [0, 1)")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"RunConfig.label_smoothing={self.label_smoothing!r} is not valid; it must be in [0, 1)")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"RunConfig.momentum={self.momentum!r} is not valid; it must be in [0, 1)")
        if self.weight_decay < 0:
            raise ValueError(f"RunConfig.weight_decay={self.weight_decay!r} is not valid; it must be >= 0")
        if not isinstance(self.refit, bool):
            raise ValueError(f"RunConfig.refit={self.refit!r} is not valid; it must be True or False")
        if self.refit and self.early_stopping != "none":
            raise ValueError("RunConfig.refit=True trains on the validation images, so they cannot pick the epoch: "
                             "set early_stopping='none' (the run then keeps its last epoch)")
        if self.teacher is not None and not (isinstance(self.teacher, str) and len(self.teacher) == 16
                                             and all(ch in "0123456789abcdef" for ch in self.teacher)):
            raise ValueError(f"RunConfig.teacher={self.teacher!r} is not valid; it must be a 16-hex-digit run key "
                             "whose checkpoint is in book/results/checkpoints/")
        if not 0.0 <= self.distill_weight <= 1.0:
            raise ValueError(f"RunConfig.distill_weight={self.distill_weight!r} is not valid; it must be in [0, 1]")
        _positive("distill_temperature", self.distill_temperature)
        if isinstance(self.mixup, bool) or not isinstance(self.mixup, (int, float)) or self.mixup < 0:
            raise ValueError(f"RunConfig.mixup={self.mixup!r} is not valid; it must be 0 (off) or a positive Beta parameter")
        if isinstance(self.ema, bool) or not isinstance(self.ema, (int, float)) or not 0.0 <= self.ema < 1.0:
            raise ValueError(f"RunConfig.ema={self.ema!r} is not valid; it must be 0 (off) or a decay in (0, 1), e.g. 0.999")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"RunConfig.seed={self.seed!r} is not valid; it must be a non-negative integer")

    def replace(self, **changes: Any) -> "RunConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown RunConfig fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def canonical_json(self) -> str:
        """The fields as sorted JSON. Fields added later are left out while they are inactive (the
        distillation fields without a teacher, the others at their defaults), so the keys of every
        run stored before they existed stay valid."""
        omitted = {*self.inactive_fields(), *(name for name, off in LATER_FIELDS.items() if getattr(self, name) == off)}
        fields = {name: value for name, value in self.to_dict().items() if name not in omitted}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    def inactive_fields(self) -> tuple[str, ...]:
        """Fields that cannot affect this run: the teacher's settings when there is no teacher."""
        return DISTILLATION_FIELDS if self.teacher is None else ()

    def key(self) -> str:
        """16 hex digits naming this run under the current engine version."""
        payload = self.canonical_json() + "|engine=" + ENGINE_VERSION
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def label(self) -> str:
        """Short description for logs: the architecture plus every field that differs from the reference."""
        if self.model == "mlp":
            arch = "mlp " + ("x".join(map(str, self.hidden)) or "linear")
        else:
            arch = f"{self.model} " + "-".join(map(str, self.channels))
        skip = {"model", "hidden", "channels", "seed", *self.inactive_fields()}
        diffs = [f"{f.name}={_jsonable(getattr(self, f.name))}" for f in dataclasses.fields(self)
                 if f.name not in skip and getattr(self, f.name) != getattr(REFERENCE, f.name)]
        return " ".join([arch, *diffs, f"seed={self.seed}"])


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


REFERENCE = RunConfig()
"""The shared reference MLP every chapter varies one factor of."""
