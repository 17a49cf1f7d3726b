"""Load-or-train: what chapters call to get results, plus profiles and seed aggregation.

A chapter lists the configurations it needs; `ensure` loads each one from the store
("found in store, skipping training") and trains only what is missing.
"""
from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from tqdm.auto import tqdm

from .config import RunConfig
from .metrics import ci95
from .store import Store


@dataclass(frozen=True)
class Profile:
    """How much of the real experiment to run."""

    name: str
    seeds: tuple[int, ...]
    max_epochs: int | None  # cap on cfg.epochs (None: as configured)
    train_size: int | None  # cap on training images (None: all 50k)


PROFILES = {
    "full": Profile("full", seeds=(0, 1, 2), max_epochs=None, train_size=None),
    # Same code paths, a few seconds per run: for `pytest --nbval` and quick looks.
    "smoke": Profile("smoke", seeds=(0, 1), max_epochs=2, train_size=2000),
}


def current_profile() -> Profile:
    name = os.environ.get("FMNIST_PROFILE", "full")
    if name not in PROFILES:
        raise ValueError(f"FMNIST_PROFILE={name!r} is not a profile; use one of {', '.join(PROFILES)}")
    return PROFILES[name]


@lru_cache(maxsize=None)
def _smoke_root() -> str:
    return tempfile.mkdtemp(prefix="fmnist_lab-smoke-")


def current_store() -> Store:
    """`FMNIST_STORE` if set; else the committed book/results (full) or a fresh temp folder (smoke).

    The smoke store is new in every process, so smoke runs always exercise training.
    """
    if os.environ.get("FMNIST_STORE"):
        return Store(os.environ["FMNIST_STORE"])
    return Store(_smoke_root()) if current_profile().name == "smoke" else Store()


def shrink(cfg: RunConfig, profile: Profile | None = None) -> RunConfig:
    """`cfg` under a profile: epochs and training images capped."""
    profile = profile or current_profile()
    changes: dict[str, Any] = {}
    if profile.max_epochs is not None and cfg.epochs > profile.max_epochs:
        changes["epochs"] = profile.max_epochs
    if profile.train_size is not None and (cfg.train_size or math.inf) > profile.train_size:
        changes["train_size"] = profile.train_size
    return cfg.replace(**changes) if changes else cfg


def seeded(cfg: RunConfig, profile: Profile | None = None) -> list[RunConfig]:
    """One config per profile seed, each shrunk to the profile."""
    profile = profile or current_profile()
    return [shrink(cfg.replace(seed=s), profile) for s in profile.seeds]


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
           force: bool = False, progress: bool | None = None, quiet: bool = False) -> list[dict[str, Any]]:
    """Results for `cfgs` in order: loaded from the store, trained (and saved) where missing.

    Runs named in `checkpoint_keys` also need a saved model; one without it counts as missing.
    """
    from .train import show_progress, train

    store = store or current_store()
    cfgs = list(cfgs)
    checkpoint_keys = set(checkpoint_keys)
    results = [None if force else _stored(cfg, store, checkpoint_keys) for cfg in cfgs]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo and os.environ.get("FMNIST_NO_TRAIN", "0") not in ("0", ""):
        raise RuntimeError(f"{len(todo)} run(s) are not in the store {store.root} and FMNIST_NO_TRAIN is set; "
                           f"first missing: {cfgs[todo[0]].label()} (key {cfgs[todo[0]].key()}); "
                           "`fmnist-lab status -v` lists them, `fmnist-lab run` trains them")
    progress = show_progress() if progress is None else progress
    start = time.perf_counter()
    for i in tqdm(todo, desc="runs", unit="run", disable=not progress or not todo):
        wait_while_paused()
        result, model = train(cfgs[i], progress=progress, teacher=teacher_checkpoint(cfgs[i], store))
        store.save(result)
        if cfgs[i].key() in checkpoint_keys:
            store.save_checkpoint(cfgs[i], model)
        results[i] = result
    if not quiet:
        found = len(cfgs) - len(todo)
        trained = f"; trained {len(todo)} in {time.perf_counter() - start:.0f} s" if todo else ", skipping training"
        print(f"{found} of {len(cfgs)} runs found in store{trained}.")
    return results  # type: ignore[return-value]


