"""myst-nb glue (fmnist_lab.report.glue): what each glue helper glues, by name, for a page's prose."""
import math

import numpy as np
import pytest

from fakes import A, B, DEEP, flat, grid_run, seed_run, study_run, summary_run
from fakes import dropout, grid, init  # noqa: F401  (fixtures)

from fmnist_lab import report
from fmnist_lab.analysis import metrics
from fmnist_lab.runs.study import ChapterResults
from fmnist_lab.runs.summary import summarize


def test_glue_comparison_of_two_summaries_glues_signed_points_and_the_noise_verdict(glued):
    a, b = summarize([grid_run("a0", 0.90), grid_run("a1", 0.92)]), summarize([grid_run("b0", 0.89), grid_run("b1", 0.89)])
    out = report.glue_comparison("gap", b, a, split="val")  # 2 points, but two seeds 2 points apart: Welch's interval is wide
    assert out["gain"] == pytest.approx(-2.0) and not out["clear"]
    assert glued["gap_points"] == pytest.approx(-2.0) and glued["gap"] == "\u22122.00"  # a true minus sign
    assert glued["gap_verdict"].startswith("within seed noise, 95% interval \u2212")
    report.glue_comparison("test_gap", a, b)  # both test at 0.8 on every seed: no spread at all
    assert glued["test_gap"] == "0.00" and glued["test_gap_verdict"] == "within seed noise, 95% interval 0.00 to 0.00"


def test_glue_against_control_counts_and_names_the_groups_below_it(glued):
    groups = {"no augmentation": [grid_run("n0", 0.80), grid_run("n1", 0.82)], "flip + rotation": [grid_run("f0", 0.78), grid_run("f1", 0.78)],
              "erasing": [grid_run("e0", 0.83), grid_run("e1", 0.83)]}
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


def test_glue_mcnemar_phrases(glued):
    y = np.array([0, 1, 2, 3, 4, 5])
    a = [np.array([0, 1, 2, 3, 0, 0]), np.array([0, 1, 2, 0, 0, 0])]  # seed 0 and 1 of A
    b = [np.array([0, 0, 0, 0, 4, 0]), np.array([0, 0, 2, 0, 0, 5])]
    mc = report.glue_mcnemar("mc", y, a, b)
    assert mc["pairs"] == 2 and mc["a_only_min"] == 1 and mc["a_only_max"] == 3
    assert glued["mc_a_only"] == "between 1 and 3 images" and glued["mc_pairs"] == "2 pairs"
    assert glued["mc_b_only"] == "1 image"  # equal ends: one number, singular
    assert glued["mc_n_a_only"] == 1 and glued["mc_n_b_only"] == 0  # image 1 only; none the other way


def test_glue_class_gains_names_the_largest_and_smallest_gains(glued, monkeypatch):


    mean_a, mean_b = np.linspace(0.70, 0.97, 10), np.linspace(0.70, 0.97, 10)
    mean_a[2] += 0.05  # Pullover gains most
    mean_a[6] += 0.02  # Shirt next
    mean_a[3] -= 0.01  # Dress loses
    fake = {"a": (mean_a, np.zeros(10)), "b": (mean_b, np.zeros(10))}
    monkeypatch.setattr("fmnist_lab.report.glue.per_class_mean_std", lambda results: fake[results])
    gain = report.glue_class_gains("gain", "a", "b")
    assert gain[2] == pytest.approx(5.0)
    assert (glued["gain_1"], glued["gain_2"], glued["gain_last"]) == ("Pullover", "Shirt", "Dress")
    assert (glued["gain_1_pts"], glued["gain_last_pts"]) == ("+5.0", "\u22121.0")
    assert glued["gain_worst"] == "T-shirt/top" and glued["gain_worst_a"] == pytest.approx(0.70)


def test_glue_groups_names_each_group_by_its_config_key_and_returns_summaries(init, glued):
    S = report.glue_groups(init, lambda c: (len(c.hidden), c.init, "bn" if c.batchnorm else "plain"),
                           v="val_mean", gap=lambda s: 100 * s["gap"])
    assert S[6, "normal1", "bn"] is init.summaries["6 layers, normal1, bn"]
    assert glued["v2_default_plain"] == init.summaries["2 layers, default"]["val_mean"]
    assert glued["gap6_normal1_bn"] == pytest.approx(5.0)
    assert len(glued) == 2 * len(init.study.groups)
    with pytest.raises(ValueError, match="same key"):
        report.glue_groups(init, lambda c: c.init, v="val_mean")


