"""Metrics computed from stored results (predictions, confusion matrices), never from a model."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.data import nearest_distance


def predictions(result: dict[str, Any]) -> np.ndarray:
    """The stored test predictions of a run as an int array (decoded from one digit per image)."""
    return np.frombuffer(result["test"]["predictions"].encode(), dtype=np.uint8) - ord("0")


def majority_share(result: dict[str, Any], classes: int = 10) -> float:
    """The fraction of test images a run assigns to its most-predicted class (0.1 when balanced,
    1.0 for a network that has collapsed onto one class)."""
    predicted = predictions(result)
    return float(np.bincount(predicted, minlength=classes).max() / len(predicted))


def collapse(results: list[dict[str, Any]]) -> dict[str, float]:
    """Signs that training collapsed rather than diverged, averaged over runs: `majority_share`
    (see above) and `first_loss`, the mean training loss of the first epoch (ln 10 ≈ 2.3 for a
    network that guesses uniformly over ten classes)."""
    return {"majority_share": float(np.mean([majority_share(r) for r in results])),
            "first_loss": float(np.mean([r["history"]["train_loss"][0] for r in results]))}


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    confusion = np.asarray(confusion, dtype=float)
    return np.diag(confusion) / confusion.sum(1)


def pooled_confusion(results: list[dict[str, Any]], split: str = "test") -> np.ndarray:
    """Confusion counts summed over seeds."""
    return np.sum([np.asarray(r[split]["confusion"]) for r in results], axis=0)


def per_class_mean_std(results: list[dict[str, Any]], split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """Per-class accuracy, mean and std over seeds."""
    values = np.stack([per_class_accuracy(r[split]["confusion"]) for r in results])
    return values.mean(0), values.std(0, ddof=1) if len(values) > 1 else np.zeros(10)


def top_confusions(confusion: np.ndarray, k: int = 5) -> list[tuple[int, int, float]]:
    """The k largest off-diagonal rates: (true class, predicted class, fraction of the true class)."""
    confusion = np.asarray(confusion, dtype=float)
    rates = confusion / confusion.sum(1, keepdims=True)
    np.fill_diagonal(rates, 0)
    flat = np.argsort(rates, axis=None)[::-1][:k]
    return [(int(i // 10), int(i % 10), float(rates.flat[i])) for i in flat]


def stopping_epochs(result: dict[str, Any]) -> dict[str, float]:
    """Where early stopping would have stopped a run, read off its full history (1-based epochs).

    `acc_epoch`: highest validation accuracy; `loss_epoch`: lowest validation loss; and the
    validation accuracy at each. Ties go to the earlier epoch, as a patience rule would choose.
    """
    acc = np.array([np.nan if v is None else v for v in result["history"]["val_acc"]])
    loss = np.array([np.nan if v is None else v for v in result["history"]["val_loss"]])
    acc_epoch, loss_epoch = int(np.nanargmax(acc)), int(np.nanargmin(loss))
    return {"acc_epoch": acc_epoch + 1, "loss_epoch": loss_epoch + 1,
            "val_acc_at_acc": float(acc[acc_epoch]), "val_acc_at_loss": float(acc[loss_epoch])}


def train_val_gap(result: dict[str, Any]) -> float:
    """Training (evaluation mode) minus validation accuracy at the reported epoch, in points: how
    tightly a run fits its own images."""
    return 100 * (result["history"]["train_eval_acc"][result["final_epoch"] - 1] - result["val"]["acc"])


def roughness(result: dict[str, Any], metric: str = "val_loss", skip: int = 3) -> float:
    """How much a curve jitters after the first `skip` epochs: the mean absolute second difference
    |v[t+1] - 2 v[t] + v[t-1]|, which is zero for any straight trend, rising or falling."""
    values = np.array([np.nan if v is None else v for v in result["history"][metric]][skip:])
    return float(np.nanmean(np.abs(np.diff(values, n=2)))) if len(values) > 2 else float("nan")


def mcnemar(y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> dict[str, float]:
    """Exact McNemar test of two classifiers on the same test images.

    Only the discordant images count: `a_only` (A right, B wrong) and `b_only`. Under the null
    hypothesis of equal accuracy each discordant image is a fair coin, so the two-sided p-value
    is the binomial tail of min(a_only, b_only) out of their sum, doubled.
    """
    right_a, right_b = pred_a == y_true, pred_b == y_true
    a_only, b_only = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    n, k = a_only + b_only, min(a_only, b_only)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n if n else 1.0
    return {"a_only": a_only, "b_only": b_only, "p_value": min(1.0, 2 * tail)}


def only_right(y_true: np.ndarray, preds_a: list[np.ndarray], preds_b: list[np.ndarray]) -> np.ndarray:
    """Mask of the images that every prediction in `preds_a` gets right and every one in `preds_b`
    gets wrong (e.g. every seed of one model against every seed of another)."""
    y = np.asarray(y_true)
    return np.all([np.asarray(p) == y for p in preds_a], 0) & np.all([np.asarray(p) != y for p in preds_b], 0)


def paired_mcnemar(y_true: np.ndarray, preds_a: list[np.ndarray], preds_b: list[np.ndarray]) -> dict[str, float]:
    """McNemar's test of A against B for each pair (seed i of A with seed i of B): over the pairs,
    the fewest and most images only A gets right (`a_only_min`, `a_only_max`), the same for B, the
    largest p-value (`p_max`) and the number of `pairs`."""
    if len(preds_a) != len(preds_b) or not preds_a:
        raise ValueError("paired_mcnemar needs the same, non-zero number of predictions for A and B")
    tests = [mcnemar(np.asarray(y_true), np.asarray(a), np.asarray(b)) for a, b in zip(preds_a, preds_b)]
    return {"a_only_min": min(t["a_only"] for t in tests), "a_only_max": max(t["a_only"] for t in tests),
            "b_only_min": min(t["b_only"] for t in tests), "b_only_max": max(t["b_only"] for t in tests),
            "p_max": max(t["p_value"] for t in tests), "pairs": len(tests)}

# ---- Timings: seconds per epoch compare only between runs on the same machine. -----------------


def machine(result: dict[str, Any]) -> str:
    """The machine a run was trained on, as its provenance names it (device type, name, threads)."""
    p = result["provenance"]  # records of hand-built runs (tests) may leave the machine out
    return f"{p.get('device', 'unknown device')}: {p.get('device_name', 'unnamed')}, {p.get('threads', '?')} threads"


def timing_machine(results: list[dict[str, Any]]) -> str:
    """The machine that trained most of `results` (ties: the first met): time them on that one."""
    counts: dict[str, int] = {}
    for r in results:
        counts[machine(r)] = counts.get(machine(r), 0) + 1
    return max(counts, key=counts.get)


def seconds_per_epoch(results: list[dict[str, Any]], on: str | None = None) -> float:
    """Mean seconds per epoch of the runs trained on machine `on` (all runs if None); NaN if none ran there."""
    seconds = [r["seconds_per_epoch"] for r in results if on is None or machine(r) == on]
    return float(np.mean(seconds)) if seconds else math.nan


# ---- Early stopping in hindsight, and runs that are the same run: chapter 4's questions. --------
TRAIN_IMAGES = 50_000  # the training split (60 000 images less the 10 000 held out for validation)


def stopping_summary(results: list[dict[str, Any]]) -> dict[str, float]:
    """What the two early-stopping criteria would have done to a set of full-length runs.

    `runs`; `loss_first`: runs whose validation loss bottomed out before their validation accuracy
    peaked; `epochs_apart`: mean epochs from the loss minimum to the accuracy peak; `acc_epoch`,
    `loss_epoch`: the mean epoch of each; `cost`: mean validation accuracy lost by stopping on the
    loss instead of the accuracy, in points; `loss_rise`: the mean last validation loss over the
    mean lowest one (how far the loss climbed back up).
    """
    stops = [stopping_epochs(r) for r in results]
    last = [next(v for v in reversed(r["history"]["val_loss"]) if v is not None) for r in results]
    lowest = [min(v for v in r["history"]["val_loss"] if v is not None) for r in results]
    return {"runs": len(stops), "loss_first": sum(s["loss_epoch"] < s["acc_epoch"] for s in stops),
            "epochs_apart": float(np.mean([s["acc_epoch"] - s["loss_epoch"] for s in stops])),
            "acc_epoch": float(np.mean([s["acc_epoch"] for s in stops])),
            "loss_epoch": float(np.mean([s["loss_epoch"] for s in stops])),
            "cost": 100 * float(np.mean([s["val_acc_at_acc"] - s["val_acc_at_loss"] for s in stops])),
            "loss_rise": float(np.mean(last) / np.mean(lowest))}


def identical_runs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    """How many seed-paired runs of two configurations are bit-for-bit the same training: equal
    validation-loss histories and equal test predictions."""
    return sum(x["history"]["val_loss"] == y["history"]["val_loss"] and x["test"]["predictions"] == y["test"]["predictions"]
               for x, y in zip(a, b))


def decay_left(cfg: Any, weight_decay: float | None = None) -> float:
    """The fraction of a weight that decoupled weight decay alone leaves after a whole run of `cfg`
    (a weight that never gets a gradient): (1 − lr·λ) per step, `cfg.epochs` epochs of mini-batches
    (λ is `cfg.weight_decay` unless given)."""
    lam = cfg.weight_decay if weight_decay is None else weight_decay
    steps = cfg.epochs * math.ceil((cfg.train_size or TRAIN_IMAGES) / cfg.batch_size)
    return (1 - cfg.lr * lam) ** steps

# ---- A student against its teacher, and how close each split sits to the training images: chapter 10.


def agreement(results: list[dict[str, Any]], reference: np.ndarray) -> float:
    """The share of test images on which a run predicts what `reference` predicts, mean over runs."""
    return float(np.mean([np.mean(predictions(r) == np.asarray(reference)) for r in results]))


def copied_mistakes(results: list[dict[str, Any]], reference: np.ndarray, y_true: np.ndarray) -> float:
    """Of the test images `reference` gets wrong, the share on which a run gives the same wrong
    answer, mean over runs (0 when `reference` makes no mistake)."""
    reference = np.asarray(reference)
    wrong = reference != np.asarray(y_true)
    if not wrong.any():
        return 0.0
    return float(np.mean([np.mean(predictions(r)[wrong] == reference[wrong]) for r in results]))


def imitation(students: dict[str, list[dict[str, Any]]], teacher: dict[str, Any], y_true: np.ndarray) -> dict[str, float]:
    """How closely each named group of runs follows a teacher run on the test images:
    `agree_<name>` (`agreement`) and `copied_<name>` (`copied_mistakes`), plus `teacher_wrong`,
    the number of test images the teacher gets wrong."""
    says = predictions(teacher)
    out: dict[str, float] = {"teacher_wrong": int(np.sum(says != np.asarray(y_true)))}
    for name, runs in students.items():
        out[f"agree_{name}"], out[f"copied_{name}"] = agreement(runs, says), copied_mistakes(runs, says, y_true)
    return out


def near_twins(queries: dict[str, Any], references: Any, twin: float) -> dict[str, float]:
    """For each named set of images (uint8, N x 28 x 28), the distance to its closest reference image
    (`data.nearest_distance`): the median (`near_<name>`) and the share with a twin closer than
    `twin` (`twins_<name>`), pixels in [0, 1]."""

    out = {}
    for name, images in queries.items():
        d = nearest_distance(images, references).numpy()
        out[f"near_{name}"], out[f"twins_{name}"] = float(np.median(d)), float(np.mean(d < twin))
    return out
