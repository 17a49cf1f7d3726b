"""Two groups compared seed by seed (fmnist_lab.analysis.statistics): the paired gain in points and its
95 % t-interval."""
import math

import pytest

from fmnist_lab.analysis import statistics


def run(seed, acc):
    return {"config": {"seed": seed}, "val": {"acc": acc}, "test": {"acc": acc - 0.01}}


def test_paired_gain_pairs_by_seed_not_by_position_and_counts_in_points():
    runs = [run(0, 0.910), run(1, 0.910), run(2, 0.895)]
    control = [run(2, 0.895), run(0, 0.900), run(1, 0.905)]  # stored in another order
    p = statistics.paired_gain(runs, control, "val")
    assert p["seeds"] == pytest.approx([1.0, 0.5, 0.0])
    assert p["gain"] == pytest.approx(0.5) and p["ahead"] == 2  # a tie is not ahead
    assert p["ci"] == pytest.approx(4.303 * 0.5 / math.sqrt(3), rel=1e-3)  # t(0.975, 2 df) x std / sqrt(n)
    assert statistics.paired_gain(control, runs, "test")["gain"] == pytest.approx(-0.5)  # the sign follows the order


def test_paired_gain_leaves_out_unpaired_seeds_and_refuses_when_none_is_shared():
    p = statistics.paired_gain([run(0, 0.91), run(5, 0.99)], [run(0, 0.90), run(1, 0.80)], "val")
    assert p["seeds"] == pytest.approx([1.0]) and math.isnan(p["ci"])  # one pair: no interval
    with pytest.raises(ValueError, match="no seed is shared"):
        statistics.paired_gain([run(3, 0.9)], [run(4, 0.9)], "val")


def test_paired_difference_pairs_any_number_a_run_has():
    def gap_run(seed, gap):
        return {"config": {"seed": seed}, "gap": gap}
    p = statistics.paired_difference([gap_run(0, 5.0), gap_run(1, 4.0)], [gap_run(1, 3.0), gap_run(0, 6.0)], lambda r: r["gap"])
    assert p["seeds"] == pytest.approx([-1.0, 1.0]) and p["gain"] == pytest.approx(0.0) and p["ahead"] == 1
