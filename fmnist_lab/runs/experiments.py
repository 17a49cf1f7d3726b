"""Load-or-train: what chapters call to get results, plus profiles and the environment they read.

A chapter lists the configurations it needs (training runs, and scikit-learn fits:
`engine.estimators`); `ensure` loads each one from the store ("found in store, skipping training") and
trains only what is missing.
"""
from __future__ import annotations

import atexit
import math
import os
import shutil
import tempfile
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from tqdm.auto import tqdm

from ..engine.checkpoints import MissingCheckpoint, load_checkpoint
from ..engine.config import RunConfig
from ..engine.data import DatasetError, locate
from ..engine.estimators import ESTIMATORS, EstimatorConfig
from ..engine.pause import check_pause_file, wait_between_runs
from ..engine.train import show_progress
from . import build, executors  # executors is the seam: tests swap executors.train_task for a stand-in
from .executors import ExecutorError, capacity, execute, failure_reason, model_from_bytes, weights_to_bytes
from .store import DEFAULT_ROOT, Claim, CorruptResult, Store


class SettingError(ValueError):
    """An environment variable (or option) with a value that cannot be used."""


class NotTrained(RuntimeError):
    """Runs are missing from the store and FMNIST_NO_TRAIN, or a book build, forbids training them."""


class RunsFailed(RuntimeError):
    """Some runs of an `ensure` with an executor failed; the others were saved. `failures`:
    (configuration, one-line reason) of each failed run, in the caller's order."""

    def __init__(self, failures: list[tuple[RunConfig, str]], trained: int, store: Store):
        super().__init__(f"{len(failures)} run(s) failed; {trained} trained and saved")
        self.failures, self.trained, self.store = failures, trained, store


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during `ensure`: the runs finished before it are saved; `remaining` were not trained."""

    def __init__(self, trained: int, remaining: list[RunConfig], store: Store):
        super().__init__(f"interrupted after {trained} run(s); {len(remaining)} not trained")
        self.trained, self.remaining, self.store = trained, remaining, store


@dataclass(frozen=True)
class Profile:
    """How much of the real experiment to run."""

    name: str
    seeds: tuple[int, ...]
    max_epochs: int | None  # cap on cfg.epochs (None: as configured)
    train_size: int | None  # cap on training images (None: all 50k)
    val_size: int | None = None  # validation images scored each epoch (None: all 10k)


PROFILES = {
    "full": Profile("full", seeds=(0, 1, 2), max_epochs=None, train_size=None),
    # Same code paths, a few seconds per run: for `pytest --nbval` and quick looks.
    "smoke": Profile("smoke", seeds=(0, 1), max_epochs=2, train_size=1000, val_size=1000),
}


def current_profile() -> Profile:
    """The profile FMNIST_PROFILE names (unset or empty: full)."""
    name = os.environ.get("FMNIST_PROFILE") or "full"
    if name not in PROFILES:
        raise SettingError(f"FMNIST_PROFILE={name!r} is not a profile; use one of {', '.join(PROFILES)} (or unset it for full)")
    return PROFILES[name]


@lru_cache(maxsize=None)
def _smoke_root() -> str:
    root, owner = tempfile.mkdtemp(prefix="fmnist_lab-smoke-"), os.getpid()
    # this process's own store, removed as it ends (but not by a forked child, whose parent still uses it)
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(root, ignore_errors=True))
    return root


def current_store() -> Store:
    """`FMNIST_STORE` if set; else the committed book/results (full) or, in the smoke profile, a
    temporary folder new in every process (so smoke runs always train) and removed as it ends; never
    the committed store, where its short runs would land among the book's results."""
    smoke = current_profile().name == "smoke"
    check_not_empty("FMNIST_STORE")
    if os.environ.get("FMNIST_STORE"):
        root = os.environ["FMNIST_STORE"]
        if smoke and os.path.realpath(root) == os.path.realpath(DEFAULT_ROOT):
            raise SettingError(f"FMNIST_STORE={root} is the committed store, and the smoke profile never writes "
                               "there: unset FMNIST_STORE (smoke runs go to a temporary folder) or point it elsewhere")
        return Store(root)
    return Store(_smoke_root()) if smoke else Store()


