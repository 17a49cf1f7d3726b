"""scikit-learn fits (fmnist_lab.engine.estimators): stable keys never shared with a training run,
a fit's record and its determinism, and settings in a reader's words."""
import json

import pytest

from fakes import KNN, TINY_FIT

from fmnist_lab.analysis import predictions as predict
from fmnist_lab.engine import estimators
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.runs import experiments, studies, summary
from fmnist_lab.runs.store import CorruptResult, Store


def every_run_key() -> set[str]:
    return {cfg.key() for profile in experiments.PROFILES.values() for study in studies.STUDIES if study is not studies.CLASSICAL
            for cfgs in study.configs(profile).values() for cfg in cfgs}


def test_keys_are_stable_and_never_those_of_training_runs():
    # Pinned: a change to how a fit is keyed would orphan every stored fit.
    assert EstimatorConfig("svm", {"C": 10.0}, pca=100).key() == "cce5d673d581ddf8"
    same = EstimatorConfig("mlp", {"alpha": 1e-4, "hidden_layer_sizes": [256, 256]})
    assert same.key() == EstimatorConfig("mlp", {"hidden_layer_sizes": (256, 256), "alpha": 1e-4}).key()
    assert same.key() != same.replace(seed=1).key() != same.replace(pca=50).key()
    assert EstimatorConfig.from_dict(json.loads(json.dumps(same.to_dict()))) == same
    fits = [cfg.key() for profile in experiments.PROFILES.values() for cfgs in studies.CLASSICAL.configs(profile).values() for cfg in cfgs]
    assert len(set(fits)) == len(fits) and not set(fits) & every_run_key()


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
    forest = EstimatorConfig("forest", {"n_estimators": 5}, **TINY_FIT)

    def outcome(cfg):
        r = estimators.fit(cfg)
        return r["test"]["predictions"], r["val"], r["params"]

    assert outcome(forest) == outcome(forest)
    assert outcome(forest) != outcome(forest.replace(seed=1))


def test_classical_settings_are_in_a_readers_words_not_scikit_learns():
    labels = list(studies.CLASSICAL.groups)
    assert not any(name in label for label in labels for name in ("n_neighbors", "max_features", "alpha", "sqrt", "log2"))
    knn = estimators.EstimatorConfig("knn", {"n_neighbors": 10}, pca=50)
    assert knn.settings() == "10 neighbours, 50 PCA components"
    assert estimators.EstimatorConfig("knn", {"n_neighbors": 1}).settings() == "1 neighbour"
    assert estimators.EstimatorConfig("forest", {"max_features": "sqrt"}).settings() == "28 of 784 pixels per split"
    assert estimators.EstimatorConfig("forest", {"max_features": "log2"}, pca=100).settings() == "6 of 100 components per split, 100 PCA components"
    assert estimators.EstimatorConfig("mlp", {"alpha": 1e-4}).settings() == "L2 penalty α = 10⁻⁴"
    assert estimators.EstimatorConfig("svm", {"C": 10.0}, pca=100).settings() == "C = 10, 100 PCA components"
