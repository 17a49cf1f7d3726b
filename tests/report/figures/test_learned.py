"""Figures of chapter 12 (fmnist_lab.report.figures.learned): reliability gaps in points with the
sparse bins left out, t-SNE maps with one legend of class names, first-layer weights each on its own
symmetric colour scale."""
import matplotlib

import numpy as np
import pandas as pd
import pytest

from fmnist_lab.analysis import calibration
from fmnist_lab.engine.data import CLASS_NAMES
from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_reliability_draws_confidence_minus_accuracy_in_points_one_panel_per_scaling(themed):
    bins = pd.DataFrame({"confidence": [0.5, 0.7, 0.9], "accuracy": [0.4, 0.7, 0.95], "images": [100, 5, 100]})
    curves = pd.concat([bins.assign(model="m", scaling=calibration.BEFORE), bins.assign(model="m", scaling=calibration.AFTER)])
    fig = figures.reliability(curves, min_images=20)
    assert [ax.get_title() for ax in fig.axes] == [calibration.BEFORE, calibration.AFTER]
    (line,) = [line for line in fig.axes[0].lines if len(line.get_xdata()) and list(line.get_xdata()) != [0, 1]]
    assert list(line.get_xdata()) == pytest.approx([50, 90])  # the bin of 5 images is left out
    assert list(line.get_ydata()) == pytest.approx([10, -5])  # above 0: overconfident


def test_tsne_maps_put_one_legend_of_class_names_below_the_panels(themed):
    labels = np.arange(10).repeat(3)
    points = np.random.default_rng(0).normal(size=(30, 2))
    fig = figures.tsne_maps({"raw pixels": points, "best MLP": points[::-1]}, labels)
    assert [ax.get_title() for ax in fig.axes] == ["raw pixels", "best MLP"]
    assert all(ax.get_legend() is None for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(CLASS_NAMES)


def test_weight_images_give_each_unit_its_own_symmetric_colour_scale(themed):
    weights = np.random.default_rng(0).normal(size=(10, 28, 28)) * np.arange(1, 11)[:, None, None]
    weights[4] = 0.0  # a unit whose weights all vanished still gets a (neutral) scale
    fig = figures.weight_images(weights, columns=4)
    assert len(fig.axes) == 12 and not any(ax.axison for ax in fig.axes)
    shown = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(shown) == 10
    for image, w in zip(shown, weights):
        limit = np.abs(w).max() or 1.0
        assert image.get_clim() == pytest.approx((-limit, limit))
