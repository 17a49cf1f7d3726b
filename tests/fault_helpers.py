"""Shared by the fault-injection suites (tests/**/test_*_faults.py, tests/test_cli_interrupt.py) and
the distributed ones (tests/test_cli_distributed.py, tests/runs/test_experiments_distributed.py): a
guard that the committed store is never changed, a CLI runner, the one-line error and interrupt
checks, a tiny "book" whose training is instant, so a fault can be injected at any point of a real
`fmnist-lab` command, and stand-ins for the executors' task.
"""
from __future__ import annotations

import copy
import errno
import hashlib
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from fmnist_lab import cli
from fmnist_lab.engine.config import ENGINE_VERSION, RunConfig
from fmnist_lab.engine.models import build_model, count_parameters
from fmnist_lab.runs import executors, studies
from fmnist_lab.runs.store import DEFAULT_ROOT, Store


TINY = RunConfig(hidden=(8,), train_size=200, epochs=1)
CHAPTER = "02_baseline"  # the chapter name the tiny book answers to
ENVIRONMENT = ("FMNIST_PROFILE", "FMNIST_STORE", "FMNIST_DATA_DIR", "FMNIST_PROGRESS", "FMNIST_PAUSE_FILE",
               "FMNIST_NO_TRAIN")


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="module")
def committed_store_unchanged():
    """Every fault module ends with book/results exactly as it started (files, names and bytes)."""
    before = tree_digest(DEFAULT_ROOT)
    yield
    assert tree_digest(DEFAULT_ROOT) == before, "a fault test changed the committed store book/results"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No FMNIST_* variable leaks in from the shell or from another test; no progress bars."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FMNIST_PROGRESS", "0")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`fmnist-lab ARGV` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str, *fragments: str, warnings: int = 0) -> str:
    """The single `error: ...` line of stderr (after `warnings` one-line warnings), checked to
    contain every fragment."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 + warnings, f"expected {1 + warnings} line(s) on stderr, got {len(lines)}:\n{err}"
    assert all(line.startswith("warning: ") for line in lines[:warnings]), err
    line = lines[-1]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in: {line}"
    return line


def fake_result(cfg: RunConfig) -> dict:
    """A structurally valid result for `cfg` without training (the store only checks structure)."""
    history = {"epoch": [1], "lr": [cfg.lr], "train_loss": [1.0], "train_acc": [0.6], "train_eval_acc": [0.6],
               "val_loss": [1.1], "val_acc": [0.55], "seconds": [0.1]}
    confusion = [[0] * 10 for _ in range(10)]
    return {"key": cfg.key(), "engine_version": ENGINE_VERSION, "config": cfg.to_dict(),
            "provenance": {"wall_seconds": 0.1, "started_at": "2000-01-01T00:00:00+00:00", "device": "cpu"},
            "params": count_parameters(build_model(cfg)), "epochs_run": 1, "final_epoch": 1, "diverged": False,
            "seconds_per_epoch": 0.1, "history": history,
            "val": {"loss": 1.1, "acc": 0.55, "confusion": confusion},
            "test": {"loss": 1.1, "acc": 0.55, "confusion": confusion, "predictions": "0" * 10}}


class Trainer:
    """Stands in for `train.train`: instant, records what it trained, and can run a fault at the n-th run."""

    def __init__(self, fault_at: int | None = None, fault=None):
        self.trained: list[str] = []
        self.fault_at, self.fault = fault_at, fault

    def __call__(self, cfg: RunConfig, *args, **kwargs):
        if self.fault_at is not None and len(self.trained) == self.fault_at:
            self.fault()
        self.trained.append(cfg.key())
        torch.manual_seed(cfg.seed)
        return fake_result(cfg), build_model(cfg)


def tiny_book(monkeypatch, cfgs: list[RunConfig], checkpointed: list[RunConfig] = (), trainer: Trainer | None = None) -> Trainer:
    """Make the book one chapter (CHAPTER) needing `cfgs`, trained instantly by `trainer`."""
    trainer = trainer or Trainer()
    monkeypatch.setattr(studies, "book_chapters", lambda: [CHAPTER])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: list(cfgs) if chapter == CHAPTER else [])
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: list(checkpointed) if chapter == CHAPTER else [])
    monkeypatch.setattr("fmnist_lab.runs.executors.train", trainer)
    return trainer


def seeds(n: int, base: RunConfig = TINY) -> list[RunConfig]:
    return [base.replace(seed=s) for s in range(n)]


def fail_writes_under(monkeypatch, root: Path, code: int = errno.ENOSPC) -> None:
    """From now on, syncing any file under `root` fails with `code` (a full disk, say); elsewhere works."""
    real_fsync = os.fsync
    root = str(Path(root).resolve())

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
            raise OSError(code, os.strerror(code))
        return real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)


def leftovers(root: Path) -> list[Path]:
    """Temporary files an interrupted write could have left."""
    return sorted(root.rglob(".*.tmp"))


SMALL = RunConfig(hidden=(16,), train_size=300, epochs=1)
_CONNECT = socket.socket.connect  # before the autouse fixture forbids connections


def comparable(result: dict) -> dict:
    """A record without what legitimately differs between two trainings: timings, provenance."""
    result = copy.deepcopy(result)
    for name in ("provenance", "seconds_per_epoch", "checksum"):
        result.pop(name, None)
    result["history"].pop("seconds")
    return result


@contextmanager
def threads(n: int):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def count_saves(monkeypatch) -> dict[str, int]:
    """Number of times each run's result is written (counted in this, the submitting, process)."""
    saves: dict[str, int] = {}
    real_save = Store.save

    def save(self, result):
        saves[result["key"]] = saves.get(result["key"], 0) + 1
        return real_save(self, result)
    monkeypatch.setattr(Store, "save", save)
    return saves


