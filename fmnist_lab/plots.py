"""The figure types the book repeats. Each returns a matplotlib Figure; notebooks only call these.

Accuracy is drawn in percent everywhere (results store fractions; `_percent` converts), and
`use_style()` sets one readable style for the whole book (chapters call it once).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import torch

from .augment import augment
from .data import CLASS_NAMES

PALETTE = plt.rcParams["axes.prop_cycle"].by_key()["color"]
# Figures are drawn at most ~10 inches wide and shown at page width (~7 in), so 10 pt text stays
# >= 9 pt where it matters; 200 dpi keeps the PNGs sharp on a laptop screen and in the PDF.
STYLE = {"figure.dpi": 200, "savefig.dpi": 200, "savefig.bbox": "tight", "axes.spines.top": False,
         "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "font.size": 10,
         "axes.titlesize": 10, "axes.labelsize": 10, "xtick.labelsize": 9.5, "ytick.labelsize": 9.5,
         "legend.fontsize": 9, "legend.frameon": False}


def use_style() -> None:
    """The book's figure style (chapters call this once; importing the module changes nothing)."""
    plt.rcParams.update(STYLE)


def _percent(metric: str, values: np.ndarray) -> np.ndarray:
    """Accuracy histories (fractions in the store) in percent; losses unchanged."""
    return 100 * values if metric.endswith("acc") else values


def image_grid(images: torch.Tensor, titles: Sequence[str] | None = None, columns: int = 10,
               row_labels: Sequence[str] | None = None, cell: float = 0.9, cmap: str = "gray_r",
               title_size: float = 7, label_size: float = 8) -> plt.Figure:
    """A grid of 28x28 images with optional titles (may span lines) and row labels; `cell` is each
    image's width in inches, `title_size`/`label_size` the text sizes in points."""
    n = len(images)
    rows = -(-n // columns)
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles else 0
    title_height = max(0.25 * cell, lines * title_size * 1.45 / 72) if titles else 0.0
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * (cell + title_height)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(images[i], dtype=float), cmap=cmap, vmin=None, vmax=None)
            if titles:
                ax.set_title(titles[i], fontsize=title_size)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].text(-3, 14, label, ha="right", va="center", fontsize=label_size)
    fig.tight_layout(pad=0.2)
    return fig


def augmentation_grid(images: torch.Tensor, sets: dict[str, tuple[str, ...]], seed: int = 0,
                      label_size: float = 11) -> plt.Figure:
    """The same images (N, 28, 28 in [0, 1]) once per row: as they are, then under each augmentation
    set; `label_size` (points) keeps the row labels readable when the figure is shrunk to page width."""
    batch = images.unsqueeze(1)
    rows = {"original": batch} | {name: augment(batch, names, torch.Generator().manual_seed(seed))
                                  for name, names in sets.items() if names}
    return image_grid(torch.cat(list(rows.values()))[:, 0], columns=len(images), row_labels=list(rows), label_size=label_size)


# Class names short enough for an image title.
SHORT_NAMES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")


def misclassified(images: torch.Tensor, labels: Sequence[int], predicted: Sequence[int], n: int = 30,
                  columns: int = 6, cell: float = 1.05, title_size: float = 9.5) -> plt.Figure:
    """The first `n` images whose prediction is wrong, each titled with its true class and, on a
    second line, '→ predicted class'."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    wrong = np.nonzero(predicted != labels)[0][:n]
    titles = [f"{SHORT_NAMES[labels[i]]}\n→ {SHORT_NAMES[predicted[i]]}" for i in wrong]
    return image_grid(images[torch.as_tensor(wrong)], titles=titles, columns=columns, cell=cell, title_size=title_size)


def class_counts(splits: dict[str, torch.Tensor]) -> plt.Figure:
    """Images per class in each split (grouped bars)."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    width = 0.8 / len(splits)
    for i, (name, labels) in enumerate(splits.items()):
        counts = torch.bincount(labels, minlength=10).numpy()
        ax.bar(np.arange(10) + i * width, counts, width, label=f"{name} ({len(labels):,})")
    ax.set_xticks(np.arange(10) + width * (len(splits) - 1) / 2, CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("images")
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(splits))
    fig.tight_layout()
    return fig


