"""Figures of training: learning curves, schedules, stopping epochs, per-layer statistics."""
from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import torch
from matplotlib.ticker import MaxNLocator

from ...analysis.metrics import stopping_epochs
from .style import PALETTE, WIDTH, _percent, plain_log, plain_number


def _history(results: list[dict[str, Any]], metric: str) -> np.ndarray:
    """Seeds x epochs array of one history column (NaN-padded where runs stopped early)."""
    length = max(len(r["history"][metric]) for r in results)
    out = np.full((len(results), length), np.nan)
    for i, r in enumerate(results):
        values = [np.nan if v is None else v for v in r["history"][metric]]
        out[i, :len(values)] = values
    return out


# A history column's name in a legend.
METRIC_NAMES = {"train_loss": "training loss", "val_loss": "validation loss", "val_acc": "validation accuracy",
                "train_eval_acc": "training accuracy", "train_acc": "training accuracy (while training)",
                "lr": "learning rate"}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _mean_band(ax: plt.Axes, values: np.ndarray, **line: Any) -> None:
    """A per-epoch history (seeds x epochs, NaN after a run stopped): its mean over the seeds that
    reached each epoch, with a band from the lowest to the highest of them."""
    seed, epoch = np.nonzero(~np.isnan(values))
    sns.lineplot(x=epoch + 1, y=values[seed, epoch], errorbar=("pi", 100), err_kws={"linewidth": 0}, ax=ax, **line)


