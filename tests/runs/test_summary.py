"""What the seeds of one configuration say together (fmnist_lab.runs.summary): mean ± std, the
t-interval, peak and gap, and stalled epochs."""
import math

import pytest

from fakes import curve_run

from fmnist_lab.runs import summary


def test_summary_reports_gap_and_peak_over_seeds():
    runs = [curve_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], train_eval_acc=[0.8, 0.9, 0.95], seed=s) for s in (0, 1)]
    s = summary.summarize(runs)
    assert s["peak_val_mean"] == pytest.approx(0.90)
    assert s["gap"] == pytest.approx(0.95 - 0.85)  # at the reported (last) epoch, not the peak


def test_ci95_uses_the_t_quantile_for_every_sample_size():


    assert summary.t95(6) == pytest.approx(2.447) and summary.t95(8) == pytest.approx(2.306)  # n = 7 and 9
    assert 1.96 < summary.t95(200) < summary.t95(30)
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert summary.ci95(values) == pytest.approx(2.447 * 0.216025 / 7 ** 0.5, rel=1e-4)
    assert math.isnan(summary.ci95([0.5]))
    assert math.isnan(summary.ci95([0.5, math.nan, 0.7]))  # a smoke run too short to measure: no interval, not a crash


def test_stalled_epochs_flag_a_machine_stall_not_a_slow_run():
    history = {"epoch": [1, 2, 3, 4], "seconds": [1.4, 1.3, 286.7, 1.2]}
    assert summary.stalled_epochs({"history": history}) == [3]
    slow = {"epoch": [1, 2, 3], "seconds": [30.0, 31.0, 29.0]}  # a big model, evenly slow
    assert summary.stalled_epochs({"history": slow}) == []
    jitter = {"epoch": [1, 2, 3], "seconds": [0.2, 0.2, 3.0]}  # 15x, but only 2.8 s: noise, not a stall
    assert summary.stalled_epochs({"history": jitter}) == []


def test_summary_statistics():
    mean, std = summary.mean_std([0.88, 0.89, 0.90])
    assert mean == pytest.approx(0.89) and std == pytest.approx(0.01)
    assert summary.ci95([0.88, 0.89, 0.90]) == pytest.approx(4.303 * 0.01 / 3 ** 0.5)
