"""Saved models (fmnist_lab.engine.checkpoints): a checkpoint loads back as the very network that was
saved, in eval mode. What is refused, and how: test_checkpoints_faults.py."""
import pytest
import torch

from fmnist_lab.engine.checkpoints import evaluate_checkpoint, load_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.models import build_model
from fmnist_lab.runs import studies
from fmnist_lab.runs.experiments import PROFILES
from fmnist_lab.runs.store import Store


def test_a_checkpoint_loads_back_the_saved_weights_and_configuration_in_eval_mode(tmp_path):
    cfg = RunConfig(hidden=(16, 8), batchnorm=True, dropout=0.5, seed=3)
    torch.manual_seed(0)
    model = build_model(cfg)
    with torch.no_grad():
        model[2].running_mean += 1.0  # a buffer, not a parameter, must come back too
    path = Store(tmp_path).save_checkpoint(cfg, model)
    loaded, loaded_cfg = load_checkpoint(path)
    assert loaded_cfg == cfg and path.stem == cfg.key()
    assert not loaded.training  # dropout off, batch norm on its running statistics
    saved, restored = model.state_dict(), loaded.state_dict()
    assert saved.keys() == restored.keys() and all(torch.equal(saved[k], restored[k]) for k in saved)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(loaded(x), loaded(x))  # deterministic: nothing random at inference


@pytest.mark.parametrize("study, label", [(studies.BEST, studies.STACKED_MLP_LABEL), (studies.BEST, studies.BEST_CNN_LABEL),
                                          (studies.PUBLISHED, studies.PUBLISHED_LABEL)])
def test_the_committed_headline_checkpoints_re_evaluate_to_their_stored_accuracy(study, label):
    """Chapter 10 scores its recipes' seed 0 from their weights on the page; this checks them and the
    book's best MLP (chapter 11's re-run of the published recipe)."""
    cfg = study.configs(PROFILES["full"])[label][0]
    accuracy, _ = evaluate_checkpoint(Store().checkpoint_path(cfg.key()))
    assert abs(accuracy - Store().load(cfg)["test"]["acc"]) <= 2e-4
