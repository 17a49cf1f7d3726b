"""Metrics computed from stored results (predictions, confusion matrices), never from a model."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def predictions(result: dict[str, Any]) -> np.ndarray:
    """The stored test predictions of a run as an int array (decoded from one digit per image)."""
    return np.frombuffer(result["test"]["predictions"].encode(), dtype=np.uint8) - ord("0")


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
