"""Figures comparing groups of runs over seeds: bars, sweeps, gains, heat maps, panels, moved-image accuracy, efficiency."""
from __future__ import annotations

import textwrap
from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import LogLocator, NullFormatter

from ...analysis.statistics import paired_gain
from .style import PALETTE, POINT, TEXT_SIZE, WIDTH, plain_log, plain_number


def _val_percent_of(result: dict[str, Any]) -> float:
    return 100 * result["val"]["acc"]


def _train_percent_of(result: dict[str, Any]) -> float:
    """Training accuracy (eval mode) at the reported epoch, in percent."""
    return 100 * result["history"]["train_eval_acc"][result["final_epoch"] - 1]


def _seed_frame(table: dict[str, dict[str, list[dict[str, Any]]]], value: Callable[[dict[str, Any]], float]) -> pd.DataFrame:
    """{group: {series: runs}} as one row per run: group, series and `value(run)`."""
    return pd.DataFrame([(group, name, value(r)) for group, row in table.items() for name, runs in row.items() for r in runs],
                        columns=["group", "series", "value"])


def grouped_bars(table: dict[str, dict[str, list[dict[str, Any]]]], ylabel: str = "validation accuracy (%)",
                 ylim: tuple[float, float] | None = None) -> plt.Figure:
    """{group: {bar: runs}} as grouped bars of validation accuracy (%): the mean over seeds, error
    bars ± one standard deviation; the legend sits above the axes, off the bars."""
    frame = _seed_frame(table, _val_percent_of)
    bars = frame["series"].nunique()
    fig, ax = plt.subplots(figsize=(min(WIDTH, max(5, 0.7 * len(table) * bars)), 3.2))
    sns.barplot(frame, x="group", y="value", hue="series", errorbar="sd", capsize=0.15, err_kws={"linewidth": 1.2},
                palette=PALETTE[:bars], saturation=1, ax=ax)
    ax.set(xlabel="", ylabel=ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=bars, title=None)
    fig.tight_layout()
    return fig


def sweep(groups: dict[float, list[dict[str, Any]]], xlabel: str, logx: bool = False) -> plt.Figure:
    """Accuracy against one factor ({value: runs}, e.g. `report.by_value(ch.depth, ...)`): validation
    (circles on a solid line, mean ± std over seeds) and training at the selected epoch (dots on a
    dashed line, the mean); `logx` spaces the values on a base-2 log axis."""
    frame = pd.DataFrame([(x, _val_percent_of(r), _train_percent_of(r)) for x, runs in groups.items() for r in runs],
                         columns=["x", "validation", "training"])
    fig, ax = plt.subplots(figsize=(5, 3.3))
    sns.lineplot(frame, x="x", y="validation", errorbar="sd", err_style="bars", err_kws={"capsize": 3}, **POINT,
                 color=PALETTE[0], label="validation", ax=ax)
    sns.lineplot(frame, x="x", y="training", errorbar=None, linestyle="--", marker=".", markeredgewidth=0, color=PALETTE[0],
                 alpha=0.7, label="training", ax=ax)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_xticks(list(groups), [str(v) for v in groups])
    ax.minorticks_off()
    ax.set(xlabel=xlabel, ylabel="accuracy at the selected epoch (%)")
    ax.legend()
    fig.tight_layout()
    return fig


