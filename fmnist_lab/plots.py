"""The figure types the book repeats. Each returns a matplotlib Figure; notebooks only call these.

Accuracy is drawn in percent everywhere (results store fractions; `_percent` converts), and
`use_style()` sets one readable style for the whole book (chapters call it once).
"""
from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
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
               row_labels: Sequence[str] | None = None, cell: float = 0.9, cmap: str = "gray_r") -> plt.Figure:
    """A grid of 28x28 images with optional titles and row labels."""
    n = len(images)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * cell * (1.25 if titles else 1.0)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(images[i], dtype=float), cmap=cmap, vmin=None, vmax=None)
            if titles:
                ax.set_title(titles[i], fontsize=7)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].text(-3, 14, label, ha="right", va="center", fontsize=8)
    fig.tight_layout(pad=0.2)
    return fig


def augmentation_grid(images: torch.Tensor, sets: dict[str, tuple[str, ...]], seed: int = 0) -> plt.Figure:
    """The same images (N, 28, 28 in [0, 1]) once per row: as they are, then under each augmentation set."""
    batch = images.unsqueeze(1)
    rows = {"original": batch} | {name: augment(batch, names, torch.Generator().manual_seed(seed))
                                  for name, names in sets.items() if names}
    return image_grid(torch.cat(list(rows.values()))[:, 0], columns=len(images), row_labels=list(rows))


