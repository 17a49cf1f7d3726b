"""Looking inside a network without training it (fmnist_lab.analysis.diagnostics): activation scales,
gradients, dead units, per-layer factors."""
import pytest
import torch

from fmnist_lab.analysis import diagnostics
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.data import load
from fmnist_lab.runs.store import Store


DEEP = RunConfig(hidden=(256,) * 6)


def probe():
    return diagnostics.probe_batch(load(), DEEP, n=256)


def test_activation_scale_follows_the_initialization():
    x, _ = probe()
    big = diagnostics.activation_std(DEEP.replace(init="normal1"), x)
    small = diagnostics.activation_std(DEEP.replace(init="normal001"), x)
    kaiming = diagnostics.activation_std(DEEP.replace(init="kaiming"), x)
    assert len(big) == len(small) == len(kaiming) == 6
    assert big[-1] > 100 * big[0]  # grows ~11x per layer
    assert small[-1] < small[0] / 1000  # shrinks ~11x per layer
    assert 0.3 < kaiming[-1] / kaiming[0] < 3  # variance preserved


def test_batchnorm_equalises_the_scale():
    x, _ = probe()
    std = diagnostics.activation_std(DEEP.replace(init="normal1", batchnorm=True), x)
    assert max(std) / min(std) < 2


def test_sigmoid_gradients_vanish_towards_the_input():
    x, y = probe()
    sigmoid = diagnostics.gradient_norms(DEEP.replace(activation="sigmoid"), x, y)
    relu = diagnostics.gradient_norms(DEEP, x, y)
    assert len(sigmoid) == 7
    assert sigmoid[0] / sigmoid[-1] < 0.1 * relu[0] / relu[-1]


def test_dead_fraction_counts_units_silent_on_every_input():
    x, _ = probe()
    model = diagnostics.fresh_model(RunConfig(hidden=(64, 64)))
    with torch.no_grad():
        model[1].bias[:16] = -1e6  # first 16 units of layer 1 can never fire
    dead = diagnostics.dead_fraction(model, x)
    assert dead[0] == 16 / 64


def test_per_layer_factor_is_the_geometric_mean_ratio():
    assert diagnostics.per_layer_factor([1.0, 10.0, 100.0, 1000.0]) == pytest.approx(10.0)
    assert diagnostics.per_layer_factor([8.0, 1.0, 2.0]) == pytest.approx(0.5)  # only the ends matter
    x, _ = diagnostics.probe_batch(load(), RunConfig(hidden=(256,) * 6), n=256)
    grows = diagnostics.activation_std(RunConfig(hidden=(256,) * 6, init="normal1"), x)
    assert 8 < diagnostics.per_layer_factor(grows) < 15  # theory for ReLU, fan-in 256: sqrt(128) = 11.3


def test_dead_units_compares_the_checkpoint_with_a_fresh_model(tmp_path):
    cfg = RunConfig(hidden=(32, 32), seed=0)
    store = Store(tmp_path)
    trained = diagnostics.fresh_model(cfg)
    with torch.no_grad():
        trained[1].bias[:8] = -1e6  # a quarter of layer 1's units can never fire
    store.save_checkpoint(cfg, trained)
    dead = diagnostics.dead_units({"small": cfg}, load(), store)
    assert list(dead.columns) == ["network", "layer", "dead at init %", "dead after training %"]
    assert dead["layer"].tolist() == [1, 2] and set(dead["network"]) == {"small"}
    assert dead.loc[0, "dead after training %"] >= 25.0
    assert dead.loc[0, "dead at init %"] < 25.0
