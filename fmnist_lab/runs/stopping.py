"""How `fmnist-lab run` stops: SIGTERM taken like Ctrl-C, and the lines that say what was kept
and which command resumes, or retries what failed, with the options the user gave."""
from __future__ import annotations

import shlex
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_CAUSE = ["Ctrl-C"]  # what stopped the current command: "Ctrl-C" or "SIGTERM"


def cause() -> str:
    return _CAUSE[0]


def _on_sigterm(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second `kill` must not break off the cleanup
    _CAUSE[0] = "SIGTERM"
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """While inside, SIGTERM (`kill PID`, a batch system's stop) raises KeyboardInterrupt in the
    main thread, so it ends the way Ctrl-C does: finished runs kept, workers stopped, one line."""
    _CAUSE[0] = "Ctrl-C"
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before if before is not None else signal.SIG_DFL)


def _options(args: Any) -> str:
    """The options a retry must keep: where it trains and under which profile."""
    kept = []
    for option in ("profile", "workers", "scheduler"):
        value = getattr(args, option, None)
        if value is not None:
            kept += [f"--{option}", str(value)]
    return (" " + shlex.join(kept)) if kept else ""


def failure_report(args: Any, root: Any, failures: list) -> str:
    lines = [f"failed: {len(failures)} run(s) were not trained (the runs that finished are saved in {root}):"]
    lines += [f"  {cfg.key()}  {cfg.label()}: {reason}" for cfg, reason in failures]
    if args.force:
        again = f"fmnist-lab run --force{_options(args)} " + " ".join(f"--key {cfg.key()}" for cfg, _ in failures)
        lines.append(f"fix the cause, then `{again}` retrains them")
    else:
        lines.append(f"fix the cause, then `fmnist-lab {shlex.join(args.argv)}` trains only what is still missing")
    return "\n".join(lines)


def resume_line(args: Any, root: Any, trained: int, remaining: list) -> str:
    saved = f"the {trained} run(s) finished before it are saved in {root}" if trained else "no run had finished"
    stopped = f"interrupted ({cause()})"
    if not args.force:
        resume = "fmnist-lab " + shlex.join(args.argv)
        return f"{stopped}: {saved}; `{resume}` resumes (only what is missing, a run under way from its last saved epoch)"
    keys = list(dict.fromkeys(cfg.key() for cfg in remaining))
    if len(keys) <= 5:
        again = f"fmnist-lab run --force{_options(args)} " + " ".join(f"--key {key}" for key in keys)
        return f"{stopped}: {saved}; `{again}` retrains the {len(keys)} left"
    return (f"{stopped}: {saved}; {len(keys)} runs were not retrained: run the same command again to "
            "retrain everything, or drop --force to train only what is missing")
