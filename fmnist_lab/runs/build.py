"""When training is refused: always under FMNIST_NO_TRAIN=1, and in a book build, which never trains in
silence. `jupyter-book build` executes the pages with FMNIST_BUILD=1 set (`book/_ext/build_env.py`);
there, a run missing from the full-profile store stops the build with one line that names it,
estimates how long it trains and says how to train it first. FMNIST_TRAIN_IN_BUILD=1 lets the build
train it instead (the build shows no progress: its kernels' stderr is not kept)."""
from __future__ import annotations

import json
import os
import statistics
from typing import Any

from ..engine.config import RunConfig
from .store import Store

SIMILAR = ("model", "hidden", "channels", "batch_size", "augment")  # what an epoch's time depends on most


def estimated_minutes(cfgs: list[Any], store: Store) -> float | None:
    """Training minutes for `cfgs`, from the median seconds per epoch of stored runs with the same
    network, batch size and augmentation; None when a configuration has no such stored run."""
    seconds: dict[tuple, list[float]] = {}
    for path in (store.root / "runs").glob("*.json"):
        try:
            record = json.loads(path.read_text())
            stored = RunConfig.from_dict(record["config"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a scikit-learn fit, or a record `status` reports
        seconds.setdefault(tuple(getattr(stored, f) for f in SIMILAR), []).append(record["seconds_per_epoch"])
    total = 0.0
    for cfg in cfgs:
        similar = seconds.get(tuple(getattr(cfg, f, None) for f in SIMILAR))
        if not isinstance(cfg, RunConfig) or not similar:
            return None
        total += statistics.median(similar) * cfg.epochs
    return total / 60


def build_forbids(profile: str) -> bool:
    """Whether this process is a book build of the full profile that was not asked to train."""
    return os.environ.get("FMNIST_BUILD") == "1" and profile == "full" and os.environ.get("FMNIST_TRAIN_IN_BUILD") != "1"


def refusal(missing: list[Any], store: Store, profile: str) -> str | None:
    """The one line that refuses to train `missing` runs, or None when training may go on: refused
    under FMNIST_NO_TRAIN=1, and in a book build of the full profile unless FMNIST_TRAIN_IN_BUILD=1."""
    if missing and os.environ.get("FMNIST_NO_TRAIN", "0") not in ("0", ""):
        return (f"{len(missing)} run(s) are not in the store {store.root} and FMNIST_NO_TRAIN is set; "
                f"first missing: {missing[0].label()} (key {missing[0].key()}); "
                "`fmnist-lab status -v` lists them; unset FMNIST_NO_TRAIN and `fmnist-lab run` trains them")
    if not missing or not build_forbids(profile):
        return None
    minutes = estimated_minutes(missing, store)
    cost = f"about {minutes:.0f} minutes on a machine like the one that trained the stored runs" if minutes is not None else "time unknown"
    return (f"the book build needs {len(missing)} run(s) that are not in the store {store.root} "
            f"(first: {missing[0].label()}, key {missing[0].key()}; {cost}); a build does not train: "
            "`fmnist-lab run` trains them first (`fmnist-lab status -v` lists them), or FMNIST_TRAIN_IN_BUILD=1 "
            "lets this build train them without showing progress")
