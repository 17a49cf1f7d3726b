"""The leaderboard (fmnist_lab.analysis.leaderboard): each pick against its own control, paired seed
by seed, the claims table, the classical picks and the seed ensemble."""
import math

import pytest

from fakes import gain_run, gains_of
from fakes import tiny_study, width_runs  # noqa: F401  (fixtures)

from fmnist_lab import cli
from fmnist_lab.analysis import leaderboard, predictions as predict
from fmnist_lab.analysis.leaderboard import Entry, Gain
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs import experiments, studies
from fmnist_lab.runs.store import Store
from fmnist_lab.runs.summary import summarize


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
    width_runs[W, "2 × 1024"] = [gain_run(s, 0.900 + 0.001 * s, device="Other CPU") for s in range(3)]
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


def test_val_test_gaps_count_the_entries_where_test_is_lower():
    def entry(val, test, label="2 × 512", study=studies.WIDTH):  # a label no later chapter repeats
        return Entry(study.chapter, "MLP", study, label, {"val_mean": val, "test_mean": test})
    gaps = leaderboard.val_test_gaps([entry(0.90, 0.89), entry(0.90, 0.905, "2 × 1024")])
    assert gaps["rows"] == 2 and gaps["test_lower"] == 1
    assert gaps["gap_min"] == pytest.approx(-0.5) and gaps["gap_max"] == pytest.approx(1.0) and gaps["gap_mean"] == pytest.approx(0.25)
    assert leaderboard.val_test_gaps([])["rows"] == 0
    # chapter 8's CNN without augmentation is chapter 9's CNN without dropout: one run set, counted once
    twins = [entry(0.93, 0.92, "small CNN, no augmentation", studies.CNN_AUGMENTATION_STUDY), entry(0.93, 0.92, "small CNN, dropout 0", studies.CNN)]
    assert leaderboard.val_test_gaps(twins)["rows"] == 1


def test_gains_compare_each_pick_with_its_own_control_and_rank_by_test():
    from fmnist_lab.analysis.leaderboard import Entry, gains

    def summary(val, test, std=0.003, wall=60.0):
        return {"val_mean": val, "val_std": std, "test_mean": test, "test_std": std, "wall_seconds": wall}

    W, S, A = studies.WIDTH, studies.SMOOTHING, studies.AUGMENTATION
    picks = [(W, "2 × 1024", summary(0.901, 0.894)), (S, "label smoothing 0.1", summary(0.905, 0.898)),
             (A, "erasing, 60 epochs", summary(0.902, 0.891))]
    summaries = {(W, "2 × 256"): summary(0.894, 0.886, std=0.004, wall=20.0),
                 # chapter 4's control is its own 2 x 512 network without smoothing, not the reference MLP
                 (S, "label smoothing 0"): summary(0.899, 0.895),
                 (A, "no augmentation, 60 epochs"): summary(0.900, 0.893), (A, "no augmentation, 20 epochs"): summary(0.8, 0.8)}
    rows = [Entry(study.chapter, "MLP", study, label, s) for study, label, s in picks]
    rows += [Entry("08_augmentation", "CNN", studies.CNN_AUGMENTATION_STUDY, "small CNN, flip + shift + erasing",
                   summary(0.925, 0.917)),  # not an MLP
             Entry("10_best", "MLP", studies.BEST, "best MLP", summary(0.915, 0.906))]  # not a one-factor study
    ranked = gains(rows, summaries)
    assert [g.label for g in ranked] == ["2 × 1024 vs 2 × 256", "label smoothing 0.1 vs label smoothing 0",
                                         "erasing, 60 epochs vs no augmentation, 60 epochs"]
    assert ranked[0].val == pytest.approx(0.7) and ranked[0].test == pytest.approx(0.8)
    assert ranked[0].test_err == pytest.approx(0.5)  # hypot(0.3, 0.4) points
    assert ranked[0].cost == pytest.approx(3.0)  # 60 s per seed against the control's 20 s
    assert ranked[1].test == pytest.approx(0.3)  # against 0.895, not against the width-256 network
    assert ranked[-1].test == pytest.approx(-0.2)  # a loss stays a loss; the 60-epoch control, not 20


