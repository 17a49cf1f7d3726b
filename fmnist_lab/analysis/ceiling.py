"""How far can an MLP go (chapter 11): each known trick against the best-MLP recipe, seed by seed,
test-time flips of the saved models, and the accuracy-cost frontier of every MLP the book trained.

A trick's gain is paired by seed (same seed, same data order up to the trick itself), so the
seed-to-seed spread of the recipe cancels; its interval is the 95% t-interval of those paired
differences. Costs are CPU-minutes per seed: wall time times the threads that trained it, so runs
trained by one two-thread process and by single-thread workers compare on one scale.
"""
from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd

from ..runs.derived import Analysis, weights_checksum
from ..runs.store import Store
from . import predictions as predict
from .cost import cpu_minutes
from .robustness import failed_below
from .statistics import printed_gain


def trick_gains(runs: dict[str, list[dict[str, Any]]], control: str) -> pd.DataFrame:
    """One row per trick (every group but `control`): validation and test gain over the control
    (points, the difference of the printed means), their paired 95% half-widths, seeds ahead on test, and the cost per seed
    relative to the control's (CPU-minutes)."""
    base = runs[control]
    base_cost = np.mean([cpu_minutes(r) for r in base])
    rows = []
    for label, results in runs.items():
        if label == control:
            continue
        val, test = printed_gain(results, base, "val"), printed_gain(results, base, "test")  # as the table prints them
        rows.append({"trick": label, "val_gain": val["gain"], "val_ci": val["ci"], "test_gain": test["gain"],
                     "test_ci": test["ci"], "val_seeds": val["seeds"], "test_seeds": test["seeds"], "ahead": test["ahead"], "seeds": len(test["seeds"]),
                     "cost": np.mean([cpu_minutes(r) for r in results]) / base_cost})
    return pd.DataFrame(rows)


def helped(gains: pd.DataFrame) -> list[str]:
    """The tricks that raised mean validation accuracy (selection sees validation only)."""
    return list(gains.loc[gains["val_gain"] > 0, "trick"])


def stack(study: Any, labels: list[str]) -> str | None:
    """The study's group that makes all of `labels`' changes to its control at once (the stack of
    what helped), or None when no group is declared so. One label is its own stack."""
    changes = {f.name: getattr(study.groups[label], f.name) for label in labels for f in fields(study.control)
               if getattr(study.groups[label], f.name) != getattr(study.control, f.name)}  # e.g. a schedule and its settings
    stacked = study.control.replace(**changes)
    return next((label for label, cfg in study.groups.items() if cfg == stacked), None) if labels else None


def flip_gains(keys: list[str], store_root: str | None = None) -> pd.DataFrame:
    """Test-time flips of saved models: per run key, validation and test accuracy of the model alone
    and of the mean of its predictions for the image and its mirror image."""

    rows = []
    for key in keys:
        row = {"key": key}
        for split in ("val", "test"):
            plain = predict.accuracy(predict.probabilities(key, split, False, store_root), split)
            flipped = predict.accuracy(predict.probabilities(key, split, True, store_root), split)
            row |= {split: plain, f"{split}_flip": flipped, f"{split}_gain": 100 * (flipped - plain)}
        rows.append(row)
    return pd.DataFrame(rows)


def flip_analysis(keys: list[str], store: Store) -> Analysis:
    """`flip_gains` of the checkpoints `keys` in `store` as a stored analysis (one row per key, as
    columns), keyed by the weights' checksums: scoring every image and its mirror image with every
    seed takes seconds a build need not spend."""
    inputs = tuple(f"{key}={weights_checksum(store.checkpoint_path(key))}" for key in keys)
    return Analysis("flip_gains", 1, {"keys": list(keys)}, inputs,
                    lambda: flip_gains(keys, str(store.root)).to_dict(orient="list"), chapter="11_ceiling")


def pareto(frame: pd.DataFrame, cost: str = "minutes", score: str = "test") -> pd.Series:
    """Whether each row is on the frontier: no other row is at least as good for less cost."""
    order = frame.sort_values([cost, score], ascending=[True, False])
    best, front = -math.inf, set()
    for index, row in order.iterrows():
        if row[score] > best:
            front.add(index)
            best = row[score]
    return frame.index.isin(front)


def mlp_frontier(networks: pd.DataFrame) -> pd.DataFrame:
    """The book's MLPs (taught ones included; failed ones, below `robustness.failed_below()` on
    validation, left out) from `robustness.trained_networks`, with CPU-minutes per seed
    (`cpu_minutes`) and whether each is on the test-accuracy-for-cost frontier."""

    mlps = networks[(networks["family"] != "CNN") & (networks["val"] >= failed_below())].copy()
    mlps["cpu_minutes"] = [float(np.mean([cpu_minutes(r) for r in runs])) for runs in mlps["runs"]]
    mlps["frontier"] = pareto(mlps, cost="cpu_minutes")
    return mlps


