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
    assert row["test gain"] == "+0.50"
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
    assert glued["gain_adopted_err"] == pytest.approx(0.25)  # its paired 95% half-width, not its seed std (0.3)


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
    assert (compact["family"], compact["model"]) == ("MLP", "2 × 1024")
    assert (plain["family"], plain["model"]) == ("MLP", "width: 2 × 1024")  # the family in its own column, not in the name


def test_compact_table_tells_apart_one_label_in_two_chapters_and_notes_one_run_set_under_two_labels():
    summary = {"seeds": 3, "val_mean": 0.92, "val_std": 0.001, "test_mean": 0.91, "test_std": 0.002}
    other = {**summary, "val_mean": 0.93}
    rows = [Entry("04_regularization", "MLP", studies.SMOOTHING, "label smoothing 0.1", other),
            Entry("08_augmentation", "CNN", studies.CNN_AUGMENTATION_STUDY, "small CNN, no augmentation", summary),
            Entry("09_cnn", "CNN", studies.CNN, "small CNN, dropout 0", summary),
            Entry("12_beyond_accuracy", "MLP", studies.CALIBRATION, "label smoothing 0.1", summary)]
    by_source = {r["source"]: r for r in leaderboard_tables.table(rows, compact=True)[:4]}
    assert by_source["chapter\u00a04"]["model"] == "label smoothing 0.1 (a 2 × 512 MLP, 20 epochs, last epoch kept)"
    assert by_source["chapter\u00a012"]["model"] == "label smoothing 0.1 (a 2 × 512 MLP, all 20 epochs, best epoch restored)"
    assert "chapter\u00a08" not in by_source and "chapter\u00a09" in by_source  # one run set, one row: the later chapter's
    assert "seeds" not in by_source["chapter\u00a04"] and "note" not in by_source["chapter\u00a04"]  # the caption says it
    full = {r["source"]: r for r in leaderboard_tables.table(rows)}
    eight = full["this book, 08_augmentation"]  # the command line keeps the row and says why it repeats
    assert eight["model"].endswith("small CNN, no augmentation")  # the name names the model; the remark is a note
    assert eight["note"] == "the same runs as chapter 9's “small CNN, dropout 0”"  # found in the studies


def _summary(val, test, seeds=3, **more):
    return {"seeds": seeds, "val_mean": val, "val_std": 0.001, "test_mean": test, "test_std": 0.002, **more}


def _board():
    """One entry per family, out of order, as `all_entries` lists them (chapter by chapter)."""
    B, T = studies.BEST, studies.TRICKS
    ensemble = _summary(0.916, 0.9085, test_ece=0.0689, members_test_ece=0.0661, val_std=math.nan, test_std=math.nan)
    return [Entry("03_depth_width", "MLP", studies.WIDTH, "2 × 1024", _summary(0.9008, 0.8937)),
            Entry("09_cnn", "CNN", studies.CNN, "small CNN, dropout 0.5", _summary(0.9279, 0.9194)),
            Entry("10_best", "MLP", B, studies.STACKED_MLP_LABEL, _summary(0.9154, 0.9069)),
            Entry("10_best", "MLP taught by a CNN", B, studies.DISTILLED, _summary(0.9183, 0.9089)),
            Entry("10_best", "CNN", B, studies.BEST_CNN_LABEL, _summary(0.9478, 0.9433)),
            Entry("11_ceiling", "MLP", T, studies.EMA, _summary(0.9155, 0.9068)),
            Entry("02_baseline", leaderboard.CLASSICAL_FAMILY, studies.CLASSICAL, "logistic regression", _summary(0.8598, 0.8447, seeds=1)),
            Entry("02_baseline", leaderboard.CLASSICAL_FAMILY, studies.CLASSICAL, "SVM", _summary(0.9044, 0.8969, seeds=1)),
            Entry("12_beyond_accuracy", leaderboard.ENSEMBLE_FAMILY, B, "best MLP, probability average of 3 seeds", ensemble)]


