"""What the seeds of one configuration say together: mean ± std, the 95 % interval, the validation
pick among groups, and the compute they took. Studies summarize with it as they load; analysis builds on it."""
from __future__ import annotations

import math
import statistics
from typing import Any, Iterable


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = [v for v in values if v is not None]
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Seed aggregate of one configuration: means, stds and cost."""
    val = [r["val"]["acc"] for r in results]
    test = [r["test"]["acc"] for r in results]
    train_acc = [r["history"]["train_eval_acc"][r["final_epoch"] - 1] for r in results]
    val_mean, val_std = mean_std(val)
    test_mean, test_std = mean_std(test)
    train_mean, _ = mean_std(train_acc)
    peak = [max((v for v in r["history"]["val_acc"] if v is not None), default=math.nan) for r in results]
    peak_mean, peak_std = mean_std(peak)
    return {
        "seeds": len(results),
        "val_mean": val_mean, "val_std": val_std,
        "test_mean": test_mean, "test_std": test_std, "test_ci95": ci95(test),
        "train_mean": train_mean,
        "gap": train_mean - val_mean,  # train (eval mode) minus validation accuracy at the reported epoch
        "peak_val_mean": peak_mean, "peak_val_std": peak_std,  # best epoch in hindsight (chosen on val)
        "epochs": statistics.fmean(r["final_epoch"] for r in results),
        "params": results[0]["params"],
        "sec_per_epoch": statistics.fmean(r["seconds_per_epoch"] for r in results),
        "wall_seconds": compute_seconds(results) / len(results),  # training cost per seed
        "diverged": sum(r["diverged"] for r in results),
    }


def select(groups: dict[str, list[dict[str, Any]]]) -> str:
    """The configuration with the highest mean validation accuracy (never the test set)."""
    return max(groups, key=lambda name: summarize(groups[name])["val_mean"])


def compute_seconds(results: Iterable[dict[str, Any]]) -> float:
    """Total wall-clock seconds the given runs cost when they were trained (from provenance)."""
    return sum(r["provenance"]["wall_seconds"] for r in results)


def stalled_epochs(result: dict[str, Any], factor: float = 10.0, min_excess: float = 5.0) -> list[int]:
    """Epochs that took `factor` times the run's median epoch and `min_excess` seconds more.

    Such an epoch means the machine stalled (suspended, or shared with other work), not that the
    model was slow: the results stay valid, but the run's wall time -- and so the compute a
    chapter states -- is inflated. Retrain it with `fmnist-lab run --force --key KEY`.
    """
    seconds = [s for s in result["history"]["seconds"] if s is not None]
    if not seconds:
        return []
    median = sorted(seconds)[len(seconds) // 2]
    return [epoch for epoch, s in zip(result["history"]["epoch"], result["history"]["seconds"])
            if s is not None and s > factor * median and s - median > min_excess]


def t95(df: int) -> float:
    """The 97.5 % quantile of t with `df` degrees of freedom (normal limit plus the first correction beyond 30)."""
    if df < 1:
        raise ValueError("a t interval needs at least two values")
    return _T95[df - 1] if df <= len(_T95) else 1.960 + 2.4 / df


def ci95(values: list[float]) -> float:
    """Half-width of the 95% t-interval of the mean (NaN for fewer than two values, or if one is NaN:
    a smoke run too short for the quantity measured)."""

    n = len(values)
    if n < 2 or any(math.isnan(v) for v in values):
        return math.nan
    return t95(n - 1) * statistics.stdev(values) / math.sqrt(n)


# Two-sided 95% quantiles of Student's t by degrees of freedom (standard tables, 3 decimals).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
