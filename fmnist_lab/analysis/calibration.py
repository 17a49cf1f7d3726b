"""Calibration: does a network's confidence match how often it is right?

A classifier's confidence in an image is its top-class probability. It is calibrated when, of the
images it answers with confidence near p, a fraction near p is right. Two measures, both on the
top class against right/wrong:

- the expected calibration error (ECE): confidences cut into `BINS` equal-width bins on [0, 1]
  (a bin holds the confidences in (lower edge, upper edge]), then the mean over images of
  |accuracy − mean confidence| of each image's bin (Guo et al., 2017);
- the reliability curve, accuracy against mean confidence per bin, from scikit-learn's
  `calibration_curve` with the same bins.

Temperature scaling divides a network's logits by one scalar T before the softmax. T is fitted on
the validation split (the T that minimises the validation negative log-likelihood) and applied to
the test split; it never changes which class wins, so accuracy is unchanged. It works from
probabilities alone: log p is a network's logits up to a constant per image, which the softmax
ignores, so the same code scales one network and a probability-averaged ensemble.

Also here, because it too looks past one accuracy number: per-class precision, recall and F1 of
stored test predictions.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, logsumexp

BINS = 15  # equal-width confidence bins for the ECE and the reliability curve (Guo et al. use 15)
MIN_IMAGES = 20  # a reliability bin with fewer images is not drawn or quoted: its accuracy is noise
BEFORE, AFTER = "before temperature scaling", "after temperature scaling"  # the `scaling` of a reliability curve
TEMPERATURE_RANGE = (0.05, 20.0)  # where the fitted temperature is searched; far wider than any network needs


def top_class(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each image's confidence (its top-class probability) and whether that class is the true one."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    if probs.ndim != 2 or len(probs) != len(labels):
        raise ValueError(f"probabilities of shape {probs.shape} do not match {len(labels)} labels: "
                         "pass one row of class probabilities per labelled image")
    return probs.max(1), probs.argmax(1) == labels


def _bin_of(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Each confidence's bin among `bins` equal-width bins, as `calibration_curve` cuts them."""
    return np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], confidence)


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error on equal-width confidence bins (a fraction: 0.02 is 2 points)."""
    confidence, right = top_class(probs, labels)
    which = _bin_of(confidence, bins)
    count = np.bincount(which, minlength=bins)
    gap = np.bincount(which, right, minlength=bins) - np.bincount(which, confidence, minlength=bins)
    return float(np.abs(gap).sum() / count.sum())


def overconfidence(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean confidence minus accuracy: above 0 the network claims more than it delivers, below 0 less."""
    confidence, right = top_class(probs, labels)
    return float(confidence.mean() - right.mean())


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true class (the test loss, computed from probabilities)."""
    return float(-np.mean(_log(probs)[np.arange(len(labels)), labels]))


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> pd.DataFrame:
    """The reliability curve: per non-empty confidence bin, mean confidence, accuracy and images."""
    from sklearn.calibration import calibration_curve  # lazy: scikit-learn takes a second to import, and most pages never call this

    confidence, right = top_class(probs, labels)
    accuracy, mean_confidence = calibration_curve(right, confidence, pos_label=True, n_bins=bins, strategy="uniform")
    images = np.bincount(_bin_of(confidence, bins), minlength=bins)
    return pd.DataFrame({"confidence": mean_confidence, "accuracy": accuracy, "images": images[images > 0]})


def _log(probs: np.ndarray) -> np.ndarray:
    """log p, with a probability that underflowed to 0 read as the smallest positive float."""
    return np.log(np.clip(probs, np.finfo(np.float64).tiny, None))


def scaled(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The probabilities after dividing the logits by `temperature` (above 1: less confident)."""
    return np.exp(log_softmax(_log(probs) / temperature, axis=1))


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `scaled(probs, T)` on these images.

    The likelihood is searched over β = 1/T, in which it is convex (a log-sum-exp of logits times β
    minus a linear term), so scipy's bounded scalar minimiser finds the one minimum in
    `TEMPERATURE_RANGE`."""
    logits, labels = _log(probs), np.asarray(labels)
    true_logit = logits[np.arange(len(labels)), labels]

    def loss(beta: float) -> float:
        return float(np.mean(logsumexp(beta * logits, axis=1) - beta * true_logit))

    low, high = TEMPERATURE_RANGE
    found = minimize_scalar(loss, bounds=(1 / high, 1 / low), method="bounded", options={"xatol": 1e-6})
    return float(1 / found.x)


def assess(val: np.ndarray, test: np.ndarray, val_labels: np.ndarray, test_labels: np.ndarray,
           bins: int = BINS) -> dict[str, float]:
    """One model's test calibration before and after temperature scaling fitted on validation:
    `accuracy`, `temperature`, and `ece`, `nll`, `overconfidence`, each also as `<name>_scaled`;
    `val_overconfidence_scaled`: what the fitted temperature leaves on the images it was fitted to."""
    temperature = fit_temperature(val, val_labels)
    after = scaled(test, temperature)
    return {"accuracy": float((test.argmax(1) == test_labels).mean()), "temperature": temperature,
            "ece": ece(test, test_labels, bins), "ece_scaled": ece(after, test_labels, bins),
            "nll": nll(test, test_labels), "nll_scaled": nll(after, test_labels),
            "overconfidence": overconfidence(test, test_labels), "overconfidence_scaled": overconfidence(after, test_labels),
            "val_overconfidence_scaled": overconfidence(scaled(val, temperature), val_labels)}


def assess_members(members: list[tuple[np.ndarray, np.ndarray]], val_labels: np.ndarray,
                   test_labels: np.ndarray, bins: int = BINS) -> dict[str, float]:
    """`assess` of each (val, test) pair (e.g. one network's seeds), averaged, with each number's
    sample standard deviation over the pairs as `<name>_std` (NaN for one pair); `members` counts them."""
    scores = pd.DataFrame([assess(val, test, val_labels, test_labels, bins) for val, test in members])
    spread = scores.std(ddof=1) if len(scores) > 1 else scores.iloc[0] * math.nan
    return {**scores.mean().to_dict(), **{f"{k}_std": v for k, v in spread.items()}, "members": len(members)}


def reliability_curves(models: dict[str, tuple[np.ndarray, np.ndarray]], val_labels: np.ndarray,
                       test_labels: np.ndarray, bins: int = BINS) -> pd.DataFrame:
    """The test reliability curve of each model (name -> (val, test) probabilities) before and after
    temperature scaling fitted on validation, in one long table (model, scaling, confidence,
    accuracy, images), as `plots_learned.reliability` draws it."""
    frames = []
    for name, (val, test) in models.items():
        after = scaled(test, fit_temperature(val, val_labels))
        for scaling, probs in ((BEFORE, test), (AFTER, after)):
            frames.append(reliability(probs, test_labels, bins).assign(model=name, scaling=scaling))
    return pd.concat(frames, ignore_index=True)


def gaps(curves: pd.DataFrame, low: float = 0.0, high: float = 1.0, min_images: int = MIN_IMAGES) -> pd.DataFrame:
    """The bins of `reliability_curves` that the figure draws and the text quotes: at least
    `min_images` images, mean confidence in [low, high]; with `gap`, mean confidence minus accuracy
    in points (above 0: overconfident), the one sign convention of the chapter's tables and figure."""
    shown = curves[(curves["images"] >= min_images) & curves["confidence"].between(low, high)]
    return shown.assign(gap=100 * (shown["confidence"] - shown["accuracy"]))


def top_bin_share(curves: pd.DataFrame, bins: int = BINS) -> pd.Series:
    """Per (model, scaling) of `reliability_curves`, the share of images in the highest confidence
    bin (above 1 − 1/bins): where most images of an accurate network lie, so that bin dominates
    any average over images."""
    top = curves["confidence"] > 1 - 1 / bins  # a bin's mean confidence lies inside the bin
    by = ["model", "scaling"]
    total = curves.groupby(by, sort=False)["images"].sum()
    return curves[top].groupby(by, sort=False)["images"].sum().reindex(total.index, fill_value=0) / total


# ---- Per class: which classes a model gets right, and in which direction it errs ----------------
def per_class_scores(predictions: list[np.ndarray], labels: np.ndarray, classes: int = 10) -> pd.DataFrame:
    """Precision, recall and F1 per class (scikit-learn), each the mean over the runs' predictions
    (one array per seed); rows are classes 0..classes-1."""
    from sklearn.metrics import precision_recall_fscore_support  # lazy: scikit-learn takes a second to import, and most pages never call this

    per_run = [precision_recall_fscore_support(labels, predicted, labels=np.arange(classes), zero_division=0)[:3]
               for predicted in predictions]
    precision, recall, f1 = np.mean(per_run, axis=0)
    return pd.DataFrame({"precision": precision, "recall": recall, "f1": f1})
