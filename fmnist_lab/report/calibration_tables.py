"""Calibration as tables and phrases (chapter 12): ECE, log loss and over-confidence before and after
temperature scaling, per class, and which seeds were averaged."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .format import join, signed


def table(assessed: dict[str, dict[str, float]]) -> pd.DataFrame:
    """`assess` results of several models, one row each: networks averaged, test accuracy, ECE and
    NLL before and after temperature scaling, and T (percent with two decimals, NLL with three).
    Eight short columns: more overflow the book's page; confidence − accuracy is `overconfidence_table`."""
    rows = []
    for name, s in assessed.items():
        rows.append({"model": name, "networks": s.get("members", 1), "test acc\u00a0%": f"{100 * s['accuracy']:.2f}",
                     "ECE\u00a0%": f"{100 * s['ece']:.2f}", "ECE\u00a0% after\u00a0T": f"{100 * s['ece_scaled']:.2f}",
                     "NLL": f"{s['nll']:.3f}", "NLL after\u00a0T": f"{s['nll_scaled']:.3f}", "T": f"{s['temperature']:.2f}"})
    return pd.DataFrame(rows)


def overconfidence_table(assessed: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Mean confidence minus accuracy of each model, in points with two decimals and a sign (above 0:
    overconfident): on test before and after temperature scaling, and on the validation images
    the temperature was fitted to."""
    return pd.DataFrame([{"model": name, "test": signed(100 * s["overconfidence"]),
                          "test after\u00a0T": signed(100 * s["overconfidence_scaled"]),
                          "validation after\u00a0T": signed(100 * s["val_overconfidence_scaled"])} for name, s in assessed.items()])


def seeds_phrase(seeds: dict[str, list[int]]) -> str:
    """Which seeds of which networks were read, in one phrase: networks with the same seeds share one
    mention, the largest group first: 'seeds 0, 1 and 2 of A and B, and seed 0 of C' (never 'seed 0,
    1 and 2 and seed 0, 1 and 2')."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for name, numbers in seeds.items():
        groups.setdefault(tuple(sorted(numbers)), []).append(name)
    parts = [f"{'seed' if len(numbers) == 1 else 'seeds'} {join([str(n) for n in numbers])} of {join(names)}"
             for numbers, names in sorted(groups.items(), key=lambda group: -len(group[1]))]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]


def per_class_table(scores: dict[str, pd.DataFrame], class_names: tuple[str, ...], detail: str | None = None) -> pd.DataFrame:
    """`per_class_scores` of several models side by side, in percent with one decimal: one row per
    class, then the unweighted mean over classes ('mean'); columns '<model> F1' for every model,
    then '<detail> P' and '<detail> R' (precision, recall) for the model `detail` only, so that
    three models fit the page's width."""
    table: dict[str, Any] = {"class": [*class_names, "mean"]}
    columns = [(model, "f1", "F1") for model in scores] + ([(detail, "precision", "P"), (detail, "recall", "R")] if detail else [])
    for model, column, short in columns:
        values = [*scores[model][column], scores[model][column].mean()]
        table[f"{model} {short}"] = [f"{100 * v:.1f}" for v in values]
    return pd.DataFrame(table)
