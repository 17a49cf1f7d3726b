"""The CUDA path of the training loop (fmnist_lab.engine.train): the GPU picked and recorded,
augmentation and a CNN trained there, a taught run learning from a checkpoint on the CPU.
Skipped where CUDA is absent."""
import pytest
import torch

from fmnist_lab.engine.checkpoints import load_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.train import default_device, train
from fmnist_lab.runs.store import Store


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


def test_a_taught_run_learns_on_the_gpu_from_a_checkpoint_on_the_cpu(tmp_path):
    teacher_cfg = SMALL.replace(hidden=(128,))
    path = Store(tmp_path).save_checkpoint(teacher_cfg, train(teacher_cfg, progress=False)[1])
    taught = SMALL.replace(teacher=teacher_cfg.key(), distill_weight=0.5, distill_temperature=2.0)
    result, _ = train(taught, progress=False, teacher=load_checkpoint(path))
    assert result["provenance"]["device"] == "cuda" and result["test"]["acc"] > 0.5
