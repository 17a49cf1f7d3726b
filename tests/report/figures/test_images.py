"""Figures of images (fmnist_lab.report.figures.images): grids, misclassified examples, class counts,
PCA."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from fakes import images  # noqa: F401  (fixtures)

from fmnist_lab.engine.data import CLASS_NAMES
from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_class_counts_legend_writes_thousands_as_the_prose_does():
    figures.use_style()
    fig = figures.class_counts({"training": torch.arange(10).repeat(5000), "test": torch.arange(10).repeat(100)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert legend[0].startswith("training (50") and "," not in "".join(legend)
    assert legend[0].replace("\u2009", " ").replace("\u202f", " ") == "training (50 000)"


def test_misclassified_titles_use_the_books_class_names():
    figures.use_style()
    images = torch.zeros(2, 28, 28)
    fig = figures.misclassified(images, [9, 0], [0, 9], n=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    plt.close(fig)
    assert titles == ["Ankle boot\n→ T-shirt/top", "T-shirt/top\n→ Ankle boot"]


def test_misclassified_titles_only_the_wrong_images_true_then_predicted(images):
    imgs, labels = images
    predicted = labels.clone()
    predicted[[3, 17]] = torch.tensor([5, 9])
    fig = figures.misclassified(imgs, labels, predicted, n=30)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["Dress\n→ Sandal", "Sneaker\n→ Ankle boot"]
    plt.close(fig)


def test_image_grid_text_sizes_and_room_for_two_line_titles(images):
    imgs, _ = images
    one = figures.image_grid(imgs[:4], titles=["a"] * 4, columns=4, cell=1.0)
    two = figures.image_grid(imgs[:4], titles=["a\nb"] * 4, columns=4, cell=1.0, title_size=10, label_size=11,
                           row_labels=["row"])
    assert one.axes[0].title.get_fontsize() == 7  # the default is unchanged
    assert two.axes[0].title.get_fontsize() == 10 and two.axes[0].texts[0].get_fontsize() == 11
    assert two.get_size_inches()[1] > one.get_size_inches()[1]
    plt.close("all")


def test_pca_scatter_explains_the_variance_an_exact_svd_gives(themed):
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(10).repeat(30)
    images = torch.randint(0, 256, (300, 28, 28), generator=generator, dtype=torch.uint8)
    images[:, :5] = (labels * 25).to(torch.uint8)[:, None, None]  # one strong direction: the class
    fig, explained = figures.pca_scatter(images, labels, n=200, seed=1)
    pick = torch.randperm(300, generator=torch.Generator().manual_seed(1))[:200]
    x = images[pick].flatten(1).double().numpy() / 255
    s = np.linalg.svd(x - x.mean(0), compute_uv=False)
    assert explained == pytest.approx((s[:2] ** 2).sum() / (s ** 2).sum(), abs=1e-5)
    points = fig.axes[0].collections[0].get_offsets()
    assert len(points) == 200
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == list(CLASS_NAMES)
