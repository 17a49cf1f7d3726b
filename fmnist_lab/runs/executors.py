"""Where missing runs train: in this process (the default), on N worker processes on this
machine, or on an existing Dask cluster.

`experiments.ensure` takes any `concurrent.futures.Executor`; this module supplies the two the
command line offers and the task they run. A task trains one configuration (or fits one
scikit-learn classifier: `execute` tells them apart) and returns its result record, and the
model's weights (as `torch.save` bytes) when a checkpoint is required. It writes no result, so a
worker needs the dataset but no access to the store, and the submitting process validates and
saves what comes back. On this machine's workers a run also keeps its state between epochs in the
store's `partial/` folder, so that a task killed half-way resumes there; a Dask worker, which may
not share the disk, keeps none.
"""
from __future__ import annotations

import asyncio
import io
import itertools
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import warnings
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator

import torch
from tqdm import tqdm

from ..engine.config import RunConfig
from ..engine.data import DatasetError
from ..engine.estimators import EstimatorConfig, fit
from ..engine.models import build_model
from ..engine.train import train
from .store import config_from_dict


class ExecutorError(RuntimeError):
    """The workers asked for cannot be used (no Dask installed, no scheduler at the address, a
    scheduler lost or without workers); the message says what to do."""


class TaskFailed(RuntimeError):
    """A run failed on a worker; the message names the error, the worker's host and its words."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and batch systems set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def usable_workers(workers: int) -> int:
    """`workers`, capped at the cores this process may use, with one warning when it is: each worker
    holds its own copy of the data and model (about 1 GB), and more than the cores only queue for them."""
    cores = available_cores()
    if workers > cores:
        warnings.warn(f"--workers {workers} is more than the {cores} core(s) this process may use; each worker "
                      f"holds its own copy of the data (about 1 GB), so {cores} are used", stacklevel=3)
    return min(workers, cores)

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
            teacher: tuple[torch.nn.Module, RunConfig] | None = None,
            resume: str | None = None) -> tuple[dict[str, Any], torch.nn.Module | None]:
    """Train a run (`RunConfig`) or fit a classifier (`estimators.EstimatorConfig`): (its record, the
    trained network, or None for a classifier, which keeps no checkpoint). The one place where the
    two kinds of configuration part ways, for this process and for workers alike. `resume`: the file
    for a run's state between epochs, on a disk this process shares with the store (`engine.resume`)."""
    if isinstance(cfg, RunConfig):
        return train(cfg, progress=progress, teacher=teacher, resume=None if resume is None else Path(resume))

    return fit(cfg), None


def train_task(config: dict[str, Any], key: str, teacher: tuple[dict[str, Any], bytes] | None = None,
               keep_weights: bool = False, resume: str | None = None) -> tuple[dict[str, Any], bytes | None]:
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
        result, model = execute(cfg, progress=False, teacher=loaded, resume=resume)
    except DatasetError as exc:  # not this run's fault: every run would fail so; it stops the command
        raise DatasetError(f"{exc.problem} (on worker {socket.gethostname()})", exc.remedy) from None
    except Exception as exc:  # as one line that says where: a traceback from a worker helps nobody
        text = " ".join(str(exc).split())
        raise TaskFailed(f"{type(exc).__name__} on {socket.gethostname()}: {text}") from None
    return result, weights_to_bytes(model) if keep_weights and model is not None else None

def failure_reason(exc: BaseException | str) -> str:
    """One line: the exception's type and message (a task's traceback stays on its worker)."""

    if isinstance(exc, str):
        return exc
    if isinstance(exc, TaskFailed):
        return str(exc)
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

# ---- N processes on this machine --------------------------------------------------------------------
_ANNOUNCE = None  # in a worker: where it says which task it starts (see LocalWorkers.held_by_dead_worker)


def _start_worker(threads: int, parent: int | None = None, announce=None) -> None:
    global _ANNOUNCE
    # Ctrl-C reaches the whole process group; the submitting process handles it and stops the
    # workers, so a worker ignores it rather than print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _die_with(parent)
    _ANNOUNCE = announce
    torch.set_num_threads(threads)
    # tqdm's default lock is a named semaphore, which a worker stopped by `LocalWorkers.stop` could
    # not remove (Python then warns of "leaked semaphore objects"); a worker draws no bars anyway.

    tqdm.set_lock(threading.RLock())