def curves(groups: dict[str, list[dict[str, Any]]], metrics: Sequence[str] = ("train_loss", "val_loss"),
           ylabel: str = "", ax: plt.Axes | None = None, mark_best: bool = False,
           legend_below: bool = False, ylim: tuple[float | None, float | None] | None = None) -> plt.Figure:
    """Mean curve over seeds with a min-max band, one colour per group, solid/dashed per metric.

    With a single metric and a y label that names it, the legend names the groups alone.
    `legend_below` puts the legend under the axes, off the data (for many or long labels); `ylim`
    (either end may be None) zooms in where one group's first epochs would flatten the rest."""
    names = [f"{label}: {metric_name(metric)}" if len(groups) > 1 else metric_name(metric) for label in groups for metric in metrics]
    if len(metrics) == 1 and (legend_below or ylabel) and len(groups) > 1:
        names = list(groups)
    # Below the axes, as many legend columns as the longest name leaves room for (about 0.075 in a character).
    columns = max(1, min(len(names), int(5.6 // (0.75 + 0.075 * max(len(n) for n in names))))) if legend_below else 1
    height = 3.5 + (0.25 * -(-len(names) // columns) if legend_below else 0)  # room for the legend below
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, height))
    styles = ["-", "--", ":", "-."]
    highest = -np.inf
    for g, (label, results) in enumerate(groups.items()):
        for m, metric in enumerate(metrics):
            values = _percent(metric, _history(results, metric))
            highest = max(highest, np.nanmax(values))
            _mean_band(ax, values, color=PALETTE[g % len(PALETTE)], linestyle=styles[m % 4], label=names[g * len(metrics) + m])
        if mark_best:
            for r in results:
                ax.axvline(r["final_epoch"], color=PALETTE[g % len(PALETTE)], alpha=0.3, linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if ylim is not None:
        bottom, top = ylim
        if top is None and bottom is not None and highest > bottom:  # the data's top, not the whole range's
            top = highest + 0.05 * (highest - bottom)
        ax.set_ylim(bottom, top)
    if legend_below:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=columns)
    else:
        ax.legend()
    fig.tight_layout()
    return fig


def loss_and_accuracy(groups: dict[str, list[dict[str, Any]]], mark_best: bool = False) -> plt.Figure:
    """Two panels at page width: cross-entropy (left) and accuracy in % (right), training (solid)
    and validation (dashed), each a mean over seeds with its min-max band."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    curves(groups, ("train_loss", "val_loss"), "cross-entropy", ax=left, mark_best=mark_best)
    curves(groups, ("train_eval_acc", "val_acc"), "accuracy (%)", ax=right, mark_best=mark_best)
    return fig


def per_layer(values: dict[str, Sequence[float]], ylabel: str, logy: bool = True, ax: plt.Axes | None = None,
              title: str = "") -> plt.Figure:
    """One line per configuration of a per-layer quantity (layer 1 = closest to the input); the
    legend sits right of the axes, off the data."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 3.3))
    for i, (label, ys) in enumerate(values.items()):
        ax.plot(np.arange(1, len(ys) + 1), ys, marker="o", color=PALETTE[i % len(PALETTE)], label=label)
    if logy:
        ax.set_yscale("log")
        plain_log(ax.yaxis)
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def layer_histograms(activations: dict[str, Sequence[torch.Tensor]], bins: int = 60) -> plt.Figure:
    """Columns: configurations; rows: hidden layers, the first (nearest the input) at the top; each
    panel a filled histogram of that layer's outputs on its own scale (the x ticks show how the
    spread changes from layer to layer). Exact zeros, when they are at least a fifth of a layer's
    outputs (ReLU's), are counted apart and their share written in the panel: drawn as a bar they
    would flatten the rest of the distribution. Four configurations side by side leave each panel
    1.5 in, room for its two tick labels and its share of zeros apart from its neighbours'."""
    cols, rows = len(activations), max(len(v) for v in activations.values())
    fig, axes = plt.subplots(rows, cols, figsize=(min(WIDTH, 0.5 + 1.6 * cols), 0.35 + 0.95 * rows), squeeze=False)
    for c, (label, layers) in enumerate(activations.items()):
        for r, a in enumerate(layers):
            ax, values = axes[r, c], a.flatten().numpy()
            zeros = float(np.mean(values == 0))
            if zeros >= 0.2:
                values = values[values != 0]
                ax.text(0.97, 0.95, f"{100 * zeros:.0f}% zeros", transform=ax.transAxes, ha="right", va="top")
            counts, _, _ = ax.hist(values, bins=bins, color=PALETTE[c % len(PALETTE)], histtype="stepfilled", linewidth=0)
            if zeros >= 0.2:
                ax.set_ylim(0, 1.4 * counts.max())  # room for the share of zeros above the bars
            ax.set_yticks([])
            ticks = _two_ticks(float(a.min()), float(a.max()))  # from every output, zeros included
            ax.set_xticks(ticks, [plain_number(t) for t in ticks])
            ax.grid(False)
        axes[0, c].set_title(label)
        for ax in axes[len(layers):, c]:
            ax.set_visible(False)  # a configuration with fewer layers: no empty frames
    for r in range(rows):
        axes[r, 0].set_ylabel(f"layer {r + 1}")
    fig.tight_layout(pad=0.3, w_pad=1.5, h_pad=1.0)  # a share of zeros must not read as the tick labels above it
    return fig


def _two_ticks(low: float, high: float) -> list[float]:
    """Two round values in [low, high] at least half the range apart: two 10 pt labels sit clear
    of each other and of the next panel's under `layer_histograms`' narrow panels."""
    span = high - low
    if not span > 0:
        return [low]
    for exponent in range(int(np.floor(np.log10(span))), -12, -1):
        for mantissa in (5, 2, 1):
            step = mantissa * 10.0 ** exponent
            a, b = np.ceil(low / step) * step, np.floor(high / step) * step
            if b - a >= span / 2:
                return [round(a, 12) + 0.0, round(b, 12) + 0.0]  # + 0.0: no "−0"
    return [low, high]


def schedule_curves(groups: dict[str, list[dict[str, Any]]]) -> plt.Figure:
    """Left: validation accuracy per epoch under each learning-rate schedule (mean over seeds,
    min-max band); right: the learning rate at the start of each epoch (first seed), drawn as steps
    because it is held through the epoch; one legend below."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4))
    curves(groups, ("val_acc",), "validation accuracy (%)", ax=left)
    left.get_legend().remove()
    for g, results in enumerate(groups.values()):
        lr = results[0]["history"]["lr"]
        right.plot(np.arange(1, len(lr) + 1), lr, color=PALETTE[g % len(PALETTE)], drawstyle="steps-post")  # held for the epoch
    right.set_xlabel("epoch")
    right.set_ylabel("learning rate")
    for ax in (left, right):
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.legend(left.get_lines(), list(groups), loc="lower center", ncol=len(groups))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def stopping_points(results: list[dict[str, Any]], stops: list[dict[str, float]] | None = None) -> plt.Figure:
    """Validation loss and accuracy of one configuration (mean over seeds, min-max band), with each
    seed's stopping epoch under the val-loss criterion (triangles) and the val-acc criterion (hollow
    circles); `stops` defaults to `metrics.stopping_epochs` of each run."""
    stops = stops if stops is not None else [stopping_epochs(r) for r in results]
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    for ax, metric, label in ((axes[0], "val_loss", "validation loss"), (axes[1], "val_acc", "validation accuracy (%)")):
        values = _percent(metric, _history(results, metric))
        _mean_band(ax, values, color=PALETTE[0])
        for i, stop in enumerate(stops):
            for key, marker, size, name in (("loss_epoch", "v", 6, "lowest validation loss"),
                                            ("acc_epoch", "o", 10, "highest validation accuracy")):
                epoch = int(stop[key])  # hollow circles, so a shared epoch shows both marks
                ax.plot(epoch, values[i, epoch - 1], marker, markersize=size, label=name if i == 0 else None,
                        color=PALETTE[3] if marker == "v" else PALETTE[2], markerfacecolor="none" if marker == "o" else None)
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def compare_curves(groups: dict[str, list[dict[str, Any]]], metric: str = "val_acc", ylabel: str = "") -> plt.Figure:
    """One history column (e.g. validation accuracy, in %) for several groups: a line per group (mean
    over seeds) with its min-max band, named by the group alone in a legend below the axes."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    curves(groups, (metric,), ylabel or metric_name(metric) + (" (%)" if metric.endswith("acc") else ""), ax=ax)
    ax.legend(ax.get_legend_handles_labels()[0], list(groups), loc="upper center", bbox_to_anchor=(0.5, -0.18),
              ncol=2 if len(groups) > 3 else len(groups))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.tight_layout()
    return fig
