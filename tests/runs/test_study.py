"""What a study is (fmnist_lab.runs.study): controls contained in their groups, checkpoints of every seed."""
import pytest

from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import studies
from fmnist_lab.runs.study import Study


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
