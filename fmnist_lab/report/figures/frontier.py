"""Chapter 11's figures: each trick's paired gain over the recipe, and test accuracy against cost for every MLP."""
from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from ...runs.studies import STACKED_MLP_LABEL
from ...runs.summary import ci95
from .style import WIDTH, plain_number


def frontier_axis(mlps: pd.DataFrame, lines: tuple[float, ...] = ()) -> tuple[float, float]:
    """The test-accuracy range (%) `frontier_figure` draws: from a whole percent about a point below
    the lower quartile (never under 80%), so that the strongest MLPs are told apart, to just above
    the best MLP and the `lines` (fractions). The MLPs below it are counted, not drawn."""
    low = math.floor(max(100 * mlps["test"].quantile(0.25) - 1, 80))
    return low, 100 * max([mlps["test"].max(), *lines]) + 0.6

# ---- Figures ------------------------------------------------------------------------------------------


def seed_rows(seeds: list[float], y: float, step: float = 0.25) -> list[float]:
    """Where to draw each seed's tick on row `y`: on the row, except that a seed equal to an earlier
    one (gains come in steps of 0.01 points, so two seeds can tie) is drawn a `step` above or below
    it: three seeds always show three ticks."""
    rows, seen = [], {}
    for value in seeds:
        k = seen.get(round(value, 6), 0)
        seen[round(value, 6)] = k + 1
        rows.append(y + step * ((k + 1) // 2) * (-1 if k % 2 else 1))
    return rows


def gains_figure(gains: pd.DataFrame, flips: pd.DataFrame | None = None):
    """Each trick's gain over the recipe in points, validation and test side by side: one tick per
    seed (drawn over the mean's dot; tied seeds stacked, `seed_rows`), the mean with its paired 95%
    interval. `flips` adds test-time flipping of the recipe's saved models as one more row."""

    rows = [(t.trick.replace(f"{STACKED_MLP_LABEL} + ", ""), t.val_gain, t.val_ci, t.test_gain, t.test_ci, t.test_seeds, t.val_seeds)
            for t in gains.itertuples()]
    if flips is not None and len(flips):
        rows.append(("test-time flip", flips["val_gain"].mean(), ci95(list(flips["val_gain"])),
                     flips["test_gain"].mean(), ci95(list(flips["test_gain"])), list(flips["test_gain"]), list(flips["val_gain"])))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 0.6 * len(rows) + 1.6), sharey=True)
    for ax, split in zip(axes, ("validation", "test")):
        for y, (name, vg, vci, tg, tci, tseeds, vseeds) in enumerate(rows):
            mean, ci = (vg, vci) if split == "validation" else (tg, tci)
            ax.errorbar(mean, y, xerr=0 if math.isnan(ci) else ci, fmt="o", color="C0", capsize=3, ms=6, zorder=3)
            seeds = vseeds if split == "validation" else tseeds
            ax.plot(seeds, seed_rows(seeds, y), "|", color="C1", ms=12, mew=2, zorder=4)  # above the dot
        ax.axvline(0, color="0.4", lw=1)
        ax.set_xlabel(f"{split} gain (points)")
        ax.set_yticks(range(len(rows)), [textwrap.fill(r[0], 16) for r in rows])  # wrapped: a long name would widen the figure
    axes[0].invert_yaxis()  # the first row at the top (once: the axes share y, a second call would undo it)
    axes[1].plot([], [], "o", color="C0", label="mean, 95% interval")
    axes[1].plot([], [], "|", color="C1", ms=10, mew=2, label="one seed")
    fig.legend(loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def frontier_figure(mlps: pd.DataFrame, highlight: list[str], goal: float | None = None, minimum: float | None = None):
    """Test accuracy (%) against CPU-minutes per seed (log x) for every MLP the book trained; the
    frontier (nothing better for less) joined by a step line; `highlight` labels drawn in colour
    and named; `goal` (dashed) and `minimum` (dotted) lines (fractions). The accuracy axis is cut
    (`frontier_axis`) and the MLPs below it are counted in the lower right corner; the legend sits
    below the axes, where it covers neither points nor lines."""

    fig, ax = plt.subplots(figsize=(WIDTH, 5.0))
    plain = mlps[~mlps["label"].isin(highlight)]
    ax.scatter(plain["cpu_minutes"], 100 * plain["test"], s=18, color="0.65", label="another MLP of the book", zorder=2)
    front = mlps[mlps["frontier"]].sort_values("cpu_minutes")
    ax.step(front["cpu_minutes"], 100 * front["test"], where="post", color="C0", lw=1.5, label="frontier", zorder=3)
    for i, label in enumerate(highlight):
        row = mlps[mlps["label"] == label]
        if len(row):
            ax.scatter(row["cpu_minutes"], 100 * row["test"], s=46, color=f"C{i + 1}", label=label, zorder=4, edgecolor="k", lw=0.5)
    top = mlps.loc[mlps["test"].idxmax()]
    if top["label"] not in highlight:  # the best MLP is named, in the legend or beside its point
        ax.annotate(top["label"], (top["cpu_minutes"], 100 * top["test"]), xytext=(-8, -4), textcoords="offset points",
                    ha="right", va="top")
    for value, style, name in ((goal, "--", "goal"), (minimum, ":", "minimum")):
        if value is not None:
            ax.axhline(100 * value, color="0.3", ls=style, lw=1.2, label=f"{name}, {100 * value:g}%")
    low, high = frontier_axis(mlps, tuple(v for v in (goal, minimum) if v is not None))
    below = int((100 * mlps["test"] < low).sum())
    if below:
        ax.text(0.99, 0.02, f"{below} MLPs below {low:g}%, not drawn ↓", transform=ax.transAxes, ha="right", va="bottom")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: plain_number(v)))  # 0.1, 1, 10 rather than powers of ten
    ax.set_xlabel("training cost per seed (CPU-minutes, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(low - 0.15, high)  # a margin: a point at the floor is drawn whole
    handles, labels = ax.get_legend_handles_labels()
    legend_inches = 0.22 * math.ceil(len(labels) / 2) + 0.15  # the legend's rows, below the axis label
    fig.set_figheight(4.0 + legend_inches)  # the plot keeps its height however many groups are named
    fig.tight_layout(rect=(0, legend_inches / (4.0 + legend_inches), 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig
