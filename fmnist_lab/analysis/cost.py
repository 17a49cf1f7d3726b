"""What a run cost: CPU-minutes (wall time x threads) and minutes per seed timed on two threads, with
the devices that trained a group. One notion of cost, named variants: `cpu_minutes` compares runs
trained with different thread counts; `minutes_on_two_threads` is the wall time a reader with two cores
waits (`seed_minutes` falls back to every seed when none ran on two threads); `fit_seconds` is a
scikit-learn fit's processor time. A group's total wall time is `runs.summary.compute_seconds`, which
seed summaries need below this layer."""
from __future__ import annotations

import math
from typing import Any

from .metrics import machine, timing_machine


def cpu_minutes(result: dict[str, Any]) -> float:
    """Training cost of one run in CPU-minutes (wall time x threads)."""
    info = result["provenance"]
    return info["wall_seconds"] * (info.get("threads") or 1) / 60


def fit_seconds(results: list[dict[str, Any]]) -> float:
    """Mean processor seconds a fit took (one per seed, on one thread), its PCA included, its
    scoring not: the time on the clock would count the other jobs of a shared machine too."""
    return sum(r["fit_cpu_seconds"] for r in results) / len(results)


def two_thread_runs(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs timed on two threads of the machine that trained most of those (`timing_machine`)."""
    two = [r for r in results if r["provenance"].get("threads") == 2]
    return [r for r in two if machine(r) == timing_machine(two)] if two else []


def minutes_on_two_threads(results: list[dict[str, Any]]) -> float:
    """Training minutes per seed of the runs timed on two threads (`two_thread_runs`), NaN if none:
    the wall time a reader with two cores waits, comparable across recipes."""
    timed = two_thread_runs(results)
    return sum(r["provenance"]["wall_seconds"] for r in timed) / len(timed) / 60 if timed else math.nan


def seed_minutes(runs: list[dict[str, Any]]) -> float:
    """Training minutes per seed, from the seeds timed on two threads where there are any
    (`minutes_on_two_threads`: a seed retrained on one thread takes longer without being a
    costlier recipe), else the mean over all seeds."""

    minutes = minutes_on_two_threads(runs)
    return minutes if not math.isnan(minutes) else sum(r["provenance"]["wall_seconds"] for r in runs) / len(runs) / 60


def cost_ratio(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> float:
    """Mean CPU-minutes per seed of runs `a` over runs `b`, or NaN unless every run of both was timed
    alike (one machine, one thread count, `machine`): across those a ratio would mean nothing."""
    if not a or not b or len({machine(r) for r in a + b}) != 1:
        return math.nan
    return (sum(map(cpu_minutes, a)) / len(a)) / (sum(map(cpu_minutes, b)) / len(b))
