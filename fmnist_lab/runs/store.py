"""The results store: one JSON file per finished run, named by its config key.

Writes are atomic (temporary file + `os.replace`), so a run killed mid-write leaves no partial
file; the temporary file it may leave (`.<name>.<pid>-<random>.tmp`, ignored by git) is removed
by the next write into that folder. Reads are validated (schema, key matches config, content
checksum); a file that fails is reported and treated as missing, so it is retrained rather than
used. `check_writable` finds an unwritable store before training; `save_run` keeps a finished
run in a rescue folder when the store cannot take it. `claim` reserves a run's key, so two
processes training into one store never train (and store) the same run twice.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import torch

from ..engine.config import ENGINE_VERSION, RunConfig
from ..engine.estimators import KIND, EstimatorConfig
from .plausible import CorruptResult, check_values

try:
    import fcntl
except ImportError:  # not POSIX: claims are not enforced
    fcntl = None

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = REPO_ROOT / "book" / "results"
SCHEMA = {
    "key": str, "engine_version": str, "config": dict, "provenance": dict, "params": int,
    "epochs_run": int, "final_epoch": int, "diverged": bool, "seconds_per_epoch": float,
    "history": dict, "val": dict, "test": dict, "checksum": str,
}


class StoreError(RuntimeError):
    """The store cannot be read or written; the message names the path and what to do."""


def describe(exc: OSError) -> str:
    """'No space left on device (ENOSPC)': the system's words and the error's name."""
    name = errno.errorcode.get(exc.errno or 0)
    text = exc.strerror or str(exc)
    return f"{text} ({name})" if name else text


# Finished runs the store could not take are written here, in the store's own layout.
RESCUE_DIR = Path(tempfile.gettempdir()) / "fmnist_lab-unsaved"
STALE_UNOWNED_SECONDS = 3600  # a temporary file without a process id is left alone this long


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
        cfg = config_from_dict(result["config"])
    except (TypeError, ValueError) as exc:
        raise CorruptResult(f"config is invalid: {exc}") from None
    engine, fields = record_kind(cfg)
    for name, kind in fields.items():
        if not isinstance(result.get(name), kind if kind is not float else (int, float)):
            raise CorruptResult(f"field {name!r} is missing or not a {kind.__name__}")
    if result["engine_version"] != engine or cfg.key() != result["key"]:
        raise CorruptResult("key does not match the config under this engine version")
    if expected_key is not None and result["key"] != expected_key:
        raise CorruptResult(f"holds run {result['key']}, expected {expected_key}")
    check_values(result)
    return result


def config_from_dict(data: Any) -> RunConfig | EstimatorConfig:
    """The configuration a record holds: a scikit-learn fit's when its dict names that kind
    (`estimators.KIND`), else a training run's. With `record_kind`, the one place the store tells
    the two apart."""
    if isinstance(data, dict) and "kind" in data:

        if data["kind"] != KIND:
            raise ValueError(f"unknown configuration kind {data['kind']!r} (this code knows {KIND!r}, and training "
                             "runs without a kind): it was written by other code; update fmnist_lab")
        return EstimatorConfig.from_dict(data)
    return RunConfig.from_dict(data)


def record_kind(cfg: RunConfig | EstimatorConfig) -> tuple[str, dict[str, type]]:
    """The engine version a record of `cfg` must carry, and the fields its kind adds to SCHEMA."""
    if isinstance(cfg, RunConfig):
        return ENGINE_VERSION, {}
    return cfg.ENGINE_VERSION, cfg.RECORD_FIELDS


_TEMP_OWNER = re.compile(r"\.(\d+)-[^.]+\.tmp$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files that a killed write left in `folder`; return what was removed.

    A temporary file names the process writing it; one whose process is gone is garbage. (Files
    of the older naming, without a process id, are removed once they are an hour old.)
    """
    removed = []
    for tmp in folder.glob(".*.tmp"):
        if tmp.name.endswith(CLAIM_SUFFIX):
            continue  # a claim is a lock, not a partial write: its holder removes it
        owner = _TEMP_OWNER.search(tmp.name)
        try:
            if owner and _alive(int(owner.group(1))):
                continue
            if not owner and time.time() - tmp.stat().st_mtime < STALE_UNOWNED_SECONDS:
                continue
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass  # gone already, or not ours to remove: never a reason to fail a write
    return removed


