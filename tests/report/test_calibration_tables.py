"""Chapter 12's tables and phrases (fmnist_lab.report.calibration_tables) as a reader sees them: one
sign for confidence − accuracy in tables and figure, tables narrow enough for the page, seeds named
once per group."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax

from fmnist_lab.analysis import calibration
from fmnist_lab.report import calibration_tables, figures

matplotlib.use("Agg")


def overconfident_pair(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(val, test) probabilities three times sharper than the labels they were drawn from, and the labels."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2.0, size=(20_000, 10))
    labels = (softmax(logits, axis=1).cumsum(1) > rng.random((len(logits), 1))).argmax(1)
    sharp = softmax(3 * logits, axis=1)
    return sharp[:10_000], sharp[10_000:], labels


def test_an_overconfident_network_is_above_zero_in_the_tables_and_the_figure():
    val, test, labels = overconfident_pair()
    assessed = {"sharp": calibration.assess_members([(val, test)], labels[:10_000], labels[10_000:])}
    assert calibration_tables.overconfidence_table(assessed)["test"].iloc[0].startswith("+")
    curves = calibration.reliability_curves({"sharp": (val, test)}, labels[:10_000], labels[10_000:])
    before = calibration.gaps(curves).query("scaling == @calibration.BEFORE")
    assert (before["gap"] > 0).mean() > 0.8  # points, confidence − accuracy
    fig = figures.reliability(curves)
    drawn = np.concatenate([line.get_ydata() for line in fig.axes[0].get_lines() if len(line.get_ydata()) > 2])
    assert np.median(drawn) > 5 and "confidence − accuracy" in fig.axes[0].get_ylabel()
    plt.close(fig)


def test_the_calibration_tables_fit_the_page():
    val, test, labels = overconfident_pair()
    s = calibration.assess_members([(val, test)], labels[:10_000], labels[10_000:])
    for table in (calibration_tables.table({"m": s}), calibration_tables.overconfidence_table({"m": s})):
        assert len(table.columns) <= 8
        longest_word = max(len(word) for column in table.columns for word in column.replace("\u00a0", " ").split())
        assert longest_word <= 10  # headers wrap between short words, not into five lines


def test_per_class_table_gives_f1_for_all_and_precision_recall_for_one():
    scores = pd.DataFrame({"precision": [0.5, 1.0], "recall": [1.0, 0.5], "f1": [2 / 3, 2 / 3]})
    table = calibration_tables.per_class_table({"a": scores, "b": scores, "c": scores}, ("x", "y"), detail="c")
    assert table.columns.tolist() == ["class", "a F1", "b F1", "c F1", "c P", "c R"]
    assert table.iloc[-1].tolist() == ["mean", "66.7", "66.7", "66.7", "75.0", "75.0"]


@pytest.mark.parametrize("seeds, phrase", [
    ({"A": [0], "B": [0, 1, 2], "C": [2, 0, 1], "D": [0, 1, 2]}, "seeds 0, 1 and 2 of B, C and D, and seed 0 of A"),
    ({"A": [0], "B": [0]}, "seed 0 of A and B"),
    ({"A": [0, 1], "B": [0], "C": [1]}, "seeds 0 and 1 of A, seed 0 of B, and seed 1 of C"),
])
def test_seeds_phrase_names_each_group_of_seeds_once(seeds, phrase):
    assert calibration_tables.seeds_phrase(seeds) == phrase
