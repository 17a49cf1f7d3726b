"""What a run cost (fmnist_lab.analysis.cost): CPU-minutes count threads."""
import pytest

from fakes import trick_run

from fmnist_lab.analysis import cost


def test_cpu_minutes_count_threads():
    assert cost.cpu_minutes(trick_run(0, 0, 0, minutes=4.0, threads=2)) == pytest.approx(4.0)
    assert cost.cpu_minutes(trick_run(0, 0, 0, minutes=4.0, threads=1)) == pytest.approx(4.0)
