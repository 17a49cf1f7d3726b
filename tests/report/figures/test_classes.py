"""Figures per class (fmnist_lab.report.figures.classes): per-class points as the seeds' mean ± sample
std, every cell of a confusion matrix annotated, differences with a true minus."""
import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex

from fakes import confusion_run, error_spans

from fmnist_lab.analysis import metrics
from fmnist_lab.engine.data import CLASS_NAMES
from fmnist_lab.report import figures

matplotlib.use("Agg")


def _points(ax):
    """(x, y) of every drawn marker of a pointplot, one array per hue level."""
    return [line.get_xydata() for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]


def test_per_class_points_from_runs_match_those_from_mean_and_std(themed):


    mlp = [confusion_run(0.8, per_class=np.linspace(0.70, 0.97, 10)), confusion_run(0.8, per_class=np.linspace(0.74, 0.92, 10))]
    cnn = [confusion_run(0.9, per_class=np.full(10, 0.95)), confusion_run(0.9, per_class=np.full(10, 0.91))]
    from_runs = figures.per_class_bars({"MLP": mlp, "CNN": cnn})
    from_stats = figures.per_class_bars({"MLP": metrics.per_class_mean_std(mlp), "CNN": metrics.per_class_mean_std(cnn)})
    a, b = _points(from_runs.axes[0]), _points(from_stats.axes[0])
    assert len(a) == 2 and np.allclose(a, b)
    assert a[0][:, 0] == pytest.approx(100 * np.mean([np.linspace(0.70, 0.97, 10), np.linspace(0.74, 0.92, 10)], 0))
    assert a[1][:, 1] - a[0][:, 1] == pytest.approx(np.full(10, 0.3))  # the two models side by side within a class row
    spans = error_spans(from_runs.axes[0], "x")
    assert len(spans) == 20 and spans == pytest.approx(error_spans(from_stats.axes[0], "x"))  # the same ± std either way
    assert np.isclose(spans, 2 * 100 * np.std([0.95, 0.91], ddof=1)).sum() >= 10  # the CNN's ± std in every class
    ticks = [t.get_text() for t in from_runs.axes[0].get_yticklabels()]
    assert ticks == list(CLASS_NAMES)


def test_confusion_matrix_annotates_every_cell_in_row_percent_blank_where_it_rounds_to_zero(themed):
    counts = np.eye(10, dtype=int) * 100
    counts[0] = [50, 49, 1, 0, 0, 0, 0, 0, 0, 0]
    counts[1] = [0, 998, 2, 0, 0, 0, 0, 0, 0, 0]  # 0.2 % rounds to 0
    fig = figures.confusion_matrix(counts)
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # the numbers are in the cells: no colour bar
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 100
    assert cells[:3] == ["50", "49", "1"] and cells[10:13] == ["", "100", ""]
    assert all(cells[11 * c] == "100" for c in range(1, 10))
    dark, light = ax.texts[11], ax.texts[2]  # seaborn writes white on dark cells, dark grey on light ones
    assert to_hex(dark.get_color()) == "#ffffff" and to_hex(light.get_color()) != "#ffffff"
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CLASS_NAMES)


def test_confusion_difference_writes_points_with_a_true_minus(themed):
    a, b = np.eye(10) * 100, np.eye(10) * 100
    a[3, 3], a[3, 4] = 90, 10
    fig = figures.confusion_difference(a, b)
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert cells[33] == "\u221210" and cells[34] == "+10" and cells.count("") == 98
