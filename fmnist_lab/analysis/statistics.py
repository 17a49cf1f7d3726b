"""Two groups compared seed by seed: the paired gain and its 95 % t-interval (the book's one standard of
evidence for a difference)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..runs.summary import ci95


def paired_gain(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """`split` accuracy of `runs` minus `control`, seed by seed, in points: the mean, its paired 95 %
    half-width, the per-seed differences and on how many seeds the trick was ahead."""
    theirs = {r["config"]["seed"]: r[split]["acc"] for r in control}
    diffs = [100 * (r[split]["acc"] - theirs[r["config"]["seed"]]) for r in runs if r["config"]["seed"] in theirs]
    if not diffs:
        raise ValueError("no seed is shared by the trick's runs and the control's: nothing to pair")
    return {"gain": float(np.mean(diffs)), "ci": ci95(diffs), "seeds": diffs, "ahead": sum(d > 0 for d in diffs)}
