"""Picking groups out of a loaded study (fmnist_lab.analysis.groups): by value, distinct trainings, the best on validation."""
import pytest

from fakes import flat
from fakes import dropout  # noqa: F401  (fixtures)

from fmnist_lab.analysis import groups
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs.study import Study, StudyResults


def test_by_value_keys_runs_by_a_field_or_a_function_of_the_config(dropout):
    by_p = groups.by_value(dropout, "dropout")
    assert list(by_p) == [0.0, 0.1, 0.5] and by_p[0.1] is dropout.runs["p 0.1"]
    assert list(groups.by_value(dropout, lambda cfg: 10 * cfg.dropout)) == [0.0, 1.0, 5.0]
    assert list(groups.by_value(dropout, "dropout", dropout=0.5)) == [0.5]


def test_by_value_refuses_two_different_groups_under_one_value(dropout):
    with pytest.raises(ValueError, match="share the value"):
        groups.by_value(dropout, lambda cfg: len(cfg.hidden))  # every group has 2 layers, each its own runs


def test_by_value_merges_groups_that_are_the_same_runs():
    cfg = REFERENCE.replace(weight_decay=0.0)
    study = Study("l2", "chapter", "l2", {"Adam, λ = 0": cfg, "AdamW, λ = 0": cfg, "Adam, λ = 0.1": cfg.replace(weight_decay=0.1)})
    same = [flat("a", 0.8)]
    results = StudyResults(study, {"Adam, λ = 0": same, "AdamW, λ = 0": same, "Adam, λ = 0.1": [flat("b", 0.7)]})
    assert list(groups.by_value(results, "weight_decay")) == [0.0, 0.1]
    assert list(groups.distinct(results.runs)) == ["Adam, λ = 0", "Adam, λ = 0.1"]


def test_best_picks_on_validation_among_the_groups_that_match(dropout):
    assert list(groups.best(dropout)) == ["p 0.1"]
    assert list(groups.best(dropout, lambda cfg: cfg.dropout > 0.2)) == ["p 0.5"]
    assert list(groups.best(dropout, dropout=0.0)) == ["p 0.0"]
    with pytest.raises(ValueError):
        groups.best(dropout, lambda cfg: cfg.dropout > 1)
