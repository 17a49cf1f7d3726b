"""The book's study declarations (fmnist_lab.runs.studies): each varies one factor, labels are words
and unique, the shared and checkpointed runs are the ones the chapters rely on."""
from __future__ import annotations

import pytest

from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import experiments, studies


def test_regularization_study_varies_one_factor_and_trains_adam_without_decay_once():
    groups = studies.L2.configs()
    assert groups["AdamW, λ = 0"] == groups["Adam + L2, λ = 0"]
    base = groups["Adam + L2, λ = 0"][0]
    assert base.hidden == (512, 512) and base.early_stopping == "none"
    assert base.replace(weight_decay=1e-3) == groups["Adam + L2, λ = 10⁻³"][0]
    assert groups["AdamW, λ = 0.1"][0].optimizer == "adamw"
    assert studies.L2.labels(optimizer="adamw") == ["AdamW, λ = 10⁻⁵", "AdamW, λ = 10⁻⁴", "AdamW, λ = 10⁻³",
                                                     "AdamW, λ = 10⁻²", "AdamW, λ = 0.1"]


def test_optimizer_grid_gives_adamw_a_decay_so_it_is_not_adam():
    groups = studies.OPTIMIZER.configs()
    adamw, sgd = studies.OPTIMIZER.label(optimizer="adamw", lr=1e-3), studies.OPTIMIZER.label(optimizer="sgd", lr=1e-3)
    assert groups[adamw][0].weight_decay > 0 and groups[sgd][0].weight_decay == 0
    # the Adam 1e-3 cell is the very reference run the other chapters use
    adam = groups[studies.OPTIMIZER.label(optimizer="adam", lr=1e-3)][0]
    assert adam == experiments.shrink(REFERENCE.replace(seed=adam.seed))


def test_cnn_studies_share_the_unaugmented_cnn_and_checkpoint_the_headline_models():
    cnn = studies.CNN.configs()
    plain = studies.CNN_AUGMENTATION_STUDY.configs()["small CNN, no augmentation"]
    assert [c.key() for c in plain] == [c.key() for c in cnn["small CNN, dropout 0"]]
    assert {c.model for cfgs in cnn.values() for c in cfgs} == {"lenet", "cnn"}
    best = studies.BEST.configs()
    checkpointed = {c.key() for c in studies.checkpointed_configs("10_best")}
    every_seed = {c.key() for label in (studies.STACKED_MLP_LABEL, studies.BEST_CNN_LABEL) for c in best[label]}
    assert len(every_seed) == 2 * len(best[studies.STACKED_MLP_LABEL]) and checkpointed == every_seed  # every seed (ensembles); no ablation


def test_the_distilled_mlp_is_taught_by_the_committed_best_cnn_in_every_profile(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    student = studies.BEST.configs()[studies.DISTILLED][0]
    assert student.teacher == studies.BEST_CNN.replace(seed=0).key()  # the full-profile CNN, not its smoke copy
    assert student.replace(teacher=None, train_size=None, val_size=None, epochs=30) == studies.BEST_MLP_SHORT_PLAIN
    from fmnist_lab.runs.store import Store
    assert Store().checkpoint_path(student.teacher).is_file()


def test_labels_are_words_and_unique_within_each_study():
    for study in studies.STUDIES:
        assert len(set(study.groups)) == len(study.groups)
        for label in study.groups:
            assert "/" not in label and "_" not in label, label


def test_study_lookup_by_settings_and_derived_registries():
    assert studies.INIT.labels(hidden=studies.DEEP, batchnorm=True)[0] == "6 layers, N(0, 1), batch norm"
    assert studies.ranked_chapters()[0] == "03_depth_width"
    chapter_order = [s.chapter for s in studies.STUDIES]
    assert chapter_order == sorted(chapter_order)  # declared in book order
    with pytest.raises(ValueError, match="not a field of RunConfig"):
        studies.INIT.labels(depth=6)


def test_learning_rates_in_study_labels_are_written_as_lambda_is():
    assert "Adam, lr 10⁻³" in studies.OPTIMIZER.groups and "SGD, lr 0.1" in studies.OPTIMIZER.groups
    assert not any("0.001" in label or "0.0001" in label for label in studies.OPTIMIZER.groups)
    assert "batch 32, lr 10⁻²" in studies.BATCH_LR.groups and "batch 512, lr 0.03" in studies.BATCH_LR.groups
    assert studies.OPTIMIZER.label(optimizer="adam", lr=1e-4) == "Adam, lr 10⁻⁴"