def pixel_statistics(images: torch.Tensor, labels: torch.Tensor) -> plt.Figure:
    """Left: histogram of all pixel values. Right: mean brightness and ink coverage per class
    (horizontal bars, so the class names read without rotation)."""
    pixels = images.float() / 255
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4), width_ratios=(1, 1.1))
    left.hist(pixels.flatten().numpy(), bins=51, color=PALETTE[0], log=True)
    left.set_xlabel("pixel value (scaled to [0, 1])")
    left.set_ylabel("pixels (log scale)")
    brightness = [pixels[labels == c].mean().item() for c in range(10)]
    coverage = [(pixels[labels == c] > 0).float().mean().item() for c in range(10)]
    y = np.arange(10)
    right.barh(y - 0.2, brightness, 0.4, label="mean pixel value")
    right.barh(y + 0.2, coverage, 0.4, label="fraction of non-zero pixels")
    right.set_yticks(y, CLASS_NAMES)
    right.invert_yaxis()
    right.set_xlim(0, 1)
    right.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1)
    fig.tight_layout()
    return fig


def pca_scatter(images: torch.Tensor, labels: torch.Tensor, n: int = 5000, seed: int = 0) -> tuple[plt.Figure, float]:
    """Images projected on their first two principal components; returns (figure, variance explained)."""
    pick = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:n]
    x = images[pick].flatten(1).float() / 255
    x = x - x.mean(0)
    _, s, v = torch.linalg.svd(x, full_matrices=False)
    coords = (x @ v[:2].T).numpy()
    explained = float((s[:2] ** 2).sum() / (s ** 2).sum())
    fig, ax = plt.subplots(figsize=(5.6, 4.3))
    for c in range(10):
        mask = (labels[pick] == c).numpy()
        ax.scatter(coords[mask, 0], coords[mask, 1], s=3, alpha=0.5, color=plt.cm.tab10(c), label=CLASS_NAMES[c])
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.legend(markerscale=4, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    fig.tight_layout()
    return fig, explained


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


def curves(groups: dict[str, list[dict[str, Any]]], metrics: Sequence[str] = ("train_loss", "val_loss"),
           ylabel: str = "", ax: plt.Axes | None = None, mark_best: bool = False,
           legend_below: bool = False) -> plt.Figure:
    """Mean curve over seeds with a min-max band, one colour per group, solid/dashed per metric.

    `legend_below` puts the legend under the axes, off the data (for many or long labels); with a
    single metric its entries are then the group labels alone (the y label names the metric)."""
    height = 3.5 + (0.25 * len(groups) * len(metrics) if legend_below else 0)  # room for the legend below
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, height))
    styles = ["-", "--", ":", "-."]
    for g, (label, results) in enumerate(groups.items()):
        for m, metric in enumerate(metrics):
            values = _percent(metric, _history(results, metric))
            epochs = np.arange(1, values.shape[1] + 1)
            with np.errstate(all="ignore"):
                mean, low, high = np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0)
            name = f"{label}: {metric_name(metric)}" if len(groups) > 1 else metric_name(metric)
            name = label if legend_below and len(metrics) == 1 else name
            ax.plot(epochs, mean, styles[m % 4], color=PALETTE[g % len(PALETTE)], label=name)
            ax.fill_between(epochs, low, high, color=PALETTE[g % len(PALETTE)], alpha=0.15, linewidth=0)
        if mark_best:
            for r in results:
                ax.axvline(r["final_epoch"], color=PALETTE[g % len(PALETTE)], alpha=0.3, linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if legend_below:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1)
    else:
        ax.legend()
    fig.tight_layout()
    return fig


def loss_and_accuracy(groups: dict[str, list[dict[str, Any]]], mark_best: bool = False) -> plt.Figure:
    """Two panels at page width: cross-entropy (left) and accuracy in % (right), training (solid)
    and validation (dashed), each a mean over seeds with its min-max band."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.2))
    curves(groups, ("train_loss", "val_loss"), "cross-entropy", ax=left, mark_best=mark_best)
    curves(groups, ("train_eval_acc", "val_acc"), "accuracy (%)", ax=right, mark_best=mark_best)
    return fig


def _class_matrix(values: np.ndarray, cmap: str, vmin: float, vmax: float, labels: np.ndarray,
                  dark: np.ndarray, title: str) -> plt.Figure:
    """A 10 x 10 true-by-predicted class image with a text label per cell ('' leaves it blank)."""
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    ax.grid(False)
    for i in range(10):
        for j in range(10):
            if labels[i][j]:
                ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=9, color="white" if dark[i, j] else "black")
    ax.set_xticks(range(10), CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(10), CLASS_NAMES)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
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
    return _class_matrix(rates, "Blues", 0, 1, labels, rates > 0.5, title)


def confusion_difference(counts_a: np.ndarray, counts_b: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion of A minus that of B, in points: blue where A puts more of a class."""
    diff = 100 * (_row_rates(counts_a) - _row_rates(counts_b))
    limit = max(1.0, np.abs(diff).max())
    labels = [[f"{d:+.0f}".replace("-", "\u2212") if abs(d) >= 0.5 else "" for d in row] for row in diff]  # a true minus
    return _class_matrix(diff, "RdBu", -limit, limit, labels, np.abs(diff) > 0.6 * limit, title)


