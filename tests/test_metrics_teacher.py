"""A student against its teacher on the test images, and how close each split sits to the training
images (chapter 10)."""
import numpy as np
import pytest
import torch

from fmnist_lab.analysis import metrics


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
