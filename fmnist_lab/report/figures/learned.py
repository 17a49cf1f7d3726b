"""Figures of chapter 12 (beyond accuracy): reliability curves, t-SNE maps, first-layer weights.

Each function returns a matplotlib Figure; the chapter calls `plots.use_style()` once before them.
Confidence and accuracy are drawn in percent, as accuracy is everywhere in the book.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...analysis.calibration import MIN_IMAGES, gaps
from ...engine.data import CLASS_NAMES
from .style import WIDTH


def reliability(curves: pd.DataFrame, min_images: int = MIN_IMAGES) -> plt.Figure:
    """Reliability curves drawn as mean confidence minus accuracy (points) per confidence bin, one
    line per model, one panel per `scaling` value (before / after temperature scaling): above 0 a
    network is overconfident, the sign of the chapter's tables (`calibration.gaps`).

    `curves`: one row per bin with columns model, scaling, confidence, accuracy (fractions) and
    images; bins holding fewer than `min_images` images are left out (their accuracy is noise)."""
    shown = gaps(curves, min_images=min_images)
    shown = shown.assign(confidence=100 * shown["confidence"])
    panels = list(dict.fromkeys(shown["scaling"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(WIDTH, 3.4), sharey=True, squeeze=False)
    for ax, panel in zip(axes.flat, panels):
        ax.axhline(0, color="0.5", lw=1, ls="--")
        sns.lineplot(shown[shown["scaling"] == panel], x="confidence", y="gap", hue="model", style="model",
                     markers=True, dashes=False, ax=ax, legend=ax is axes.flat[0])
        ax.set(title=panel, xlabel="confidence (%)", ylabel="confidence − accuracy (points)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    axes.flat[0].get_legend().remove()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(labels)), frameon=False)
    fig.tight_layout()
    return fig


def tsne_maps(maps: dict[str, np.ndarray], labels: np.ndarray) -> plt.Figure:
    """t-SNE maps (N × 2 each) of the same images side by side, one colour and marker per class,
    with one legend of class names below the panels. Axes carry no scale: t-SNE distances between
    clusters mean little."""
    names = np.asarray(CLASS_NAMES)[np.asarray(labels)]
    fig, axes = plt.subplots(1, len(maps), figsize=(WIDTH, 3.3), squeeze=False)
    for ax, (title, points) in zip(axes.flat, maps.items()):
        sns.scatterplot(x=points[:, 0], y=points[:, 1], hue=names, hue_order=CLASS_NAMES, style=names,
                        style_order=CLASS_NAMES, palette="tab10", s=9, linewidth=0, ax=ax, legend=ax is axes.flat[0])
        ax.set(title=title, xticks=[], yticks=[])
        ax.grid(False)
        sns.despine(ax=ax, left=True, bottom=True)
    handles, texts = axes.flat[0].get_legend_handles_labels()
    axes.flat[0].get_legend().remove()
    fig.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=5, frameon=False, markerscale=3,
               columnspacing=1.0, handletextpad=0.2)
    fig.tight_layout()
    return fig


def weight_images(weights: np.ndarray, columns: int = 8, cell: float = 0.8) -> plt.Figure:
    """Each hidden unit's 784 input weights as a 28 × 28 image: red positive, blue negative, white
    zero, each unit on its own symmetric colour scale (their magnitudes differ)."""
    rows = -(-len(weights) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * cell, rows * cell), squeeze=False)
    for ax, w in zip(axes.flat, weights):
        limit = np.abs(w).max() or 1.0
        ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout(pad=0.2)
    return fig