def grouped_bars(table: dict[str, dict[str, tuple[float, float]]], ylabel: str, ylim: tuple[float, float] | None = None) -> plt.Figure:
    """{group: {bar: (mean, std)}} as grouped bars with error bars."""
    groups = list(table)
    bars = list(dict.fromkeys(b for g in groups for b in table[g]))
    fig, ax = plt.subplots(figsize=(max(5, 1.4 * len(groups) * len(bars) / 2), 3.2))
    width = 0.8 / len(bars)
    for i, bar in enumerate(bars):
        means = [table[g].get(bar, (np.nan, np.nan))[0] for g in groups]
        stds = [table[g].get(bar, (np.nan, np.nan))[1] for g in groups]
        ax.bar(np.arange(len(groups)) + i * width, means, width, yerr=stds, capsize=3, label=bar)
    ax.set_xticks(np.arange(len(groups)) + width * (len(bars) - 1) / 2, groups)
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(bars))  # above the axes, off the bars
    fig.tight_layout()
    return fig


def per_class_bars(accuracies: dict[str, tuple[np.ndarray, np.ndarray]]) -> plt.Figure:
    """{model: (mean per-class accuracy, std)} as points with error bars, one row per class (the axis
    does not start at zero, so no bars); the legend sits below the axes, off the data."""
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    # A class's models sit within ±0.15 of its tick, so each group reads as one row (rows are 1 apart).
    offset = 0.3 / max(1, len(accuracies) - 1) if len(accuracies) > 1 else 0.0
    for i, (name, (mean, std)) in enumerate(accuracies.items()):
        y = np.arange(10) - 0.15 * (len(accuracies) > 1) + i * offset
        ax.errorbar(100 * np.asarray(mean), y, xerr=100 * np.asarray(std), fmt="o", capsize=2, label=name)
    ax.set_yticks(np.arange(10), CLASS_NAMES)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (%)")
    if len(accuracies) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(3, len(accuracies)))
    fig.tight_layout()
    return fig


