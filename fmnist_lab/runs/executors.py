"""Where missing runs train: in this process (the default), on N worker processes on this
machine, or on an existing Dask cluster.

`experiments.ensure` takes any `concurrent.futures.Executor`; this module supplies the two the
command line offers and the task they run. A task trains one configuration (or fits one
scikit-learn classifier: `execute` tells them apart) and returns its result record, and the
model's weights (as `torch.save` bytes) when a checkpoint is required; it writes nothing, so a
worker needs the dataset but no access to the store, and a task killed half-way leaves nothing
behind. The submitting process validates and saves what comes back.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import signal
import socket
import threading
import weakref
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

import torch
from tqdm import tqdm

from ..engine.config import RunConfig
from ..engine.estimators import EstimatorConfig, fit
from ..engine.models import build_model
from ..engine.train import train
from .store import config_from_dict


class ExecutorError(RuntimeError):
    """The workers asked for cannot be used (no Dask installed, no scheduler at the address)."""


class TaskFailed(RuntimeError):
    """A run failed on a worker; the message names the error, the worker's host and its words."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and batch systems set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1

# ---- the task ---------------------------------------------------------------------------------------


def weights_to_bytes(model: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    return buffer.getvalue()


def model_from_bytes(cfg: RunConfig, weights: bytes) -> torch.nn.Module:
    """The model `cfg` builds, with weights a task returned (tensors only: `weights_only=True`)."""

    model = build_model(cfg)
    model.load_state_dict(torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True))
    return model.eval()


def execute(cfg: RunConfig | EstimatorConfig, progress: bool = False,
            teacher: tuple[torch.nn.Module, RunConfig] | None = None) -> tuple[dict[str, Any], torch.nn.Module | None]:
    """Train a run (`RunConfig`) or fit a classifier (`classical.EstimatorConfig`): (its record, the
    trained network, or None for a classifier, which keeps no checkpoint). The one place where the
    two kinds of configuration part ways, for this process and for workers alike."""
    if isinstance(cfg, RunConfig):

        return train(cfg, progress=progress, teacher=teacher)

    return fit(cfg), None


def train_task(config: dict[str, Any], key: str, teacher: tuple[dict[str, Any], bytes] | None = None,
               keep_weights: bool = False) -> tuple[dict[str, Any], bytes | None]:
    """Train (or fit) one configuration on whatever worker runs this; return (result record,
    weights or None).

    `teacher`: the (config, weights) of the checkpoint a taught run learns from, sent along so
    the worker needs no copy of the store. Arguments are plain data, so a worker with other code
    cannot quietly train something else: its key for the configuration must match `key`.
    """

    cfg = config_from_dict(config)
    if cfg.key() != key:
        raise ValueError(f"this worker's fmnist_lab gives the run key {cfg.key()}, the submitter's {key}: "
                         "install the same version of the code on every worker")
    loaded = None
    if teacher is not None:
        teacher_cfg = RunConfig.from_dict(teacher[0])
        loaded = (model_from_bytes(teacher_cfg, teacher[1]), teacher_cfg)
    try:
        result, model = execute(cfg, progress=False, teacher=loaded)
    except Exception as exc:  # as one line that says where: a traceback from a worker helps nobody
        text = " ".join(str(exc).split())
        raise TaskFailed(f"{type(exc).__name__} on {socket.gethostname()}: {text}") from None
    return result, weights_to_bytes(model) if keep_weights and model is not None else None

# ---- N processes on this machine --------------------------------------------------------------------


def _start_worker(threads: int) -> None:
    # Ctrl-C reaches the whole process group; the submitting process handles it and stops the
    # workers, so a worker ignores it rather than print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)
    # tqdm's default lock is a named semaphore, which a worker stopped by `LocalWorkers.stop` could
    # not remove (Python then warns of "leaked semaphore objects"); a worker draws no bars anyway.

    tqdm.set_lock(threading.RLock())


class LocalWorkers(ProcessPoolExecutor):
    """`workers` processes on this machine, each training with `threads` threads (default: the
    cores divided among them). Leaving the `with` block with tasks still running (Ctrl-C, an
    error) stops those processes instead of waiting for their runs to finish."""

    def __init__(self, workers: int, threads: int | None = None):
        self.workers = workers
        self.threads = threads or max(1, available_cores() // workers)
        # spawn, not fork: a forked copy of a process that has used torch's thread pool can hang.
        super().__init__(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                         initializer=_start_worker, initargs=(self.threads,))
        self._submitted: weakref.WeakSet = weakref.WeakSet()

    def submit(self, fn, /, *args, **kwargs):
        future = super().submit(fn, *args, **kwargs)
        self._submitted.add(future)
        return future

    def stop(self) -> None:
        """Cancel what is queued and end the worker processes now (runs in progress are lost)."""
        for future in list(self._submitted):
            future.cancel()
        for process in list((getattr(self, "_processes", None) or {}).values()):
            process.terminate()
        self.shutdown(wait=True, cancel_futures=True)

    def __exit__(self, *exc) -> bool:
        if any(not future.done() for future in list(self._submitted)):
            self.stop()
        else:
            self.shutdown(wait=True)
        return False


def capacity(executor: Executor) -> int:
    """How many runs to keep submitted at once: twice the workers (so none idles while results
    are saved), and no more, so that another process sharing the store can claim the rest and
    Ctrl-C has little to cancel. A Dask cluster is asked each time: workers come and go."""
    if isinstance(executor, LocalWorkers):
        workers = executor.workers
    elif isinstance(executor, ProcessPoolExecutor):
        workers = executor._max_workers
    elif getattr(executor, "_client", None) is not None:  # distributed's ClientExecutor
        try:
            workers = sum(executor._client.nthreads().values())
        except Exception:  # the scheduler is briefly unreachable: keep what is in flight going
            workers = 1
    else:
        workers = 2
    return 2 * max(1, workers)

# ---- choosing from the command line -----------------------------------------------------------------


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor | None]:
    """None (train in this process), `LocalWorkers(workers)`, or the executor of a Dask client
    connected to `scheduler` (closed on leaving)."""
    if scheduler:
        try:
            from distributed import Client  # lazy: optional, only --scheduler needs Dask
        except ImportError:
            raise ExecutorError("--scheduler needs Dask distributed, which is not installed: "
                                "pip install -r requirements.txt (it pins dask and distributed)") from None
        try:
            client = Client(scheduler, timeout="20s")
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ExecutorError(f"cannot reach a Dask scheduler at {scheduler} ({reason[:200]}): start one with "
                                "`dask scheduler` and workers with `dask worker ADDRESS`, then pass the address "
                                "it prints (tcp://HOST:8786)") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers and workers > 1:
        with LocalWorkers(workers) as pool:
            yield pool
    else:
        yield None
