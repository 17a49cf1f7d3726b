"""The leaderboard as a reader sees it (fmnist_lab.report.leaderboard_tables): the gains' table and
glue, the claims' glue, compact tables that name chapters in words."""
import math

import pytest

from fakes import gains_of
from fakes import width_runs  # noqa: F401  (fixtures)

from fmnist_lab import report
from fmnist_lab.analysis import leaderboard
from fmnist_lab.analysis.leaderboard import Entry, Gain
from fmnist_lab.report import leaderboard_tables
from fmnist_lab.runs import studies


def test_gains_table_states_control_interval_and_seeds(width_runs):
    (row,) = leaderboard_tables.gains_table(gains_of(width_runs))
    assert row["change"] == "width: 2 × 1024" and row["measured against"] == "2 × 256: the reference MLP"
    low, high = 0.5 - 4.303 * 0.5 / math.sqrt(3), 0.5 + 4.303 * 0.5 / math.sqrt(3)
    assert row["test gain (points)"] == "+0.50"
    assert row["95% interval"] == f"{report.signed(low)}\u00a0to\u00a0{report.signed(high)}"  # one unbreakable phrase
    assert "\u2212" in row["95% interval"]  # a real minus sign
    assert row["seeds better"] == "2 of 3"


def test_glue_gains_names_the_ranking_the_clear_gains_and_the_adopted_sum(glued):
    W, A = studies.WIDTH, studies.ACTIVATION
    ranked = [Gain("", 0.5, 0.1, 0.8, 0.3, 8.0, W, "2 × 1024", "2 × 256", "2 × 256: the reference MLP", (0.8, 0.7, 0.9), 0.25),
              Gain("", 0.4, 0.1, 0.6, 0.4, 1.5, A, "2 layers, leaky ReLU", "2 layers, ReLU", "2 layers, ReLU: the reference MLP",
                   (0.8, -0.1, 1.1), 1.5)]
    leaderboard_tables.glue_gains(ranked, studies.BEST_MLP)
    assert glued["gain_top"] == "chapter 3's 2 × 1024" and glued["gain_last"] == "chapter 5's 2 layers, leaky ReLU"
    assert glued["gain_top_test"] == "+0.80" and glued["gain_top_cost"] == 8.0 and glued["gain_n"] == 2
    assert glued["gain_clear"] == "chapter 3's 2 × 1024"
    assert (glued["gain_seeds_better"], glued["gain_seed_pairs"]) == (5, 6)
    assert glued["gain_activation_rank"] == 2 and glued["gain_activation_low"] == "\u22120.90"
    assert glued["gain_adopted_n"] == 1 and glued["gain_adopted_sum"] == "+0.80" and glued["gain_controls"] == 1
    assert glued["gain_adopted_err"] == pytest.approx(0.3)


def test_glue_gains_does_nothing_without_gains(glued):
    leaderboard_tables.glue_gains([], studies.BEST_MLP)
    assert glued == {}


def test_best_claim_per_family_and_our_gap_to_it(glued):
    assert leaderboard.best_claim("MLP") == max((c for c in leaderboard.REPORT_CLAIMS if "CNN" not in c[1]), key=lambda c: c[2])
    assert "CNN" in leaderboard.best_claim("CNN")[1]
    source, _, theirs = leaderboard.best_claim("MLP")
    leaderboard_tables.glue_claims({"MLP": theirs + 0.01})
    assert glued["claim_mlp"] == theirs and glued["claim_mlp_source"] == source and glued["claim_mlp_gap"] == "+1.00"


def test_table_compact_names_chapters_in_words_and_keeps_numbers_on_one_line():
    rows = [Entry("03_depth_width", "MLP", studies.WIDTH, "2 × 1024",
                  {"seeds": 3, "val_mean": 0.9008, "val_std": 0.0016, "test_mean": 0.8937, "test_std": 0.0007})]
    plain, compact = leaderboard_tables.table(rows)[0], leaderboard_tables.table(rows, compact=True)[0]
    assert plain["source"] == "this book, 03_depth_width" and plain["test acc %"] == "89.37\u00a0±\u00a00.07"
    assert compact["source"] == "chapter\u00a03" and compact["test acc %"] == "89.37\u00a0±\u00a00.07"
    assert (compact["family"], compact["model"]) == ("MLP", "2 × 1024") and plain["model"] == "MLP — width: 2 × 1024"


def test_compact_table_tells_apart_one_label_in_two_chapters_and_one_run_set_under_two_labels():
    summary = {"seeds": 3, "val_mean": 0.92, "val_std": 0.001, "test_mean": 0.91, "test_std": 0.002}
    other = {**summary, "val_mean": 0.93}
    rows = [Entry("04_regularization", "MLP", studies.SMOOTHING, "label smoothing 0.1", other),
            Entry("08_augmentation", "CNN", studies.CNN_AUGMENTATION_STUDY, "small CNN, no augmentation", summary),
            Entry("09_cnn", "CNN", studies.CNN, "small CNN, dropout 0", summary),
            Entry("12_beyond_accuracy", "MLP", studies.CALIBRATION, "label smoothing 0.1", summary)]
    models = [r["model"] for r in leaderboard_tables.table(rows, compact=True)[:4]]
    assert models[0] == "label smoothing 0.1 (a 2 × 512 MLP, 20 epochs, last epoch kept)"
    assert models[3] == "label smoothing 0.1 (a 2 × 512 MLP, all 20 epochs, best epoch restored)"
    assert models[1] == "small CNN, no augmentation, the same runs as chapter 9's “small CNN, dropout 0”"  # found in the studies
    assert "seeds" not in leaderboard_tables.table(rows, compact=True)[0]  # the caption says it; a column of 3s is noise
