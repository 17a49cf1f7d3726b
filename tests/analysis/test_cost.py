"""What a run cost (fmnist_lab.analysis.cost): CPU-minutes count threads."""
import math

import pytest

from fakes import chapter_run, trick_run

from fmnist_lab.analysis import cost


def test_cpu_minutes_count_threads():
    assert cost.cpu_minutes(trick_run(0, 0, 0, minutes=4.0, threads=2)) == pytest.approx(4.0)
    assert cost.cpu_minutes(trick_run(0, 0, 0, minutes=4.0, threads=1)) == pytest.approx(4.0)


def test_seed_minutes_prefer_the_seeds_timed_on_two_threads():
    runs = [chapter_run(0, 0.9, 0.9, minutes=7.2), chapter_run(1, 0.9, 0.9, minutes=24.5, threads=1), chapter_run(2, 0.9, 0.9, minutes=24.5, threads=1)]
    assert cost.seed_minutes(runs) == pytest.approx(7.2)  # not 18.7, the mean over two thread counts
    assert cost.seed_minutes(runs[1:]) == pytest.approx(24.5)  # none on two threads: all of them



def test_cost_ratio_only_between_runs_timed_alike():
    one = [chapter_run(s, 0.9, 0.9, minutes=10.0, threads=1) for s in range(2)]
    taught = [chapter_run(s, 0.9, 0.9, minutes=25.0, threads=1) for s in range(2)]
    assert cost.cost_ratio(taught, one) == pytest.approx(2.5)
    assert math.isnan(cost.cost_ratio(taught, [chapter_run(0, 0.9, 0.9, minutes=5.0, threads=2)]))  # another thread count
    assert math.isnan(cost.cost_ratio(taught, []))
