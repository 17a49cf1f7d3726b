"""Where a long run stands between epochs, saved every minute or so, so that an interrupted run
(Ctrl-C, a session that ends, a killed job) goes on from its last saved epoch instead of epoch 1
and ends with the history, weights and scores of the run left alone (on a CPU; the provenance says
where it resumed, and its wall time counts each attempt's setup). Whoever stores the finished
result removes the state (`runs.store.Store.discard_partial`).

The state is everything the next epoch depends on: the weights, the optimizer, the schedule, the
averaged weights, every random-number stream, the history and the best state so far. It holds
only for the same run on the same kind of machine (run key, engine, torch, device, thread count):
elsewhere the sums round differently, so a run resumed there would match neither machine's
uninterrupted run. Such a state is set aside and the run starts over.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import random
from pathlib import Path
from typing import Any

import torch

SAVE_EVERY_SECONDS = 60.0  # saved after the first epoch that ends a minute after the last save


def machine(key: str, engine_version: int, info: dict[str, Any], teacher: torch.nn.Module | None = None) -> dict[str, Any]:
    """What must match for a saved state to be resumed: the run, the arithmetic it ran on, and the
    teacher's very weights (a teacher retrained meanwhile under the same key would teach otherwise)."""
    return {"key": key, "engine_version": engine_version, "torch_version": str(torch.__version__),
            "device": info["device"], "device_name": info["device_name"], "threads": torch.get_num_threads(),
            "teacher": None if teacher is None else weights_digest(teacher)}


def weights_digest(model: torch.nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def random_streams(generator: torch.Generator, mix_rng: random.Random | None) -> dict[str, Any]:
    """Every random-number stream a run draws from: dropout (torch's global generators), shuffling
    and augmentation (`generator`), mixup weights (`mix_rng`)."""
    return {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "generator": generator.get_state(), "mix": None if mix_rng is None else mix_rng.getstate()}


def restore_streams(streams: dict[str, Any], generator: torch.Generator, mix_rng: random.Random | None) -> None:
    torch.set_rng_state(streams["torch"])
    if streams["cuda"]:
        torch.cuda.set_rng_state_all(streams["cuda"])
    generator.set_state(streams["generator"])
    if mix_rng is not None:
        mix_rng.setstate(streams["mix"])


def save(path: Path, state: dict[str, Any]) -> str:
    """Write `state` to `path` atomically (a run killed mid-save keeps the previous state); return
    '' or, when it cannot be written (a full disk, no permission), why: the run trains on unsaved."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-state.tmp")  # the store's temporary naming
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(state, temporary)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # no folder to hold it, or already gone
            temporary.unlink(missing_ok=True)
        return f"its state cannot be saved in {path.parent} ({exc.strerror or exc}); it trains on without"
    return ""


def load(path: Path, expected: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """(the saved state, '') when `path` holds one for `expected` (`machine`), else (None, why not).
    A state for another machine or engine is renamed `*.set-aside`, not deleted, and not resumed."""
    if not path.is_file():
        return None, ""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # damaged (a full disk, a copy cut short): start over
        return _set_aside(path, f"its saved state could not be read ({type(exc).__name__})")
    differs = [name for name, value in expected.items() if state.get("machine", {}).get(name) != value]
    if differs:
        return _set_aside(path, f"its saved state does not match this run's {', '.join(differs)}")
    return state, ""


def _set_aside(path: Path, why: str) -> tuple[None, str]:
    try:
        os.replace(path, path.with_name(f"{path.name}.set-aside"))
    except OSError:
        return None, f"{why}; it starts over"
    return None, f"{why}; it starts over (the old state is kept as {path.name}.set-aside)"