def _die_with(parent: int, poll_seconds: float = 0.5) -> None:
    """End this worker as soon as `parent` is no longer its parent (killed, even by SIGKILL):
    a worker left behind would hold its memory forever, idle. A thread that polls getppid works
    on every POSIX system (PR_SET_PDEATHSIG would fire when the submitting *thread* ends)."""
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os._exit(1)  # nothing to clean up: a task writes no result (a run's saved state is meant to outlive it)
    threading.Thread(target=watch, name="fmnist-lab-parent-watch", daemon=True).start()


def _tracked(task: int, fn, /, *args, **kwargs):
    if _ANNOUNCE is not None:
        _ANNOUNCE.put((os.getpid(), task))  # synchronous: the submitter knows before the run starts
    return fn(*args, **kwargs)


class _Pool:
    """One ProcessPoolExecutor and what its workers said they were running."""

    def __init__(self, workers: int, threads: int):
        context = multiprocessing.get_context("spawn")  # a forked copy of a process that used torch's threads can hang
        self.announce = context.SimpleQueue()
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                            initargs=(threads, os.getpid(), self.announce))
        self.processes: dict[int, Any] = {}  # pid -> Process, every worker it ever started
        self.held: dict[int, int] = {}  # pid -> task last started there

    def note(self) -> None:
        self.processes.update(getattr(self.executor, "_processes", None) or {})
        try:
            while not self.announce.empty():
                pid, task = self.announce.get()
                self.held[pid] = task
        except (OSError, EOFError):
            pass


