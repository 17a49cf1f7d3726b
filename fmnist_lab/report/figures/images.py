"""Figures of images: sample grids, augmentations, misclassified examples, class counts, pixel statistics, PCA."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch

from ...engine.augment import augment
from ...engine.data import CLASS_NAMES
from ..format import thousands
from .style import PALETTE, TEXT_SIZE, WIDTH, plain_log


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
                      label_size: float = TEXT_SIZE) -> plt.Figure:
    """The same images (N, 28, 28 in [0, 1]) once per row: as they are, then under each augmentation
    set, each row labelled with its set; the images share what `WIDTH` leaves beside the labels."""
    batch = images.unsqueeze(1)
    rows = {"original": batch} | {name: augment(batch, names, torch.Generator().manual_seed(seed))
                                  for name, names in sets.items() if names}
    labels = max(len(name) for name in rows) * 0.55 * label_size / 72 + 0.15  # inches the widest row label takes
    return image_grid(torch.cat(list(rows.values()))[:, 0], columns=len(images), row_labels=list(rows), label_size=label_size,
                      cell=min(0.9, (WIDTH - labels) / len(images)))


def misclassified(images: torch.Tensor, labels: Sequence[int], predicted: Sequence[int], n: int = 30,
                  columns: int = 6, cell: float = 1.05, title_size: float = TEXT_SIZE) -> plt.Figure:
    """The first `n` images whose prediction is wrong, each titled with its true class and, on a
    second line, '→ predicted class', by the class names the rest of the book uses ('Ankle boot',
    never 'Boot'): they fit a one-inch cell at 10 pt."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    wrong = np.nonzero(predicted != labels)[0][:n]
    titles = [f"{CLASS_NAMES[labels[i]]}\n→ {CLASS_NAMES[predicted[i]]}" for i in wrong]
    return image_grid(images[torch.as_tensor(wrong)], titles=titles, columns=columns, cell=cell, title_size=title_size)


def class_counts(splits: dict[str, torch.Tensor]) -> plt.Figure:
    """Images per class in each split (grouped bars; the legend gives each split's total, its
    thousands separated as the prose writes them: '50 000', never '50,000')."""

    counts = pd.DataFrame([(CLASS_NAMES[c], f"{name} ({thousands(len(labels))})", n) for name, labels in splits.items()
                           for c, n in enumerate(torch.bincount(labels, minlength=len(CLASS_NAMES)).tolist())],
                          columns=["class", "split", "images"])
    fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
    sns.barplot(counts, x="class", y="images", hue="split", saturation=1, ax=ax)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    ax.set_xlabel("")
    sns.move_legend(ax, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(splits), title=None)
    fig.tight_layout()
    return fig


def pixel_statistics(images: torch.Tensor, labels: torch.Tensor) -> plt.Figure:
    """Left: histogram of all pixel values. Right: mean brightness and ink coverage per class
    (horizontal bars, so the class names read without rotation)."""
    pixels = images.float() / 255
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4), width_ratios=(1, 1.1))
    left.hist(pixels.flatten().numpy(), bins=51, color=PALETTE[0], log=True, linewidth=0)
    left.set_xlabel("pixel value (scaled to [0, 1])")
    left.set_ylabel("pixels (log scale)")
    plain_log(left.yaxis)
    per_class = pd.DataFrame([(CLASS_NAMES[c], stat, value) for c in range(len(CLASS_NAMES))
                              for stat, value in (("mean pixel value", pixels[labels == c].mean().item()),
                                                  ("fraction of non-zero pixels", (pixels[labels == c] > 0).float().mean().item()))],
                             columns=["class", "statistic", "value"])
    sns.barplot(per_class, x="value", y="class", hue="statistic", saturation=1, ax=right)
    right.set(xlim=(0, 1), xlabel="", ylabel="")
    sns.move_legend(right, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, title=None)
    fig.tight_layout()
    return fig


def pca_scatter(images: torch.Tensor, labels: torch.Tensor, n: int = 5000, seed: int = 0) -> tuple[plt.Figure, float]:
    """`n` random images (pixels in [0, 1]) projected on their first two principal components, one
    colour per class; returns (figure, fraction of the pixel variance the two components explain)."""
    pick = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:n]
    pixels = images[pick].flatten(1).float().numpy() / 255
    from sklearn.decomposition import PCA  # lazy: scikit-learn takes a second to import, and only chapter 1 draws this

    pca = PCA(n_components=2, svd_solver="full").fit(pixels)  # exact, so the variance explained is too
    coords = pca.transform(pixels)
    fig, ax = plt.subplots(figsize=(5.6, 4.3))
    sns.scatterplot(x=coords[:, 0], y=coords[:, 1], hue=np.asarray(CLASS_NAMES)[labels[pick].numpy()], hue_order=CLASS_NAMES,
                    palette=PALETTE, s=9, alpha=0.5, linewidth=0, ax=ax)
    ax.set(xlabel="principal component 1", ylabel="principal component 2")
    sns.move_legend(ax, "center left", bbox_to_anchor=(1, 0.5), markerscale=3, title=None)
    fig.tight_layout()
    return fig, float(pca.explained_variance_ratio_.sum())
