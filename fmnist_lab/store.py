"""The results store: one JSON file per finished run, named by its config key.

Writes are atomic (temporary file + `os.replace`), so a run killed mid-write leaves no partial
file. Reads are validated (schema, key matches config, content checksum); a file that fails
is reported and treated as missing, so it is retrained rather than used.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch

from .config import ENGINE_VERSION, RunConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO_ROOT / "book" / "results"
SCHEMA = {
    "key": str, "engine_version": str, "config": dict, "provenance": dict, "params": int,
    "epochs_run": int, "final_epoch": int, "diverged": bool, "seconds_per_epoch": float,
    "history": dict, "val": dict, "test": dict, "checksum": str,
}


class CorruptResult(ValueError):
    """A stored result that must not be used."""


def _checksum(result: dict[str, Any]) -> str:
    body = {k: v for k, v in result.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def validate(result: Any, expected_key: str | None = None) -> dict[str, Any]:
    """Return `result` if it is a complete, untouched result of the current engine; else raise."""
    if not isinstance(result, dict):
        raise CorruptResult("not a JSON object")
    for name, kind in SCHEMA.items():
        if name not in result:
            raise CorruptResult(f"field {name!r} is missing")
        expected = (int, float) if kind is float else kind
        if not isinstance(result[name], expected) or (kind is int and isinstance(result[name], bool)):
            raise CorruptResult(f"field {name!r} has type {type(result[name]).__name__}, expected {kind.__name__}")
    if result["checksum"] != _checksum(result):
        raise CorruptResult("content checksum does not match (edited by hand or damaged)")
    try:
        cfg = RunConfig.from_dict(result["config"])
    except (TypeError, ValueError) as exc:
        raise CorruptResult(f"config is invalid: {exc}") from None
    if result["engine_version"] != ENGINE_VERSION or cfg.key() != result["key"]:
        raise CorruptResult("key does not match the config under this engine version")
    if expected_key is not None and result["key"] != expected_key:
        raise CorruptResult(f"holds run {result['key']}, expected {expected_key}")
    history_lengths = {len(v) for v in result["history"].values()}
    if len(history_lengths) != 1 or history_lengths.pop() != result["epochs_run"]:
        raise CorruptResult("history columns disagree with epochs_run")
    return result


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """A folder of results: `<root>/runs/<key>.json`, checkpoints in `<root>/checkpoints/`."""

    def __init__(self, root: str | Path = DEFAULT_ROOT):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / "runs" / f"{key}.json"

    def checkpoint_path(self, key: str) -> Path:
        return self.root / "checkpoints" / f"{key}.pt"

    def load(self, cfg: RunConfig) -> dict[str, Any] | None:
        """The stored result of `cfg`, or None if absent or unusable (with a warning saying why)."""
        path = self.path(cfg.key())
        if not path.exists():
            return None
        try:
            return validate(json.loads(path.read_text()), cfg.key())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reason = f"not valid JSON ({exc})"
        except CorruptResult as exc:
            reason = str(exc)
        warnings.warn(f"ignoring {path}: {reason}; the run will be trained again", stacklevel=2)
        return None

    def save(self, result: dict[str, Any]) -> Path:
        result = {k: v for k, v in result.items() if k != "checksum"}
        result["checksum"] = _checksum(result)
        validate(result)
        path = self.path(result["key"])
        text = json.dumps(result, sort_keys=True, separators=(",", ":"))
        _atomic_write(path, lambda fh: fh.write(text.encode()))
        return path

    def save_checkpoint(self, cfg: RunConfig, model: torch.nn.Module) -> Path:
        """State dict + config, loadable with `torch.load(..., weights_only=True)`."""
        payload = {"config": cfg.to_dict(), "engine_version": ENGINE_VERSION,
                   "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
        path = self.checkpoint_path(cfg.key())
        _atomic_write(path, lambda fh: torch.save(payload, fh))
        return path

    def keys(self) -> set[str]:
        return {p.stem for p in (self.root / "runs").glob("*.json")}
