"""Chapter 11's analysis (fmnist_lab.analysis.ceiling): trick gains paired by seed, the Pareto frontier."""
import pandas as pd
import pytest

from fakes import trick_run

from fmnist_lab.analysis import ceiling


def test_trick_gains_pair_by_seed():
    control = [trick_run(0, 0.90, 0.89), trick_run(1, 0.91, 0.90), trick_run(2, 0.92, 0.91)]
    trick = [trick_run(0, 0.91, 0.90), trick_run(1, 0.92, 0.91), trick_run(2, 0.93, 0.90, minutes=3.0)]
    row = ceiling.trick_gains({"recipe": control, "trick": trick}, "recipe").iloc[0]
    assert row["val_gain"] == pytest.approx(1.0) and row["val_ci"] == pytest.approx(0.0, abs=1e-9)
    assert row["test_seeds"] == pytest.approx([1.0, 1.0, -1.0]) and row["ahead"] == 2
    assert row["val_seeds"] == pytest.approx([1.0, 1.0, 1.0])  # the figure draws each seed on both panels
    assert row["cost"] == pytest.approx(5 / 3)
    assert ceiling.helped(ceiling.trick_gains({"recipe": control, "trick": trick}, "recipe")) == ["trick"]


def test_pareto_marks_only_undominated_points():
    frame = pd.DataFrame({"minutes": [1, 2, 3, 4, 5], "test": [0.80, 0.79, 0.85, 0.85, 0.90]})
    assert list(ceiling.pareto(frame)) == [True, False, True, False, True]


def test_the_stack_is_the_group_that_makes_every_helpful_change_at_once():
    from fmnist_lab.engine.config import REFERENCE
    from fmnist_lab.runs.study import Study

    base = REFERENCE.replace(schedule="multistep", milestones=(5,))
    groups = {"base": base, "+ smoothing": base.replace(label_smoothing=0.1),
              "+ one-cycle": base.replace(schedule="onecycle", milestones=()),  # a schedule and its settings
              "+ both": base.replace(label_smoothing=0.1, schedule="onecycle", milestones=()), "+ ema": base.replace(ema=0.9)}
    study = Study("s", "11_ceiling", "t", groups, varies=("label_smoothing", "schedule", "ema"), control=base)
    assert ceiling.stack(study, ["+ smoothing", "+ one-cycle"]) == "+ both"
    assert ceiling.stack(study, ["+ smoothing"]) == "+ smoothing"  # one change is its own stack
    assert ceiling.stack(study, ["+ smoothing", "+ ema"]) is None  # not declared: not trained
    assert ceiling.stack(study, []) is None
