"""Holding a long job from outside: while the file FMNIST_PAUSE_FILE names exists, training waits
after its current epoch (and the runner between runs). Two jobs on two cores slow each other
several-fold and spoil recorded timings, so one is held while the other is timed or tested."""
from __future__ import annotations

import os
import time
from pathlib import Path

from tqdm.auto import tqdm


class PauseFileError(ValueError):
    """FMNIST_PAUSE_FILE names what could never pause a job and be removed to go on (one line, how to fix)."""


FOLDER = ("FMNIST_PAUSE_FILE={path} is a folder, so a run would wait for ever: name a file that does not "
          "exist (touch it to pause, remove it to go on), or remove the folder (rmdir {path})")


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


def wait_between_runs(poll_seconds: float = 5.0) -> None:
    """Hold while the pause file exists: the runner asks before it claims a run, so a held job holds
    no claim on a run it has not started."""
    path, announced = pause_file(), False
    while path and path.exists():
        if path.is_dir():  # made a folder since the command started: it could never be removed as a file
            raise PauseFileError(FOLDER.format(path=path))
        if not announced:
            print(f"paused: remove {path} to continue", flush=True)
            announced = True
        time.sleep(poll_seconds)


def check_pause_file() -> None:
    """PauseFileError for a pause file that is a folder, or that sits in no existing folder."""
    path = pause_file()
    if path and path.is_dir():
        raise PauseFileError(FOLDER.format(path=path))
    if path and not path.absolute().parent.is_dir():
        raise PauseFileError(f"FMNIST_PAUSE_FILE={path}: its folder does not exist, so the file could never "
                             "be created to pause a run; name a file in an existing folder")
