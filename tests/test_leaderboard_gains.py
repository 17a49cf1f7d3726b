"""What mattered most (chapter 10): each pick against its own control, paired seed by seed, what
the gain is measured against in words, which picks a recipe adopts, and the glue the page reads."""
import math

import pytest

from fmnist_lab.runs import studies
from fmnist_lab.analysis import leaderboard
from fmnist_lab.engine import labels
from fmnist_lab.report import leaderboard_tables
from fmnist_lab import report
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs.summary import summarize
from fmnist_lab.analysis.leaderboard import Entry, Gain


def run(seed, test, val=None, device="Test CPU", wall=60.0):
    """A stored-result-shaped dict with what summarize and the pairing read."""
    val = test + 0.01 if val is None else val
    return {"key": f"k{seed}-{test}", "config": {"seed": seed}, "params": 1000, "seconds_per_epoch": 1.0,
            "diverged": False, "final_epoch": 1, "val": {"acc": val}, "test": {"acc": test, "predictions": "0"},
            "history": {"val_acc": [val], "val_loss": [0.5], "train_eval_acc": [val + 0.05]},
            "provenance": {"wall_seconds": wall, "device": "cpu", "device_name": device, "threads": 2}}


@pytest.fixture
def width_runs():
    """Chapter 3's width study: the 2 x 1024 pick against the 2 x 256 control, three seeds. Seed by
    seed the pick gains 1.0, 0.5 and 0.0 points (mean 0.5)."""
    W = studies.WIDTH
    pick = [run(0, 0.900), run(1, 0.895), run(2, 0.890, wall=60.0)]
    control = [run(2, 0.890, wall=20.0), run(0, 0.890, wall=20.0), run(1, 0.890, wall=20.0)]  # stored in another order
    return {(W, "2 × 1024"): pick, (W, "2 × 256"): control}


def gains_of(runs):
    (study, label), _ = next(iter(runs.items()))
    rows = [Entry(study.chapter, "MLP", study, label, summarize(runs[study, label]))]
    summaries = {key: summarize(results) for key, results in runs.items()}
    return leaderboard.gains(rows, summaries, runs=runs)


def test_gains_pair_each_pick_with_its_control_by_seed_not_by_position(width_runs):
    (g,) = gains_of(width_runs)
    assert g.test_seeds == pytest.approx((1.0, 0.5, 0.0))
    assert g.test == pytest.approx(0.5) and g.seeds_better == 2
    # paired 95% t-interval of (1.0, 0.5, 0.0): 4.303 * 0.5 / sqrt(3)
    assert g.test_ci == pytest.approx(4.303 * 0.5 / math.sqrt(3))
    assert not g.clear  # the interval spans zero
    assert g.interval("test") == g.test_ci  # the figure draws the paired interval, not the combined std
    assert math.isnan(g.val_ci) is False and g.interval("val") == g.val_ci
    assert g.same_machine and g.cost == pytest.approx(3.0)
    assert g.study is studies.WIDTH and (g.pick, g.control) == ("2 × 1024", "2 × 256")
    assert g.name == "width: 2 × 1024" and g.label == "2 × 1024 vs 2 × 256"
    assert g.phrase == "chapter 3's 2 × 1024"  # as a sentence names it


def test_a_gain_beyond_the_seed_noise_is_clear_and_mixed_machines_are_flagged(width_runs):
    W = studies.WIDTH
    width_runs[W, "2 × 1024"] = [run(s, 0.900 + 0.001 * s, device="Other CPU") for s in range(3)]
    (g,) = gains_of(width_runs)
    assert g.clear and g.seeds_better == 3
    assert g.same_machine is False


def test_gains_without_runs_keep_their_fields_and_leave_the_pairing_unknown(width_runs):
    (paired,) = gains_of(width_runs)
    rows = [Entry("03_depth_width", "MLP", studies.WIDTH, "2 × 1024", summarize(width_runs[studies.WIDTH, "2 × 1024"]))]
    (g,) = leaderboard.gains(rows, {k: summarize(v) for k, v in width_runs.items()})
    assert (g.label, g.val, g.test, g.test_err, g.cost) == (paired.label, paired.val, paired.test, paired.test_err, paired.cost)
    assert g.test_seeds == () and math.isnan(g.test_ci) and not g.clear and g.same_machine is None
    assert g.interval("test") == g.test_err and g.interval("val") == g.val_err  # unpaired: the combined std
    assert Gain("a vs b", 1.0, 0.1, 1.0, 0.1, 1.0).name == "a vs b"  # still buildable from the six numbers


def test_described_names_the_network_and_how_long_it_trained():
    assert labels.described(REFERENCE) == "the reference MLP"
    assert labels.described(studies.OVERFIT) == "a 2 × 512 MLP, 20 epochs, last epoch kept"
    assert labels.described(studies.SCHEDULE_BASE) == "the reference MLP, all 20 epochs, best epoch restored"
    assert labels.described(REFERENCE.replace(hidden=studies.DEEP)) == "a 6 × 256 MLP"
    assert labels.described(REFERENCE.replace(epochs=50)) == "the reference MLP, up to 50 epochs, patience 5"


def test_the_control_in_words_is_the_studys_control_group(width_runs):
    (g,) = gains_of(width_runs)
    assert g.against == "2 × 256: the reference MLP"


def test_adopted_by_reads_the_recipes_settings_and_treats_augmentations_as_a_set():
    def gain(study, pick):
        return Gain("", 0, 0, 0, 0, 1, study, pick, study.control_of(pick))
    recipe = studies.BEST_MLP
    assert gain(studies.WIDTH, "2 × 1024").adopted_by(recipe)
    assert gain(studies.AUGMENTATION, "erasing, 60 epochs").adopted_by(recipe)  # flip + erasing contains erasing
    assert not gain(studies.AUGMENTATION, "shift, 60 epochs").adopted_by(recipe)
    assert not gain(studies.ACTIVATION, "2 layers, leaky ReLU").adopted_by(recipe)
    assert not gain(studies.INIT, "6 layers, Kaiming normal, batch norm").adopted_by(recipe)  # batch norm yes, init no


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


def test_val_test_gaps_count_the_entries_where_test_is_lower():
    def entry(val, test):
        return Entry("c", "MLP", studies.WIDTH, "2 × 256", {"val_mean": val, "test_mean": test})
    gaps = leaderboard.val_test_gaps([entry(0.90, 0.89), entry(0.90, 0.905)])
    assert gaps["rows"] == 2 and gaps["test_lower"] == 1
    assert gaps["gap_min"] == pytest.approx(-0.5) and gaps["gap_max"] == pytest.approx(1.0) and gaps["gap_mean"] == pytest.approx(0.25)
    assert leaderboard.val_test_gaps([])["rows"] == 0


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
