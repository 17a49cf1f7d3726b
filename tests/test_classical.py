"""Classical classifiers (scikit-learn) stored like training runs: identity, records, selection,
and what `status`, `run`, the worker task and the leaderboard make of them."""
import json

import pytest

from fmnist_lab.runs import experiments
from fmnist_lab.runs import studies
from fmnist_lab.runs import classical
from fmnist_lab.engine import estimators
from fmnist_lab.analysis import predictions as predict
from fmnist_lab.runs import summary
from fmnist_lab import cli
from fmnist_lab.runs import executors
from fmnist_lab.analysis import leaderboard
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.runs.classical import EstimatorResults, EstimatorStudy
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs.store import CorruptResult, Store, config_from_dict

TINY = dict(train_size=300, val_size=200)  # a fit in well under a second
KNN = EstimatorConfig("knn", {"n_neighbors": 3}, pca=10, **TINY)


def every_run_key() -> set[str]:
    return {cfg.key() for profile in experiments.PROFILES.values() for study in studies.STUDIES
            for cfgs in study.configs(profile).values() for cfg in cfgs}


def test_keys_are_stable_and_never_those_of_training_runs():
    # Pinned: a change to how a fit is keyed would orphan every stored fit.
    assert EstimatorConfig("svm", {"C": 10.0}, pca=100).key() == "cce5d673d581ddf8"
    same = EstimatorConfig("mlp", {"alpha": 1e-4, "hidden_layer_sizes": [256, 256]})
    assert same.key() == EstimatorConfig("mlp", {"hidden_layer_sizes": (256, 256), "alpha": 1e-4}).key()
    assert same.key() != same.replace(seed=1).key() != same.replace(pca=50).key()
    assert EstimatorConfig.from_dict(json.loads(json.dumps(same.to_dict()))) == same
    fits = [cfg.key() for profile in experiments.PROFILES.values() for cfg in classical.CLASSICAL.all_configs(profile)]
    assert len(set(fits)) == len(fits) and not set(fits) & every_run_key()


def test_a_stored_config_says_which_kind_it_is():
    assert config_from_dict(KNN.to_dict()) == KNN
    assert config_from_dict(RunConfig().to_dict()) == RunConfig()
    with pytest.raises(ValueError, match="unknown RunConfig fields: .*kind"):
        RunConfig.from_dict(KNN.to_dict())
    with pytest.raises(ValueError, match="unknown configuration kind"):
        config_from_dict({**KNN.to_dict(), "kind": "gradient boosting"})
    with pytest.raises(ValueError, match="choose one of"):
        EstimatorConfig("boosting")


def test_a_fit_is_a_record_the_store_validates_and_refuses_once_changed(tmp_path, recwarn):
    result = estimators.fit(KNN)
    store = Store(tmp_path)
    store.save(result)
    loaded = store.load(KNN)
    assert loaded["key"] == KNN.key() and loaded["fit_seconds"] > 0 and loaded["provenance"]["threads"] == 1
    predicted = [int(c) for c in loaded["test"]["predictions"]]
    assert sum(p == y for p, y in zip(predicted, predict.labels("test"))) / len(predicted) == loaded["test"]["acc"]
    assert sum(map(sum, loaded["val"]["confusion"])) == KNN.val_size
    assert summary.summarize([loaded])["val_mean"] == loaded["val"]["acc"]  # selection reads it like a run

    tampered = {**loaded, "test": {**loaded["test"], "acc": 0.99}}
    store.path(KNN.key()).write_text(json.dumps(tampered))
    assert store.load(KNN) is None and "checksum" in str(recwarn.pop(UserWarning).message)
    body = {k: v for k, v in result.items() if k != "fit_seconds"}
    with pytest.raises(CorruptResult, match="fit_seconds"):
        store.check_record(KNN, body)
    with pytest.raises(CorruptResult, match="engine version"):
        store.check_record(KNN, {**result, "engine_version": "0"})


def test_a_fit_is_deterministic_given_its_seed():
    forest = EstimatorConfig("forest", {"n_estimators": 5}, **TINY)

    def outcome(cfg):
        r = estimators.fit(cfg)
        return r["test"]["predictions"], r["val"], r["params"]

    assert outcome(forest) == outcome(forest)
    assert outcome(forest) != outcome(forest.replace(seed=1))


