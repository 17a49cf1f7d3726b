"""Comparing two seed summaries in prose (points, against the spread), the extra numbers
glue_summary can glue, a headline table that fits a laptop screen, and a legend kept off the data."""
import math

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from fmnist_lab import report
from fmnist_lab.report import figures

A = {"val_mean": 0.9151, "val_std": 0.0006, "test_mean": 0.9059, "test_std": 0.0028}
B = {"val_mean": 0.9145, "val_std": 0.0009, "test_mean": 0.9096, "test_std": 0.0010}


def test_points_and_versus_spread_read_one_split():
    assert report.points(A, B) == pytest.approx(-0.37)
    assert report.points(A, B, "val") == pytest.approx(0.06)
    assert report.versus_spread(A, B, "val") == "less than the spread between seeds"
    assert report.versus_spread(A, B) == "more than the spread between seeds"


def test_glue_versus_glues_signed_points_their_error_and_the_spread_phrase(glued):
    report.glue_versus(recipe_test=(A, B), recipe_val=(A, B, "val"))
    assert glued["recipe_test"] == "\u22120.37" and glued["recipe_val"] == "+0.06"
    assert glued["recipe_test_err"] == pytest.approx(100 * math.hypot(0.0028, 0.0010))
    assert glued["recipe_val_spread"] == "less than the spread between seeds"


def run(seed, val=0.9, test=0.89, train=0.95, wall=120.0):
    return {"key": f"k{seed}", "params": 1000, "seconds_per_epoch": 2.0, "diverged": False, "final_epoch": 1,
            "val": {"acc": val}, "test": {"acc": test}, "history": {"val_acc": [val], "train_eval_acc": [train]},
            "provenance": {"wall_seconds": wall, "device": "cpu", "device_name": "AMD EPYC", "threads": 2}}


def test_glue_summary_detail_adds_minutes_training_accuracy_and_gaps(glued):
    report.glue_summary("m", [run(0), run(1)])
    assert "m_minutes_per_seed" not in glued
    report.glue_summary("m", [run(0), run(1)], detail=True)
    assert glued["m_minutes_per_seed"] == pytest.approx(2.0) and glued["m_train"] == pytest.approx(0.95)
    assert glued["m_overfit"] == pytest.approx(5.0) and glued["m_val_test_gap"] == pytest.approx(1.0)


def test_compact_summary_table_keeps_parameters_and_accuracies_unbroken():
    table = report.summary_table({"a long model name": [run(0), run(1, val=0.91)]}, label="model", test=True, compact=True)
    assert list(table.columns) == ["model", "params", "train acc %", "val acc %", "test acc %"]
    assert table.loc[0, "val acc %"] == "90.50\u00a0±\u00a00.71"
    assert list(report.summary_table({"m": [run(0)]}, test=True).columns)[:3] == ["configuration", "params", "s/epoch"]


def test_glue_table_accepts_rows_as_dicts(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update({name: value.data}))
    frame = report.glue_table("t", [{"a": "1", "b": "2"}])
    assert list(frame.columns) == ["a", "b"] and seen["t"].splitlines()[0] == "| a | b |"


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