def class_counts(splits: dict[str, torch.Tensor]) -> plt.Figure:
    """Images per class in each split (grouped bars)."""
    fig, ax = plt.subplots(figsize=(8, 3))
    width = 0.8 / len(splits)
    for i, (name, labels) in enumerate(splits.items()):
        counts = torch.bincount(labels, minlength=10).numpy()
        ax.bar(np.arange(10) + i * width, counts, width, label=f"{name} ({len(labels):,})")
    ax.set_xticks(np.arange(10) + width * (len(splits) - 1) / 2, CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("images")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def pixel_statistics(images: torch.Tensor, labels: torch.Tensor) -> plt.Figure:
    """Left: histogram of all pixel values. Right: mean brightness and ink coverage per class."""
    pixels = images.float() / 255
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    left.hist(pixels.flatten().numpy(), bins=51, color=PALETTE[0], log=True)
    left.set_xlabel("pixel value (scaled to [0, 1])")
    left.set_ylabel("pixels (log scale)")
    brightness = [pixels[labels == c].mean().item() for c in range(10)]
    coverage = [(pixels[labels == c] > 0).float().mean().item() for c in range(10)]
    x = np.arange(10)
    right.bar(x - 0.2, brightness, 0.4, label="mean pixel value")
    right.bar(x + 0.2, coverage, 0.4, label="fraction of non-zero pixels")
    right.set_xticks(x, CLASS_NAMES, rotation=30, ha="right")
    right.set_ylim(0, 1)
    right.legend(frameon=False, loc="upper center", ncol=2)
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
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for c in range(10):
        mask = (labels[pick] == c).numpy()
        ax.scatter(coords[mask, 0], coords[mask, 1], s=3, alpha=0.5, color=plt.cm.tab10(c), label=CLASS_NAMES[c])
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.legend(markerscale=4, fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
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


def curves(groups: dict[str, list[dict[str, Any]]], metrics: Sequence[str] = ("train_loss", "val_loss"),
           ylabel: str = "", ax: plt.Axes | None = None, mark_best: bool = False) -> plt.Figure:
    """Mean curve over seeds with a min-max band, one colour per group, solid/dashed per metric."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.5))
    styles = ["-", "--", ":", "-."]
    for g, (label, results) in enumerate(groups.items()):
        for m, metric in enumerate(metrics):
            values = _percent(metric, _history(results, metric))
            epochs = np.arange(1, values.shape[1] + 1)
            with np.errstate(all="ignore"):
                mean, low, high = np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0)
            name = f"{label}: {metric.replace('_', ' ')}" if len(groups) > 1 else metric.replace("_", " ")
            ax.plot(epochs, mean, styles[m % 4], color=PALETTE[g % len(PALETTE)], label=name)
            ax.fill_between(epochs, low, high, color=PALETTE[g % len(PALETTE)], alpha=0.15, linewidth=0)
        if mark_best:
            for r in results:
                ax.axvline(r["final_epoch"], color=PALETTE[g % len(PALETTE)], alpha=0.3, linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    fig.tight_layout()
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
    """Row-normalised confusion matrix (rows: true class) with percentages in the cells."""
    rates = _row_rates(counts)
    labels = [[f"{100 * r:.0f}" if r >= 0.005 else "" for r in row] for row in rates]
    return _class_matrix(rates, "Blues", 0, 1, labels, rates > 0.5, title)


def confusion_difference(counts_a: np.ndarray, counts_b: np.ndarray, title: str = "") -> plt.Figure:
    """Row-normalised confusion of A minus that of B, in points: blue where A puts more of a class."""
    diff = 100 * (_row_rates(counts_a) - _row_rates(counts_b))
    limit = max(1.0, np.abs(diff).max())
    labels = [[f"{d:+.0f}" if abs(d) >= 0.5 else "" for d in row] for row in diff]
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
    ax.legend()
    fig.tight_layout()
    return fig


def per_class_bars(accuracies: dict[str, tuple[np.ndarray, np.ndarray]]) -> plt.Figure:
    """{model: (mean per-class accuracy, std)} as points with error bars, one row per class (the axis
    does not start at zero, so no bars); the legend sits below the axes, off the data."""
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    offset = 0.6 / max(1, len(accuracies) - 1) if len(accuracies) > 1 else 0.0
    for i, (name, (mean, std)) in enumerate(accuracies.items()):
        y = np.arange(10) - 0.3 * (len(accuracies) > 1) + i * offset
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
    """One line per configuration of a per-layer quantity (layer 1 = closest to the input)."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 3.3))
    for i, (label, ys) in enumerate(values.items()):
        ax.plot(np.arange(1, len(ys) + 1), ys, marker="o", color=plt.cm.tab10(i % 10), label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def layer_histograms(activations: dict[str, Sequence[torch.Tensor]], bins: int = 60) -> plt.Figure:
    """Rows: configurations; columns: hidden layers; each panel a histogram of that layer's outputs."""
    rows, cols = len(activations), max(len(v) for v in activations.values())
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.2 * rows), squeeze=False, sharey="row")
    for r, (label, layers) in enumerate(activations.items()):
        for c, a in enumerate(layers):
            ax = axes[r, c]
            ax.hist(a.flatten().numpy(), bins=bins, color=plt.cm.tab10(r % 10), density=True)
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
            ax.grid(False)
            if r == 0:
                ax.set_title(f"layer {c + 1}", fontsize=9)
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.tight_layout(pad=0.3)
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


def stopping_points(results: list[dict[str, Any]], stops: list[dict[str, float]]) -> plt.Figure:
    """Validation loss and accuracy of one configuration (mean over seeds, min-max band), with each
    seed's stopping epoch under the val-loss criterion (triangles) and the val-acc criterion (circles)."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, metric, label in ((axes[0], "val_loss", "validation loss"), (axes[1], "val_acc", "validation accuracy (%)")):
        values = _percent(metric, _history(results, metric))
        epochs = np.arange(1, values.shape[1] + 1)
        ax.plot(epochs, np.nanmean(values, 0), color=PALETTE[0])
        ax.fill_between(epochs, np.nanmin(values, 0), np.nanmax(values, 0), color=PALETTE[0], alpha=0.15, linewidth=0)
        for i, stop in enumerate(stops):
            for key, marker, size, name in (("loss_epoch", "v", 6, "lowest val loss"),
                                            ("acc_epoch", "o", 10, "highest val accuracy")):
                epoch = int(stop[key])  # hollow circles, so a shared epoch shows both marks
                ax.plot(epoch, values[i, epoch - 1], marker, markersize=size, label=name if i == 0 else None,
                        color=PALETTE[3] if marker == "v" else PALETTE[2], markerfacecolor="none" if marker == "o" else None)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    axes[1].legend(loc="lower right")
    fig.tight_layout()
    return fig
