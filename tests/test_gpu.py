"""The CUDA path, end to end: data and augmentation on the GPU, evaluation there, a checkpoint
saved from it and loaded on the CPU, a taught run, and a run trained through the executor seam.
Skipped where CUDA is absent."""
import pytest
import torch

from fmnist_lab.runs import executors
from fmnist_lab.runs import experiments
from fmnist_lab.engine.checkpoints import evaluate_checkpoint, load_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs.store import Store
from fmnist_lab.engine.train import default_device, train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SMALL = RunConfig(hidden=(64,), train_size=2000, epochs=2)


def test_the_engine_picks_the_gpu_and_records_it():
    result, model = train(SMALL, progress=False)
    assert default_device().type == "cuda" and result["provenance"]["device"] == "cuda"
    assert result["provenance"]["device_name"] == torch.cuda.get_device_name(0)
    assert next(model.parameters()).is_cuda and 0.5 < result["test"]["acc"] <= 1


def test_augmentation_and_a_cnn_train_on_the_gpu():
    for cfg in (SMALL.replace(augment=("rotate", "hflip")), SMALL.replace(model="lenet", channels=(4, 8))):
        result, _ = train(cfg, progress=False)
        assert result["provenance"]["device"] == "cuda" and not result["diverged"] and result["test"]["acc"] > 0.4


def test_a_checkpoint_from_the_gpu_loads_and_scores_on_the_cpu(tmp_path):
    result, model = train(SMALL, progress=False)
    path = Store(tmp_path).save_checkpoint(SMALL, model)
    loaded, cfg = load_checkpoint(path)
    assert cfg == SMALL and all(not p.is_cuda for p in loaded.parameters())
    accuracy, _ = evaluate_checkpoint(path)  # recomputed on the CPU: float sums differ in the last bits only
    assert abs(accuracy - result["test"]["acc"]) < 0.005


def test_a_taught_run_learns_on_the_gpu_from_a_checkpoint_on_the_cpu(tmp_path):
    teacher_cfg = SMALL.replace(hidden=(128,))
    path = Store(tmp_path).save_checkpoint(teacher_cfg, train(teacher_cfg, progress=False)[1])
    taught = SMALL.replace(teacher=teacher_cfg.key(), distill_weight=0.5, distill_temperature=2.0)
    result, _ = train(taught, progress=False, teacher=load_checkpoint(path))
    assert result["provenance"]["device"] == "cuda" and result["test"]["acc"] > 0.5


def test_a_task_trained_on_the_gpu_returns_weights_the_cpu_can_load(tmp_path):
    cfgs = [SMALL.replace(seed=s) for s in (0, 1)]
    with executors.LocalWorkers(2) as pool:
        results = experiments.ensure(cfgs, Store(tmp_path), checkpoint_keys=[cfgs[0].key()], progress=False,
                                     quiet=True, executor=pool)
    assert {r["provenance"]["device"] for r in results} == {"cuda"}
    accuracy, _ = evaluate_checkpoint(Store(tmp_path).checkpoint_path(cfgs[0].key()))
    assert abs(accuracy - results[0]["test"]["acc"]) < 0.005
