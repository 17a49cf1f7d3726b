"""Class probabilities from saved models: one model, its horizontal-flip average, a seed ensemble.

Evaluation only: nothing is stored. The functions take checkpoints by run key (in the committed
store, or the one `store_root` names) and return softmax probabilities as an (N, 10) float64 numpy
array, so accuracy, calibration and ensembles are computed from one place. Test-time augmentation
here is the mean of the probabilities for an image and its mirror image (the only flip the training
data also shows). `runs_with_weights` gets a chapter the runs, and the weights, of one study group
(training them only where the store lacks them, as every chapter's load does).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ..engine.checkpoints import load_checkpoint
from ..engine.config import RunConfig
from ..engine.data import FashionMNIST, load
from ..engine.train import as_unit_float, input_scaling
from ..runs.experiments import ensure
from ..runs.store import Store

if TYPE_CHECKING:
    from ..runs.study import Study

SPLITS = ("val", "test")


def split_images(data: FashionMNIST, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(uint8 images, labels) of the validation or test split."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    return (data.val_images, data.val_labels) if split == "val" else (data.test_images, data.test_labels)


def model_inputs(model: nn.Module, cfg: RunConfig, images: torch.Tensor) -> tuple[nn.Module, torch.Tensor]:
    """The model in eval mode and uint8 (N, 28, 28) `images` scaled as in its training; both
    channels-last for a network with convolutions, which then runs about 1.5× faster on a CPU."""

    shift, scale = input_scaling(cfg, load())
    x = (as_unit_float(images, torch.device("cpu")) - shift) / scale
    if any(isinstance(m, nn.Conv2d) for m in model.modules()):
        model, x = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    return model.eval(), x


@torch.no_grad()
def model_probabilities(model: nn.Module, cfg: RunConfig, images: torch.Tensor, flip: bool = False,
                        batch: int = 2048) -> np.ndarray:
    """Softmax outputs of `model` (eval mode) for uint8 (N, 28, 28) `images`; with `flip`, the mean
    over each image and its left-right mirror."""
    model, x = model_inputs(model, cfg, images)
    views = (x, x.flip(-1)) if flip else (x,)
    total = torch.zeros(len(x), 10, dtype=torch.float64)
    for view in views:
        for start in range(0, len(x), batch):
            total[start:start + batch] += torch.softmax(model(view[start:start + batch]).double(), 1)
    return (total / len(views)).numpy()


def probabilities(key: str, split: str = "test", flip: bool = False, store_root: str | None = None) -> np.ndarray:
    """Softmax outputs of the checkpoint `key` (in the store at `store_root`, by default the
    committed one) on a split; cached per process, so the array is read-only."""
    return _probabilities(key, split, bool(flip), str(store_root) if store_root else None)


@lru_cache(maxsize=64)
def _probabilities(key: str, split: str, flip: bool, store_root: str | None) -> np.ndarray:
    """`probabilities`, cached on positional arguments (however the caller spelled them)."""
    store = Store(store_root) if store_root else Store()
    model, cfg = load_checkpoint(store.checkpoint_path(key))
    images, _ = split_images(load(), split)
    probs = model_probabilities(model, cfg, images, flip=flip)
    probs.flags.writeable = False  # the cache hands every caller this same array
    return probs


def val_and_test(key: str, flip: bool = False, store_root: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`probabilities` of one checkpoint on the validation and the test split: what calibration
    needs (a temperature fitted on the first, measured on the second)."""
    return tuple(probabilities(key, split, flip, store_root) for split in SPLITS)


def labels(split: str = "test") -> np.ndarray:
    return split_images(load(), split)[1].numpy()


def accuracy(probs: np.ndarray, split: str = "test") -> float:
    return float((probs.argmax(1) == labels(split)).mean())


def ensemble(keys: list[str], split: str = "test", flip: bool = False, store_root: str | None = None) -> np.ndarray:
    """The probability average of several checkpoints (e.g. one recipe's seeds)."""
    if not keys:
        raise ValueError("an ensemble needs at least one checkpoint key")
    return np.mean([probabilities(k, split, flip, store_root) for k in keys], axis=0)


def runs_with_weights(study: "Study", label: str, store: Store | None = None) -> list[dict[str, Any]]:
    """The runs of one group of a study over the profile's seeds, loaded or trained (with the
    checkpoints the study declares), without the rest of the study's groups."""

    cfgs = study.configs()[label]
    declared = {cfg.key() for cfg in study.checkpoint_configs()}
    return ensure(cfgs, store, checkpoint_keys=[cfg.key() for cfg in cfgs if cfg.key() in declared], quiet=True)


def saved_keys(runs: list[dict[str, Any]], store: Store) -> list[str]:
    """The keys of those runs whose weights are in the store, in the runs' (seed) order."""
    return [r["key"] for r in runs if store.checkpoint_path(r["key"]).exists()]