def test_glue_pick_selects_on_validation_and_names_it(init, glued):
    label = report.glue_pick("best6", init, lambda c: f"init {c.init}", hidden=DEEP)
    assert label == "6 layers, default, bn"  # highest validation among the six-layer groups
    assert glued["best6"] == "init default" and glued["best6_val"] == init.summaries[label]["val_mean"]
    assert report.glue_pick("best", init) == label
    assert glued["best"] == label  # no title: the group's label


def test_glue_timing_picks_the_machine_and_glues_the_jitter_between_runs_of_a_group(init, glued):
    on = report.glue_timing("ch", ChapterResults({"init": init}))
    assert on == metrics.timing_machine(init.all_runs())
    assert glued["ch_timing_jitter"] == pytest.approx(0.2)  # the 100 s run on CPU B does not count
    assert not any("CPU" in str(v) for v in glued.values())  # the machine is named in the appendix only


def test_glue_compute_counts_a_shared_run_once_and_names_no_machine(glued):
    runs = [grid_run("a", 0.8), grid_run("b", 0.8)]  # 2.0 s of wall time each
    report.glue_compute("ch", [*runs, runs[0]])
    assert glued == {"ch_runs": 2, "ch_minutes": pytest.approx(4.0 / 60)}


def test_paired_gain_pairs_seeds_and_its_phrases(glued):
    control = [seed_run(s, 0.90 + 0.01 * s) for s in range(3)]  # a large spread between seeds ...
    better = [seed_run(s, 0.902 + 0.01 * s + 0.0001 * s) for s in range(3)]  # ... that pairing cancels
    p = report.glue_comparison("g", better, control, split="val")
    assert p["seeds"] == 3 and p["ahead"] == 3 and p["gain"] == pytest.approx(0.21) and p["clear"]
    assert glued["g"] == "+0.21" and glued["g_points"] == pytest.approx(0.21) and glued["g_ahead"] == "on all 3 seeds" and glued["g_verdict"].startswith("beyond")
    mixed = [seed_run(0, 0.905), seed_run(1, 0.905), seed_run(2, 0.925)]  # ahead, behind, ahead: within the noise
    q = report.paired(mixed, control, split="val")
    assert q["ahead"] == 2 and not q["clear"]


def test_glue_stats_glues_mean_epochs_as_prose_writes_them(glued):
    report.glue_stats(x=[seed_run(s, 0.9, epochs=4) for s in range(3)])
    assert glued["x_epochs_text"] == "4" and glued["x_peak_epoch_text"] == "1"  # a flat curve peaks at its first epoch


def test_glue_stats_glues_gains_as_signed_text_and_says_whether_they_are_beyond_seed_noise(dropout, glued):
    stats = report.glue_stats(control=dropout.runs["p 0.0"], up=dropout.runs["p 0.1"], down=dropout.runs["p 0.5"])
    assert glued["up_val"] == pytest.approx(0.85) and glued["up_val_std"] == pytest.approx(0.0)
    assert glued["up_gap"] == pytest.approx(5.0)  # points
    assert glued["up_gain"] == "+4.00" and glued["down_gain"] == "\u221210.00"  # a true minus sign
    # Two seeds, no seed numbers to pair: Welch's interval. +4 against a control whose seeds are 2 points
    # apart is within its 12.7-point half-width (1 df); −10 with both groups that noisy is not (2 df).
    assert glued["up_verdict"].startswith("within seed noise") and not stats["up"]["clear"]
    assert glued["down_verdict"].startswith("beyond seed noise") and stats["down"]["clear"] and stats["up"]["gain"] == pytest.approx(4.0)
    assert not any(name.startswith("up_test") for name in glued)  # test scores only for selected configurations


def test_glue_stats_calls_a_gain_within_the_seed_spread_so(glued):
    control = [flat("c0", 0.80), flat("c1", 0.84)]  # std 2.8 points
    stats = report.glue_stats(control=control, same=[flat("s0", 0.81), flat("s1", 0.84)])
    assert glued["same_gain"] == "+0.50" and glued["same_verdict"].startswith("within seed noise")
    assert not stats["same"]["clear"]
    assert report.glue_stats(alone=control)["alone"].keys().isdisjoint({"gain", "clear"})  # no control, no gain


