"""What a study is (fmnist_lab.runs.study): controls contained in their groups, checkpoints of every seed."""
import pytest

from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import studies
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.runs.study import Study, StudyResults


def test_every_group_of_a_study_with_a_control_has_one_that_it_contains():
    controlled = [s for s in studies.STUDIES if s.control is not None]
    assert {s.chapter for s in controlled} >= {"03_depth_width", "04_regularization", "05_activations",
                                                 "06_init_batchnorm", "07_optimizers", "08_augmentation"}
    for study in controlled:
        for label in study.groups:
            control = study.control_of(label)
            assert control in study.groups
            differs = {f for f in study.varies if getattr(study.groups[label], f) != getattr(study.groups[control], f)}
            assert study.groups[label].replace(**{f: getattr(study.groups[control], f) for f in differs}) == study.groups[control]
    assert studies.INIT.control_of("6 layers, Kaiming normal, batch norm") == "6 layers, PyTorch default"
    assert studies.BATCH_LR.control_of("batch 512, lr 0.1") == "batch 128, lr 0.1"
    assert studies.BATCH_LR.control_of("batch 512, lr 10⁻²") == "batch 128, lr 10⁻²"
    with pytest.raises(ValueError, match="no control"):
        studies.CNN.control_of("LeNet-style CNN")


def test_all_seeds_checkpoints_every_seed_of_the_labels_only():
    study = Study("s", "11_ceiling", "t", {"a": REFERENCE, "b": REFERENCE.replace(lr=2e-3)}, checkpoint=("a",), all_seeds=True)
    keys = [c.key() for c in study.checkpoint_configs()]
    assert keys == [c.key() for c in study.configs()["a"]] and len(keys) == len(study.configs()["a"])
    assert len(Study("s", "x", "t", {"a": REFERENCE}, checkpoint=("a",)).checkpoint_configs()) == 1


def _fit(cfg, val: float, test: float) -> dict:
    return {"key": cfg.key(), "config": cfg.to_dict(), "params": 10, "seconds_per_epoch": 1.0, "diverged": False,
            "final_epoch": 1, "val": {"acc": val}, "test": {"acc": test},
            "history": {"val_acc": [val], "train_eval_acc": [1.0]}, "provenance": {"wall_seconds": 1.0}}


def test_a_study_of_classifiers_picks_each_one_on_validation_never_on_test():
    low, high, knn = EstimatorConfig("svm", {"C": 1.0}), EstimatorConfig("svm", {"C": 10.0}), EstimatorConfig("knn", {"n_neighbors": 5})
    study = Study("toy", "02_baseline", "toy", {"SVM, C = 1": low, "SVM, C = 10": high, "kNN, k = 5": knn})
    assert study.kind is EstimatorConfig and study.labels(estimator="svm") == ["SVM, C = 1", "SVM, C = 10"]
    results = StudyResults(study, {"SVM, C = 1": [_fit(low, 0.80, 0.95)], "SVM, C = 10": [_fit(high, 0.90, 0.85)],
                                   "kNN, k = 5": [_fit(knn, 0.70, 0.70)]})
    assert results.picks("estimator") == {"svm": "SVM, C = 10", "knn": "kNN, k = 5"}
    with pytest.raises(ValueError, match="mixes training runs and scikit-learn fits"):
        Study("bad", "02_baseline", "bad", {"a": low, "b": REFERENCE})
    with pytest.raises(ValueError, match="not a field of EstimatorConfig"):
        study.labels(hidden=(256,))
