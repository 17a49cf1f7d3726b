"""Chapter 2's findings: the classical classifiers beside the networks, glued, and how they compare
with the scikit-learn benchmark Zalando published."""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..report.comparisons import above
from ..report.format import pct, pm, thousands
from ..report.glue import glue_markdown, glue_numbers
from ..runs.classical import BENCHMARK, EstimatorResults, fit_seconds
from ..runs.summary import summarize


def comparison_table(results: EstimatorResults, networks: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """One row per classifier at its configuration chosen on validation (accuracy in %, mean ± std over
    seeds where there are several; seconds to fit, per seed), then the book's `networks` (a reader's
    label -> runs), whose seconds are a whole training run, validation after each epoch included."""

    def accuracy(runs: list[dict[str, Any]], split: str) -> str:
        s = summarize(runs)
        return pm(s[f"{split}_mean"], s[f"{split}_std"]) if len(runs) > 1 else pct(s[f"{split}_mean"])

    def row(name: str, chosen: str, runs: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
        return {"classifier": name, "chosen on validation": chosen, "seeds": len(runs),
                "val acc %": accuracy(runs, "val"), "test acc %": accuracy(runs, "test"),
                "seconds": thousands(seconds) if seconds >= 10 else f"{seconds:.1f}"}

    rows = [row(classifier, label, runs, fit_seconds(runs)) for classifier, label, runs in results.by_estimator().values()]
    rows += [row(name, "", runs, summarize(runs)["wall_seconds"]) for name, runs in networks.items()]
    return pd.DataFrame(rows)


def glue(prefix: str, results: EstimatorResults) -> None:
    """Glue, per estimator name (`ESTIMATORS` key) at its configuration chosen on validation,
    `<prefix>_<name>_val`, `_test` (mean over seeds), `_fit` (seconds per seed), `_seeds` (numbers)
    and `_chosen` (its settings, Markdown); and `<prefix>_<name>_benchmark` where the benchmark
    lists it (`BENCHMARK`)."""

    for name, (_, label, runs) in results.by_estimator().items():
        s = summarize(runs)
        glue_numbers(**{f"{prefix}_{name}_val": s["val_mean"], f"{prefix}_{name}_test": s["test_mean"],
                        f"{prefix}_{name}_fit": fit_seconds(runs), f"{prefix}_{name}_seeds": len(runs)})
        glue_markdown(**{f"{prefix}_{name}_chosen": label})
    glue_numbers(**{f"{prefix}_{name}_benchmark": accuracy for name, (_, accuracy) in BENCHMARK.items()})


def against_benchmark(accuracy: float, name: str) -> str:
    """How a test accuracy (fraction) stands against the benchmark's figure for `name`
    (`BENCHMARK`), at the benchmark's one decimal: 'matches the 89.7%', or '0.4 points above the
    87.1%' (a 89.69% that the benchmark would list as 89.7% matches it)."""
    listed = BENCHMARK[name][1]
    if f"{100 * accuracy:.1f}" == f"{100 * listed:.1f}":
        return f"matches the {100 * listed:.1f}%"

    return f"{above(accuracy, listed, 1)} the {100 * listed:.1f}%"
