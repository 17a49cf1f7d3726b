"""A task trained on the GPU through the executor seam returns weights the CPU can load
(fmnist_lab.runs.executors). Skipped where CUDA is absent."""
import pytest
import torch

from fmnist_lab.engine.checkpoints import evaluate_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs import executors, experiments
from fmnist_lab.runs.store import Store


pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SMALL = RunConfig(hidden=(64,), train_size=2000, epochs=2)


def test_a_task_trained_on_the_gpu_returns_weights_the_cpu_can_load(tmp_path):
    cfgs = [SMALL.replace(seed=s) for s in (0, 1)]
    with executors.LocalWorkers(2) as pool:
        results = experiments.ensure(cfgs, Store(tmp_path), checkpoint_keys=[cfgs[0].key()], progress=False,
                                     quiet=True, executor=pool)
    assert {r["provenance"]["device"] for r in results} == {"cuda"}
    accuracy, _ = evaluate_checkpoint(Store(tmp_path).checkpoint_path(cfgs[0].key()))
    assert abs(accuracy - results[0]["test"]["acc"]) < 0.005
