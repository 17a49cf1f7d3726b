"""Holding a long job from outside: while the file FMNIST_PAUSE_FILE names exists, training waits
after its current epoch (and the runner between runs). Two jobs on two cores slow each other
several-fold and spoil recorded timings, so one is held while the other is timed or tested."""
from __future__ import annotations

import os
import time
from pathlib import Path

from tqdm.auto import tqdm


def pause_file() -> Path | None:
    """The file FMNIST_PAUSE_FILE names, or None when it is unset (the one reader of the setting)."""
    path = os.environ.get("FMNIST_PAUSE_FILE")
    return Path(path) if path else None


def pause_requested() -> bool:
    """Whether the pause file exists as a file (a folder there is refused by `runs.experiments`)."""
    path = pause_file()
    return path is not None and path.is_file()


def wait_between_epochs(epoch: int, poll_seconds: float = 5.0) -> float:
    """Wait while the pause file exists (`touch` it to pause a long run after its current epoch,
    remove it to go on), and return the seconds waited: they count neither in the epoch's time nor
    in the run's wall time, so a paused run keeps honest timings."""
    if not pause_requested():
        return 0.0
    path, start = pause_file(), time.perf_counter()
    tqdm.write(f"paused after epoch {epoch}: remove {path} to continue")
    while path.is_file():
        time.sleep(poll_seconds)
    return time.perf_counter() - start