def test_the_leaderboard_lists_each_classifiers_pick_and_the_seed_ensemble(tiny_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    store = Store(tmp_path)
    fits = studies.load("02_baseline", store, quiet=True).classical
    recipe = RunConfig(hidden=(16,), epochs=1, train_size=500)  # the "best MLP" whose seeds are averaged
    members = experiments.seeded(recipe)
    monkeypatch.setattr(studies, "BEST_MLP", recipe)
    monkeypatch.setattr(leaderboard, "entries", lambda store=None: [])  # no chapter's MLPs: the headline says "not trained"
    assert leaderboard.ensemble_entry(store) is None  # nothing stored yet
    experiments.ensure(members, store, checkpoint_keys=[c.key() for c in members], quiet=True)

    entry = leaderboard.ensemble_entry(store)
    keys = [c.key() for c in members]
    mean = sum(predict.probabilities(k, "test", store_root=str(tmp_path)) for k in keys) / len(keys)
    assert entry.family == "MLP ensemble" and entry.summary["seeds"] == len(members)
    assert entry.summary["test_mean"] == pytest.approx((mean.argmax(1) == predict.labels("test")).mean())
    assert 0 < entry.summary["test_ece"] < 1

    assert cli.main(["leaderboard"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    pick = fits.picks("estimator")["knn"]
    assert pick.startswith("k-nearest neighbours, ") and [line for line in lines if "classical (scikit-learn)" in line] == [
        line for line in lines if line.startswith("classical (scikit-learn)") and f"baselines: {pick}" in line]
    assert any(line.startswith("MLP ensemble") and "best models: stacked MLP, probability average of 2 seeds" in line for line in lines)
    assert "test ECE %" in lines[0] and lines[0].split()[:2] == ["family", "rank"]
    assert lines[-2:] == ["MLP picked on validation: not trained", "CNN picked on validation: not trained"]

    store.checkpoint_path(keys[-1]).unlink()  # one seed's weights missing: no ensemble row
    assert leaderboard.ensemble_entry(store) is None


def test_same_model_is_one_configuration_or_one_trained_again_keeping_another_epoch():
    S, C, B, T = studies.SMOOTHING, studies.CALIBRATION, studies.BEST, studies.TRICKS
    assert leaderboard.same_model(B.groups[studies.STACKED_MLP_LABEL], T.groups[studies.STACKED_MLP_LABEL])  # one set of runs
    # Chapter 12 trains chapter 4's pair again, every epoch run, the best one kept instead of the last.
    assert S.groups["label smoothing 0.1"].key() != C.groups["label smoothing 0.1"].key()
    assert leaderboard.same_model(S.groups["label smoothing 0.1"], C.groups["label smoothing 0.1"])
    assert not leaderboard.same_model(S.groups["label smoothing 0.1"], C.groups["label smoothing 0"])
    assert not leaderboard.same_model(B.groups[studies.STACKED_MLP_LABEL], T.groups[studies.EMA])
    whole = S.groups["label smoothing 0.1"]
    cut = whole.replace(early_stopping="val_acc", patience=3)  # may stop early: another training, not the same model
    assert not leaderboard.same_model(whole, cut)


def test_entries_list_a_model_once_under_the_first_chapter_that_selects_it(monkeypatch, tmp_path):
    """Chapter 12's pick is chapter 4's network trained again, and chapter 11's may be chapter 10's
    recipe itself: each is listed once, where it was first selected, and a chapter whose pick is
    another model keeps its row."""
    S, C, B, T = studies.SMOOTHING, studies.CALIBRATION, studies.BEST, studies.TRICKS

    def runs(val):
        return [gain_run(s, val - 0.01, val=val) for s in range(3)]

    val = {(S, "label smoothing 0"): 0.899, (S, "label smoothing 0.1"): 0.904,
           (B, studies.STACKED_MLP_LABEL): 0.9160, (B, studies.BEST_CNN_LABEL): 0.948,
           (T, studies.STACKED_MLP_LABEL): 0.9160, (T, studies.EMA): 0.9150,
           (C, "label smoothing 0"): 0.901, (C, "label smoothing 0.1"): 0.903}
    chapters = {"04_regularization": [S], "10_best": [B], "11_ceiling": [T], "12_beyond_accuracy": [C]}
    monkeypatch.setattr(studies, "CHAPTERS", chapters)
    monkeypatch.setattr(leaderboard, "chapter_groups", lambda chapter, store: {
        key: runs(v) for key, v in val.items() if key[0] in chapters[chapter]})
    rows = leaderboard.entries(Store(tmp_path))
    assert [(e.chapter, e.family, e.label) for e in rows] == [
        ("04_regularization", "MLP", "label smoothing 0.1"),
        ("10_best", "MLP", studies.STACKED_MLP_LABEL), ("10_best", "CNN", studies.BEST_CNN_LABEL)]
    val[T, studies.EMA] = 0.9170  # a trick that validates higher is a model of its own
    rows = leaderboard.entries(Store(tmp_path))
    assert ("11_ceiling", "MLP", studies.EMA) in [(e.chapter, e.family, e.label) for e in rows]
    assert leaderboard.best(rows, "MLP").label == studies.EMA


def test_claim_reads_one_entry_of_the_claims_table():
    report, model, accuracy = leaderboard.REPORT_CLAIMS[0]
    assert leaderboard.claim(report, model) == accuracy
    with pytest.raises(KeyError):
        leaderboard.claim("Report Z", "nothing")


def test_the_books_best_mlp_is_the_validation_pick_and_a_near_tie_is_reported_not_resolved(tmp_path):
    """The rule: the MLP rows' highest mean validation accuracy; the runner-up is the next MLP row with
    other runs (chapter 11 lists chapter 10's recipe again under its own label); a lead whose paired
    95% interval includes zero is a tie, and the pick stays the pick."""
    B, T = studies.BEST, studies.TRICKS
    recipe = [gain_run(s, 0.906, val=0.9150 + 0.001 * (s == 1)) for s in range(3)]
    ema = [gain_run(s, 0.905, val=0.9152 + 0.001 * (s == 2)) for s in range(3)]
    runs = {(B, studies.STACKED_MLP_LABEL): recipe, (T, studies.EMA): ema, (T, studies.STACKED_MLP_LABEL): recipe}
    rows = [Entry("10_best", "MLP", B, studies.STACKED_MLP_LABEL, summarize(recipe)),
            Entry("11_ceiling", "MLP", T, studies.EMA, summarize(ema)),
            Entry("10_best", "MLP taught by a CNN", B, studies.DISTILLED, summarize([gain_run(s, 0.91, val=0.93) for s in range(3)])),
            Entry("10_best", "CNN", B, studies.BEST_CNN_LABEL, summarize([gain_run(s, 0.94, val=0.95) for s in range(3)]))]
    b = leaderboard.best_mlp(rows, Store(tmp_path), runs)
    assert b.pick is rows[1] and b.pick is leaderboard.best(rows, "MLP")  # never the taught MLP, though it validates higher
    assert b.runner_up is rows[0] and b.lead == pytest.approx(0.02) and b.tied  # +0.02 ± far more: a tie
    clear = [gain_run(s, 0.905, val=0.9250 + 0.0001 * s) for s in range(3)]
    runs[T, studies.EMA] = clear
    rows[1] = Entry("11_ceiling", "MLP", T, studies.EMA, summarize(clear))
    b = leaderboard.best_mlp(rows, Store(tmp_path), runs)
    assert b.lead > b.lead_ci and not b.tied
    # Runs not stored: the two means, no interval, read as a tie; a single MLP row has no runner-up.
    unpaired = leaderboard.best_mlp(rows, Store(tmp_path))
    assert unpaired.lead == pytest.approx(100 * (rows[1].summary["val_mean"] - rows[0].summary["val_mean"])) and unpaired.tied
    alone = leaderboard.best_mlp(rows[1:], Store(tmp_path))
    assert alone.runner_up is None and not alone.tied
    assert leaderboard.best_mlp(rows[2:], Store(tmp_path)) is None
