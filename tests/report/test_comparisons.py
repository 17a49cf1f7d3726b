"""Phrases that compare two results (fmnist_lab.report.comparisons): above or below, by how much, within seed noise or not."""
from __future__ import annotations

import math

import pytest

from fakes import A, B, MINUS, seed_run

from fmnist_lab import report


def test_target_verdict_reads_the_goal_and_the_minimum_correctly():
    assert report.target_verdict(0.9201, goal=0.92, floor=0.915) == "reaches the 92% goal"
    assert report.target_verdict(0.9150, goal=0.92, floor=0.915).startswith("clears the 91.5% minimum but not")
    assert report.target_verdict(0.9149, goal=0.92, floor=0.915).startswith("falls short of both")


def test_unpaired_uses_welchs_interval_so_a_gap_inside_the_seeds_spread_is_noise():
    a = {"val_mean": 0.90, "val_std": 0.01, "seeds": 3}
    b = {"val_mean": 0.89, "val_std": 0.01, "seeds": 3}
    out = report.unpaired(a, b, "val")  # 1 point apart, se = sqrt(2/3) points, df 4: half-width 2.776 x 0.816
    assert out["gain"] == pytest.approx(1.0) and out["ci"] == pytest.approx(2.776 * math.sqrt(2 / 3), rel=1e-3)
    assert not out["clear"]
    tight = report.unpaired({**a, "val_std": 0.001}, {**b, "val_std": 0.001}, "val")
    assert tight["clear"] and report.verdict({**a, "val_std": 0.001}, {**b, "val_std": 0.001}, "val").startswith("beyond seed noise")
    fixed = report.unpaired({**a, "seeds": 1, "val_std": 0.0}, b, "val")  # one value (fitted once): b's spread alone
    assert fixed["ci"] == pytest.approx(4.303 * 1.0 / math.sqrt(3), rel=1e-3)  # t(0.975, 2 df) x b's std / sqrt(3)
    assert math.isnan(report.unpaired({**a, "seeds": 1}, {**b, "seeds": 1}, "val")["ci"])  # one value a side: no interval


def test_compare_pairs_runs_only_when_both_hold_the_same_seeds_once():
    run = seed_run
    a, b = [run(0, 0.91), run(1, 0.92), run(2, 0.93)], [run(2, 0.925), run(0, 0.905), run(1, 0.915)]
    paired = report.compare(a, b, "val")  # +0.5 on every seed: the seeds' spread cancels
    assert paired["gain"] == pytest.approx(0.5) and paired["ci"] == pytest.approx(0.0) and paired["seeds"] == 3
    other = report.compare(a, [run(5, 0.905), run(6, 0.915), run(7, 0.925)], "val")  # other seeds: Welch's interval
    assert "seeds" not in other and other["ci"] > 1 and not other["clear"]
    assert report.verdict(a, b, "val").startswith("beyond seed noise, 95% interval +0.50 to +0.50")


def test_above_subtracts_the_printed_percentages_not_the_raw_fractions():
    # 88.70% and 88.57% as printed differ by 0.13, though the raw fractions differ by 0.124
    assert report.above(0.88696, 0.885725) == "0.13 points above"
    assert report.above(0.8857, 0.8969) == "1.12 points below"
    assert report.above(0.88701, 0.88699) == "level with"  # both print as 88.70%


@pytest.mark.parametrize("ahead, seeds, text", [(3, 3, "on all 3 seeds"), (2, 2, "on both seeds"), (2, 3, "on 2 of 3 seeds"),
                                                (0, 3, "on none of the 3 seeds"), (1, 1, "on its one seed")])
def test_seeds_ahead(ahead, seeds, text):
    assert report.seeds_ahead(ahead, seeds) == text


def test_noise_verdict_says_whether_the_interval_excludes_zero():
    assert report.noise_verdict(0.50, 0.62) == f"within seed noise, 95% interval {MINUS}0.12 to +1.12"
    assert report.noise_verdict(0.80, 0.27) == "beyond seed noise, 95% interval +0.53 to +1.07"
    assert report.noise_verdict(-0.80, 0.27).startswith("beyond seed noise, 95% interval " + MINUS + "1.07 to")
    assert report.noise_verdict(0.5, math.nan) == "with too few seeds for an interval"


def test_seeds_ahead_counts_other_things_too():
    assert report.seeds_ahead(15, 15, "pair") == "on all 15 pairs" and report.seeds_ahead(14, 15, "pair") == "on 14 of 15 pairs"


def test_points_reads_one_split():
    assert report.points(A, B) == pytest.approx(-0.37)
    assert report.points(A, B, "val") == pytest.approx(0.06)


def test_widest_compares_the_highest_group_with_the_lowest():
    low, mid, high = ([seed_run(s, v + 0.001 * s) for s in range(3)] for v in (0.88, 0.89, 0.90))
    out = report.widest([mid, high, low])
    assert out["gain"] == pytest.approx(2.0) and out["clear"] and out["seeds"] == 3  # high over low, paired


def test_a_gap_to_one_published_run_is_judged_by_our_seeds_spread_alone():
    ours = {"test_mean": 0.9171, "test_std": 0.0009, "seeds": 3}
    near = report.against_one_run(ours, 0.9163)  # 0.08 points, inside our mean's interval (±0.22)
    assert near.startswith("0.08 points above, within seed noise, 95% interval")
    far = report.against_one_run(ours, 0.9123)
    assert far.startswith("0.48 points above, beyond seed noise")
    assert report.against_one_run({**ours, "test_std": 0.0}, 0.9163).startswith("0.08 points above, beyond")
