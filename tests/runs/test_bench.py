"""The engine benchmark's projections (fmnist_lab.runs.bench): the schedule of runs on N workers, the retrain estimate."""
from __future__ import annotations

import pytest

from fmnist_lab.runs import bench


def test_the_projection_hands_runs_to_free_workers_batch_by_batch():
    assert bench.list_schedule_seconds([[4, 4, 4, 4]], workers=2) == 8
    assert bench.list_schedule_seconds([[4, 4, 4, 4]], workers=8) == 4  # the longest run bounds a batch
    assert bench.list_schedule_seconds([[4, 4], [1, 1, 1, 1]], workers=2) == 6  # taught runs after their teachers
    assert bench.list_schedule_seconds([[1, 1, 4]], workers=2) == 5  # in the book's order, not longest first


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