def shrink(cfg: RunConfig | EstimatorConfig, profile: Profile | None = None) -> RunConfig | EstimatorConfig:
    """`cfg` under a profile: training (and validation) images capped, and a run's epochs or an
    iterative classifier's iterations (trees, passes) capped at the profile's epochs."""
    profile = profile or current_profile()
    changes: dict[str, Any] = {}
    if profile.train_size is not None and (cfg.train_size or math.inf) > profile.train_size:
        changes["train_size"] = profile.train_size
    if profile.val_size is not None and not getattr(cfg, "refit", False) and (cfg.val_size or math.inf) > profile.val_size:
        changes["val_size"] = profile.val_size
    if profile.max_epochs is not None and isinstance(cfg, EstimatorConfig) and ESTIMATORS[cfg.estimator].iterations is not None:
        changes["iteration_cap"] = min(cfg.iteration_cap or math.inf, profile.max_epochs)
    elif profile.max_epochs is not None and isinstance(cfg, RunConfig) and cfg.epochs > profile.max_epochs:
        changes["epochs"] = profile.max_epochs
    return cfg.replace(**changes) if changes else cfg


def seeded(cfg: RunConfig | EstimatorConfig, profile: Profile | None = None) -> list[RunConfig | EstimatorConfig]:
    """One config per profile seed, each shrunk to the profile; a deterministic classifier (same fit
    whatever the seed) gets the first seed only."""
    profile = profile or current_profile()
    deterministic = isinstance(cfg, EstimatorConfig) and ESTIMATORS[cfg.estimator].deterministic
    return [shrink(cfg.replace(seed=s), profile) for s in (profile.seeds[:1] if deterministic else profile.seeds)]


def _stored(cfg: RunConfig, store: Store, checkpoint_keys: set[str]) -> dict[str, Any] | None:
    """The usable stored result of `cfg` (with its checkpoint, if one is required), else None."""
    found = store.load(cfg)
    if found is not None and cfg.key() in checkpoint_keys and not store.checkpoint_path(cfg.key()).exists():
        return None
    return found


def missing(cfgs: Iterable[RunConfig], store: Store, checkpoint_keys: Iterable[str] = ()) -> list[RunConfig]:
    """The configurations `ensure` would have to train."""
    keys = set(checkpoint_keys)
    return [cfg for cfg in cfgs if _stored(cfg, store, keys) is None]


def ensure(cfgs: Iterable[RunConfig], store: Store | None = None, checkpoint_keys: Iterable[str] = (),
           force: bool = False, progress: bool | None = None, quiet: bool = False,
           executor: Executor | None = None) -> list[dict[str, Any]]:
    """Results for `cfgs` in order: loaded from the store, trained (and saved) where missing. A
    configuration is a training run's (`RunConfig`) or a scikit-learn fit's (`EstimatorConfig`).

    Runs named in `checkpoint_keys` also need a saved model; one without it counts as missing.
    Before anything is trained, the store must be writable and every teacher checkpoint usable
    (StoreError, CheckpointError otherwise). Ctrl-C raises `Interrupted`: what finished is saved.

    Without `executor` the missing runs train here, one after another, and the first error
    stops. With one (`executors.LocalWorkers`, `executors.DaskCluster`, any `Executor`) each is a
    task there; this process validates and saves each record as it comes back, and a task that fails
    does not stop the others: they are saved and `RunsFailed` then lists the failures (a cluster that
    can train nothing more raises `ExecutorError` at once, the finished runs saved). Either
    way a run is claimed in the store before it trains, so two processes sharing a store never
    train the same run twice: each trains what the other has not claimed, then waits for the rest.
    """
    store = store or current_store()
    cfgs = list(cfgs)
    checkpoint_keys = set(checkpoint_keys)
    results = [None if force else _stored(cfg, store, checkpoint_keys) for cfg in cfgs]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo and (refused := build.refusal([cfgs[i] for i in todo], store, current_profile().name)):
        raise NotTrained(refused)  # FMNIST_NO_TRAIN, or a book build: no silent training

    progress, start, trained = show_progress() if progress is None else progress, time.perf_counter(), 0
    if todo:  # every check that can fail, before the first run trains
        store.check_writable([cfgs[i].key() for i in todo], [cfgs[i].key() for i in todo if cfgs[i].key() in checkpoint_keys])
        for i in todo if force else ():  # a retrain starts over: a saved state may come from code changed since
            store.discard_partial(cfgs[i].key())
        teachers = {cfgs[i].teacher: teacher_checkpoint(cfgs[i], store) for i in todo if cfgs[i].teacher}
        runner = _Runner(cfgs, results, store, checkpoint_keys, force, teachers, progress, executor)
        with tqdm(total=len(todo), desc="runs", unit="run", disable=not progress) as runner.bar:
            runner.run(todo)
        trained = runner.trained
    if not quiet:
        found = len(cfgs) - trained  # including runs another process stored while this one waited
        done = f"; trained {trained} in {time.perf_counter() - start:.0f} s" if todo else ", skipping training"
        print(f"{found} of {len(cfgs)} runs found in store{done}.")
    return results  # type: ignore[return-value]