def teacher_checkpoint(cfg: RunConfig, store: Store):
    """The loaded checkpoint (model, config) a taught run learns from: from `store`, else from the
    committed store (smoke runs are taught by the committed full-profile teacher)."""
    if cfg.teacher is None:
        return None
    from .checkpoints import load_checkpoint

    for candidate in (store, Store()):
        if candidate.checkpoint_path(cfg.teacher).is_file():
            return load_checkpoint(candidate.checkpoint_path(cfg.teacher))
    raise FileNotFoundError(f"teacher checkpoint {Store().checkpoint_path(cfg.teacher)} is missing: train and save it "
                            "first (`fmnist-lab run --chapter 10_best` writes the headline checkpoints)")


def wait_while_paused(poll_seconds: float = 5.0) -> None:
    """Hold between runs while the file named by FMNIST_PAUSE_FILE exists.

    Two processes sharing two cores slow each other's training several-fold (and spoil the
    recorded timings), so long background jobs can be paused at a run boundary instead:
    `touch $FMNIST_PAUSE_FILE`, wait for "paused", do the other work, remove the file.
    """
    path = os.environ.get("FMNIST_PAUSE_FILE")
    announced = False
    while path and os.path.exists(path):
        if not announced:
            print(f"paused: remove {path} to continue", flush=True)
            announced = True
        time.sleep(poll_seconds)


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = [v for v in values if v is not None]
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Seed aggregate of one configuration: means, stds and cost."""
    val = [r["val"]["acc"] for r in results]
    test = [r["test"]["acc"] for r in results]
    train_acc = [r["history"]["train_eval_acc"][r["final_epoch"] - 1] for r in results]
    val_mean, val_std = mean_std(val)
    test_mean, test_std = mean_std(test)
    train_mean, _ = mean_std(train_acc)
    peak = [max((v for v in r["history"]["val_acc"] if v is not None), default=math.nan) for r in results]
    peak_mean, peak_std = mean_std(peak)
    return {
        "seeds": len(results),
        "val_mean": val_mean, "val_std": val_std,
        "test_mean": test_mean, "test_std": test_std, "test_ci95": ci95(test),
        "train_mean": train_mean,
        "gap": train_mean - val_mean,  # train (eval mode) minus validation accuracy at the reported epoch
        "peak_val_mean": peak_mean, "peak_val_std": peak_std,  # best epoch in hindsight (chosen on val)
        "epochs": statistics.fmean(r["final_epoch"] for r in results),
        "params": results[0]["params"],
        "sec_per_epoch": statistics.fmean(r["seconds_per_epoch"] for r in results),
        "wall_seconds": compute_seconds(results) / len(results),  # training cost per seed
        "diverged": sum(r["diverged"] for r in results),
    }


def select(groups: dict[str, list[dict[str, Any]]]) -> str:
    """The configuration with the highest mean validation accuracy (never the test set)."""
    return max(groups, key=lambda name: summarize(groups[name])["val_mean"])


def compute_seconds(results: Iterable[dict[str, Any]]) -> float:
    """Total wall-clock seconds the given runs cost when they were trained (from provenance)."""
    return sum(r["provenance"]["wall_seconds"] for r in results)


def stalled_epochs(result: dict[str, Any], factor: float = 10.0, min_excess: float = 5.0) -> list[int]:
    """Epochs that took `factor` times the run's median epoch and `min_excess` seconds more.

    Such an epoch means the machine stalled (suspended, or shared with other work), not that the
    model was slow: the results stay valid, but the run's wall time -- and so the compute a
    chapter states -- is inflated. Retrain it with `fmnist-lab run --force --key KEY`.
    """
    seconds = [s for s in result["history"]["seconds"] if s is not None]
    if not seconds:
        return []
    median = sorted(seconds)[len(seconds) // 2]
    return [epoch for epoch, s in zip(result["history"]["epoch"], result["history"]["seconds"])
            if s is not None and s > factor * median and s - median > min_excess]
