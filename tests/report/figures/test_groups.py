"""Figures comparing groups of runs over seeds (fmnist_lab.report.figures.groups): bars, sweeps, heat
maps, grouped points, panels, accuracy and gap, efficiency."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from fakes import confusion_run, error_spans, grid_run, network_table
from fakes import dropout, grid  # noqa: F401  (fixtures)

from fmnist_lab.analysis import groups
from fmnist_lab.chapters import cnn as cnn_page
from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_panels_share_the_y_axis_and_put_one_legend_below():
    values = {"left": {"a": [1.0, 2.0, 4.0], "b": [1.0, 1.0, 1.0]}, "right": {"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]}}
    fig = figures.panels(figures.per_layer, values, "scale", ylim=(0.5, 5))
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("left", "right")
    assert left.get_ylim() == right.get_ylim() == pytest.approx((0.5, 5))
    assert left.get_legend() is None and right.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    plt.close(fig)


def test_panels_leave_a_metric_shared_by_every_entry_to_the_axis_label():
    def run(acc):
        return {"history": {"val_acc": acc}, "final_epoch": len(acc)}
    groups = {"plain": {"Adam": [run([0.8, 0.9])], "SGD": [run([0.7, 0.8])]}, "bn": {"Adam": [run([0.8, 0.85])], "SGD": [run([0.6, 0.8])]}}
    fig = figures.panels(figures.curves, groups, ("val_acc",), "validation accuracy (%)")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Adam", "SGD"]
    assert fig.axes[1].get_ylabel() == ""
    plt.close(fig)


def test_grouped_bars_are_the_seeds_mean_with_a_sample_std_and_the_legend_above(themed):
    fig = figures.grouped_bars({"raw": {"Adam": [confusion_run(0.86), confusion_run(0.88)], "SGD": [confusion_run(0.10), confusion_run(0.10)]},
                              "[0, 1]": {"Adam": [confusion_run(0.89), confusion_run(0.89)], "SGD": [confusion_run(0.88), confusion_run(0.90)]}}, ylim=(0, 100))
    ax = fig.axes[0]
    assert sorted(round(p.get_height(), 6) for p in ax.patches if p.get_height()) == pytest.approx([10, 87, 89, 89])
    assert error_spans(ax) == pytest.approx([0, 0, 2 * 100 * np.std([0.86, 0.88], ddof=1), 2 * 100 * np.std([0.88, 0.90], ddof=1)])
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().y0 >= ax.get_window_extent().y1 - 1  # above the axes, off the bars
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Adam", "SGD"]


def test_sweep_puts_validation_mean_and_std_and_training_mean_at_each_value(themed):
    fig = figures.sweep({32: [confusion_run(0.85, 0.90), confusion_run(0.87, 0.92)], 1024: [confusion_run(0.89, 0.97), confusion_run(0.89, 0.99)]}, "units", logx=True)
    ax = fig.axes[0]
    validation, training = ax.lines[0], next(line for line in ax.lines if line.get_linestyle() == "--")
    assert list(validation.get_xdata()) == [32, 1024] and list(validation.get_ydata()) == pytest.approx([86, 89])
    assert list(training.get_ydata()) == pytest.approx([91, 98])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["32", "1024"] and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["validation", "training"]


def test_heatmap_leaves_a_missing_cell_blank_and_names_the_colour_bar(themed):
    values = np.array([[80.0, np.nan], [85.0, 90.0]])
    fig = figures.heatmap(values, ["a", "b"], ["x", "y"], [["80.0", ""], ["85.0", "90.0"]], "lr", "batch", vmin=80,
                        colorbar="validation accuracy (%)")
    assert [t.get_text() for t in fig.axes[0].texts] == ["80.0", "85.0", "90.0"]
    assert fig.axes[1].get_ylabel() == "validation accuracy (%)"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]


def test_study_heatmap_lays_groups_out_by_their_configuration_in_percent(grid):
    fig = figures.study_heatmap(grid, "optimizer", "lr", xlabel="learning rate", row_title=lambda cfg: cfg.optimizer.upper())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SGD", "ADAM"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "0.001"]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["45.0\n÷ 1/2", "71.0", "31.0", "89.0"]  # percent, diverged seeds marked
    assert fig.axes[1].get_ylabel() == "validation accuracy (%)"
    plt.close(fig)


def test_grouped_points_draws_the_seeds_mean_and_std_per_group_and_series_with_the_legend_off_the_axes():
    fig = figures.grouped_points({"none": {"20 epochs": [grid_run("a", 0.89), grid_run("b", 0.91)], "60 epochs": [grid_run("c", 0.90)]},
                                "shift": {"20 epochs": [grid_run("d", 0.88)], "60 epochs": [grid_run("e", 0.895), grid_run("f", 0.905)]}})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "shift"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["20 epochs", "60 epochs"]
    fig.canvas.draw()
    legend, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y0 >= axes.y1 or legend.y1 <= axes.y0  # above or below the axes, never over the data
    assert len(ax.patches) == 0  # points, not bars
    points = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
    assert [list(p.get_ydata()) for p in points] == [pytest.approx([90.0, 88.0]), pytest.approx([90.0, 90.0])]  # percent
    spans = [np.nanmax(line.get_ydata()) - np.nanmin(line.get_ydata()) for line in ax.lines if line.get_marker() in ("None", "")
             and not np.isnan(line.get_ydata()).all()]
    assert spans == pytest.approx([2 * 100 * np.std([0.89, 0.91], ddof=1), 2 * 100 * np.std([0.895, 0.905], ddof=1)])  # ± sample std
    plt.close(fig)


def test_accuracy_and_gap_leaves_nonpositive_values_off_a_log_axis_and_draws_the_reference(dropout):
    figures.use_style()
    lines = {"dropout": groups.by_value(dropout, "dropout")}
    fig = figures.accuracy_and_gap(lines, "p", logx=True, reference=("none", dropout.runs["p 0.0"]))
    left, right = fig.axes[:2]
    assert list(left.lines[0].get_xdata()) == [0.1, 0.5]  # 0 cannot sit on a log axis
    assert list(left.lines[0].get_ydata()) == pytest.approx([85.0, 71.0])  # percent
    assert list(right.lines[0].get_ydata()) == pytest.approx([5.0, 5.0])  # points
    assert left.lines[-1].get_ydata()[0] == pytest.approx(81.0) and left.lines[-1].get_linestyle() == ":"
    assert fig.legends and not left.get_legend()  # legend below the panels, off the data
    plt.close(fig)
    fig = figures.accuracy_and_gap(lines, "p")  # linear axis: every value, ticks at the values, no legend for one line
    assert list(fig.axes[0].lines[0].get_xdata()) == [0.0, 0.1, 0.5] and not fig.legends
    plt.close(fig)


def test_accuracy_and_gap_stacks_its_panels_on_one_axis_written_in_plain_numbers(dropout):
    figures.use_style()
    lines = {"dropout": groups.by_value(dropout, "dropout")}
    fig = figures.accuracy_and_gap(lines, "p", logx=True)
    top, bottom = fig.axes
    assert top.get_shared_x_axes().joined(top, bottom) and top.get_position().y0 > bottom.get_position().y1
    assert (top.get_xlabel(), bottom.get_xlabel()) == ("", "p")  # the shared axis named once, under the bottom panel
    fig.canvas.draw()
    labels = [t.get_text() for t in bottom.get_xticklabels() if t.get_text()]
    assert labels and not any("$" in label or "^" in label for label in labels)  # 0.1, not a raised 10⁻¹
    plt.close(fig)


def test_efficiency_plot_draws_even_when_every_network_is_left_out():
    import matplotlib
    matplotlib.use("Agg")


    nets = network_table([("weak MLP", "MLP", 1000, 0.5, 0.5)])
    facts = cnn_page.efficiency_facts(nets, floor=0.8)
    figures.efficiency(nets, (facts["best_mlp"], facts["best_cnn"]), 0.8, line=("best MLP", facts["top_mlp_test"]))


def test_against_size_draws_the_gap_with_its_paired_interval_not_the_seeds_spread():
    def runs(accs):
        return [{"config": {"seed": s}, "test": {"acc": a}} for s, a in enumerate(accs)]
    # the seeds differ by a whole point, but the CNN leads by 2 points on every seed: paired, no spread
    lines = {"MLP": {1000: runs([0.80, 0.81, 0.82]), 5000: runs([0.85, 0.86, 0.87])},
             "CNN": {1000: runs([0.82, 0.83, 0.84]), 5000: runs([0.87, 0.88, 0.89])}}
    fig = figures.against_size(lines)
    right = fig.axes[1]
    assert right.lines[0].get_ydata() == pytest.approx([2.0, 2.0])
    assert max(error_spans(right), default=0.0) == pytest.approx(0.0, abs=1e-9)  # the combined stds would draw ±1.4 points
    plt.close(fig)
