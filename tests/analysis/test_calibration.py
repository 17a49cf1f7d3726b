"""Calibration measures, temperature scaling and per-class scores (fmnist_lab.analysis.calibration),
on synthetic predictions whose calibration is known by construction."""
import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.calibration import calibration_curve

from fmnist_lab.analysis import calibration
from fmnist_lab.report import calibration_tables


def sampled(logits: np.ndarray, seed: int = 0) -> np.ndarray:
    """Labels drawn from softmax(logits): the probabilities are then calibrated by construction."""
    rng = np.random.default_rng(seed)
    probs = softmax(logits, axis=1)
    return (probs.cumsum(1) > rng.random((len(probs), 1))).argmax(1)


@pytest.fixture(scope="module")
def logits() -> np.ndarray:
    return np.random.default_rng(1).normal(0, 2.0, size=(40_000, 10))


def test_ece_of_a_calibrated_model_is_near_zero_and_of_an_overconfident_one_large(logits):
    labels = sampled(logits)
    assert calibration.ece(softmax(logits, axis=1), labels) < 0.01
    overconfident = softmax(3 * logits, axis=1)  # same ranking, sharper
    assert calibration.ece(overconfident, labels) > 0.1
    assert calibration.overconfidence(overconfident, labels) > 0.1
    assert calibration.overconfidence(softmax(logits / 3, axis=1), labels) < -0.1


def test_ece_on_a_hand_worked_example():
    # Two classes, 4 bins with edges 0.25, 0.5, 0.75: confidences 0.55 and 0.6 share (0.5, 0.75],
    # 0.8 and 0.9 share (0.75, 1]; one right in each bin.
    probs = np.array([[0.8, 0.2], [0.9, 0.1], [0.4, 0.6], [0.45, 0.55]])
    labels = np.array([0, 1, 1, 0])
    expected = 0.5 * abs(0.5 - 0.575) + 0.5 * abs(0.5 - 0.85)
    assert calibration.ece(probs, labels, bins=4) == pytest.approx(expected)


def test_a_confidence_on_a_bin_edge_falls_in_the_lower_bin_as_in_scikit_learn():
    probs = np.array([[0.75, 0.25], [0.25, 0.75]])  # confidence exactly on the edge 0.75
    curve = calibration.reliability(probs, np.array([0, 1]), bins=4)
    assert curve["confidence"].tolist() == [0.75] and curve["images"].tolist() == [2]


def test_the_reliability_curve_is_scikit_learns_and_weights_to_the_ece(logits):
    probs, labels = softmax(2 * logits, axis=1), sampled(logits)
    curve = calibration.reliability(probs, labels)
    accuracy, confidence = calibration_curve(probs.argmax(1) == labels, probs.max(1), n_bins=calibration.BINS)
    assert np.allclose(curve["accuracy"], accuracy) and np.allclose(curve["confidence"], confidence)
    assert curve["images"].sum() == len(labels)
    weighted = (curve["images"] * (curve["accuracy"] - curve["confidence"]).abs()).sum() / len(labels)
    assert weighted == pytest.approx(calibration.ece(probs, labels))


@pytest.mark.parametrize("sharpness", [3.0, 1 / 3])
def test_temperature_scaling_finds_the_sharpening_and_undoes_it(logits, sharpness):
    labels = sampled(logits)
    distorted = softmax(sharpness * logits, axis=1)
    temperature = calibration.fit_temperature(distorted, labels)
    assert temperature == pytest.approx(sharpness, rel=0.05)  # T > 1 for an overconfident model, < 1 under
    after = calibration.scaled(distorted, temperature)
    assert calibration.nll(after, labels) < calibration.nll(distorted, labels)
    assert calibration.ece(after, labels) < calibration.ece(distorted, labels) / 5
    assert (after.argmax(1) == distorted.argmax(1)).all()  # accuracy unchanged
    assert np.allclose(after.sum(1), 1)


