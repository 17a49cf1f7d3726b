"""Helpers chapters 7 and 08 use to glue comparisons (report.glue_difference,
glue_against_control, glue_summaries, glue_signed, slug, optimizer_title, timing_note) and the
figures drawn from a study's configurations (figures.study_heatmap, grouped_points, schedule_curves)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fmnist_lab import report
from fmnist_lab.report import figures
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs.summary import summarize
from fmnist_lab.runs.study import Study, StudyResults


def run(key, val_acc, test_acc=0.8, device_name="Test CPU", diverged=False, lr=(1e-3, 1e-3)):
    """A stored-result-shaped dict with the fields the helpers read; reported at the last epoch."""
    history = {"val_acc": [val_acc - 0.01, val_acc], "val_loss": [0.5, 0.4], "train_eval_acc": [val_acc, val_acc + 0.05],
               "lr": list(lr)}
    return {"key": key, "params": 1000, "seconds_per_epoch": 1.0, "diverged": diverged, "final_epoch": 2,
            "provenance": {"wall_seconds": 2.0, "device": "cpu", "device_name": device_name, "threads": 2},
            "val": {"acc": val_acc}, "test": {"acc": test_acc}, "history": history}


@pytest.fixture
def grid():
    """Two optimizers at two learning rates; SGD at 0.1 has one diverged seed of two."""
    groups = {f"{opt} {lr}": REFERENCE.replace(optimizer=opt, lr=lr) for opt in ("sgd", "adam") for lr in (0.1, 0.001)}
    accs = {"sgd 0.1": (0.80, 0.10), "sgd 0.001": (0.70, 0.72), "adam 0.1": (0.30, 0.32), "adam 0.001": (0.88, 0.90)}
    runs = {label: [run(f"{label}/{i}", a, diverged=a < 0.2) for i, a in enumerate(pair)] for label, pair in accs.items()}
    return StudyResults(Study("grid", "chapter", "grid", groups, varies=("optimizer", "lr")), runs)


def test_glue_difference_glues_points_signed_text_and_the_spread_verdict(glued):
    a, b = summarize([run("a0", 0.90), run("a1", 0.92)]), summarize([run("b0", 0.89), run("b1", 0.89)])
    assert report.glue_difference("gap", b, a) == pytest.approx(-2.0)
    assert glued["gap"] == pytest.approx(-2.0) and glued["gap_signed"] == "\u22122.00"  # a true minus sign
    assert glued["gap_spread"] == "more than the spread between seeds"
    report.glue_difference("test_gap", a, b, metric="test")  # both test at 0.8
    assert glued["test_gap_signed"] == "0.00" and glued["test_gap_spread"] == "more than the spread between seeds"


def test_glue_against_control_counts_and_names_the_groups_below_it(glued):
    groups = {"no augmentation": [run("n0", 0.80), run("n1", 0.82)], "flip + rotation": [run("f0", 0.78), run("f1", 0.78)],
              "erasing": [run("e0", 0.83), run("e1", 0.83)]}
    gains = report.glue_against_control("aug20", groups, "no augmentation")
    assert gains == pytest.approx({"flip + rotation": -3.0, "erasing": 2.0})
    assert glued["aug20_n"] == 2 and glued["aug20_n_below"] == 1 and glued["aug20_below"] == "flip + rotation"
    assert glued["aug20_mean_gain"] == "\u22120.50" and glued["aug20_worst_gain"] == "\u22123.00"
    assert glued["aug20_best"] == "erasing" and glued["aug20_best_gain"] == pytest.approx(2.0)
    assert glued["aug20_flip_rotation_gain"] == "\u22123.00" and glued["aug20_no_augmentation_val"] == pytest.approx(0.81)
    report.glue_against_control("aug60", {"none": groups["no augmentation"], "erasing": groups["erasing"]}, "none")
    assert glued["aug60_below"] == "none" and glued["aug60_n_below"] == 0


def test_glue_summaries_glues_each_named_group_of_a_study(grid, glued):
    report.glue_summaries(grid, best="adam 0.001", worst="adam 0.1")
    assert glued["best_val"] == pytest.approx(0.89) and glued["worst_val"] == pytest.approx(0.31)
    report.glue_summaries(grid, detail=True, best="adam 0.001")
    assert glued["best_train"] == pytest.approx(0.94)


def test_glue_signed_uses_a_true_minus_sign(glued):
    report.glue_signed(up=0.374, down=-0.372, flat=-0.001)
    assert glued == {"up": "+0.37", "down": "\u22120.37", "flat": "0.00"}


def test_slug_turns_a_readers_label_into_a_glue_name_fragment():
    assert report.slug("flip + rotation") == "flip_rotation"
    assert report.slug("No augmentation, 20 epochs") == "no_augmentation_20_epochs"


def test_optimizer_title_adds_the_settings_that_qualify_it():
    assert report.optimizer_title(REFERENCE) == "Adam"
    assert report.optimizer_title(REFERENCE.replace(optimizer="momentum")) == "SGD + momentum 0.9"
    assert report.optimizer_title(REFERENCE.replace(optimizer="nesterov", momentum=0.5)) == "Nesterov 0.5"
    assert report.optimizer_title(REFERENCE.replace(optimizer="adamw", weight_decay=0.01)) == "AdamW (λ = 10⁻²)"
    assert report.optimizer_title(REFERENCE.replace(weight_decay=0.001)) == "Adam + L2 (λ = 10⁻³)"


def test_timing_note_says_when_times_mix_machines():
    one = [run("a", 0.8), run("b", 0.8)]
    assert report.timing_note(one) == f"all timed on {report.devices(one)}" and "mix" not in report.timing_note(one)
    mixed = report.timing_note([*one, run("c", 0.8, device_name="Other CPU")])
    assert "mix machines" in mixed and "Test CPU (2 runs)" in mixed and "Other CPU (1 run)" in mixed
    single = run("d", 0.8)
    single["provenance"] = {**single["provenance"], "threads": 1}
    assert "mix thread counts" in report.timing_note([*one, single])  # one CPU, two thread counts: not two machines


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
    fig = figures.grouped_points({"none": {"20 epochs": [run("a", 0.89), run("b", 0.91)], "60 epochs": [run("c", 0.90)]},
                                "shift": {"20 epochs": [run("d", 0.88)], "60 epochs": [run("e", 0.895), run("f", 0.905)]}})
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


def test_schedule_curves_draws_accuracy_and_learning_rate_with_one_shared_legend():
    groups = {"constant": [run("c0", 0.8), run("c1", 0.8)], "cosine": [run("s0", 0.8, lr=(1e-3, 5e-4))]}
    fig = figures.schedule_curves(groups)
    left, right = fig.axes
    assert left.get_legend() is None and right.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["constant", "cosine"]
    assert list(right.lines[1].get_ydata()) == [1e-3, 5e-4]
    assert max(left.lines[0].get_ydata()) > 1  # accuracy in percent
    plt.close(fig)
