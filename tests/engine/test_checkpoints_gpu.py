"""A checkpoint saved from the GPU loads and scores on the CPU (fmnist_lab.engine.checkpoints).
Skipped where CUDA is absent."""
import pytest
import torch

from fmnist_lab.engine.checkpoints import evaluate_checkpoint, load_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.train import train
from fmnist_lab.runs.store import Store


pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SMALL = RunConfig(hidden=(64,), train_size=2000, epochs=2)


def test_a_checkpoint_from_the_gpu_loads_and_scores_on_the_cpu(tmp_path):
    result, model = train(SMALL, progress=False)
    path = Store(tmp_path).save_checkpoint(SMALL, model)
    loaded, cfg = load_checkpoint(path)
    assert cfg == SMALL and all(not p.is_cuda for p in loaded.parameters())
    accuracy, _ = evaluate_checkpoint(path)  # recomputed on the CPU: float sums differ in the last bits only
    assert abs(accuracy - result["test"]["acc"]) < 0.005