def gains(rows: Sequence[Any], lines: dict[str, float] | None = None,
          xlabel: str = "accuracy points over the control") -> plt.Figure:
    """Accuracy points over a control, one row per change (largest at the top), labelled with its
    training time relative to the control: validation (hollow) and test (filled), the mean with the
    interval the prose judges by (`Gain.interval`: paired 95% where paired); `lines` marks other
    gains for scale."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.7 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    ax.errorbar([g.val for g in rows], y + 0.12, xerr=[g.interval("val") for g in rows], fmt="o", mfc="white",
                capsize=3, color=PALETTE[0], label="validation")
    ax.errorbar([g.test for g in rows], y - 0.12, xerr=[g.interval("test") for g in rows], fmt="o", capsize=3,
                color=PALETTE[1], label="test")
    ax.axvline(0, color="black", lw=0.8)
    for i, (name, x) in enumerate((lines or {}).items()):
        ax.axvline(x, color=PALETTE[2 + i], ls=":", lw=1.5, label=name)
    # Wrapped so long labels do not widen the figure (a wider PNG is shown smaller, its text too);
    # no-break spaces keep "(×1.2 time)" on one line.
    ax.set_yticks(y, [textwrap.fill(f"{g.label} (×{g.cost:.1f}\u00a0time)", 34) for g in rows])
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    fig.legend(*ax.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2)  # under the figure
    return fig


def heatmap(values: np.ndarray, rows: Sequence[str], cols: Sequence[str], text: Sequence[Sequence[str]],
            xlabel: str, ylabel: str, vmin: float | None = None, vmax: float | None = None,
            ax: plt.Axes | None = None, colorbar: str = "validation accuracy") -> plt.Figure:
    """A grid of values (e.g. mean validation accuracy) with each cell's own text written in it
    (white on dark cells); values below `vmin` take the darkest colour, so the good region keeps
    its contrast; a NaN cell is left blank."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(min(WIDTH, 1.2 * len(cols) + 2), 0.5 * len(rows) + 1.2))
    sns.heatmap(np.asarray(values, dtype=float), annot=np.asarray(text, dtype=object), fmt="", annot_kws={"fontsize": TEXT_SIZE},
                cmap="viridis", vmin=vmin, vmax=vmax, xticklabels=cols, yticklabels=rows,
                cbar_kws={"label": colorbar, "fraction": 0.05}, ax=ax)
    ax.tick_params(axis="y", rotation=0)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    fig.tight_layout()
    return fig


def _tick(value: Any) -> str:
    return plain_number(value) if isinstance(value, float) else str(value)  # 0.0001, never 1e-04


def study_heatmap(results: Any, rows: str, cols: str, xlabel: str = "", ylabel: str = "",
                  row_title: Callable[[Any], str] | None = None, col_title: Callable[[Any], str] | None = None,
                  vmin: float | None = None) -> plt.Figure:
    """A study's groups on a grid of two `RunConfig` fields (e.g. rows="optimizer", cols="lr"):
    each cell is the mean validation accuracy in percent, marked "÷ k/n" when k of its n seeds
    diverged. `row_title(cfg)` / `col_title(cfg)` name a row or column from its first group's
    configuration (default: the field's value); `vmin` (percent) clips the colours below it."""
    configs = results.study.groups
    row_values = list(dict.fromkeys(getattr(cfg, rows) for cfg in configs.values()))
    col_values = list(dict.fromkeys(getattr(cfg, cols) for cfg in configs.values()))
    cell = {(getattr(cfg, rows), getattr(cfg, cols)): label for label, cfg in configs.items()}
    values = np.full((len(row_values), len(col_values)), np.nan)
    text = [["" for _ in col_values] for _ in row_values]
    for (r, c), label in cell.items():
        i, j, s = row_values.index(r), col_values.index(c), results.summaries[label]
        values[i, j] = 100 * s["val_mean"]
        text[i][j] = f"{values[i, j]:.1f}" + (f"\n÷ {s['diverged']}/{s['seeds']}" if s["diverged"] else "")

    def titles(values: list[Any], field: str, name: Callable[[Any], str] | None) -> list[str]:
        first = {getattr(cfg, field): cfg for cfg in reversed(list(configs.values()))}
        return [name(first[v]) if name else _tick(v) for v in values]

    return heatmap(values, titles(row_values, rows, row_title), titles(col_values, cols, col_title), text,
                   xlabel, ylabel, vmin=vmin, colorbar="validation accuracy (%)")


def grouped_points(table: dict[str, dict[str, list[dict[str, Any]]]], ylabel: str = "validation accuracy (%)") -> plt.Figure:
    """{group: {series: runs}} as validation accuracy (%): a point per series, the mean over seeds,
    with ± one standard deviation, the series side by side within each group (for values whose axis
    does not start at zero, where bars would mislead); the legend sits above the axes, clear of the
    slanted group names."""
    frame = _seed_frame(table, _val_percent_of)
    series = frame["series"].nunique()
    fig, ax = plt.subplots(figsize=(min(WIDTH, max(5.0, 1.05 * len(table) + 1)), 3.4))
    sns.pointplot(frame, x="group", y="value", hue="series", errorbar="sd", dodge=0.3 if series > 1 else False,
                  linestyle="none", marker="o", markersize=5, capsize=0.1, err_kws={"linewidth": 1.2},
                  palette=PALETTE[:series], ax=ax)
    plt.setp(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")  # steep enough to keep neighbours apart
    ax.set(xlabel="", ylabel=ylabel)
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=series, title=None)
    fig.tight_layout()
    return fig


