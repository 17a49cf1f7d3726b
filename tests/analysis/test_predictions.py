"""Probabilities of saved models (fmnist_lab.analysis.predictions): flip averaging, seed ensembles and
the checkpoints they read."""
import numpy as np
import pytest
import torch

from fmnist_lab.analysis import predictions as predict
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.data import load
from fmnist_lab.engine.models import build_model
from fmnist_lab.runs.store import Store


def tiny(seed: int) -> tuple[torch.nn.Module, RunConfig]:
    cfg = RunConfig(hidden=(16,), train_size=2000, epochs=1, seed=seed)
    torch.manual_seed(seed)
    return build_model(cfg).eval(), cfg


def test_flip_averaged_probabilities_are_probabilities_and_the_mean_of_both_views():
    model, cfg = tiny(0)
    images = load().test_images[:64]
    plain, flipped = predict.model_probabilities(model, cfg, images), predict.model_probabilities(model, cfg, images.flip(-1))
    both = predict.model_probabilities(model, cfg, images, flip=True, batch=10)
    assert both.shape == (64, 10) and (both >= 0).all()
    assert np.allclose(both.sum(1), 1)
    assert np.allclose(both, (plain + flipped) / 2)
    assert not np.allclose(both, plain)  # an untrained net is not mirror-symmetric: the flip was used


def test_an_ensemble_is_the_mean_of_its_members_and_the_cache_is_read_only(tmp_path):
    store = Store(tmp_path)
    keys = []
    for seed in (0, 1):
        model, cfg = tiny(seed)
        store.save_checkpoint(cfg, model)
        keys.append(cfg.key())
    root = str(tmp_path)
    members = [predict.probabilities(k, "val", store_root=root) for k in keys]
    assert np.allclose(predict.ensemble(keys, "val", store_root=root), (members[0] + members[1]) / 2)
    assert len(members[0]) == len(predict.labels("val"))
    with pytest.raises(ValueError):
        members[0][0, 0] = 1.0  # a caller cannot corrupt what the next one gets
    val, test = predict.val_and_test(keys[0], store_root=root)
    assert val is members[0] and len(test) == len(predict.labels("test"))
    runs = [{"key": keys[0]}, {"key": "0123456789abcdef"}, {"key": keys[1]}]
    assert predict.saved_keys(runs, store) == keys
    with pytest.raises(ValueError, match="at least one"):
        predict.ensemble([], store_root=root)


def test_an_unknown_split_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        predict.split_images(load(), "train")