@pytest.mark.parametrize("compact", [False, True])
def test_table_ranks_each_family_on_validation_and_names_every_rows_family(compact):
    rows = _board()
    out = leaderboard_tables.table(rows, compact=compact)
    ours = out[:len(rows)]
    # Families in a fixed order, each best validation first: rank 1 is the family's pick.
    families = [r["family"] for r in ours]
    classical = "classical" if compact else leaderboard.CLASSICAL_FAMILY
    assert families == ["MLP"] * 3 + [leaderboard.ENSEMBLE_FAMILY, "MLP taught by a CNN", "CNN", "CNN", classical, classical]
    if compact:  # a page's columns are narrow: the order and the caption say it
        assert all("rank" not in r for r in out)
    else:
        assert [r["rank"] for r in ours] == ["1", "2", "3", "1", "1", "1", "2", "1", "2"]
    for family in set(families):
        vals = [float(r["val acc %"].split("\u00a0")[0]) for r in ours if r["family"] == family]
        assert vals == sorted(vals, reverse=True)
    assert ours[0]["model"].endswith(studies.EMA) and ours[1]["model"].endswith(studies.STACKED_MLP_LABEL)
    assert ours[0]["model"].endswith(leaderboard.best(rows, "MLP").label)  # the book's pick heads its family
    # Every row names its family, ours and theirs; theirs, with no validation score, have no rank.
    assert all(r["family"] for r in out)
    theirs = out[len(rows):]
    assert len(theirs) == len(leaderboard.REPORT_CLAIMS) + len(leaderboard.PUBLISHED)
    assert all(r.get("rank", "") == "" and r["val acc %"] == ("–" if compact else "") for r in theirs)
    assert {r["family"] for r in theirs} == {"MLP", "CNN", "human"}
    assert all(("CNN" in r["model"]) == (r["family"] == "CNN") for r in theirs)
    order = {"MLP": 0, "CNN": 1, "human": 2}
    keys = [(order[r["family"]], -float(r["test acc %"])) for r in theirs]
    assert keys == sorted(keys)  # by family, best test accuracy first


@pytest.mark.parametrize("compact", [False, True])
def test_no_metric_inside_a_model_name(compact):
    out = leaderboard_tables.table(_board(), compact=compact)
    assert not any("%" in r["model"] or "ECE" in r["model"] or "val " in r["model"] for r in out)
    (ensemble,) = [r for r in out if r["family"] == leaderboard.ENSEMBLE_FAMILY]
    assert ensemble["model"].endswith("best MLP, probability average of 3 seeds")
    if compact:  # a page: no calibration (chapter 12's) and no note column
        assert "note" not in ensemble and "test ECE %" not in ensemble
    else:  # the command line: its own column
        assert ensemble["test ECE %"] == "6.89 (its seeds alone: 6.61)" and ensemble["note"] == ""
        assert all(r["test ECE %"] == "" for r in out if r is not ensemble)
    assert len({tuple(r) for r in out}) == 1  # one set of columns, every row


def test_headline_names_the_books_best_mlp_and_says_a_near_tie(tmp_path, monkeypatch):
    from fakes import gain_run
    from fmnist_lab.runs.store import Store
    from fmnist_lab.runs.summary import summarize

    B, T = studies.BEST, studies.TRICKS
    recipe = [gain_run(s, 0.906, val=0.9150 + 0.001 * (s == 1)) for s in range(3)]
    ema = [gain_run(s, 0.905, val=0.9152 + 0.001 * (s == 2)) for s in range(3)]
    runs = {(B, studies.STACKED_MLP_LABEL): recipe, (T, studies.EMA): ema}
    monkeypatch.setattr(leaderboard_tables, "best_mlp", lambda rows, store=None: leaderboard.best_mlp(rows, store, runs))
    rows = [Entry("10_best", "MLP", B, studies.STACKED_MLP_LABEL, summarize(recipe)),
            Entry("11_ceiling", "MLP", T, studies.EMA, summarize(ema)),
            Entry("10_best", "CNN", B, studies.BEST_CNN_LABEL, _summary(0.95, 0.94))]
    lines = leaderboard_tables.headline(rows, Store(tmp_path)).split("\n")
    b = leaderboard.best_mlp(rows, Store(tmp_path), runs)
    assert b.tied and b.pick is rows[1]
    assert lines == [f"MLP picked on validation: {studies.EMA} (chapter 11),", "  test 90.50% ± 0.00%",
                     f"  tied on validation with {studies.STACKED_MLP_LABEL} (chapter 10), named by the higher mean:",
                     f"  lead {report.signed(b.lead)} points, paired 95% interval {report.signed(b.lead - b.lead_ci)} to "
                     f"{report.signed(b.lead + b.lead_ci)}",
                     "CNN picked on validation: best CNN (chapter 10),", "  test 94.00% ± 0.20%"]
    assert all(len(line) <= 90 for line in lines)  # a page's code output shows them without scrolling
    # A clear lead is said as one; a lone MLP has nothing to be tied with.
    clear = [gain_run(s, 0.905, val=0.9250 + 0.0001 * s) for s in range(3)]
    runs[T, studies.EMA] = clear
    rows[1] = Entry("11_ceiling", "MLP", T, studies.EMA, summarize(clear))
    lines = leaderboard_tables.headline(rows, Store(tmp_path)).split("\n")
    assert lines[2] == f"  ahead of {studies.STACKED_MLP_LABEL} (chapter 10) on validation:" and lines[3].startswith("  lead +")
    assert len(leaderboard_tables.headline(rows[1:], Store(tmp_path)).split("\n")) == 4  # no runner-up: each pick and its test line