def panels(draw: Callable[..., Any], values: dict[str, Any], *args: Any, ylim: tuple[float, float] | None = None,
           figsize: tuple[float, float] = (WIDTH, 3.2), **kwargs: Any) -> plt.Figure:
    """Side-by-side panels sharing the y axis, one per entry of `values`, titled by its key: each is
    `draw(value, *args, ax=ax, **kwargs)` (e.g. `plots.per_layer`, `plots.curves`); the panels'
    lines share one legend, below the axes, so it covers no data (a metric name that every entry
    ends with, as in 'Adam: validation accuracy', is left to the axis label)."""
    fig, axes = plt.subplots(1, len(values), figsize=figsize, sharey=True, squeeze=False)
    for i, (ax, (title, value)) in enumerate(zip(axes[0], values.items())):
        draw(value, *args, ax=ax, **kwargs)
        ax.set_title(title)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        if i:
            ax.set_ylabel("")
        if ylim is not None:
            ax.set_ylim(*ylim)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    suffixes = {label.rpartition(": ")[2] for label in labels}
    if len(labels) > 1 and len(suffixes) == 1 and all(": " in label for label in labels):
        labels = [label.rpartition(": ")[0] for label in labels]  # one metric for all: the axis label names it
    fig.tight_layout()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(labels)))
    return fig


def _gap_points_of(result: dict[str, Any]) -> float:
    """Training (eval mode) minus validation accuracy at the reported epoch, in points."""
    return _train_percent_of(result) - _val_percent_of(result)


def accuracy_and_gap(lines: dict[str, dict[float, list[dict[str, Any]]]], xlabel: str, logx: bool = False,
                     reference: tuple[str, list[dict[str, Any]]] | None = None) -> plt.Figure:
    """Two panels, one above the other, sharing the setting's axis: validation accuracy (%, top) and
    the train − validation gap (points, bottom), each mean ± std over seeds, one line per
    {label: {setting value: runs}}. Each panel takes the page's width, so the setting's values
    (0.00001 … 0.1 on a log axis, written in plain numbers: `style.plain_log`) stand well apart.

    A log axis cannot show a value ≤ 0, so those points are left out there; `reference` = (label,
    runs) draws such a group (e.g. no penalty, λ = 0) as a dotted grey line at its mean in both
    panels. The legend, when there is more than one thing to name, sits below the panels, off the data."""
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 4.6), sharex=True)
    for ax, value, ylabel in zip(axes, (_val_percent_of, _gap_points_of), ("validation accuracy (%)", "train − validation (points)")):
        for i, (label, groups) in enumerate(lines.items()):
            frame = pd.DataFrame([(x, value(r)) for x, runs in groups.items() if x > 0 or not logx for r in runs], columns=["x", "y"])
            sns.lineplot(frame, x="x", y="y", errorbar="sd", err_style="bars", err_kws={"capsize": 3}, **POINT,
                         color=PALETTE[i % len(PALETTE)], label=label, ax=ax)
            if not logx:
                ax.set_xticks(list(groups), [plain_number(x) for x in groups])
        if reference is not None:
            ax.axhline(np.mean([value(r) for r in reference[1]]), color="grey", linestyle=":", label=reference[0])
        ax.set(xlabel="", ylabel=ylabel)
        ax.get_legend().remove()
    if logx:
        axes[1].set_xscale("log")  # both panels: they share the axis
        plain_log(axes[1].xaxis)  # 0.00001 … 0.1: a power of ten's raised exponent would be too small to read
    axes[1].set_xlabel(xlabel)
    fig.align_ylabels(axes)
    handles, labels = axes[0].get_legend_handles_labels()
    if len(labels) > 1:
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, 0.0))
    else:
        fig.tight_layout()
    return fig


