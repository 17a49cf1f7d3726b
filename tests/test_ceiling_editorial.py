"""Editorial builders of chapters 9 and 11: names a reader reads, tables that fit a page, counts
that add up, and figures whose markers match their captions."""
import math

import matplotlib
import pandas as pd
import pytest

from fmnist_lab.analysis import ceiling
from fmnist_lab.chapters import ceiling as ceiling_page
from fmnist_lab.report import figures
from fmnist_lab.report import settings
from fmnist_lab.chapters import cnn as cnn_page
from fmnist_lab import report
from fmnist_lab.analysis import robustness

matplotlib.use("Agg")


def _run(seed, val, test, minutes=1.0, threads=2, name="AMD EPYC 7B13"):
    return {"config": {"seed": seed}, "val": {"acc": val}, "test": {"acc": test}, "params": 100, "seconds_per_epoch": 1.0,
            "diverged": False, "final_epoch": 1, "history": {"val_acc": [val] * 12, "train_eval_acc": [test] * 12},
            "provenance": {"wall_seconds": 60 * minutes, "threads": threads, "device": "cpu", "device_name": name}}


RECIPE = [_run(0, 0.915, 0.905), _run(1, 0.916, 0.910), _run(2, 0.915, 0.906)]
TRICK = [_run(0, 0.916, 0.904), _run(1, 0.916, 0.911), _run(2, 0.915, 0.905)]


def flips():
    return pd.DataFrame({"key": ["a", "b", "c"], "val": [0.915, 0.916, 0.915], "val_flip": [0.916, 0.916, 0.916],
                         "val_gain": [0.1, 0.0, 0.1], "test": [0.905, 0.910, 0.906], "test_flip": [0.906, 0.911, 0.905],
                         "test_gain": [0.1, 0.1, -0.1]})


def test_tricks_table_keeps_each_interval_on_one_line_and_adds_the_flip_row():
    runs = {"best MLP": RECIPE, "best MLP + trick": TRICK}
    gains = ceiling.trick_gains(runs, "best MLP")
    table = ceiling_page.tricks_table(runs, gains, "best MLP", flips())
    assert list(table["model"]) == ["best MLP", "best MLP + trick", ceiling_page.FLIP]
    trick = table.iloc[1]
    assert trick["test gain (points)"] == "−0.03" and trick["ahead on test"] == "1 of 3"
    assert " " not in trick["95% interval"] and "\u00a0to\u00a0" in trick["95% interval"]  # never split over lines
    assert "(" not in trick["95% interval"]  # the interval has its own column, not brackets inside a cell
    flip = table.iloc[2]
    assert flip["val acc %"].startswith("91.60") and flip["test gain (points)"] == "+0.03" and flip["ahead on test"] == "2 of 3"
    assert table.iloc[0]["95% interval"] == ""  # the recipe has no gain over itself


def test_tied_seeds_are_drawn_apart_so_three_seeds_show_three_ticks():
    rows = figures.seed_rows([0.14, 0.03, 0.14, 0.14], 2)
    assert rows[1] == 2 and rows[0] == 2 and len(set(rows[i] for i in (0, 2, 3))) == 3
    assert figures.seed_rows([0.1, 0.2, 0.3], 0) == [0, 0, 0]


def frontier_mlps():
    tests = [0.80, 0.85, 0.86, 0.87, 0.88, 0.89, 0.895, 0.90, 0.905]
    frame = pd.DataFrame({"label": [f"net {i}" for i in range(len(tests))], "study": "internal title", "chapter": 7,
                          "family": ["MLP"] * (len(tests) - 1) + ["MLP taught by a CNN"], "test": tests,
                          "val": [t + 0.01 for t in tests], "cpu_minutes": [1 + i for i in range(len(tests))]})
    frame.loc[6, ["label", "chapter"]] = ["best MLP, no augmentation", 10]
    frame["frontier"] = ceiling.pareto(frame, cost="cpu_minutes")
    return frame


def test_frontier_names_models_as_a_reader_does_and_counts_what_the_axis_hides():
    mlps = frontier_mlps()
    facts = ceiling_page.glue_frontier(mlps, 0.92, 0.915)
    low, high = figures.frontier_axis(mlps, (0.92, 0.915))
    assert facts["axis_floor"] == low and facts["below_axis_n"] == int((100 * mlps["test"] < low).sum()) > 0
    assert high > 92 and (facts["plain_n"], facts["taught_n"]) == (8, 1)
    assert facts["goal_gap"] == pytest.approx(1.5) and facts["minimum_gap"] == pytest.approx(1.0)
    row = mlps.iloc[6]
    assert settings.reader_name(row) == "chapter 10's best MLP, no augmentation"
    assert settings.reader_name(mlps.iloc[0]) == "chapter 7's net 0 MLP"
    assert "internal title" not in settings.reader_name(row) and "(" not in settings.reader_name(row)