class LocalWorkers(Executor):
    """`workers` processes on this machine, each training with `threads` threads (default: the
    cores divided among them). Leaving the `with` block with tasks still running (Ctrl-C, an
    error) stops those processes instead of waiting for their runs to finish. A worker ends by
    itself when this process dies. A worker killed (the out-of-memory killer) breaks the pool:
    `held_by_dead_worker` says which task it held and `revive` starts a fresh pool."""

    MAX_REVIVALS = 8  # a pool that keeps breaking (workers die at start) is not replaced for ever

    def __init__(self, workers: int, threads: int | None = None):
        self.workers = workers
        self.threads = threads or max(1, available_cores() // workers)
        self.revivals = 0
        self._pool = _Pool(workers, self.threads)
        self._tasks: dict[Future, tuple[_Pool, int]] = {}
        self._count = itertools.count()

    @property
    def _processes(self):
        return getattr(self._pool.executor, "_processes", None)

    def submit(self, fn, /, *args, **kwargs):
        task = next(self._count)
        future = self._pool.executor.submit(_tracked, task, fn, *args, **kwargs)
        self._pool.note()
        self._tasks[future] = (self._pool, task)
        # a finished run's result (weights included) is not kept here; a failed one is, for held_by_dead_worker
        future.add_done_callback(lambda f: None if not f.cancelled() and f.exception() is not None else self._tasks.pop(f, None))
        return future

    def held_by_dead_worker(self, future: Future) -> str | None:
        """If `future` failed because the worker running it died: how it died (one phrase)."""
        pool, task = self._tasks.get(future, (None, None))
        if pool is None:
            return None
        pool.note()
        for process in pool.processes.values():
            process.join(timeout=5)  # the pool stops its other workers (SIGTERM) once one died
        pool.note()
        died = [pid for pid, process in pool.processes.items()
                if process.exitcode not in (None, 0, -signal.SIGTERM) and pool.held.get(pid) == task]
        if not died:
            return None
        code = pool.processes[died[0]].exitcode
        how = (f"killed by {signal.Signals(-code).name}" + (", as the out-of-memory killer does" if code == -signal.SIGKILL else "")
               if code < 0 else f"exit status {code}")
        return f"its worker process (pid {died[0]}) died ({how})"

    def revive(self) -> bool:
        """Replace a broken pool with a fresh one (False once it broke too often)."""
        if not getattr(self._pool.executor, "_broken", False):
            return True
        if self.revivals >= self.MAX_REVIVALS:
            return False
        self.revivals += 1
        self._pool.executor.shutdown(wait=False, cancel_futures=True)
        self._pool = _Pool(self.workers, self.threads)
        return True

    def stop(self) -> None:
        """Cancel what is queued and end the worker processes now (runs in progress are lost)."""
        for future in list(self._tasks):
            future.cancel()
        for process in list((self._processes or {}).values()):
            process.terminate()
        self._pool.executor.shutdown(wait=True, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.executor.shutdown(wait=wait, cancel_futures=cancel_futures)

    def __exit__(self, *exc) -> bool:
        if any(not future.done() for future in list(self._tasks)):
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
    elif isinstance(executor, DaskCluster):
        workers = executor.threads()
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

# ---- a Dask cluster ----------------------------------------------------------------------------------
CONNECT_SECONDS = 20.0  # to reach the scheduler and hear it answer as one
NO_WORKERS_SECONDS = 60.0  # a cluster without a single worker for this long is an error, not a wait for ever


class DaskCluster(Executor):
    """The executor of a Dask client (distributed's `ClientExecutor`), which also says, through
    `check`, when the cluster can train nothing more: its scheduler is gone (and the tasks it held
    with it), or it has had no worker for NO_WORKERS_SECONDS."""

    def __init__(self, client, address: str):
        self.client, self.address = client, address
        self._executor = client.get_executor()
        self._threads, self._asked, self._alone_since = 0, -float("inf"), None

    def submit(self, fn, /, *args, **kwargs):
        return self._executor.submit(fn, *args, **kwargs)

    def threads(self) -> int:
        """The cluster's worker threads (asked at most every 2 s; 0 while it has no worker)."""
        if time.monotonic() - self._asked >= 2.0:
            try:
                self._threads = sum(self.client.nthreads().values())
            except Exception:  # unreachable for a moment: `check` tells whether it is gone
                pass
            self._asked = time.monotonic()
        return self._threads

    def check(self) -> None:
        """ExecutorError once the scheduler is lost, or has had no worker for NO_WORKERS_SECONDS."""
        if self.client.status != "running":
            raise ExecutorError(f"lost the Dask scheduler at {self.address} (it stopped, or the network to it failed) "
                                "with the runs its workers were training: start it again (`dask scheduler`, then "
                                "`dask worker ADDRESS` on each machine)")
        if self.threads():
            self._alone_since = None
        elif self._alone_since is None:
            self._alone_since = time.monotonic()
        elif time.monotonic() - self._alone_since > NO_WORKERS_SECONDS:
            raise ExecutorError(f"the Dask scheduler at {self.address} has had no worker for {NO_WORKERS_SECONDS:.0f} s, "
                                f"so nothing can train: start workers (`dask worker {self.address}` on each machine), "
                                "or leave --scheduler out to train here")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


def _handshake(address: str, seconds: float) -> None:
    """Return once a Dask scheduler answers at `address`; TimeoutError after `seconds`. (distributed's
    own connect waits for ever on a listener that accepts the connection and never answers.)"""
    from distributed.comm import connect  # lazy: optional, only --scheduler needs Dask

    async def hello() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds)
        await comm.close()
    with ThreadPoolExecutor(1) as thread:  # an event loop of its own, also beside a caller's running one (Jupyter)
        thread.submit(asyncio.run, hello()).result()


@contextmanager
def _dask_client(scheduler: str) -> Iterator[DaskCluster]:
    try:
        from distributed import Client  # lazy: optional, only --scheduler needs Dask
    except ImportError:
        raise ExecutorError("--scheduler needs Dask distributed, which is not installed: "
                            "pip install -r requirements.txt (it pins dask and distributed)") from None
    silenced = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # distributed logs a lost scheduler in lines of its own: one error line says it
    try:
        try:
            _handshake(scheduler, CONNECT_SECONDS)
            client = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # two classes before Python 3.11
                reason = (f"no answer within {CONNECT_SECONDS:.0f} s: something accepts connections there, "
                          "but it is not a Dask scheduler")
            raise ExecutorError(f"cannot reach a Dask scheduler at {scheduler} ({reason[:200]}): start one with "
                                "`dask scheduler` and workers with `dask worker ADDRESS`, then pass the address "
                                "it prints (tcp://HOST:8786)") from None
        try:
            yield DaskCluster(client, scheduler)
        finally:
            with suppress(Exception):  # a scheduler already gone makes closing time out: nothing is lost
                client.close(timeout=CONNECT_SECONDS)
    finally:
        logging.disable(silenced)


# ---- choosing from the command line -----------------------------------------------------------------


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor | None]:
    """None (train in this process), `LocalWorkers(workers)` (at most one per core), or a
    `DaskCluster` connected to `scheduler` (closed on leaving)."""
    if scheduler:
        with _dask_client(scheduler) as cluster:
            yield cluster
    elif workers and workers > 1:
        workers = usable_workers(workers)
        if workers < 2:
            yield None
            return
        with LocalWorkers(workers) as pool:
            yield pool
    else:
        yield None