def test_the_fitted_temperature_is_the_nll_minimum(logits):
    labels = sampled(logits, seed=2)
    probs = softmax(1.7 * logits, axis=1)
    t = calibration.fit_temperature(probs, labels)
    best = calibration.nll(calibration.scaled(probs, t), labels)
    for other in (0.9 * t, 1.1 * t):
        assert best < calibration.nll(calibration.scaled(probs, other), labels)


def test_scaling_survives_probabilities_that_underflowed_to_zero():
    probs = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    after = calibration.scaled(probs, 2.0)
    assert np.isfinite(after).all() and np.allclose(after.sum(1), 1)
    assert np.isfinite(calibration.nll(probs, np.array([1, 1])))


def test_assess_fits_on_validation_and_measures_on_test(logits):
    labels = sampled(logits)
    val, test = softmax(3 * logits[:20_000], axis=1), softmax(3 * logits[20_000:], axis=1)
    s = calibration.assess(val, test, labels[:20_000], labels[20_000:])
    assert s["temperature"] == pytest.approx(3, rel=0.05)
    assert s["ece_scaled"] < s["ece"] and s["nll_scaled"] < s["nll"] and s["overconfidence"] > 0.1
    assert s["accuracy"] == pytest.approx((test.argmax(1) == labels[20_000:]).mean())
    both = calibration.assess_members([(val, test), (val, test)], labels[:20_000], labels[20_000:])
    assert both["members"] == 2 and both["ece"] == pytest.approx(s["ece"]) and both["ece_std"] == pytest.approx(0)
    one, sharper = calibration.assess_members([(val, test)], labels[:20_000], labels[20_000:]), calibration.assess(val, test ** 2, labels[:20_000], labels[20_000:])
    mixed = calibration.assess_members([(val, test), (val, test ** 2)], labels[:20_000], labels[20_000:])
    assert np.isnan(one["ece_std"]) and mixed["ece_std"] == pytest.approx(abs(s["ece"] - sharper["ece"]) / np.sqrt(2))  # sample std


def test_mismatched_probabilities_and_labels_are_refused():
    with pytest.raises(ValueError, match="do not match"):
        calibration.ece(np.full((3, 10), 0.1), np.zeros(4, dtype=int))


def test_per_class_scores_average_the_runs():
    labels = np.array([0, 0, 1, 1])
    perfect, swapped_one = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    scores = calibration.per_class_scores([perfect, swapped_one], labels, classes=2)
    # swapped_one: class 0 precision 1, recall 0.5; class 1 precision 2/3, recall 1.
    assert scores["precision"].tolist() == pytest.approx([1.0, (1 + 2 / 3) / 2])
    assert scores["recall"].tolist() == pytest.approx([0.75, 1.0])
    assert scores["f1"][0] == pytest.approx((1 + 2 / 3) / 2)  # F1 per run, then the mean
    table = calibration_tables.per_class_table({"m": scores}, ("a", "b"), detail="m")
    assert table["class"].tolist() == ["a", "b", "mean"] and table["m R"].tolist() == ["75.0", "100.0", "87.5"]


def test_gaps_keep_only_the_bins_in_range_with_enough_images():
    curves = pd.DataFrame({"model": "m", "scaling": calibration.AFTER, "confidence": [0.4, 0.6, 0.8, 0.97],
                           "accuracy": [0.4, 0.5, 0.9, 0.97], "images": [500, 500, 10, 8000]})
    middle = calibration.gaps(curves, low=0.5, high=0.9)
    assert middle["confidence"].tolist() == [0.6] and middle["gap"].tolist() == pytest.approx([10.0])
    assert calibration.top_bin_share(curves)[("m", calibration.AFTER)] == pytest.approx(8000 / 9010)
    unsure = curves.assign(model="unsure")[curves["confidence"] < 0.9]  # no image in the top bin: a share of 0, not a missing row
    assert calibration.top_bin_share(pd.concat([curves, unsure]))[("unsure", calibration.AFTER)] == 0
