"""Two groups compared: the difference and its 95 % t-interval, paired seed by seed where the groups
share seeds, Welch's otherwise. A difference whose interval excludes zero is "beyond seed noise":
the book's one standard of evidence."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..runs.summary import ci95, t95


def shown_points(a: float, b: float, digits: int = 2) -> float:
    """`a` − `b` (fractions) in points, from the two as the page prints them (`digits` decimals of
    a percent): a reader who subtracts 90.01 from 90.05 must find the glued +0.04, not +0.03. Every
    gain the book prints is this; its interval is the paired (or Welch's) half-width around it."""
    return round(round(100 * a, digits) - round(100 * b, digits), digits)


def paired_difference(runs: list[dict[str, Any]], control: list[dict[str, Any]], value: Callable[[dict[str, Any]], float]
                      ) -> dict[str, Any]:
    """`value(run)` of `runs` minus `control`'s, seed by seed (any number a run has: accuracy in
    points, a train − validation gap, a curve's roughness): the mean, its paired 95 % half-width,
    the per-seed differences and on how many seeds `runs` was ahead."""
    theirs = {r["config"]["seed"]: value(r) for r in control}
    diffs = [value(r) - theirs[r["config"]["seed"]] for r in runs if r["config"]["seed"] in theirs]
    if not diffs:
        raise ValueError("no seed is shared by the trick's runs and the control's: nothing to pair")
    return {"gain": float(np.mean(diffs)), "ci": ci95(diffs), "seeds": diffs, "ahead": sum(d > 0 for d in diffs)}


def paired_gain(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """`split` accuracy of `runs` minus `control`, seed by seed, in points (`paired_difference`)."""
    return paired_difference(runs, control, lambda r: 100 * r[split]["acc"])


def printed_gain(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """`paired_gain` with the gain as a page prints it, the difference of the two printed means
    (`shown_points`); the interval, the seeds and the count ahead stay paired."""
    p = paired_gain(runs, control, split)
    mean = [sum(r[split]["acc"] for r in side) / len(side) for side in (runs, control)]
    return p | {"gain": shown_points(*mean)}


def unpaired_gain(a: dict[str, Any], b: dict[str, Any], split: str) -> dict[str, Any]:
    """Seed summary `a` minus `b` on `split`, in points, when their seeds cannot be paired: the
    difference of the means and its Welch 95 % half-width. A side with one value (a classifier
    fitted once, an ensemble, a number quoted from a paper) has no spread of its own: the interval
    is then the other side's alone. NaN when neither side has two values."""
    gain = 100 * (a[f"{split}_mean"] - b[f"{split}_mean"])
    sides = [s for s in (a, b) if s["seeds"] >= 2]
    if not sides:
        return {"gain": gain, "ci": math.nan}
    v = [(100 * s[f"{split}_std"]) ** 2 / s["seeds"] for s in sides]
    if sum(v) == 0:
        return {"gain": gain, "ci": 0.0}
    df = sum(v) ** 2 / sum(vi ** 2 / (s["seeds"] - 1) for vi, s in zip(v, sides))  # Welch–Satterthwaite
    return {"gain": gain, "ci": t95(max(1, math.floor(df))) * math.sqrt(sum(v))}