def test_glue_spread_measures_range_and_noise_against_a_control(dropout, glued):
    report.glue_spread("all", dropout.runs.values(), control=dropout.runs["p 0.0"])
    assert glued["all_range"] == pytest.approx(100 * (0.85 - 0.71))
    assert "all_max_std" not in glued  # the verdict, not a standard deviation, says whether the gap is noise
    assert glued["all_max_delta"] == pytest.approx(100 * (0.81 - 0.71))
    assert glued["all_train_min"] == pytest.approx(0.76) and glued["all_train_max"] == pytest.approx(0.90)
    assert glued["all_verdict"].startswith("beyond seed noise")  # p 0.5 is 10 points below the control


def test_stopping_summary_compares_the_two_criteria_over_runs(glued):
    early = study_run("a", [0.80, 0.85, 0.87, 0.86], [0.5, 0.4, 0.45, 0.6])  # loss bottoms at 2, accuracy peaks at 3
    same = study_run("b", [0.80, 0.90, 0.85, 0.84], [0.5, 0.3, 0.4, 0.5])  # both at epoch 2
    stop = report.glue_stopping("s", [early, same])
    assert stop["runs"] == 2 and stop["loss_first"] == 1
    assert stop["epochs_apart"] == pytest.approx(0.5) and stop["acc_epoch"] == pytest.approx(2.5)
    assert stop["cost"] == pytest.approx(100 * (0.87 - 0.85) / 2)
    assert stop["loss_rise"] == pytest.approx((0.6 + 0.5) / (0.4 + 0.3))
    assert glued["s_loss_first"] == 1


def test_glue_comparison_names_the_split_and_glues_the_two_stds_combined(glued):
    report.glue_comparison("recipe_test", A, B), report.glue_comparison("recipe_val", A, B, "val")
    assert glued["recipe_test"] == "\u22120.37" and glued["recipe_val"] == "+0.06"
    assert glued["recipe_test_err"] == pytest.approx(100 * math.hypot(0.0028, 0.0010))
    assert glued["recipe_val_verdict"].startswith("within seed noise")  # 0.06 points, stds of 0.06 and 0.09 over 3 seeds


def test_glue_summary_detail_adds_minutes_training_accuracy_and_gaps(glued):
    report.glue_summary("m", [summary_run(0), summary_run(1)])
    assert "m_minutes_per_seed" not in glued
    report.glue_summary("m", [summary_run(0), summary_run(1)], detail=True)
    assert glued["m_minutes_per_seed"] == pytest.approx(2.0) and glued["m_train"] == pytest.approx(0.95)
    assert glued["m_overfit"] == pytest.approx(5.0) and glued["m_val_test_gap"] == pytest.approx(1.0)


def test_glue_table_accepts_rows_as_dicts(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update({name: value.data}))
    frame = report.glue_table("t", [{"a": "1", "b": "2"}])
    assert list(frame.columns) == ["a", "b"] and seen["t"].splitlines()[0] == "| a | b |"


def test_glue_numbers_glues_a_verdict_among_the_numbers_as_markdown(glued):
    from IPython.display import Markdown
    import myst_nb
    kinds = {}
    myst_nb.glue = lambda name, value, display=True: kinds.update({name: value})  # the fixture's patch, watched
    report.glue_numbers(gain=0.5, gain_verdict="within seed noise, 95% interval −0.12 to +1.12")
    assert kinds["gain"] == 0.5 and isinstance(kinds["gain_verdict"], Markdown)


def test_glue_minutes_says_how_many_seeds_a_time_rests_on_and_names_no_machine(glued):
    here = [grid_run("a", 0.8), grid_run("b", 0.8)]  # 2.0 s of wall time each, two threads of one machine
    out = report.glue_minutes(all=here, some=[*here, grid_run("c", 0.8, device_name="Other CPU")])
    assert out["all"] == pytest.approx(2.0 / 60) and glued["all_timed"] == 2 and glued["some_timed"] == 2
    assert glued["all_minutes_text"] == "0 minutes per seed" and "CPU" not in glued["some_minutes_text"]
    assert glued["some_minutes_text"].endswith("(2 of 3 seeds timed on two threads)")
