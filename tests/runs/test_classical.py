"""Chapter 2's classical classifiers as a study (fmnist_lab.runs.classical): profiles shrink the fits,
and each classifier is chosen on validation, never on test."""
import pytest

from fakes import KNN

from fmnist_lab.engine import estimators
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.runs import classical, experiments
from fmnist_lab.runs.classical import EstimatorResults, EstimatorStudy


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
