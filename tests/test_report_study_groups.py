"""Helpers that key a study's groups by a setting and glue what a chapter's prose quotes about
them (groups.by_value, distinct, best, glue_stats, glue_spread, glue_stopping), the history
statistics behind them (metrics.stopping_summary, identical_runs, decay_left), and the figures
chapters 3 and 04 draw from them."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from fmnist_lab.analysis import groups
from fmnist_lab.analysis import metrics
from fmnist_lab import report
from fmnist_lab.report import figures
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs.study import Study, StudyResults


def run(key, val_acc, val_loss, train_eval_acc=None, test_acc=0.8, predictions="0123"):
    """A stored-result-shaped dict with the fields the helpers read; reported at the last epoch."""
    n = len(val_acc)
    return {"key": key, "params": 1000, "seconds_per_epoch": 1.0, "diverged": False, "final_epoch": n,
            "provenance": {"wall_seconds": float(n), "device": "cpu", "device_name": "Test CPU", "threads": 2},
            "val": {"acc": val_acc[-1]}, "test": {"acc": test_acc, "predictions": predictions},
            "history": {"val_acc": val_acc, "val_loss": val_loss,
                        "train_eval_acc": train_eval_acc or [a + 0.05 for a in val_acc]}}


def flat(key, acc, **kwargs):
    return run(key, [acc - 0.01, acc], [0.5, 0.4], **kwargs)


@pytest.fixture
def dropout():
    """A dropout study whose 0.1 group validates best; 0.0 is the control."""
    study = Study("drop", "chapter", "dropout", {f"p {p}": REFERENCE.replace(dropout=p) for p in (0.0, 0.1, 0.5)},
                  varies=("dropout",), control=REFERENCE)
    accs = {"p 0.0": (0.80, 0.82), "p 0.1": (0.85, 0.85), "p 0.5": (0.70, 0.72)}
    return StudyResults(study, {label: [flat(f"{label}/{i}", a) for i, a in enumerate(pair)] for label, pair in accs.items()})


def test_by_value_keys_runs_by_a_field_or_a_function_of_the_config(dropout):
    by_p = groups.by_value(dropout, "dropout")
    assert list(by_p) == [0.0, 0.1, 0.5] and by_p[0.1] is dropout.runs["p 0.1"]
    assert list(groups.by_value(dropout, lambda cfg: 10 * cfg.dropout)) == [0.0, 1.0, 5.0]
    assert list(groups.by_value(dropout, "dropout", dropout=0.5)) == [0.5]


def test_by_value_refuses_two_different_groups_under_one_value(dropout):
    with pytest.raises(ValueError, match="share the value"):
        groups.by_value(dropout, lambda cfg: len(cfg.hidden))  # every group has 2 layers, each its own runs


def test_by_value_merges_groups_that_are_the_same_runs():
    cfg = REFERENCE.replace(weight_decay=0.0)
    study = Study("l2", "chapter", "l2", {"Adam, λ = 0": cfg, "AdamW, λ = 0": cfg, "Adam, λ = 0.1": cfg.replace(weight_decay=0.1)})
    same = [flat("a", 0.8)]
    results = StudyResults(study, {"Adam, λ = 0": same, "AdamW, λ = 0": same, "Adam, λ = 0.1": [flat("b", 0.7)]})
    assert list(groups.by_value(results, "weight_decay")) == [0.0, 0.1]
    assert list(groups.distinct(results.runs)) == ["Adam, λ = 0", "Adam, λ = 0.1"]


def test_best_picks_on_validation_among_the_groups_that_match(dropout):
    assert list(groups.best(dropout)) == ["p 0.1"]
    assert list(groups.best(dropout, lambda cfg: cfg.dropout > 0.2)) == ["p 0.5"]
    assert list(groups.best(dropout, dropout=0.0)) == ["p 0.0"]
    with pytest.raises(ValueError):
        groups.best(dropout, lambda cfg: cfg.dropout > 1)


def test_glue_stats_glues_gains_as_signed_text_and_says_whether_they_beat_the_spread(dropout, glued):
    stats = report.glue_stats(control=dropout.runs["p 0.0"], up=dropout.runs["p 0.1"], down=dropout.runs["p 0.5"])
    assert glued["up_val"] == pytest.approx(0.85) and glued["up_val_std"] == pytest.approx(0.0)
    assert glued["up_gap"] == pytest.approx(5.0)  # points
    assert glued["up_gain"] == "+4.00" and glued["down_gain"] == "\u221210.00"  # a true minus sign
    assert glued["up_vs_spread"] == "more than the spread between seeds"
    assert stats["up"]["beyond_spread"] and stats["up"]["gain"] == pytest.approx(4.0)
    assert not any(name.startswith("up_test") for name in glued)  # test scores only for selected configurations


def test_glue_stats_calls_a_gain_within_the_seed_spread_so(glued):
    control = [flat("c0", 0.80), flat("c1", 0.84)]  # std 2.8 points
    stats = report.glue_stats(control=control, same=[flat("s0", 0.81), flat("s1", 0.84)])
    assert glued["same_gain"] == "+0.50" and glued["same_vs_spread"] == "less than the spread between seeds"
    assert not stats["same"]["beyond_spread"]
    assert report.glue_stats(alone=control)["alone"].keys().isdisjoint({"gain", "beyond_spread"})  # no control, no gain


def test_glue_spread_measures_range_and_noise_against_a_control(dropout, glued):
    report.glue_spread("all", dropout.runs.values(), control=dropout.runs["p 0.0"])
    assert glued["all_range"] == pytest.approx(100 * (0.85 - 0.71))
    assert glued["all_max_std"] == pytest.approx(100 * math.sqrt(2) * 0.01)  # p 0.0 and p 0.5: 2 points apart
    assert glued["all_max_delta"] == pytest.approx(100 * (0.81 - 0.71))
    assert glued["all_train_min"] == pytest.approx(0.76) and glued["all_train_max"] == pytest.approx(0.90)
    assert glued["all_vs_spread"] == "more than the spread between seeds"


def test_stopping_summary_compares_the_two_criteria_over_runs(glued):
    early = run("a", [0.80, 0.85, 0.87, 0.86], [0.5, 0.4, 0.45, 0.6])  # loss bottoms at 2, accuracy peaks at 3
    same = run("b", [0.80, 0.90, 0.85, 0.84], [0.5, 0.3, 0.4, 0.5])  # both at epoch 2
    stop = report.glue_stopping("s", [early, same])
    assert stop["runs"] == 2 and stop["loss_first"] == 1
    assert stop["epochs_apart"] == pytest.approx(0.5) and stop["acc_epoch"] == pytest.approx(2.5)
    assert stop["cost"] == pytest.approx(100 * (0.87 - 0.85) / 2)
    assert stop["loss_rise"] == pytest.approx((0.6 + 0.5) / (0.4 + 0.3))
    assert glued["s_loss_first"] == 1


def test_identical_runs_counts_seed_pairs_that_trained_the_same():
    a = [run("a0", [0.8], [0.5]), run("a1", [0.8], [0.5])]
    b = [run("b0", [0.8], [0.5]), run("b1", [0.8], [0.5], predictions="0124")]
    assert metrics.identical_runs(a, b) == 1
    assert metrics.identical_runs(a, [run("c0", [0.8], [0.51])]) == 0


def test_decay_left_compounds_lr_times_lambda_over_every_step():
    cfg = REFERENCE.replace(epochs=2, batch_size=100, lr=0.01, weight_decay=0.1, train_size=1000)  # 20 steps
    assert metrics.decay_left(cfg) == pytest.approx(0.999 ** 20)
    assert metrics.decay_left(cfg, 0.0) == 1.0
    assert metrics.decay_left(REFERENCE.replace(epochs=1, batch_size=50_000), 0.5) == pytest.approx(1 - 0.0005)


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


def test_compare_curves_names_each_group_once_below_the_axes(dropout):
    fig = figures.compare_curves(dropout.runs)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(dropout.runs)
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"
    assert max(fig.axes[0].lines[1].get_ydata()) == pytest.approx(85.0)
    plt.close(fig)


def test_stopping_points_computes_the_stops_when_not_given():
    runs = [run("a", [0.80, 0.85, 0.87, 0.86], [0.5, 0.4, 0.45, 0.6])]
    fig = figures.stopping_points(runs)
    marks = [line for line in fig.axes[1].lines if line.get_marker() in ("v", "o")]
    assert sorted(int(m.get_xdata()[0]) for m in marks) == [2, 3]
    plt.close(fig)
