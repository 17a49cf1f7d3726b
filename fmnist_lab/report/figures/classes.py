"""Figures per class: confusion matrices, their differences, per-class accuracy bars."""
from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...analysis.metrics import per_class_accuracy
from ...engine.data import CLASS_NAMES
from .style import PALETTE, TEXT_SIZE


def _class_matrix(values: np.ndarray, text: Sequence[Sequence[str]], title: str, **colours: Any) -> plt.Figure:
    """A 10 x 10 true-by-predicted class grid with each cell's own text ('' leaves it blank), white
    on dark cells; `colours` are seaborn's (cmap, vmin, vmax, center)."""
    fig, ax = plt.subplots(figsize=(6, 5))
    sns.heatmap(values, annot=np.asarray(text, dtype=object), fmt="", annot_kws={"fontsize": TEXT_SIZE}, cbar=False,
                square=True, xticklabels=CLASS_NAMES, yticklabels=CLASS_NAMES, ax=ax, **colours)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    fig.tight_layout()
    return fig


def _row_rates(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum(1, keepdims=True)


def confusion_matrix(counts: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion matrix (rows: true class) with percentages in the cells; a cell
    whose percentage rounds to 0 is left blank."""
    rates = _row_rates(counts)
    labels = [["" if f"{100 * r:.0f}" == "0" else f"{100 * r:.0f}" for r in row] for row in rates]
    return _class_matrix(rates, labels, title, cmap="Blues", vmin=0, vmax=1)


def confusion_difference(counts_a: np.ndarray, counts_b: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion of A minus that of B, in points: blue where A puts more of a class."""
    diff = 100 * (_row_rates(counts_a) - _row_rates(counts_b))
    limit = max(1.0, np.abs(diff).max())
    labels = [[f"{d:+.0f}".replace("-", "\u2212") if abs(d) >= 0.5 else "" for d in row] for row in diff]  # a true minus
    return _class_matrix(diff, labels, title, cmap="RdBu", vmin=-limit, vmax=limit)


def per_class_bars(accuracies: dict[str, Any]) -> plt.Figure:
    """{model: runs} as per-class test accuracy (%): a point per model and class, the mean over
    seeds, with ± one standard deviation; one row per class (the axis does not start at zero, so
    no bars); the legend sits below the axes, off the data. Every model may instead be given as
    the (mean, std) arrays of `metrics.per_class_mean_std` (as chapters 2 and 09 still do): the
    same points, with those stds as the bars."""
    given = {name: value for name, value in accuracies.items() if isinstance(value, tuple)}
    if given and len(given) < len(accuracies):
        raise ValueError("per_class_bars: give every model as its runs, or every model as (mean, std)")
    per_seed = {name: [value[0]] if given else [per_class_accuracy(r["test"]["confusion"]) for r in value]
                for name, value in accuracies.items()}
    frame = pd.DataFrame([(name, CLASS_NAMES[c], 100 * acc[c]) for name, seeds in per_seed.items() for acc in seeds
                          for c in range(len(CLASS_NAMES))], columns=["model", "class", "accuracy"])
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    sns.pointplot(frame, x="accuracy", y="class", hue="model", errorbar=None if given else "sd",
                  dodge=0.3 if len(accuracies) > 1 else False, linestyle="none", marker="o", markersize=5, capsize=0.2,
                  err_kws={"linewidth": 1.2}, palette=PALETTE[:len(accuracies)], ax=ax)
    means = [line for line in ax.lines if len(line.get_xdata())]  # one line of points per model (legend entries are empty)
    for line, (_, std) in zip(means, given.values()):
        ax.errorbar(*line.get_data(), xerr=100 * np.asarray(std), fmt="none", color=line.get_color(), capsize=3, linewidth=1.2)
    ax.set(xlabel="test accuracy (%)", ylabel="")
    if len(accuracies) > 1:
        sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(3, len(accuracies)), title=None)
    else:
        ax.get_legend().remove()
    fig.tight_layout()
    return fig
