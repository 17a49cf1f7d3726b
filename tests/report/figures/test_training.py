"""Figures of training (fmnist_lab.report.figures.training): learning curves and their legends,
schedules, stopping points, per-layer histograms."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from fakes import grid_run, predicted_run, study_run
from fakes import dropout  # noqa: F401  (fixtures)

from fmnist_lab.report import figures

matplotlib.use("Agg")


def test_curves_legend_uses_words_not_column_names():
    runs = [dict(predicted_run("a", 0.5), history={"train_loss": [2.0, 1.0], "val_loss": [2.1, 1.5],
                                             "train_eval_acc": [0.5, 0.6], "val_acc": [0.4, 0.5]}, final_epoch=2)]
    fig = figures.loss_and_accuracy({"baseline": runs}, mark_best=True)
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes]
    assert legends == [["training loss", "validation loss"], ["training accuracy", "validation accuracy"]]
    assert max(fig.axes[1].lines[1].get_ydata()) == pytest.approx(50)  # accuracy in percent
    plt.close(fig)


def test_schedule_panel_draws_the_rate_as_steps_held_through_each_epoch():
    figures.use_style()
    run = {"history": {"val_acc": [0.8, 0.85, 0.86], "lr": [1e-3, 1e-3, 1e-4]}}
    fig = figures.schedule_curves({"step decay": [run, run]})
    rate = fig.axes[1].get_lines()[0]
    plt.close(fig)
    assert rate.get_drawstyle() == "steps-post"


def test_layer_histograms_put_configurations_in_columns_and_layers_in_rows(themed):
    generator = torch.Generator().manual_seed(0)
    layers = [torch.randn(500, generator=generator) / (i + 1) for i in range(3)]
    fig = figures.layer_histograms({"tanh": layers, "ReLU": [torch.relu(a) for a in layers[:2]]})
    axes = np.array(fig.axes).reshape(3, 2)  # rows: layers; columns: configurations, as few as the page has
    assert [ax.get_title() for ax in axes[0]] == ["tanh", "ReLU"] and not any(ax.get_title() for ax in axes[1:].flat)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == ["layer 1", "layer 2", "layer 3"]
    assert not axes[2, 1].get_visible()  # ReLU has two layers: no empty frame under them
    assert fig.get_figwidth() <= figures.WIDTH
    plt.close(fig)


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


def test_schedule_curves_draws_accuracy_and_learning_rate_with_one_shared_legend():
    groups = {"constant": [grid_run("c0", 0.8), grid_run("c1", 0.8)], "cosine": [grid_run("s0", 0.8, lr=(1e-3, 5e-4))]}
    fig = figures.schedule_curves(groups)
    left, right = fig.axes
    assert left.get_legend() is None and right.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["constant", "cosine"]
    assert list(right.lines[1].get_ydata()) == [1e-3, 5e-4]
    assert max(left.lines[0].get_ydata()) > 1  # accuracy in percent
    plt.close(fig)


def test_compare_curves_names_each_group_once_below_the_axes(dropout):
    fig = figures.compare_curves(dropout.runs)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(dropout.runs)
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"
    assert max(fig.axes[0].lines[1].get_ydata()) == pytest.approx(85.0)
    plt.close(fig)


def test_stopping_points_computes_the_stops_when_not_given():
    runs = [study_run("a", [0.80, 0.85, 0.87, 0.86], [0.5, 0.4, 0.45, 0.6])]
    fig = figures.stopping_points(runs)
    marks = [line for line in fig.axes[1].lines if line.get_marker() in ("v", "o")]
    assert sorted(int(m.get_xdata()[0]) for m in marks) == [2, 3]
    plt.close(fig)


def test_curves_can_put_a_single_metrics_legend_below_the_axes():
    def runs(acc):
        return [{"history": {"val_acc": [acc, acc + 0.01]}, "final_epoch": 2}]
    fig = figures.curves({"model a": runs(0.8), "model b": runs(0.9)}, metrics=("val_acc",), legend_below=True)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["model a", "model b"]
    fig.canvas.draw()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0  # entirely under the axes
    assert max(ax.lines[0].get_ydata()) == pytest.approx(81.0)  # percent
