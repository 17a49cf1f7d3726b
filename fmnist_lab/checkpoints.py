"""Saved models: load a checkpoint safely (`weights_only=True`) and score it on the test set."""
from __future__ import annotations

from pathlib import Path

import torch

from .config import RunConfig
from .data import load
from .models import build_model
from .train import as_unit_float, evaluate, input_scaling


def load_checkpoint(path: str | Path) -> tuple[torch.nn.Module, RunConfig]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; `fmnist-lab run` writes them under book/results/checkpoints/")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    cfg = RunConfig.from_dict(payload["config"])
    model = build_model(cfg)
    model.load_state_dict(payload["state_dict"])
    return model.eval(), cfg


def evaluate_checkpoint(path: str | Path) -> tuple[float, RunConfig]:
    """Test accuracy of the saved model (recomputed from the weights, not read from a result)."""
    model, cfg = load_checkpoint(path)
    data = load()
    shift, scale = input_scaling(cfg, data)
    _, accuracy, _ = evaluate(model, as_unit_float(data.test_images, torch.device("cpu")), data.test_labels, shift, scale)
    return accuracy, cfg