def sweep(x: Sequence[float], summaries: Sequence[dict[str, Any]], xlabel: str, logx: bool = False,
          ax: plt.Axes | None = None, label: str = "") -> plt.Figure:
    """Validation accuracy (mean ± std over seeds, solid) and training accuracy (dashed) against one factor."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 3.3))
    val = 100 * np.array([s["val_mean"] for s in summaries])
    err = 100 * np.array([s["val_std"] for s in summaries])
    train = 100 * np.array([s["train_mean"] for s in summaries])
    prefix = f"{label}: " if label else ""
    line = ax.errorbar(x, val, yerr=err, marker="o", capsize=3, label=f"{prefix}validation")
    ax.plot(x, train, "--", marker=".", color=line[0].get_color(), alpha=0.7, label=f"{prefix}training")
    if logx:
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, [str(v) for v in x])
    else:
        ax.set_xticks(x)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy at the selected epoch (%)")
    ax.legend()
    fig.tight_layout()
    return fig


def gains(rows: Sequence[Any], lines: dict[str, float] | None = None,
          xlabel: str = "accuracy points over the control") -> plt.Figure:
    """Accuracy points over a control, one row per change (largest at the top), labelled with its
    training time relative to the control: validation (hollow) and test (filled), mean ± combined
    std; `lines` marks other gains for scale."""
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    ax.errorbar([g.val for g in rows], y + 0.12, xerr=[g.val_err for g in rows], fmt="o", mfc="white",
                capsize=3, color=PALETTE[0], label="validation")
    ax.errorbar([g.test for g in rows], y - 0.12, xerr=[g.test_err for g in rows], fmt="o", capsize=3,
                color=PALETTE[1], label="test")
    ax.axvline(0, color="black", lw=0.8)
    for i, (name, x) in enumerate((lines or {}).items()):
        ax.axvline(x, color=PALETTE[2 + i], ls=":", lw=1.5, label=name)
    ax.set_yticks(y, [f"{g.label}  (×{g.cost:.1f} time)" for g in rows])
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    fig.tight_layout()
    return fig


def per_layer(values: dict[str, Sequence[float]], ylabel: str, logy: bool = True, ax: plt.Axes | None = None,
              title: str = "") -> plt.Figure:
    """One line per configuration of a per-layer quantity (layer 1 = closest to the input); the
    legend sits right of the axes, off the data."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 3.3))
    for i, (label, ys) in enumerate(values.items()):
        ax.plot(np.arange(1, len(ys) + 1), ys, marker="o", color=plt.cm.tab10(i % 10), label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def layer_histograms(activations: dict[str, Sequence[torch.Tensor]], bins: int = 60) -> plt.Figure:
    """Rows: configurations; columns: hidden layers; each panel a histogram of that layer's outputs."""
    rows, cols = len(activations), max(len(v) for v in activations.values())
    # page width (7.5 in) at full size, so 9 pt ticks stay 9 pt; three ticks per panel fit
    fig, axes = plt.subplots(rows, cols, figsize=(1.25 * cols, 1.15 * rows), squeeze=False, sharey="row")
    for r, (label, layers) in enumerate(activations.items()):
        for c, a in enumerate(layers):
            ax = axes[r, c]
            ax.hist(a.flatten().numpy(), bins=bins, color=plt.cm.tab10(r % 10), density=True)
            ax.set_yticks([])
            ax.xaxis.set_major_locator(plt.MaxNLocator(2))
            ax.tick_params(labelsize=9)
            ax.grid(False)
            if r == 0:
                ax.set_title(f"layer {c + 1}", fontsize=10)
        axes[r, 0].set_ylabel(label, fontsize=10)
    fig.tight_layout(pad=0.3, w_pad=1.2)
    return fig


def series(lines: dict[str, tuple[Sequence[float], Sequence[float], Sequence[float]]], xlabel: str, ylabel: str,
           logx: bool = False, ax: plt.Axes | None = None, reference: tuple[str, float] | None = None) -> plt.Figure:
    """Lines {label: (x, means, stds)} against one factor, with error bars; `reference` adds a
    labelled horizontal line (e.g. the value at lambda = 0, which a log axis cannot show)."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 3.3))
    for i, (label, (x, means, stds)) in enumerate(lines.items()):
        ax.errorbar(x, means, yerr=stds, marker="o", capsize=3, color=PALETTE[i % len(PALETTE)], label=label)
    if reference is not None:
        ax.axhline(reference[1], color="grey", linestyle=":", label=reference[0])
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    fig.tight_layout()
    return fig


def heatmap(values: np.ndarray, rows: Sequence[str], cols: Sequence[str], text: Sequence[Sequence[str]],
            xlabel: str, ylabel: str, vmin: float | None = None, vmax: float | None = None,
            ax: plt.Axes | None = None, colorbar: str = "validation accuracy") -> plt.Figure:
    """A grid of values (e.g. mean validation accuracy) with each cell's own text written in it;
    values below `vmin` are clipped to the darkest colour so the good region keeps its contrast."""
    values = np.asarray(values, dtype=float)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(1.2 * len(cols) + 2, 0.5 * len(rows) + 1.2))
    image = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
    ax.grid(False)
    low, high = image.get_clim()
    for i in range(len(rows)):
        for j in range(len(cols)):
            bright = (values[i, j] - low) / (high - low) > 0.6 if high > low else False
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=9, color="black" if bright else "white")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(image, ax=ax, label=colorbar, fraction=0.05)
    fig.tight_layout()
    return fig


def _tick(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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


def schedule_curves(groups: dict[str, list[dict[str, Any]]]) -> plt.Figure:
    """Left: validation accuracy per epoch under each learning-rate schedule (mean over seeds,
    min-max band); right: the learning rate at the start of each epoch (first seed); one legend below."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    curves(groups, ("val_acc",), "validation accuracy (%)", ax=left)
    left.get_legend().remove()
    for g, results in enumerate(groups.values()):
        lr = results[0]["history"]["lr"]
        right.plot(np.arange(1, len(lr) + 1), lr, color=PALETTE[g % len(PALETTE)])
    right.set_xlabel("epoch")
    right.set_ylabel("learning rate")
    for ax in (left, right):
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    fig.legend(left.get_lines(), list(groups), loc="lower center", ncol=len(groups))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def grouped_points(table: dict[str, dict[str, tuple[float, float]]], ylabel: str) -> plt.Figure:
    """{group: {series: (mean, std)}} as points with error bars, the series side by side within each
    group (for values whose axis does not start at zero, where bars would mislead); legend below."""
    groups = list(table)
    series = list(dict.fromkeys(s for g in groups for s in table[g]))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.05 * len(groups) + 1), 3.4))
    offsets = np.linspace(-0.15, 0.15, len(series)) if len(series) > 1 else [0.0]
    for k, name in enumerate(series):
        points = [(i + offsets[k], *table[g][name]) for i, g in enumerate(groups) if name in table[g]]
        x, means, stds = zip(*points)
        ax.errorbar(x, means, yerr=stds, fmt="o", capsize=3, color=PALETTE[k % len(PALETTE)], label=name)
    ax.set_xticks(range(len(groups)), groups, rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=len(series))
    fig.tight_layout()
    return fig


