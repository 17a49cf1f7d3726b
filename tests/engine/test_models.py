"""`build_model` and its helpers (fmnist_lab.engine.models): parameter counts, width budgets, initial scales."""
import math

import pytest
import torch

from fmnist_lab.engine import models
from fmnist_lab.engine.config import RunConfig


@pytest.mark.parametrize("cfg, params", [
    (RunConfig(hidden=(256, 256)), 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10),
    (RunConfig(hidden=()), 7850),
    (RunConfig(hidden=(100,), batchnorm=True), 784 * 100 + 2 * 100 + 100 * 10 + 10),
])
def test_parameter_counts(cfg, params):
    assert models.count_parameters(models.build_model(cfg)) == params


def test_budget_widths_match_the_budget():
    for depth in (1, 2, 3, 4):
        width = models.widths_for_budget(depth, 200_000)
        params = models.count_parameters(models.build_model(RunConfig(hidden=(width,) * depth)))
        assert math.isclose(params, 200_000, rel_tol=0.01)


@pytest.mark.parametrize("init", ["normal1", "normal001", "xavier", "kaiming"])
def test_init_schemes_set_the_intended_scale(init):
    torch.manual_seed(0)
    first = models.build_model(RunConfig(hidden=(512,), init=init))[1].weight
    expected = {"normal1": 1.0, "normal001": 0.01, "xavier": math.sqrt(2 / (784 + 512)),
                "kaiming": math.sqrt(2 / 784)}[init]
    assert first.std().item() == pytest.approx(expected, rel=0.05)