def loopback_only(monkeypatch):
    """Let this process talk to a cluster on 127.0.0.1, and still to nothing else."""
    def connect(sock, address):
        if isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost"):
            return _CONNECT(sock, address)
        raise RuntimeError("a test tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", connect)


def fake_task(fail: dict[str, Exception] = {}, log: list | None = None):
    """Stands in for `executors.train_task`: instant; raises for the keys in `fail`."""
    def task(config, key, teacher=None, keep_weights=False, resume=None):
        if log is not None:
            log.append(key)
        if key in fail:
            raise fail[key]
        cfg = RunConfig.from_dict(config)
        model = Trainer()(cfg)[1]
        return fake_result(cfg), executors.weights_to_bytes(model) if keep_weights else None
    return task


def ctrl_c():
    raise KeyboardInterrupt


def one_interrupt_line(err: str, *fragments: str) -> str:
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted (Ctrl-C)"), err
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in: {lines[0]}"
    return lines[0]


# ---- worker processes that are stopped, killed or lost (the tasks are imported by spawned workers) ----
def pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie waiting to be reaped does not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@contextmanager
def deadline(seconds: float):
    """Ctrl-C to this process after `seconds`: a command that would wait for ever ends (exit 130, which
    the test then rejects) instead of hanging the test session."""
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def slow_task(config, key, teacher=None, keep_weights=False, resume=None):
    """A worker task: notes its pid in $FMNIST_TEST_PIDS/<key>; seed 0 finishes at once, others take 2 minutes."""
    Path(os.environ["FMNIST_TEST_PIDS"], key).write_text(str(os.getpid()))
    if config["seed"] != 0:
        time.sleep(120)
    return fake_task()(config, key, teacher, keep_weights)


def dying_task(config, key, teacher=None, keep_weights=False, resume=None):
    """A worker task: seed 1 kills its own worker (as the out-of-memory killer would); the others are instant."""
    if config["seed"] == 1:
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_task()(config, key, teacher, keep_weights)


CLI_WITH_SLOW_WORKERS = """
import sys
sys.path.insert(0, {tests!r})
if __name__ == "__main__":  # not again in the spawned workers, which import this file too
    import pytest
    import fault_helpers
    from fmnist_lab import cli
    from fmnist_lab.runs import executors
    patch = pytest.MonkeyPatch()
    fault_helpers.tiny_book(patch, fault_helpers.seeds(3))
    patch.setattr(executors, "train_task", fault_helpers.slow_task)
    patch.setattr(executors, "available_cores", lambda: 2)
    sys.exit(cli.main(sys.argv[1:]))
"""