def test_profiles_shrink_fits_and_give_seeds_only_to_randomized_estimators():
    smoke, full = experiments.PROFILES["smoke"], experiments.PROFILES["full"]
    svm, forest = EstimatorConfig("svm", {"C": 1.0}, pca=50), EstimatorConfig("forest", {"n_estimators": 100})
    assert classical.seeded(svm, full) == [svm] and [c.seed for c in classical.seeded(forest, full)] == list(full.seeds)
    (small,) = classical.seeded(svm, smoke)
    assert (small.train_size, small.val_size, small.iteration_cap) == (smoke.train_size, smoke.val_size, None)
    assert classical.shrink(forest, smoke).iteration_cap == smoke.max_epochs  # at most 2 trees
    assert estimators.build(classical.shrink(forest, smoke)).get_params()["n_estimators"] == smoke.max_epochs


def fake_run(cfg: EstimatorConfig, val: float, test: float) -> dict:
    return {"key": cfg.key(), "config": cfg.to_dict(), "params": 10, "seconds_per_epoch": 1.0, "diverged": False,
            "final_epoch": 1, "val": {"acc": val}, "test": {"acc": test},
            "history": {"val_acc": [val], "train_eval_acc": [1.0]}, "provenance": {"wall_seconds": 1.0}}


def test_each_classifier_is_chosen_on_validation_never_on_test():
    low, high = EstimatorConfig("svm", {"C": 1.0}), EstimatorConfig("svm", {"C": 10.0})
    study = EstimatorStudy("toy", "02_baseline", "toy", {"SVM": {"C = 1": low, "C = 10": high}})
    results = EstimatorResults(study, {("SVM", "C = 1"): [fake_run(low, 0.80, 0.95)],
                                       ("SVM", "C = 10"): [fake_run(high, 0.90, 0.85)]})
    assert results.picks == {"SVM": "C = 10"}
    with pytest.raises(ValueError, match="mixes estimators"):
        EstimatorStudy("bad", "02_baseline", "bad", {"SVM": {"a": low, "b": KNN}})


@pytest.fixture
def tiny_study(monkeypatch):
    """Chapter 2's classical study replaced by two kNN fits on a few hundred images."""
    study = EstimatorStudy("classical", "02_baseline", "baselines",
                           {"k-nearest neighbours": {f"k = {k}": KNN.replace(hyperparameters={"n_neighbors": k})
                                                     for k in (1, 5)}})
    monkeypatch.setattr(classical, "STUDIES", (study,))
    monkeypatch.setattr(classical, "CLASSICAL", study)
    return study


def test_status_counts_a_missing_fit_run_fits_it_and_no_train_refuses(tiny_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    monkeypatch.setenv("FMNIST_PROGRESS", "0")
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: [])  # only the fits: seconds, not minutes
    first = tiny_study.all_configs()[0]
    assert cli.main(["status", "--chapter", "02_baseline", "-v"]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "missing runs: 2" and f"missing {first.key()}  knn" in out
    monkeypatch.setenv("FMNIST_NO_TRAIN", "1")
    with pytest.raises(experiments.NotTrained, match=first.key()):
        classical.load(quiet=True)
    monkeypatch.delenv("FMNIST_NO_TRAIN")
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0
    assert cli.main(["run", "--chapter", "02_baseline"]) == 0
    assert "2 of 2 runs found in store, skipping training." in capsys.readouterr().out
    assert cli.main(["status", "--chapter", "02_baseline"]) == 0
    assert Store(tmp_path).keys() == {cfg.key() for cfg in tiny_study.all_configs()}


def test_a_worker_fits_an_estimator_and_returns_no_weights(tmp_path):
    record, weights = executors.train_task(KNN.to_dict(), KNN.key(), keep_weights=True)
    assert weights is None and Store(tmp_path).check_record(KNN, record)["key"] == KNN.key()
    with pytest.raises(ValueError, match="install the same version"):
        executors.train_task(KNN.to_dict(), "0" * 16)


def test_the_leaderboard_lists_each_classifiers_pick_and_the_seed_ensemble(tiny_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    store = Store(tmp_path)
    fits = classical.load(tiny_study, store, quiet=True)
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
    pick = fits.picks["k-nearest neighbours"]
    assert [line for line in lines if "classical (scikit-learn)" in line] == [
        line for line in lines if f"classical (scikit-learn) — baselines: k-nearest neighbours, {pick}" in line]
    assert any("MLP ensemble — best models: best MLP, probability average of 2 seeds" in line for line in lines)
    assert "test ECE %" in lines[0]
    assert lines[-2:] == ["MLP picked on validation: not trained", "CNN picked on validation: not trained"]

    store.checkpoint_path(keys[-1]).unlink()  # one seed's weights missing: no ensemble row
    assert leaderboard.ensemble_entry(store) is None
