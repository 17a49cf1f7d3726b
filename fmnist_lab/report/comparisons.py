"""Phrases that compare two results: above or below, by how much, and whether the gap is within seed
noise, by the book's one standard: a 95% interval of the difference (paired by seed where possible)."""
from __future__ import annotations

import math
from typing import Any, Callable

from ..analysis.statistics import paired_difference, printed_gain, shown_points, unpaired_gain
from ..runs.summary import summarize
from .format import above_below, number, signed


def above(a: float, b: float, digits: int = 2) -> str:
    """Accuracy `a` against `b` (fractions) in words, from the printed figures: '1.12 points
    above', '0.30 points below', 'level with' (`shown_points`, `above_below`)."""
    return above_below(shown_points(a, b, digits), digits)


def against_one_run(summary: dict[str, Any], value: float, split: str = "test") -> str:
    """A seed summary against one published run's accuracy `value` (no spread of its own, so the
    interval is our seeds' alone, `unpaired`): '0.08 points above, within seed noise, 95% interval
    −0.14 to +0.30'. A gap to a single number is judged by the same standard as every other."""
    c = unpaired(summary, {f"{split}_mean": value, f"{split}_std": 0.0, "seeds": 1}, split)
    return f"{above_below(c['gain'])}, {noise_verdict(c['gain'], c['ci'])}"


def points(a: dict[str, Any], b: dict[str, Any], split: str = "test") -> float:
    """How far seed summary `a` is above `b` on a split ("val", "test"), in accuracy points (`shown_points`)."""
    return shown_points(a[f"{split}_mean"], b[f"{split}_mean"])


def seeds_ahead(ahead: int, seeds: int, noun: str = "seed") -> str:
    """On how many of the paired seeds (or other `noun`s) a model was ahead: 'on all 3 seeds',
    'on both seeds', 'on 2 of 3 seeds', 'on none of the 3 seeds', 'on its one seed'."""
    if seeds == 1:
        return f"on its one {noun}" if ahead else f"on none of its one {noun}"
    if ahead == seeds:
        return f"on both {noun}s" if seeds == 2 else f"on all {seeds} {noun}s"
    return f"on none of the {seeds} {noun}s" if ahead == 0 else f"on {ahead} of {seeds} {noun}s"


def noise_verdict(gain: float, half_width: float) -> str:
    """Whether a gain (points) is clear of the seed noise, with its 95% interval (paired or Welch's:
    the caller's): 'beyond seed noise, 95% interval +0.53 to +1.07', 'within seed noise, 95%
    interval −0.12 to +1.11' (commas, not parentheses: pages often quote it inside their own);
    'with too few seeds for an interval' when there is none (NaN)."""
    if math.isnan(half_width):
        return "with too few seeds for an interval"
    where = "beyond" if abs(gain) > half_width else "within"
    return f"{where} seed noise, 95% interval {signed(gain - half_width)} to {signed(gain + half_width)}"


def paired(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str = "test",
           value: Callable[[dict[str, Any]], float] | None = None) -> dict[str, Any]:
    """How far `runs` lie above `control` on `split` (or in `value(run)`, any other number a run
    has), seed by seed (the seeds' spread cancels): the mean `gain` (points), its 95% half-width
    `ci`, `clear` (the interval excludes zero), `ahead` (seeds where `runs` won) and `seeds` (pairs)."""

    # accuracy: the gain as printed (the difference of the printed means), the interval paired
    p = printed_gain(runs, control, split) if value is None else paired_difference(runs, control, value)
    return {"gain": p["gain"], "ci": p["ci"], "clear": abs(p["gain"]) > p["ci"], "ahead": p["ahead"], "seeds": len(p["seeds"])}


def unpaired(a: dict[str, Any], b: dict[str, Any], split: str = "test") -> dict[str, Any]:
    """How far seed summary `a` lies above `b` on `split` when their seeds cannot be paired: the
    difference as printed (`shown_points`), its Welch 95% half-width `ci` and `clear`."""
    ci = unpaired_gain(a, b, split)["ci"]
    gain = points(a, b, split)
    return {"gain": gain, "ci": ci, "clear": abs(gain) > ci}


def compare(a: list[dict[str, Any]], b: list[dict[str, Any]], split: str = "test") -> dict[str, Any]:
    """Two lists of runs: `paired` when they hold the same seeds once each, else `unpaired` over their summaries,
    so one standard of evidence serves every comparison (`gain`, `ci`, `clear`)."""
    seeds = [[r.get("config", {}).get("seed") for r in runs] for runs in (a, b)]
    if None not in seeds[0] + seeds[1] and all(len(set(s)) == len(s) for s in seeds) and set(seeds[0]) == set(seeds[1]):
        return paired(a, b, split)
    return unpaired(summarize(a), summarize(b), split)


def widest(groups: list[list[dict[str, Any]]], split: str = "val") -> dict[str, Any]:
    """The highest group (a list of runs) against the lowest on `split`'s mean: `compare`'s dict."""
    means = [sum(r[split]["acc"] for r in runs) / len(runs) for runs in groups]
    return compare(groups[means.index(max(means))], groups[means.index(min(means))], split)


def verdict(a: Any, b: Any, split: str = "test") -> str:
    """`noise_verdict` of `a` against `b`: two lists of runs (`compare`) or two seed summaries (`unpaired`)."""
    out = unpaired(a, b, split) if isinstance(a, dict) else compare(a, b, split)
    return noise_verdict(out["gain"], out["ci"])


def target_verdict(mean: float, goal: float, floor: float, again: bool = False) -> str:
    """How a mean accuracy stands against a target set before training, in words for the prose;
    `again`: the short form for a page that has already named both targets once."""
    if again:
        return ("reaches the goal too" if mean >= goal else "clears the minimum too, though not the goal" if mean >= floor
                else "also falls short of the minimum")
    if mean >= goal:
        return f"reaches the {number(100 * goal, 1)}% goal"
    if mean >= floor:
        return f"clears the {number(100 * floor, 1)}% minimum but not the {number(100 * goal, 1)}% goal"
    return f"falls short of both the {number(100 * goal, 1)}% goal and the {number(100 * floor, 1)}% minimum"
