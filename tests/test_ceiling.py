"""Chapter 11's tricks (weight averaging, mixup, consistent distillation) and its analysis helpers."""
import copy
import math

import pandas as pd
import pytest
import torch

from fmnist_lab.runs import studies
from fmnist_lab.analysis import ceiling
from fmnist_lab.analysis import cost
from fmnist_lab.engine.config import REFERENCE, RunConfig
from fmnist_lab.runs.study import Study
from fmnist_lab.engine.train import mix, teacher_scores, train


def test_new_fields_leave_every_stored_key_alone_until_set():
    assert REFERENCE.key() == "af3e3bc92e20ec5b" and studies.BEST_MLP.key() == "c2dbbc5167a6ba77"
    assert "mixup" not in REFERENCE.canonical_json() and "ema" not in REFERENCE.canonical_json()
    keys = {REFERENCE.key(), REFERENCE.replace(mixup=0.2).key(), REFERENCE.replace(ema=0.999).key(),
            REFERENCE.replace(mixup=0.2, ema=0.999).key()}
    assert len(keys) == 4


@pytest.mark.parametrize("field,value", [("mixup", -0.1), ("mixup", True), ("ema", 1.0), ("ema", -0.5)])
def test_invalid_trick_settings_are_refused_in_one_line(field, value):
    with pytest.raises(ValueError, match=f"RunConfig.{field}="):
        RunConfig(**{field: value})


def test_weight_averaging_is_what_is_scored_and_returned(tiny):
    """The model returned is the average, not the last weights: its state differs from an unaveraged
    run's, and re-scoring the returned model reproduces the stored validation accuracy."""
    cfg = tiny.replace(batchnorm=True, ema=0.9, early_stopping="none")
    averaged, model = train(cfg, progress=False)
    plain, plain_model = train(cfg.replace(ema=0.0), progress=False)
    assert averaged["history"]["train_loss"] == plain["history"]["train_loss"]  # the same optimisation path
    assert averaged["val"]["acc"] != plain["val"]["acc"]  # scored on other weights
    w_avg, w_plain = model.state_dict(), plain_model.state_dict()
    assert not torch.equal(w_avg["1.weight"], w_plain["1.weight"])
    assert "n_averaged" not in " ".join(w_avg)  # a plain network's state: loadable as a checkpoint of cfg
    from fmnist_lab.engine.checkpoints import _checked
    _checked(__import__("pathlib").Path(f"{cfg.key()}.pt"), {"config": cfg.to_dict(), "state_dict": w_avg})


def test_mixup_blends_pairs_with_one_weight_per_batch():
    import random
    x = torch.arange(8.0).reshape(4, 1, 1, 2)
    cfg = REFERENCE.replace(mixup=0.4)
    mixed, partner, weight = mix(x, cfg, torch.Generator().manual_seed(0), random.Random(0))
    assert 0.0 <= weight <= 1.0 and sorted(partner.tolist()) == [0, 1, 2, 3]
    assert torch.allclose(mixed, weight * x + (1 - weight) * x[partner])


def test_mixup_training_is_deterministic_and_differs_from_plain(tiny):
    a, _ = train(tiny.replace(mixup=0.2), progress=False)
    b, _ = train(tiny.replace(mixup=0.2), progress=False)
    c, _ = train(tiny, progress=False)
    assert a["history"]["train_loss"] == b["history"]["train_loss"]
    assert a["history"]["train_loss"] != c["history"]["train_loss"]


def test_consistent_teacher_scores_the_batch_the_student_sees():
    """With augmentation or mixup the teacher must score the inputs it is handed (not a table of the
    clean images looked up by index): a table would silently teach the wrong targets."""
    teacher_cfg = REFERENCE.replace(hidden=(8,))
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    x = torch.rand(6, 1, 28, 28)
    for student in (REFERENCE.replace(teacher=teacher_cfg.key(), mixup=0.2),
                    REFERENCE.replace(teacher=teacher_cfg.key(), augment=("hflip",))):
        score = teacher_scores(student, (net, teacher_cfg), x, torch.device("cpu"))
        other = torch.rand(2, 1, 28, 28)
        assert torch.allclose(score(torch.tensor([0, 1]), other), net(other))


def test_all_seeds_checkpoints_every_seed_of_the_labels_only():
    study = Study("s", "11_ceiling", "t", {"a": REFERENCE, "b": REFERENCE.replace(lr=2e-3)}, checkpoint=("a",), all_seeds=True)
    keys = [c.key() for c in study.checkpoint_configs()]
    assert keys == [c.key() for c in study.configs()["a"]] and len(keys) == len(study.configs()["a"])
    assert len(Study("s", "x", "t", {"a": REFERENCE}, checkpoint=("a",)).checkpoint_configs()) == 1


def _run(seed, val, test, minutes=1.0, threads=2):
    return {"config": {"seed": seed}, "val": {"acc": val}, "test": {"acc": test},
            "provenance": {"wall_seconds": 60 * minutes / threads, "threads": threads}}


def test_trick_gains_pair_by_seed():
    control = [_run(0, 0.90, 0.89), _run(1, 0.91, 0.90), _run(2, 0.92, 0.91)]
    trick = [_run(0, 0.91, 0.90), _run(1, 0.92, 0.91), _run(2, 0.93, 0.90, minutes=3.0)]
    row = ceiling.trick_gains({"recipe": control, "trick": trick}, "recipe").iloc[0]
    assert row["val_gain"] == pytest.approx(1.0) and row["val_ci"] == pytest.approx(0.0, abs=1e-9)
    assert row["test_seeds"] == pytest.approx([1.0, 1.0, -1.0]) and row["ahead"] == 2
    assert row["val_seeds"] == pytest.approx([1.0, 1.0, 1.0])  # the figure draws each seed on both panels
    assert row["cost"] == pytest.approx(5 / 3)
    assert ceiling.helped(ceiling.trick_gains({"recipe": control, "trick": trick}, "recipe")) == ["trick"]


def test_cpu_minutes_count_threads():
    assert cost.cpu_minutes(_run(0, 0, 0, minutes=4.0, threads=2)) == pytest.approx(4.0)
    assert cost.cpu_minutes(_run(0, 0, 0, minutes=4.0, threads=1)) == pytest.approx(4.0)


def test_pareto_marks_only_undominated_points():
    frame = pd.DataFrame({"minutes": [1, 2, 3, 4, 5], "test": [0.80, 0.79, 0.85, 0.85, 0.90]})
    assert list(ceiling.pareto(frame)) == [True, False, True, False, True]
