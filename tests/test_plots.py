"""The book's seaborn theme and the figures seaborn draws from per-seed values: the theme's text is
10 pt (each figure's fit to the page: test_plots_page_width.py), the points and error bars are the
seeds' mean ± sample std, every cell of a class grid is annotated, and PCA explains the variance an
exact SVD says it does."""
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from fmnist_lab.report import figures
from fmnist_lab.analysis import metrics
from fmnist_lab.engine.data import CLASS_NAMES


def run(val, train=None, per_class=None):
    """A stored-result-shaped dict: validation accuracy, training accuracy at the reported epoch and
    a test confusion matrix whose diagonal gives `per_class` accuracy (100 images per class)."""
    per_class = np.full(10, 0.9) if per_class is None else np.asarray(per_class)
    confusion = np.zeros((10, 10), dtype=int)
    for c, acc in enumerate(per_class):
        confusion[c, c] = round(100 * acc)
        confusion[c, (c + 1) % 10] = 100 - confusion[c, c]
    return {"val": {"acc": val}, "final_epoch": 1, "history": {"train_eval_acc": [val + 0.05 if train is None else train]},
            "test": {"confusion": confusion.tolist()}}


def error_spans(ax, axis="y"):
    """The length of every error bar on `ax`, sorted: seaborn draws each as one line (bar and caps,
    NaN-separated); `ax.errorbar` as a line collection."""
    column = 0 if axis == "x" else 1
    spans = [np.nanmax(line.get_xydata()[:, column]) - np.nanmin(line.get_xydata()[:, column]) for line in ax.lines
             if line.get_marker() in ("None", "") and np.isnan(line.get_xydata()).any() and not np.isnan(line.get_xydata()[:, column]).all()]
    spans += [np.ptp(np.asarray(segment)[:, column]) for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)
              for segment in c.get_segments()]
    return sorted(spans)


def test_importing_plots_leaves_matplotlib_settings_alone():
    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); import fmnist_lab.report.figures; "
            "changed = [k for k, v in mpl.rcParams.items() if str(before[k]) != str(v)]; assert not changed, changed")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_theme_keeps_the_book_dpi_colours_and_text_sizes(themed):
    assert plt.rcParams["savefig.dpi"] == 200
    cycle = [to_hex(c) for c in plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle[:4] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"] == figures.PALETTE[:4]  # blue MLP, orange CNN, as captions say
    sizes = {key: matplotlib.font_manager.FontProperties(size=plt.rcParams[key]).get_size_in_points()
             for key in ("font.size", "axes.labelsize", "axes.titlesize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")}
    assert min(sizes.values()) >= 10, sizes  # shown at most 6.3/7 of their size (tests/test_plots_page_width.py): still >= 9 pt


def test_grouped_bars_are_the_seeds_mean_with_a_sample_std_and_the_legend_above(themed):
    fig = figures.grouped_bars({"raw": {"Adam": [run(0.86), run(0.88)], "SGD": [run(0.10), run(0.10)]},
                              "[0, 1]": {"Adam": [run(0.89), run(0.89)], "SGD": [run(0.88), run(0.90)]}}, ylim=(0, 100))
    ax = fig.axes[0]
    assert sorted(round(p.get_height(), 6) for p in ax.patches if p.get_height()) == pytest.approx([10, 87, 89, 89])
    assert error_spans(ax) == pytest.approx([0, 0, 2 * 100 * np.std([0.86, 0.88], ddof=1), 2 * 100 * np.std([0.88, 0.90], ddof=1)])
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().y0 >= ax.get_window_extent().y1 - 1  # above the axes, off the bars
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Adam", "SGD"]


def _points(ax):
    """(x, y) of every drawn marker of a pointplot, one array per hue level."""
    return [line.get_xydata() for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]


def test_per_class_points_from_runs_match_those_from_mean_and_std(themed):


    mlp = [run(0.8, per_class=np.linspace(0.70, 0.97, 10)), run(0.8, per_class=np.linspace(0.74, 0.92, 10))]
    cnn = [run(0.9, per_class=np.full(10, 0.95)), run(0.9, per_class=np.full(10, 0.91))]
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


def test_sweep_puts_validation_mean_and_std_and_training_mean_at_each_value(themed):
    fig = figures.sweep({32: [run(0.85, 0.90), run(0.87, 0.92)], 1024: [run(0.89, 0.97), run(0.89, 0.99)]}, "units", logx=True)
    ax = fig.axes[0]
    validation, training = ax.lines[0], next(line for line in ax.lines if line.get_linestyle() == "--")
    assert list(validation.get_xdata()) == [32, 1024] and list(validation.get_ydata()) == pytest.approx([86, 89])
    assert list(training.get_ydata()) == pytest.approx([91, 98])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["32", "1024"] and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["validation", "training"]


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


def test_heatmap_leaves_a_missing_cell_blank_and_names_the_colour_bar(themed):
    values = np.array([[80.0, np.nan], [85.0, 90.0]])
    fig = figures.heatmap(values, ["a", "b"], ["x", "y"], [["80.0", ""], ["85.0", "90.0"]], "lr", "batch", vmin=80,
                        colorbar="validation accuracy (%)")
    assert [t.get_text() for t in fig.axes[0].texts] == ["80.0", "85.0", "90.0"]
    assert fig.axes[1].get_ylabel() == "validation accuracy (%)"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]


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


def test_layer_histograms_count_relu_zeros_apart_and_label_two_round_ticks(themed):
    generator = torch.Generator().manual_seed(0)
    relu = torch.relu(torch.randn(4000, generator=generator))  # half exact zeros
    fig = figures.layer_histograms({"ReLU": [relu], "tanh": [torch.tanh(torch.randn(4000, generator=generator))]})
    relu_ax, tanh_ax = fig.axes
    assert [t.get_text() for t in relu_ax.texts] == [f"{100 * (relu == 0).float().mean():.0f}% zeros"]
    (histogram,) = relu_ax.patches
    assert histogram.get_path().vertices[:, 0].min() > 0  # the zeros are counted apart, not drawn as a bar
    assert relu_ax.get_ylim()[1] < 0.5 * (relu == 0).sum()  # that would flatten the rest
    assert len(tanh_ax.texts) == 0
    for ax in fig.axes:
        ticks = ax.get_xticks()
        low, high = ax.dataLim.x0, ax.dataLim.x1
        assert len(ticks) == 2 and ticks[1] - ticks[0] >= (high - low) / 2 - 1e-9
        assert all(f"{t:g}" == f"{round(t, 3):g}" for t in ticks)  # round values, no "−0"
        assert "\u22120" not in [label.get_text() for label in ax.get_xticklabels()]


def test_curves_zoom_keeps_the_data_top_and_names_groups_alone(themed):
    def runs(first, rest):
        return [{"history": {"val_acc": [first] + [rest] * 9}, "final_epoch": 10}]
    fig = figures.curves({"sigmoid": runs(0.2, 0.88), "ReLU": runs(0.84, 0.90)}, ("val_acc",), "validation accuracy (%)", ylim=(80, None))
    ax = fig.axes[0]
    bottom, top = ax.get_ylim()
    assert bottom == 80 and 90 < top < 91  # zoomed on the data above 80, not on the whole 20-90 range
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigmoid", "ReLU"]  # the y label names the metric