def stopping_points(results: list[dict[str, Any]], stops: list[dict[str, float]] | None = None) -> plt.Figure:
    """Validation loss and accuracy of one configuration (mean over seeds, min-max band), with each
    seed's stopping epoch under the val-loss criterion (triangles) and the val-acc criterion (hollow
    circles); `stops` defaults to `metrics.stopping_epochs` of each run."""
    from .metrics import stopping_epochs

    stops = stops if stops is not None else [stopping_epochs(r) for r in results]
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.2))
    for ax, metric, label in ((axes[0], "val_loss", "validation loss"), (axes[1], "val_acc", "validation accuracy (%)")):
        values = _percent(metric, _history(results, metric))
        epochs = np.arange(1, values.shape[1] + 1)
        ax.plot(epochs, np.nanmean(values, 0), color=PALETTE[0])
        ax.fill_between(epochs, np.nanmin(values, 0), np.nanmax(values, 0), color=PALETTE[0], alpha=0.15, linewidth=0)
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


def panels(draw: Callable[..., Any], values: dict[str, Any], *args: Any, ylim: tuple[float, float] | None = None,
           figsize: tuple[float, float] = (7.5, 3.2), **kwargs: Any) -> plt.Figure:
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


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def _val_percent(results: list[dict[str, Any]]) -> tuple[float, float]:
    """Validation accuracy of a group in percent: mean and std over seeds."""
    return _mean_std([100 * r["val"]["acc"] for r in results])


def _gap_points(results: list[dict[str, Any]]) -> tuple[float, float]:
    """Training (eval mode) minus validation accuracy at the reported epoch, in points: mean, std over seeds."""
    return _mean_std([100 * (r["history"]["train_eval_acc"][r["final_epoch"] - 1] - r["val"]["acc"]) for r in results])


def accuracy_and_gap(lines: dict[str, dict[float, list[dict[str, Any]]]], xlabel: str, logx: bool = False,
                     reference: tuple[str, list[dict[str, Any]]] | None = None) -> plt.Figure:
    """Two panels against one setting: validation accuracy (%, left) and the train − validation gap
    (points, right), each mean ± std over seeds, one line per {label: {setting value: runs}}.

    A log axis cannot show a value ≤ 0, so those points are left out there; `reference` = (label,
    runs) draws such a group (e.g. no penalty, λ = 0) as a dotted grey line in both panels. The
    legend, when there is more than one thing to name, sits below the panels, off the data."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.2))
    for ax, stat, ylabel in zip(axes, (_val_percent, _gap_points), ("validation accuracy (%)", "train − validation (points)")):
        for i, (label, groups) in enumerate(lines.items()):
            xs = [x for x in groups if x > 0 or not logx]
            means, stds = zip(*(stat(groups[x]) for x in xs))
            ax.errorbar(xs, means, yerr=stds, marker="o", capsize=3, color=PALETTE[i % len(PALETTE)], label=label)
            if not logx:
                ax.set_xticks(xs, [f"{x:g}" for x in xs])
        if reference is not None:
            ax.axhline(stat(reference[1])[0], color="grey", linestyle=":", label=reference[0])
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    if len(labels) > 1:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, 0.0))
        fig.tight_layout(rect=(0, 0.1, 1, 1))
    else:
        fig.tight_layout()
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


# ---- Chapter 9: why the MLP trails the CNN ---------------------------------------------------------
def moved_accuracy(curves: dict[str, dict[str, dict[float, float]]]) -> plt.Figure:
    """Test accuracy (%) of several models on moved images (`robustness.robustness`): left, against
    the shift in pixels; right, against the rotation in degrees; one line per model, a legend below."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.3), sharey=True)
    for ax, kind, xlabel in zip(axes, ("shift", "rotation"), ("shift (pixels, 8 directions averaged)", "rotation (degrees, both ways averaged)")):
        for i, (name, curve) in enumerate(curves.items()):
            xs = list(curve[kind])
            ax.plot(xs, [100 * curve[kind][x] for x in xs], marker="os^Dv"[i % 5], color=PALETTE[i % len(PALETTE)], label=name)
            ax.set_xticks(xs)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=1 if len(curves) > 2 else len(curves),
               bbox_to_anchor=(0.5, -0.06))
    return fig


