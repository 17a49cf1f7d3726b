"""Comparing two models' test predictions seed by seed (chapter 9)."""
import numpy as np
import pytest

from fmnist_lab.analysis import metrics
from fmnist_lab.analysis import leaderboard


def test_only_right_needs_every_prediction_of_a_right_and_every_one_of_b_wrong():
    y = np.array([0, 1, 2, 3])
    a = [np.array([0, 1, 2, 0]), np.array([0, 1, 0, 0])]
    b = [np.array([1, 1, 0, 0]), np.array([1, 0, 0, 3])]
    assert metrics.only_right(y, a, b).tolist() == [True, False, False, False]
    assert metrics.only_right(y, b, a).tolist() == [False, False, False, False]


def test_paired_mcnemar_pairs_seed_i_with_seed_i():
    y = np.zeros(20, dtype=int)
    a = [np.r_[np.zeros(15), np.ones(5)], np.zeros(20)]  # 15 and 20 right
    b = [np.ones(20), np.r_[np.zeros(2), np.ones(18)]]  # 0 and 2 right
    mc = metrics.paired_mcnemar(y, a, b)
    assert (mc["a_only_min"], mc["a_only_max"], mc["b_only_min"], mc["b_only_max"], mc["pairs"]) == (15, 18, 0, 0, 2)
    assert mc["p_max"] == pytest.approx(metrics.mcnemar(y, a[0], b[0])["p_value"])
    with pytest.raises(ValueError):
        metrics.paired_mcnemar(y, a, b[:1])


def test_claim_reads_one_entry_of_the_claims_table():
    report, model, accuracy = leaderboard.REPORT_CLAIMS[0]
    assert leaderboard.claim(report, model) == accuracy
    with pytest.raises(KeyError):
        leaderboard.claim("Report Z", "nothing")