def test_frontier_figure_draws_goal_and_minimum_and_says_how_many_are_below_the_axis():
    mlps = frontier_mlps()
    fig = figures.frontier_figure(mlps, ["net 8"], 0.92, 0.915)
    ax = fig.axes[0]
    labels = fig.legends[0].get_texts()
    assert {"goal, 92%", "minimum, 91.5%", "another MLP of the book"} <= {t.get_text() for t in labels}
    low = figures.frontier_axis(mlps, (0.92, 0.915))[0]
    below = int((100 * mlps["test"] < low).sum())
    assert any(t.get_text().startswith(f"{below} MLPs below {low:g}%") for t in ax.texts)
    assert low - 0.2 < ax.get_ylim()[0] < low  # just below the floor, so a point on it is drawn whole


def test_the_pick_names_its_runner_up_and_a_lead_inside_its_interval():
    runs = {"best MLP": RECIPE, "best MLP + trick": TRICK}
    facts = ceiling_page.glue_pick("best MLP + trick", runs, list(runs), 0.92, 0.915)
    assert facts["runner_up"] == "best MLP"
    assert facts["margin"] == pytest.approx(0.1 / 3, abs=1e-6) and abs(facts["margin"]) < facts["margin_ci"]


def networks():
    def row(label, fam, params, val, test, minutes=1.0, chapter=3, threads=2):
        return {"label": label, "study": "title", "chapter": chapter, "family": fam, "params": params, "minutes": minutes,
                "val": val, "test": test, "runs": [_run(0, val, test, minutes, threads) | {"params": params}]}
    return pd.DataFrame([row("2 × 64", "MLP", 55_050, 0.88, 0.884), row("best MLP", "MLP", 1_865_738, 0.9154, 0.9069, 7.2, 10),
                         row("best MLP + weight averaging", "MLP", 1_865_738, 0.9155, 0.9068, 13.0, 11, threads=1),
                         row("broken", "MLP", 1000, 0.1, 0.1), row("small CNN, dropout 0", "CNN", 77_786, 0.92, 0.917, 5.4, 9),
                         row("best CNN", "CNN", 298_410, 0.95, 0.943, 29.0, 10),
                         row("taught", "MLP taught by a CNN", 1_865_738, 0.93, 0.906, 30.0, 10)])


def test_efficiency_compares_with_the_named_mlp_and_its_counts_add_up():
    nets = networks()
    f = cnn_page.efficiency_facts(nets, 0.8, mlp="best MLP", cnn="best CNN")
    assert f["best_mlp"] == "best MLP" and f["best_mlp_minutes"] == pytest.approx(7.2)  # not the validation pick's 13.0
    assert cnn_page.efficiency_facts(nets, 0.8)["best_mlp"] == "best MLP + weight averaging"  # the default: validation
    assert f["n_trained"] == f["n_mlp"] + f["n_cnn"] + f["n_taught"] + f["n_failed"] == 7
    assert (f["n_mlp"], f["n_cnn"], f["n_taught"], f["n_failed"]) == (3, 2, 1, 1)
    assert f["best_mlp_params_text"] == "1\u202f865\u202f738" and "," not in f["lean_cnn_params_text"]
    assert f["best_mlp_minutes_text"] == "7.2 minutes per seed (AMD EPYC 7B13, 2 threads)"
    assert f["lean_cnn_name"] == "chapter 9's small CNN, dropout 0" and f["rival_mlp_name"] == "chapter 3's 2 × 64 MLP"
    assert f["lean_ratio"] == pytest.approx(1_865_738 / 77_786)


def test_efficiency_figure_names_the_ringed_networks():
    nets = networks()
    f = cnn_page.efficiency_facts(nets, 0.8, mlp="best MLP", cnn="best CNN")
    fig = cnn_page.efficiency_figure(nets, f, ringed="chapter 10's best MLP and best CNN", line="best MLP test")
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "chapter 10's best MLP and best CNN" in texts and "best of its family on validation" not in texts


@pytest.mark.parametrize("points,text", [(-0.914, "0.91 points below"), (0.72, "0.72 points above"), (0.001, "level with")])
def test_a_difference_reads_as_above_or_below_never_signed_from(points, text):
    assert report.above_below(points) == text


def test_the_last_best_seeds_read_as_a_phrase():
    from fmnist_lab.report import seeds_ahead

    mlp = {1000: [_run(s, 0.8, 0.8) | {"config": {"seed": s, "epochs": 12, "batch_size": 128}, "final_epoch": 12} for s in range(3)]}
    cnn = {1000: [_run(s, 0.8, 0.82) | {"config": {"seed": s, "epochs": 12, "batch_size": 128}, "final_epoch": 12 - s} for s in range(3)]}
    f = robustness.size_facts(mlp, cnn)
    assert (f["cnn_last_best"], f["small_seeds"]) == (1, 3)
    assert seeds_ahead(f["cnn_last_best"], f["small_seeds"]) == "on 1 of 3 seeds"
    assert not math.isnan(f["gap_small"])


def test_seed_minutes_prefer_the_seeds_timed_on_two_threads():
    runs = [_run(0, 0.9, 0.9, minutes=7.2), _run(1, 0.9, 0.9, minutes=24.5, threads=1), _run(2, 0.9, 0.9, minutes=24.5, threads=1)]
    assert robustness.seed_minutes(runs) == pytest.approx(7.2)  # not 18.7, the mean over two thread counts
    assert robustness.seed_minutes(runs[1:]) == pytest.approx(24.5)  # none on two threads: all of them