def _temporary(folder: Path, name: str) -> tuple[int, str]:
    return tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}-", suffix=".tmp")


def probe_writable(folder: Path) -> None:
    """Create `folder` if needed and write and delete a result-sized file in it; OSError if that fails.

    An empty file still fits on a full disk, so the probe writes 64 KiB and syncs it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    fd, probe = _temporary(folder, "write-check")
    try:
        os.write(fd, b"\0" * 65536)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(probe)


_UMASK = os.umask(0)
os.umask(_UMASK)  # read once: the process's umask, which new files honour


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = _temporary(path.parent, path.name)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as open() would create it: mkstemp's 0600 hides results from other users
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CLAIM_SUFFIX = ".claim.tmp"  # `.tmp`: git ignores a claim a killed process left behind


class Claim:
    """A held claim on one run key: an exclusive lock on `<store>/runs/.<key>.claim.tmp`.

    The operating system drops the lock when its process dies, so a killed run never leaves a
    key claimed. Release (or leave the `with` block) once the run is saved or abandoned.
    """

    def __init__(self, path: Path, fd: int | None):
        self.path, self.fd = path, fd

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still locked: see Store.claim for why that is safe
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "Claim":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Store:
    """A folder of results: `<root>/runs/<key>.json`, checkpoints in `<root>/checkpoints/`, and the
    saved state of runs under way in `<root>/partial/` (not committed: `engine.resume`).

    A result is a training run's (`RunConfig`) or a scikit-learn fit's (`estimators.EstimatorConfig`):
    the methods that take a `cfg` take either."""

    def __init__(self, root: str | Path = DEFAULT_ROOT):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / "runs" / f"{key}.json"

    def checkpoint_path(self, key: str) -> Path:
        return self.root / "checkpoints" / f"{key}.pt"

    def partial_path(self, key: str) -> Path:
        """Where run `key` keeps its state between epochs while it trains on this machine."""
        return self.root / "partial" / f"{key}.pt"

    def discard_partial(self, key: str) -> None:
        """Remove run `key`'s state between epochs (its result is stored) and what killed saves left."""
        with contextlib.suppress(OSError):  # a state left behind costs disk, never a result
            self.partial_path(key).unlink(missing_ok=True)
            remove_stale_temporaries(self.partial_path(key).parent)

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
        except OSError as exc:  # a directory in its place, no permission to read
            warnings.warn(f"ignoring {path}: it cannot be read ({describe(exc)}); the run counts as missing", stacklevel=2)
            return None
        warnings.warn(f"ignoring {path}: {reason}; the run will be trained again", stacklevel=2)
        return None

    def check_readable(self) -> None:
        """Raise StoreError unless the store's folders are folders (a missing store is empty)."""
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"the store {self.root} is a file, not a folder: point FMNIST_STORE at a folder "
                             "(or unset it to use the committed book/results)")
        for folder in (self.root / "runs", self.root / "checkpoints"):
            if folder.exists() and not folder.is_dir():
                raise StoreError(f"{folder} is a file where the store keeps a folder: move it away "
                                 f"(mv {folder} {folder}.bak) and run again")

    def check_writable(self, keys: list[str] = (), checkpoint_keys: list[str] = ()) -> None:
        """Raise StoreError if the results (and checkpoints) of `keys` could not be written here.

        Called before training, so that a read-only store, a full disk or a folder in the way of
        a result file stops the command before any work is done rather than after.
        """
        self.check_readable()
        in_the_way = [p for p in [*map(self.path, keys), *map(self.checkpoint_path, checkpoint_keys)]
                      if p.exists() and not p.is_file()]
        if in_the_way:
            raise StoreError(f"{in_the_way[0]} is a {'folder' if in_the_way[0].is_dir() else 'special file'} where a "
                             f"run's file belongs: remove it (rm -r {in_the_way[0]}) and run again; nothing was trained")
        folders = [self.root / "runs"] + ([self.root / "checkpoints"] if checkpoint_keys else [])
        for folder in folders:
            try:
                probe_writable(folder)
            except OSError as exc:
                raise StoreError(f"the store {self.root} cannot be written ({folder}: {describe(exc)}); nothing was "
                                 "trained: make it writable or free space, or set FMNIST_STORE to another folder") from None

    def save_run(self, cfg: RunConfig, result: dict[str, Any], model: torch.nn.Module | None = None) -> None:
        """Save a finished run (and its checkpoint, if `model` is given), or keep it recoverable.

        If the store cannot take it (disk full, made read-only meanwhile), the run is written to
        RESCUE_DIR in the same layout and StoreError says where it is and how to move it back; if
        even that fails, StoreError says the run is lost.
        """
        target = self.path(cfg.key())
        try:
            self.save(result)
            if model is not None:
                target = self.checkpoint_path(cfg.key())
                self.save_checkpoint(cfg, model)
            return
        except OSError as exc:
            failure = f"could not write {target}: {describe(exc)}"
        rescue = type(self)(RESCUE_DIR)
        try:
            rescue.save(result)
            if model is not None:
                rescue.save_checkpoint(cfg, model)
        except OSError as exc:
            raise StoreError(f"{failure}; keeping it in {RESCUE_DIR} failed too ({describe(exc)}): the finished run "
                             f"{cfg.key()} is lost; free space or fix permissions, then run again") from None
        raise StoreError(f"{failure}; the finished run {cfg.key()} is kept in {RESCUE_DIR}: free space or fix "
                         f"permissions, then copy it into the store (cp -r {RESCUE_DIR}/. {self.root}/) "
                         "and run again to continue") from None

    def save(self, result: dict[str, Any]) -> Path:
        """Write a result (checksummed); CorruptResult, naming the field and the file, if it is impossible."""
        result = {k: v for k, v in result.items() if k != "checksum"}
        result["checksum"] = _checksum(result)
        try:
            validate(result)
        except CorruptResult as exc:
            where = self.path(result["key"]) if isinstance(result.get("key"), str) else self.root / "runs"
            raise CorruptResult(f"refusing to save {where}: {exc}") from None
        path = self.path(result["key"])
        text = json.dumps(result, sort_keys=True, separators=(",", ":"))
        _atomic_write(path, lambda fh: fh.write(text.encode()))
        return path

    def save_checkpoint(self, cfg: RunConfig, model: torch.nn.Module) -> Path:
        """State dict + config (and its key, to check a renamed file), loadable with
        `torch.load(..., weights_only=True)`."""
        payload = {"key": cfg.key(), "config": cfg.to_dict(), "engine_version": ENGINE_VERSION,
                   "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
        path = self.checkpoint_path(cfg.key())
        _atomic_write(path, lambda fh: torch.save(payload, fh))
        return path

    def claim(self, key: str) -> Claim | None:
        """Claim run `key` for training, or None if another process holds it now (never blocks).

        Whoever holds the claim trains the run; others skip it, and once the claim is free they
        find the run stored. Check the store again after claiming: the run may have been stored
        between looking and claiming. Works wherever `flock` does (local disks, NFSv4); where the
        claim file cannot be created (a store turned read-only meanwhile), the run goes ahead
        unclaimed and the save reports the real problem.
        """
        path = self.root / "runs" / f".{key}{CLAIM_SUFFIX}"
        if fcntl is None:
            return Claim(path, None)
        while True:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return Claim(path, None)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            except OSError:  # flock not supported here: go ahead unclaimed
                os.close(fd)
                return Claim(path, None)
            # The holder before us removes the file while it still holds the lock, so the file we
            # locked may be gone from the folder (or replaced by a newer one): then it guards
            # nothing, and we try again on the file the folder now has.
            try:
                if os.fstat(fd).st_ino == os.stat(path).st_ino:
                    return Claim(path, fd)
            except FileNotFoundError:
                pass
            os.close(fd)

    def check_record(self, cfg: RunConfig, result: Any) -> dict[str, Any]:
        """`result` (as a worker returned it, without a checksum) if it is a valid record of run
        `cfg`; CorruptResult otherwise. Nothing is written."""
        if not isinstance(result, dict):
            raise CorruptResult(f"a record is a dict, got {type(result).__name__}")
        body = {k: v for k, v in result.items() if k != "checksum"}
        validate({**body, "checksum": _checksum(body)}, cfg.key())
        return result

    def keys(self) -> set[str]:
        return {p.stem for p in (self.root / "runs").glob("*.json")}
