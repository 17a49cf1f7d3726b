"""Saved models: load a checkpoint safely (`weights_only=True`), check it, and score it on the test set.

A checkpoint is refused, with one line saying why, unless it is a plain-tensor file holding a
valid configuration whose run key matches the key it is filed under (a file name, or the name of
the file a link points to, that starts with a run key) and the key stored inside, when there is
one, saved by this engine version (when it says), with weights of exactly the shapes that configuration
builds. Nothing here ever loads a file with `weights_only=False`: a file that needs it is refused.
"""
from __future__ import annotations

import pickle
import re
import warnings
from pathlib import Path

import torch

from .config import ENGINE_VERSION, RunConfig
from .data import load
from .models import build_model
from .train import as_unit_float, evaluate, input_scaling

_FILED_KEY = re.compile(r"[0-9a-f]{16}(?![0-9a-f])")  # a file name that starts with a run key is filed under it


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message names the file, the reason and the remedy."""


class MissingCheckpoint(CheckpointError, FileNotFoundError):
    """No checkpoint file at the path."""


def _filed_under(path: Path) -> list[tuple[str, str]]:
    """(run key, which name says it) for each name of the file that starts with a run key: the name
    given (`<key>.pt`, or a copy such as `<key>.pt.bak`) and, when that is a link, the file's own."""
    names = [(path.name, "its file name")]
    if path.is_symlink():
        names.append((path.resolve().name, f"the name of the file it links to ({path.resolve()})"))
    return [(found.group(), where) for name, where in names if (found := _FILED_KEY.match(name))]


def _remedy(path: Path, key: str | None = None) -> str:
    key = key or next((filed for filed, _ in _filed_under(path)), None)
    if key is None:
        return "replace it with a good copy"
    return (f"restore it (git checkout -- {path.resolve() if path.is_symlink() else path}, if it is committed) or retrain it "
            f"(fmnist-lab run --force --key {key})")


def _read(path: Path) -> object:
    """torch.load with weights_only=True, every failure turned into one CheckpointError line."""
    if not path.exists():
        raise MissingCheckpoint(f"no checkpoint at {path}; `fmnist-lab run` writes them under "
                                "<store>/checkpoints/<run key>.pt (`fmnist-lab status -v` lists what is missing)")
    if not path.is_file():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file: give the path of a .pt file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes; an interrupted copy?): {_remedy(path)}")
    try:
        with warnings.catch_warnings():  # torch's notes about pickle protocols are not the user's business
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        code = re.search(r"GLOBAL (\S+)", str(exc))
        if code:
            raise CheckpointError(f"{path} was refused: it asks to run code ({code.group(1).rstrip('.')}), which a "
                                  "checkpoint of plain tensors never does; it may be malicious: do not load it any "
                                  f"other way, delete it and {_remedy(path)}") from None
        raise CheckpointError(f"{path} is not a checkpoint of plain tensors (corrupt, or another format): "
                              f"{_remedy(path)}") from None
    except Exception as exc:  # random bytes reach the unpickler's internals (IndexError, TypeError, ...)
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CheckpointError(f"{path} is truncated or corrupt ({reason}): {_remedy(path)}") from None


def _checked(path: Path, payload: object) -> tuple[torch.nn.Module, RunConfig]:
    """The checkpoint's model and configuration, if they belong together; else CheckpointError."""
    if not (isinstance(payload, dict) and {"config", "state_dict"} <= set(payload)
            and isinstance(payload["config"], dict) and isinstance(payload["state_dict"], dict)):
        raise CheckpointError(f"{path} is not a checkpoint of this project (expected a config and a state_dict): "
                              f"{_remedy(path)}")
    if payload.get("engine_version", ENGINE_VERSION) != ENGINE_VERSION:
        raise CheckpointError(f"{path} was saved by engine version {payload['engine_version']!r}, this is version "
                              f"{ENGINE_VERSION!r}, whose training differs: retrain it (fmnist-lab run)")
    try:
        cfg = RunConfig.from_dict(payload["config"])
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} holds an invalid configuration ({exc}): {_remedy(path)}") from None
    for claimed, where in ((payload.get("key"), "the key stored in it"), *_filed_under(path)):
        if claimed is not None and claimed != cfg.key():
            raise CheckpointError(f"{path}: {where} says run {claimed}, but its stored configuration is run "
                                  f"{cfg.key()} (edited or swapped); refused: {_remedy(path, str(claimed))}")
    model = build_model(cfg)
    expected = model.state_dict()
    weights = payload["state_dict"]
    problems = [f"{name} missing" for name in expected if name not in weights]
    problems += [f"unexpected {name}" for name in weights if name not in expected]
    problems += [f"{name} is {tuple(weights[name].shape) if isinstance(weights[name], torch.Tensor) else type(weights[name]).__name__}, "
                 f"the configuration builds {tuple(tensor.shape)}"
                 for name, tensor in expected.items()
                 if name in weights and not (isinstance(weights[name], torch.Tensor) and weights[name].shape == tensor.shape)]
    if problems:
        raise CheckpointError(f"{path}: its weights do not fit the network its configuration describes "
                              f"({cfg.label()}: {'; '.join(problems[:3])}{'; …' if len(problems) > 3 else ''}); "
                              f"refused: {_remedy(path, cfg.key())}")
    model.load_state_dict(weights)
    return model.eval(), cfg


def load_checkpoint(path: str | Path) -> tuple[torch.nn.Module, RunConfig]:
    """The saved model (in eval mode) and its configuration; CheckpointError if the file is unusable."""
    path = Path(path)
    return _checked(path, _read(path))


def evaluate_checkpoint(path: str | Path) -> tuple[float, RunConfig]:
    """Test accuracy of the saved model (recomputed from the weights, not read from a result)."""
    model, cfg = load_checkpoint(path)
    bad = [name for name, tensor in model.state_dict().items() if tensor.is_floating_point() and not torch.isfinite(tensor).all()]
    if bad:
        raise CheckpointError(f"{path}: its weights hold NaN or infinite values ({', '.join(bad[:3])}{', …' if len(bad) > 3 else ''}): "
                              f"a network that diverged scores nothing; refused: {_remedy(Path(path), cfg.key())}")
    data = load()
    shift, scale = input_scaling(cfg, data)
    _, accuracy, _ = evaluate(model, as_unit_float(data.test_images, torch.device("cpu")), data.test_labels, shift, scale)
    return accuracy, cfg
