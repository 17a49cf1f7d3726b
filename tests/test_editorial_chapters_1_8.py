"""Phrases, labels and figure details that chapters 1–8 and the appendix print, pinned where a
slip would put a wrong number or an inconsistent name in front of a reader."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import torch

from fmnist_lab import report
from fmnist_lab.chapters import baseline as baseline_page
from fmnist_lab.runs import studies
from fmnist_lab.report import figures
from fmnist_lab.runs import bench
from fmnist_lab.engine import choices


def test_above_subtracts_the_printed_percentages_not_the_raw_fractions():
    # 88.70% and 88.57% as printed differ by 0.13, though the raw fractions differ by 0.124
    assert report.above(0.88696, 0.885725) == "0.13 points above"
    assert report.above(0.8857, 0.8969) == "1.12 points below"
    assert report.above(0.88701, 0.88699) == "level with"  # both print as 88.70%


def test_against_benchmark_compares_at_the_benchmarks_one_decimal():
    assert baseline_page.against_benchmark(0.8969, "svm") == "matches the 89.7%"  # 89.69% is listed as 89.7%
    assert baseline_page.against_benchmark(0.8870, "mlp") == "1.6 points above the 87.1%"
    assert baseline_page.against_benchmark(0.8650, "mlp") == "0.6 points below the 87.1%"


def test_learning_rates_in_study_labels_are_written_as_lambda_is():
    assert "Adam, lr 10⁻³" in studies.OPTIMIZER.groups and "SGD, lr 0.1" in studies.OPTIMIZER.groups
    assert not any("0.001" in label or "0.0001" in label for label in studies.OPTIMIZER.groups)
    assert "batch 32, lr 10⁻²" in studies.BATCH_LR.groups and "batch 512, lr 0.03" in studies.BATCH_LR.groups
    assert studies.OPTIMIZER.label(optimizer="adam", lr=1e-4) == "Adam, lr 10⁻⁴"


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


def test_schedule_panel_draws_the_rate_as_steps_held_through_each_epoch():
    figures.use_style()
    run = {"history": {"val_acc": [0.8, 0.85, 0.86], "lr": [1e-3, 1e-3, 1e-4]}}
    fig = figures.schedule_curves({"step decay": [run, run]})
    rate = fig.axes[1].get_lines()[0]
    plt.close(fig)
    assert rate.get_drawstyle() == "steps-post"


class _Store:
    """A store whose runs each took one hour, every third of them on one thread."""

    def __init__(self):
        self.loaded = 0

    def load(self, cfg):
        self.loaded += 1
        return {"provenance": {"wall_seconds": 3600.0, "threads": 1 if self.loaded % 3 == 0 else 2}}


def test_projected_retrain_reports_the_hours_of_runs_already_on_one_thread():
    projection = bench.projected_retrain(store=_Store())
    runs, single = projection["runs"], projection["single_thread_runs"]
    assert single == runs // 3 and projection["single_thread_hours"] == pytest.approx(single)
    assert projection["recorded_hours"] == pytest.approx(runs)
    # one-thread runs keep their time, so two cores beat recorded hours / speedup
    assert projection["hours"][2] < projection["recorded_hours"] / projection["speedup"]


def test_a_normal_initialization_is_written_as_the_prose_writes_it_and_others_unchanged():


    assert choices.INITS["normal1"].math_title == r"$\mathcal{N}$(0, 1)"  # a legend (mathtext) and a page (MathJax) show 𝒩
    assert choices.INITS["normal1"].title == "N(0, 1)"  # the terminal keeps plain text
    assert all(c.math_title == c.title for c in choices.INITS.values() if "N(" not in c.title)
