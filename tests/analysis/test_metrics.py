"""Metrics computed from stored results (fmnist_lab.analysis.metrics): stopping epochs, roughness,
McNemar's test, collapse, timing machines, a student against its teacher, near twins."""
import math

import numpy as np
import pytest
import torch

from fakes import curve_run, predicted_run, study_run
from fakes import init  # noqa: F401  (fixtures)

from fmnist_lab.analysis import metrics
from fmnist_lab.engine.config import REFERENCE


def run(predictions):
    return {"test": {"predictions": "".join(map(str, predictions))}}


Y = np.array([0, 1, 2, 3])
TEACHER = [0, 1, 5, 6]  # right on the first two images, wrong on the last two


def test_agreement_is_the_share_of_images_with_the_same_answer_averaged_over_runs():
    assert metrics.agreement([run([0, 1, 5, 6]), run([0, 9, 9, 9])], np.array(TEACHER)) == pytest.approx((1.0 + 0.25) / 2)


def test_copied_mistakes_looks_only_at_the_teachers_wrong_images():
    # right where the teacher is wrong counts as not copying; the teacher's right answers do not count
    student = run([7, 7, 5, 3])
    assert metrics.copied_mistakes([student], np.array(TEACHER), Y) == pytest.approx(0.5)
    assert metrics.copied_mistakes([student], Y, Y) == 0.0  # a teacher without mistakes


def test_imitation_names_each_group_and_counts_the_teachers_mistakes():
    out = metrics.imitation({"taught": [run([0, 1, 5, 6])], "plain": [run(list(Y))]}, run(TEACHER), Y)
    assert out == {"teacher_wrong": 2, "agree_taught": 1.0, "copied_taught": 1.0, "agree_plain": 0.5, "copied_plain": 0.0}


def test_near_twins_reports_the_median_distance_and_the_share_of_close_twins():
    train = torch.zeros(3, 28, 28, dtype=torch.uint8)
    close = torch.zeros(2, 28, 28, dtype=torch.uint8)
    close[1, 0, 0] = 255  # one pixel of 1.0 away: distance 1
    far = torch.full((2, 28, 28), 255, dtype=torch.uint8)  # distance 28 from every training image
    out = metrics.near_twins({"val": close, "test": far}, train, twin=2.0)
    assert out["near_val"] == pytest.approx(0.5) and out["twins_val"] == 1.0
    assert out["near_test"] == pytest.approx(28.0) and out["twins_test"] == 0.0


def test_stopping_epochs_pick_each_criterion_and_prefer_the_earlier_tie():
    run = curve_run(val_acc=[0.80, 0.85, 0.87, 0.86, 0.87], val_loss=[0.6, 0.4, 0.45, 0.5, 0.55])
    stop = metrics.stopping_epochs(run)
    assert stop == {"acc_epoch": 3, "loss_epoch": 2, "val_acc_at_acc": 0.87, "val_acc_at_loss": 0.85}


def test_stopping_epochs_skip_epochs_lost_to_divergence():
    run = curve_run(val_acc=[0.5, 0.7, None], val_loss=[1.0, 0.8, None], train_eval_acc=[0.5, 0.7, None])
    assert metrics.stopping_epochs(run)["acc_epoch"] == 2
    assert metrics.stopping_epochs(run)["loss_epoch"] == 2


def test_roughness_measures_jitter_not_trend():
    rising = curve_run(val_acc=[0.8] * 7, val_loss=[2.0, 1.0, 0.5, 0.40, 0.45, 0.50, 0.55])  # overfitting, smoothly
    jumpy = curve_run(val_acc=[0.8] * 7, val_loss=[2.0, 1.0, 0.5, 0.40, 0.50, 0.40, 0.50])
    assert metrics.roughness(rising) == pytest.approx(0.0)
    assert metrics.roughness(jumpy) == pytest.approx(0.2)


def test_mcnemar_counts_only_discordant_images_and_matches_the_binomial_tail():
    import numpy as np

    y = np.zeros(100, dtype=int)
    a = y.copy()
    b = y.copy()
    b[:10] = 1  # B wrong on ten images A gets right
    a[50:52] = 1  # both wrong on these -> concordant, must not count
    b[50:52] = 1
    result = metrics.mcnemar(y, a, b)
    assert (result["a_only"], result["b_only"]) == (10, 0)
    assert result["p_value"] == pytest.approx(2 / 2 ** 10)
    # Swapping the classifiers swaps the counts and keeps the p-value.
    swapped = metrics.mcnemar(y, b, a)
    assert (swapped["a_only"], swapped["b_only"]) == (0, 10) and swapped["p_value"] == result["p_value"]
    # Equal discordance is no evidence at all.
    c = y.copy()
    c[10:20] = 1
    c[50:52] = 1  # the same concordant errors as b
    assert metrics.mcnemar(y, b, c)["p_value"] == 1.0


def test_majority_share_from_stored_predictions():
    assert metrics.majority_share(predicted_run("a", 0.5, predictions="0123456789")) == pytest.approx(0.1)
    assert metrics.majority_share(predicted_run("a", 0.5, predictions="7777777771")) == pytest.approx(0.9)


def test_collapse_averages_majority_share_and_first_loss():
    runs = [predicted_run("a", 0.1, predictions="3333333333"), predicted_run("b", 0.1, predictions="3333333330")]
    runs[1]["history"] = dict(runs[1]["history"], train_loss=[3.0, 2.0])
    assert metrics.collapse(runs) == pytest.approx({"majority_share": 0.95, "first_loss": 2.0})


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


def test_timing_machine_is_the_one_with_most_runs_and_seconds_come_only_from_it(init):
    runs = init.all_runs()
    on = metrics.timing_machine(runs)
    assert on == metrics.machine(runs[0]) and "CPU A" in on
    group = init.runs["2 layers, default"]
    assert metrics.seconds_per_epoch(group, on) == pytest.approx(4.1)
    assert metrics.seconds_per_epoch(group) == pytest.approx((4.0 + 4.2 + 100.0) / 3)  # all machines
    assert math.isnan(metrics.seconds_per_epoch(group, "gpu: nowhere, 1 threads"))


def test_identical_runs_counts_seed_pairs_that_trained_the_same():
    a = [study_run("a0", [0.8], [0.5]), study_run("a1", [0.8], [0.5])]
    b = [study_run("b0", [0.8], [0.5]), study_run("b1", [0.8], [0.5], predictions="0124")]
    assert metrics.identical_runs(a, b) == 1
    assert metrics.identical_runs(a, [study_run("c0", [0.8], [0.51])]) == 0


def test_decay_left_compounds_lr_times_lambda_over_every_step():
    cfg = REFERENCE.replace(epochs=2, batch_size=100, lr=0.01, weight_decay=0.1, train_size=1000)  # 20 steps
    assert metrics.decay_left(cfg) == pytest.approx(0.999 ** 20)
    assert metrics.decay_left(cfg, 0.0) == 1.0
    assert metrics.decay_left(REFERENCE.replace(epochs=1, batch_size=50_000), 0.5) == pytest.approx(1 - 0.0005)


def test_train_val_gap_reads_the_reported_epoch_in_points():
    run = {"history": {"train_eval_acc": [0.80, 0.95, 0.99]}, "final_epoch": 2, "val": {"acc": 0.90}}
    assert metrics.train_val_gap(run) == pytest.approx(5.0)  # epoch 2's 95% against 90%, not the last epoch's 99%
