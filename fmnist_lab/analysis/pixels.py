"""Statistics of the images themselves, before any model: samples, mean images, ink per class.

Images are uint8 tensors (N, 28, 28) as `data.load()` returns them; labels are class indices.
"""
from __future__ import annotations

import numpy as np
import torch

from ..engine.data import CLASS_NAMES, FashionMNIST


def splits(data: FashionMNIST) -> dict[str, torch.Tensor]:
    """The labels of the three splits, by the name a reader sees."""
    return {"training": data.train_labels, "validation": data.val_labels, "test": data.test_labels}


def dataset_facts(data: FashionMNIST) -> dict[str, float]:
    """What chapter 1 says about the data: split sizes (`n_train`, `n_val`, `n_test`, `n_total`),
    the training pixels' `pixel_mean`, `pixel_std` and `zero_fraction` ([0, 1] scale), each split's
    smallest class (`count_training`, ...), and `imbalance`: the largest difference between two
    classes of one split (0 when every split is exactly balanced)."""
    counts = {name: torch.bincount(labels, minlength=len(CLASS_NAMES)) for name, labels in splits(data).items()}
    return {"n_train": len(data.train_labels), "n_val": len(data.val_labels), "n_test": len(data.test_labels),
            "n_total": sum(len(labels) for labels in splits(data).values()),
            "pixel_mean": data.pixel_mean, "pixel_std": data.pixel_std, "zero_fraction": zero_fraction(data.train_images),
            **{f"count_{name}": int(c.min()) for name, c in counts.items()},
            "imbalance": max(int(c.max() - c.min()) for c in counts.values())}


def class_samples(labels: torch.Tensor, per_class: int, seed: int = 0, classes: int = 10) -> torch.Tensor:
    """Indices of `per_class` random images of every class, class by class (reproducible by `seed`)."""
    generator = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(classes):
        members = torch.nonzero(labels == c).flatten()
        picks.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.cat(picks)


def class_means(images: torch.Tensor, labels: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """The mean image of each class (classes, 28, 28), pixels scaled to [0, 1]."""
    pixels = images.float() / 255
    return torch.stack([pixels[labels == c].mean(0) for c in range(classes)])


def ink_coverage(images: torch.Tensor, labels: torch.Tensor, classes: int = 10) -> np.ndarray:
    """The fraction of non-zero ("inked") pixels in the images of each class."""
    return np.array([(images[labels == c] > 0).float().mean().item() for c in range(classes)])


def ink_ranking(images: torch.Tensor, labels: torch.Tensor) -> list[str]:
    """The class names ordered from the most to the least inked (see `ink_coverage`)."""
    return [CLASS_NAMES[c] for c in ink_coverage(images, labels, len(CLASS_NAMES)).argsort()[::-1]]


def zero_fraction(images: torch.Tensor) -> float:
    """The fraction of all pixels that are exactly zero (background)."""
    return float((images == 0).float().mean())