def _test_percent(results: list[dict[str, Any]]) -> tuple[float, float]:
    """Test accuracy of a group in percent: mean and std over seeds."""
    return _mean_std([100 * r["test"]["acc"] for r in results])


def against_size(lines: dict[str, dict[int, list[dict[str, Any]]]], xlabel: str = "training images") -> plt.Figure:
    """Two recipes trained on growing training sets ({name: {images: runs}}, log x): left, test
    accuracy (%, mean ± std over seeds), one line per recipe; right, the second recipe minus the
    first in points (± the two stds combined), with a zero line."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.3))
    stats = {name: {n: _test_percent(runs) for n, runs in groups.items()} for name, groups in lines.items()}
    for i, (name, points) in enumerate(stats.items()):
        xs = sorted(points)
        axes[0].errorbar(xs, [points[x][0] for x in xs], yerr=[points[x][1] for x in xs], marker="os"[i % 2], capsize=3,
                         color=PALETTE[i % len(PALETTE)], label=name)
    (first, a), (second, b) = list(stats.items())[:2]
    xs = sorted(set(a) & set(b))
    axes[1].errorbar(xs, [b[x][0] - a[x][0] for x in xs], yerr=[float(np.hypot(a[x][1], b[x][1])) for x in xs], marker="o",
                     capsize=3, color="black")
    axes[1].axhline(0, color="grey", linewidth=0.8)
    axes[0].set_ylabel("test accuracy (%)")
    axes[1].set_ylabel(f"{second} − {first} (points)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:,}".replace(",", "\u2009") for x in xs], rotation=45)
        ax.minorticks_off()
        ax.set_xlabel(xlabel)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=len(lines), bbox_to_anchor=(0.5, -0.02))
    return fig


def efficiency(networks: Any, best: Sequence[str], floor: float, line: tuple[str, float] | None = None) -> plt.Figure:
    """Test accuracy (%) of trained networks (`robustness.trained_networks`: one point per
    configuration) against parameters (left) and training minutes per seed (right), both log x;
    one colour per family (MLP, CNN), the labels in `best` ringed; networks below `floor` validation
    accuracy and families other than MLP and CNN are left out. `line` = (label, accuracy fraction)
    adds a dotted horizontal line (e.g. the best MLP test accuracy)."""
    kept = networks[(networks["val"] >= floor) & networks["family"].isin(["MLP", "CNN"])]
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.5), sharey=True)
    for ax, column, xlabel in zip(axes, ("params", "minutes"), ("parameters", "training time per seed (minutes)")):
        for i, fam in enumerate(("MLP", "CNN")):
            rows = kept[kept["family"] == fam]
            ax.scatter(rows[column], 100 * rows["test"], s=18, alpha=0.7, marker="os"[i], color=PALETTE[i], label=fam)
        marked = kept[kept["label"].isin(list(best))]
        ax.scatter(marked[column], 100 * marked["test"], s=120, facecolors="none", edgecolors="black", linewidths=1.2,
                   label="best of its family on validation")
        if line is not None and np.isfinite(line[1]):
            ax.axhline(100 * line[1], color="grey", linestyle=":", label=line[0])
        if len(kept):
            ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", "\u2009") if v >= 1 else f"{v:g}"))
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("test accuracy (%)")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.02))
    return fig
