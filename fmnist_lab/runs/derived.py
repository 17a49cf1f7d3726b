"""Stored analyses: what a page computes from stored runs or saved weights, kept like a run.

An analysis that costs more than a second (accuracy of saved models on moved images, t-SNE layouts,
calibration of saved networks) is computed once and stored in `<store>/analyses/<key>.json`, so a
build reads it in milliseconds. Its key hashes the analysis's name, its version, its parameters
and its inputs (run keys and the checksums of the weights it reads): a changed input or a new
version is a new key, so a stale result is never read. Records are checksummed and written
atomically, like runs; with FMNIST_NO_TRAIN=1 a missing one is an error, never a silent computation.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from ..engine.records import provenance
from .build import build_forbids
from .experiments import NotTrained, current_profile
from .store import CorruptResult, Store, _atomic_write, _checksum

FOLDER = "analyses"


@dataclass(frozen=True)
class Analysis:
    """One computation on stored inputs: `compute()` returns a JSON-ready result."""

    name: str  # what it computes, e.g. "moved_accuracy"
    version: int  # bump when `compute` changes what it returns
    params: dict[str, Any] = field(hash=False)  # everything else that changes the result (JSON-ready)
    inputs: tuple[str, ...]  # run keys and weight checksums it reads
    compute: Callable[[], Any] = field(hash=False, compare=False, repr=False)
    chapter: str = ""  # the page that reads it (for `status`)

    def key(self) -> str:
        body = json.dumps({"name": self.name, "version": self.version, "params": self.params,
                           "inputs": sorted(self.inputs)}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256((body + "|analysis").encode()).hexdigest()[:16]


def weights_checksum(path: Path) -> str:
    """The first 16 hex digits of a checkpoint file's SHA-256: an input identity that changes with the weights."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def path(store: Store, analysis: Analysis) -> Path:
    return store.root / FOLDER / f"{analysis.key()}.json"


def load(store: Store, analysis: Analysis) -> Any | None:
    """The stored result, or None if there is none; a damaged record raises CorruptResult."""
    file = path(store, analysis)
    if not file.is_file():
        return None
    try:
        record = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise CorruptResult(f"{file}: not a readable analysis record ({exc}); delete it and run `fmnist-lab run`") from None
    if not isinstance(record, dict) or record.get("checksum") != _checksum(record) or record.get("key") != analysis.key():
        raise CorruptResult(f"{file}: its checksum or key does not match its content; delete it and run `fmnist-lab run`")
    return record["result"]


def save(store: Store, analysis: Analysis, result: Any, seconds: float) -> Path:
    record = {"key": analysis.key(), "analysis": analysis.name, "version": analysis.version, "params": analysis.params,
              "inputs": sorted(analysis.inputs), "chapter": analysis.chapter, "result": result,
              "provenance": {**provenance(torch.device("cpu")), "wall_seconds": round(seconds, 3)}}
    record["checksum"] = _checksum(record)
    file = path(store, analysis)
    text = json.dumps(record, separators=(",", ":"))  # unsorted: a result's dicts keep their order (rows, legends)
    _atomic_write(file, lambda fh: fh.write(text.encode()))
    return file


def ensure(store: Store, analysis: Analysis, quiet: bool = True) -> Any:
    """Load `analysis` from the store, or compute and store it (never with FMNIST_NO_TRAIN=1)."""
    found = load(store, analysis)
    if found is not None:
        return found
    if os.environ.get("FMNIST_NO_TRAIN") == "1" or build_forbids(current_profile().name):  # a build computes nothing silently
        raise NotTrained(f"the analysis {analysis.name} ({analysis.key()}) of {analysis.chapter or 'a page'} is not in "
                         f"the store {store.root}, and FMNIST_NO_TRAIN or a book build computes nothing: `fmnist-lab run` computes it")
    if not quiet:
        print(f"computing {analysis.name} ({analysis.key()}) ...", flush=True)
    result, seconds = compute(analysis)
    save(store, analysis, result, seconds)
    return result


def compute(analysis: Analysis) -> tuple[Any, float]:
    """(the result as stored, seconds taken): JSON and back, so the first build and every later one
    see the same values."""
    start = time.perf_counter()
    result = json.loads(json.dumps(analysis.compute(), default=_plain))
    return result, time.perf_counter() - start


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as Python numbers and lists (what JSON can hold)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"an analysis result holds a {type(value).__name__}, which JSON cannot store")


def missing(store: Store, analyses: list[Analysis]) -> list[Analysis]:
    return [a for a in analyses if not path(store, a).is_file()]
