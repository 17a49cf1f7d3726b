"""Statistics of the images themselves (fmnist_lab.analysis.pixels): samples, ink per class, dataset facts."""
import numpy as np
import pytest
import torch

from fakes import images  # noqa: F401  (fixtures)

from fmnist_lab.analysis import pixels


def test_class_samples_picks_per_class_in_class_order_and_is_reproducible(images):
    _, labels = images
    picks = pixels.class_samples(labels, 4, seed=3)
    assert labels[picks].tolist() == [c for c in range(10) for _ in range(4)]
    assert len(set(picks.tolist())) == 40
    assert torch.equal(picks, pixels.class_samples(labels, 4, seed=3))
    assert not torch.equal(picks, pixels.class_samples(labels, 4, seed=4))


def test_ink_coverage_means_and_zero_fraction(images):
    imgs, labels = images
    coverage = pixels.ink_coverage(imgs, labels)
    np.testing.assert_allclose(coverage, (np.arange(10) + 1) / 28)
    assert list(coverage.argsort()) == list(range(10))
    means = pixels.class_means(imgs, labels)
    assert means.shape == (10, 28, 28) and float(means.max()) <= 1.0
    assert float(means[0, 1:].sum()) == 0.0 and float(means[0, 0].min()) > 0
    assert pixels.zero_fraction(imgs) == pytest.approx(1 - np.mean((np.arange(10) + 1) / 28))


class _Data:  # the fields of data.FashionMNIST that dataset_facts reads
    def __init__(self, imgs, labels, val_labels, test_labels):
        self.train_images, self.train_labels = imgs, labels
        self.val_labels, self.test_labels = val_labels, test_labels
        self.pixel_mean, self.pixel_std = 0.25, 0.5


def test_dataset_facts_sizes_balance_and_background(images):
    imgs, labels = images
    facts = pixels.dataset_facts(_Data(imgs, labels, torch.arange(10).repeat(2), torch.arange(10)))
    assert (facts["n_train"], facts["n_val"], facts["n_test"], facts["n_total"]) == (60, 20, 10, 90)
    assert (facts["count_training"], facts["count_validation"], facts["count_test"], facts["imbalance"]) == (6, 2, 1, 0)
    assert facts["zero_fraction"] == pytest.approx(pixels.zero_fraction(imgs))
    unbalanced = pixels.dataset_facts(_Data(imgs, labels, torch.tensor([0, 0, 0, 1]), torch.arange(10)))
    assert unbalanced["imbalance"] == 3 and unbalanced["count_validation"] == 0  # classes 2-9 have none


def test_ink_ranking_names_classes_from_most_to_least_ink(images):
    imgs, labels = images
    assert pixels.ink_ranking(imgs, labels) == ["Ankle boot", "Bag", "Sneaker", "Shirt", "Sandal", "Coat",
                                                "Dress", "Pullover", "Trouser", "T-shirt/top"]