class _Runner:
    """Trains the missing runs of one `ensure` call, here or through an executor (see `ensure`)."""

    def __init__(self, cfgs, results, store, checkpoint_keys, force, teachers, progress, executor):
        self.cfgs, self.results, self.store = cfgs, results, store
        self.checkpoint_keys, self.force, self.teachers = checkpoint_keys, force, teachers
        self.progress, self.executor = progress, executor
        self.trained, self.failures = 0, {}  # run index -> one-line reason
        self.teacher_weights: dict[str, tuple[dict, bytes]] = {}  # what a worker gets of each teacher
        self.in_flight: dict[Future, tuple[int, Claim]] = {}
        self.current: int | None = None  # the run training in this process
        self.done_keys: set[str] = set()  # saved by this call (a key listed twice trains once)
        self.bar = None
        self.waiting: list[int] = []
        self.revived_note = False

    def run(self, todo: list[int]) -> None:
        self.waiting = waiting = list(todo)  # in the caller's order: the first listed are trained first
        if self.executor is not None:
            self.bar.set_postfix(failed=0)
        try:
            while waiting or self.in_flight:
                self._check_executor()
                for i in list(waiting):
                    if self.executor is not None and len(self.in_flight) >= capacity(self.executor):
                        break
                    wait_between_runs()  # before the claim: a paused process holds none on a run it has not started
                    claim = self.store.claim(self.cfgs[i].key())
                    if claim is None:
                        continue  # another process is training it: come back to it later
                    waiting.remove(i)
                    self._start(i, claim)
                if self.in_flight:
                    finished, _ = wait(self.in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
                    for future in sorted(finished, key=lambda f: self.in_flight[f][0]):
                        self._finish(future)
                elif waiting:
                    self.bar.set_postfix_str(f"waiting for {len(waiting)} run(s) another process is training")
                    time.sleep(0.5)
        except KeyboardInterrupt:
            unfinished = sorted({*waiting, *(i for i, _ in self.in_flight.values()),
                                 *([] if self.current is None else [self.current])})
            raise Interrupted(self.trained, [self.cfgs[i] for i in unfinished], self.store) from None
        finally:
            for future, (_, claim) in self.in_flight.items():
                future.cancel()  # queued tasks never start; the executor's owner stops running ones
                claim.release()
            self.in_flight.clear()
        if self.failures:
            raise RunsFailed([(self.cfgs[i], reason) for i, reason in sorted(self.failures.items())],
                             self.trained, self.store)

    def _start(self, i: int, claim: Claim) -> None:
        """Train run i here, or submit it; or take it from the store if it arrived meanwhile."""
        cfg, key = self.cfgs[i], self.cfgs[i].key()
        if (not self.force or key in self.done_keys) and (found := _stored(cfg, self.store, self.checkpoint_keys)):
            self.store.discard_partial(key)  # stored by another process (or earlier in this call) since we looked
            claim.release()
            self.results[i] = found
            self.bar.update()
            return
        if self.executor is None:
            with claim:
                self.current = i
                result, model = execute(cfg, progress=self.progress, teacher=self.teachers.get(cfg.teacher),
                                        resume=str(self.store.partial_path(key)))
                self.store.save_run(cfg, result, model if key in self.checkpoint_keys else None)
                self.current = None
            self._saved(i, result)
            return
        if cfg.teacher is not None and cfg.teacher not in self.teacher_weights:
            model, teacher_cfg = self.teachers[cfg.teacher]
            self.teacher_weights[cfg.teacher] = (teacher_cfg.to_dict(), weights_to_bytes(model))
        resume = str(self.store.partial_path(key)) if isinstance(self.executor, executors.LocalWorkers) else None  # Dask: another disk
        task = (executors.train_task, cfg.to_dict(), key, self.teacher_weights.get(cfg.teacher), key in self.checkpoint_keys, resume)
        try:
            try:
                future = self.executor.submit(*task)
            except BrokenProcessPool:  # broken since the last results came in: a fresh pool, once
                if not getattr(self.executor, "revive", lambda: False)():
                    raise
                future = self.executor.submit(*task)
        except Exception as exc:  # a pool broken by a lost worker, a cluster gone
            claim.release()
            self._check_executor()
            self._failed(i, exc)
            return
        self.in_flight[future] = (i, claim)

    def _finish(self, future: Future) -> None:
        """Validate and save what a task returned (or note why it failed)."""
        i, claim = self.in_flight.pop(future)
        cfg, key = self.cfgs[i], self.cfgs[i].key()
        with claim:
            try:
                result, weights = future.result()
                self.store.check_record(cfg, result)
                if key in self.checkpoint_keys and weights is None:
                    raise CorruptResult("the task returned no weights, and this run's checkpoint is required")
                model = model_from_bytes(cfg, weights) if key in self.checkpoint_keys else None
            except CancelledError:
                self._check_executor()  # cancelled with a scheduler that is gone: that stops the command
                self._failed(i, "cancelled")
                return
            except DatasetError:  # the data a worker reads is broken: every run would fail alike, so stop
                raise
            except BrokenProcessPool as exc:  # a local worker died (killed): the pool is replaced
                self._lost_worker(i, future, exc)
                return
            except Exception as exc:
                self._failed(i, exc)
                return
            self.store.save_run(cfg, result, model)
        self._saved(i, result)

    def _check_executor(self) -> None:
        """ExecutorError, saying what this call saved, once the executor can train nothing more (`executors.DaskCluster`)."""
        try:
            getattr(self.executor, "check", lambda: None)()
        except ExecutorError as exc:
            done = f"{self.trained} run(s) had finished and are saved in {self.store.root}" if self.trained else "no run had finished"
            raise ExecutorError(f"{exc}; {done}; the same command then trains what is missing") from None

    def _lost_worker(self, i: int, future: Future, exc: BrokenProcessPool) -> None:
        """Run i was in a pool whose worker died: fail it if that worker held it, else train it again
        on a fresh pool (a pool cannot be replaced for ever: then every run left fails as before)."""
        held = getattr(self.executor, "held_by_dead_worker", lambda f: None)(future)
        revived = getattr(self.executor, "revive", lambda: False)()
        if held is not None:
            self._failed(i, f"{held} while training it; the other runs went on")
        elif revived:
            if not self.revived_note:
                warnings.warn("a worker process died; a new pool of workers trains the runs it interrupted", stacklevel=2)
                self.revived_note = True
            self.waiting[:] = sorted({*self.waiting, i})  # back in the queue, in the caller's order
        else:
            self._failed(i, exc)

    def _saved(self, i: int, result: dict[str, Any]) -> None:
        self.store.discard_partial(self.cfgs[i].key())  # stored: its state between epochs has served
        self.results[i] = result
        self.trained += 1
        self.done_keys.add(self.cfgs[i].key())
        self.bar.update()

    def _failed(self, i: int, exc: BaseException | str) -> None:
        self.failures[i] = failure_reason(exc)
        self.bar.set_postfix(failed=len(self.failures))
        self.bar.update()


def teacher_stored(cfg: RunConfig, store: Store) -> bool:
    """Whether the checkpoint `cfg` is taught by is where `teacher_checkpoint` looks for it."""
    return any(candidate.checkpoint_path(cfg.teacher).is_file() for candidate in (store, Store()))


def teacher_checkpoint(cfg: RunConfig, store: Store):
    """The loaded checkpoint (model, config) a taught run learns from: from `store`, else from the
    committed store (smoke runs are taught by the committed full-profile teacher)."""
    if cfg.teacher is None:
        return None
    for candidate in (store, Store()):
        if candidate.checkpoint_path(cfg.teacher).is_file():
            return load_checkpoint(candidate.checkpoint_path(cfg.teacher))
    raise MissingCheckpoint(f"teacher checkpoint {Store().checkpoint_path(cfg.teacher)} is missing: train and save it "
                            "first (`fmnist-lab run --chapter 10_best` writes the headline checkpoints)")


# ---- environment and store -----------------------------------------------------------------------
FLAGS = {"FMNIST_PROGRESS": ("", "0", "1", "true", "false"), "FMNIST_NO_TRAIN": ("", "0", "1"), "FMNIST_TRAIN_IN_BUILD": ("", "0", "1")}


def check_not_empty(name: str) -> None:
    """SettingError for a variable set to nothing: an unset shell variable (FMNIST_STORE=$STORE) is not
    meant as "use the default", which for the store is the committed one."""
    if name in os.environ and not os.environ[name].strip():
        raise SettingError(f"{name} is set but empty (an unset shell variable?): give it a value, or unset it "
                           f"(unset {name}) to use the default")


def check_environment() -> None:
    """Raise SettingError (or DatasetError) for an environment variable whose value cannot be meant."""
    current_profile()
    for name in ("FMNIST_STORE", "FMNIST_DATA_DIR", "FMNIST_PAUSE_FILE"):
        check_not_empty(name)
    for name, allowed in FLAGS.items():
        value = os.environ.get(name)
        if value is not None and value not in allowed:
            raise SettingError(f"{name}={value!r} is not understood; use one of {', '.join(repr(a) for a in allowed if a)} (or unset it)")
    check_pause_file()
    if os.environ.get("FMNIST_DATA_DIR"):
        locate(allow_download=False)  # the folder exists and holds the four files
