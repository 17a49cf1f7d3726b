"""Helpers that chapters 1 and 02 call: image statistics, the share of the majority class,
the backprop check on real-shaped input, and the figures built from them."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from fmnist_lab.analysis import pixels
from fmnist_lab.analysis import metrics
from fmnist_lab.engine import scratch
from fmnist_lab.report import figures


@pytest.fixture
def images():
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(10).repeat(6)  # 6 images per class
    imgs = torch.zeros(60, 28, 28, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        imgs[i, : c + 1] = torch.randint(1, 256, (c + 1, 28), generator=generator, dtype=torch.uint8)  # class c inks c+1 rows
    return imgs, labels


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


def _result(key, val, test=0.5, predictions="0123456789"):
    return {"key": key, "val": {"acc": val}, "test": {"acc": test, "predictions": predictions},
            "history": {"train_eval_acc": [0.9], "val_acc": [val], "val_loss": [1.0], "train_loss": [1.0]},
            "final_epoch": 1, "params": 10, "seconds_per_epoch": 1.0, "diverged": False,
            "provenance": {"wall_seconds": 1.0, "device": "cpu", "device_name": "x", "threads": 2}}


def test_majority_share_from_stored_predictions():
    assert metrics.majority_share(_result("a", 0.5, predictions="0123456789")) == pytest.approx(0.1)
    assert metrics.majority_share(_result("a", 0.5, predictions="7777777771")) == pytest.approx(0.9)


def test_check_backprop_on_uint8_images(images):
    imgs, labels = images
    rows, autograd_diff = scratch.check_backprop(imgs, labels, mean=0.3, std=0.3, n=16, sizes=(784, 8, 10), seed=1)
    assert [r["parameter"] for r in rows] == ["W0", "b0", "W1", "b1"]
    assert max(r["max_relative_error"] for r in rows) < 1e-5
    assert autograd_diff < 1e-10


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


def test_curves_legend_uses_words_not_column_names():
    runs = [dict(_result("a", 0.5), history={"train_loss": [2.0, 1.0], "val_loss": [2.1, 1.5],
                                             "train_eval_acc": [0.5, 0.6], "val_acc": [0.4, 0.5]}, final_epoch=2)]
    fig = figures.loss_and_accuracy({"baseline": runs}, mark_best=True)
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes]
    assert legends == [["training loss", "validation loss"], ["training accuracy", "validation accuracy"]]
    assert max(fig.axes[1].lines[1].get_ydata()) == pytest.approx(50)  # accuracy in percent
    plt.close(fig)


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


def test_collapse_averages_majority_share_and_first_loss():
    runs = [_result("a", 0.1, predictions="3333333333"), _result("b", 0.1, predictions="3333333330")]
    runs[1]["history"] = dict(runs[1]["history"], train_loss=[3.0, 2.0])
    assert metrics.collapse(runs) == pytest.approx({"majority_share": 0.95, "first_loss": 2.0})