# ---- Chapter 9: why the MLP trails the CNN ---------------------------------------------------------
def moved_accuracy(curves: dict[str, dict[str, dict[float, float]]]) -> plt.Figure:
    """Test accuracy (%) of several models on moved images (`robustness.robustness`): left, against
    the shift in pixels; right, against the rotation in degrees; one line per model, a legend below."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.3), sharey=True)
    for ax, kind, xlabel in zip(axes, ("shift", "rotation"), ("shift (pixels, 8 directions averaged)", "rotation (degrees, both ways averaged)")):
        for i, (name, curve) in enumerate(curves.items()):
            xs = list(curve[kind])
            ax.plot(xs, [100 * curve[kind][x] for x in xs], marker="os^Dv"[i % 5], color=PALETTE[i % len(PALETTE)], label=name)
            ax.set_xticks(xs)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=1 if len(curves) > 2 else len(curves),
               bbox_to_anchor=(0.5, 0.0))  # under the figure, however many rows it takes
    return fig


def against_size(lines: dict[str, dict[int, list[dict[str, Any]]]], xlabel: str = "training images") -> plt.Figure:
    """Two recipes trained on growing training sets ({name: {images: runs}}, log x): left, test
    accuracy (%, mean ± std over seeds), one line per recipe; right, the second recipe minus the
    first in points, paired seed by seed, with its paired 95% interval (the book's one standard of
    evidence, as the prose judges it), and a zero line."""
    frame = pd.DataFrame([(name, n, 100 * r["test"]["acc"]) for name, groups in lines.items() for n, runs in groups.items()
                          for r in runs], columns=["recipe", "images", "test"])
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.3))
    for i, name in enumerate(lines):
        sns.lineplot(frame[frame["recipe"] == name], x="images", y="test", errorbar="sd", err_style="bars", err_kws={"capsize": 3},
                     **(POINT | {"marker": "os"[i % 2]}), color=PALETTE[i % len(PALETTE)], label=name, ax=axes[0])
    first, second = list(lines)[:2]
    xs = sorted(set(lines[first]) & set(lines[second]))
    gains = [paired_gain(lines[second][n], lines[first][n], "test") for n in xs]
    axes[1].errorbar(xs, [g["gain"] for g in gains], yerr=np.nan_to_num([g["ci"] for g in gains]), marker="o",  # one seed: no interval
                     capsize=3, color="black")
    axes[1].axhline(0, color="grey", linewidth=0.8)
    axes[0].set_ylabel("test accuracy (%)")
    axes[1].set_ylabel(textwrap.fill(f"{second} − {first} (points)", 28))  # no taller than the axes
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:,}".replace(",", "\u2009") for x in xs], rotation=45)
        ax.minorticks_off()
        ax.set_xlabel(xlabel)
    axes[0].get_legend().remove()
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=len(lines), bbox_to_anchor=(0.5, 0.0))
    return fig


def efficiency(networks: Any, best: Sequence[str], floor: float, line: tuple[str, float] | None = None,
               ringed: str = "best of its family on validation") -> plt.Figure:
    """Test accuracy (%) of trained networks (`robustness.trained_networks`: one point per
    configuration) against parameters (left) and training minutes per seed (right), both log x;
    one colour per family (MLP, CNN), the labels in `best` ringed; networks below `floor` validation
    accuracy and families other than MLP and CNN are left out. `line` = (label, accuracy fraction)
    adds a dotted horizontal line (e.g. the best MLP test accuracy); `ringed` names the rings."""
    kept = networks[(networks["val"] >= floor) & networks["family"].isin(["MLP", "CNN"])]
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.5), sharey=True)
    for ax, column, xlabel in zip(axes, ("params", "minutes"), ("parameters", "training time per seed (minutes)")):
        for i, fam in enumerate(("MLP", "CNN")):
            rows = kept[kept["family"] == fam]
            ax.scatter(rows[column], 100 * rows["test"], s=18, alpha=0.7, marker="os"[i], color=PALETTE[i], label=fam)
        marked = kept[kept["label"].isin(list(best))]
        ax.scatter(marked[column], 100 * marked["test"], s=120, facecolors="none", edgecolors="black", linewidths=1.2,
                   label=ringed)
        if line is not None and np.isfinite(line[1]):
            ax.axhline(100 * line[1], color="grey", linestyle=":", label=line[0])
        if len(kept):
            ax.set_xscale("log")
            decades = np.log10(kept[column].max() / kept[column].min())
            ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5) if decades < 1.5 else (1,)))  # a few labels, however narrow the range
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: plain_number(v)))
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig
