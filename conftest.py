"""Let `pytest --nbval` execute the book's MyST chapters (book/*.md) directly.

nbval collects only .ipynb files; here each chapter is converted in memory with jupytext and
handed to nbval's collector, so there is one source file per chapter and nothing on disk.
Notebooks run in the smoke profile unless FMNIST_PROFILE says otherwise, sharing one fresh
temporary results store for the session.
"""
import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).parent
BOOK = ROOT / "book"


def _toc_files() -> set[str]:
    """The pages listed in _toc.yml: only chapters that are in the book are tested."""
    from fmnist_lab.runs.studies import toc_files

    return set(toc_files(ROOT / "_toc.yml"))


def _is_chapter(path: Path) -> bool:
    if path.suffix != ".md" or path.parent != BOOK or path.stem not in _toc_files():
        return False
    head = path.read_text(encoding="utf-8")[:400]
    return head.startswith("---") and "format_name: myst" in head


def pytest_configure(config):
    if getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False):
        os.environ.setdefault("FMNIST_PROFILE", "smoke")
        os.environ.setdefault("MPLBACKEND", "Agg")
        if os.environ["FMNIST_PROFILE"] == "smoke" and "FMNIST_STORE" not in os.environ:
            # One fresh store for the whole session, shared by every chapter's kernel and every
            # xdist worker (they inherit this environment): each run is trained once, so training
            # is really exercised and no configuration two chapters share is trained twice.
            os.environ["FMNIST_STORE"] = tempfile.mkdtemp(prefix="fmnist_lab-nbval-")
            config._fmnist_smoke_store = os.environ["FMNIST_STORE"]
            _remove_at_exit(config._fmnist_smoke_store)
        workers = getattr(config.option, "numprocesses", None)
        if workers and not os.environ.get("PYTEST_XDIST_WORKER"):
            # Several chapters run at once: one thread per kernel instead of every kernel
            # fighting over all cores (set before any worker or kernel imports torch).
            os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_unconfigure(config):
    """Remove the session's smoke store (only the process that created it does)."""
    store = getattr(config, "_fmnist_smoke_store", None)
    if store:
        shutil.rmtree(store, ignore_errors=True)


def _remove_at_exit(folder: str) -> None:
    """Remove `folder` however this process ends, short of SIGKILL: also after a session that never
    reached pytest_unconfigure, and after `kill PID` (SIGTERM, which would otherwise end the process
    at once: it now ends the session as Ctrl-C does, kernels shut down and the folder removed)."""
    owner = os.getpid()  # not in a forked child: the folder is its parent's
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"terminated ({signal.Signals(signum).name})")


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)) and _is_chapter(file_path):
        return MystChapter.from_parent(parent, path=file_path)
    return None


try:
    from nbval import plugin as _nbval
except ImportError:  # nbval not installed: unit tests still run
    _nbval = None

if _nbval is not None:
    class MystChapter(_nbval.IPyNbFile):
        """nbval's notebook collector, reading the notebook with jupytext instead of nbformat."""

        def collect(self):
            read = _nbval.nbformat.read
            _nbval.nbformat.read = lambda path, as_version: jupytext.read(path)
            try:
                yield from super().collect()
            finally:
                _nbval.nbformat.read = read


# ---- the test suite's time budget --------------------------------------------------------------
# `make test` should take at most TEST_BUDGET_SECONDS on an idle 2-core machine. With
# FMNIST_TEST_BUDGET=1 (as `make test` and CI set it) the session fails when one test file (a
# chapter under nbval counts as one) takes more than MAX_FILE_SHARE of that budget, and says which
# files and how long, so a slow addition shows the day it lands instead of one minute a month.
TEST_BUDGET_SECONDS = 300
MAX_FILE_SHARE = 0.5  # 150 s. Chapters 9 and 10 train smoke CNNs: 163 s and 153 s measured beside a training job (2 cores)
_file_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add each test phase's duration to its file (on the xdist controller too: reports arrive there)."""
    path = report.nodeid.split("::", 1)[0]
    _file_seconds[path] = _file_seconds.get(path, 0.0) + report.duration


def slow_files(seconds: dict[str, float], budget: float = TEST_BUDGET_SECONDS, share: float = MAX_FILE_SHARE) -> list[str]:
    """'<file>: <seconds> s' for each file over `share` of `budget`, slowest first."""
    limit = share * budget
    return [f"{path}: {took:.0f} s" for path, took in sorted(seconds.items(), key=lambda item: -item[1]) if took > limit]


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("FMNIST_TEST_BUDGET") != "1" or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    over = slow_files(_file_seconds)
    if over:
        session.config._fmnist_over_budget = over
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    over = getattr(config, "_fmnist_over_budget", None)
    if over:
        terminalreporter.write_line(
            f"test budget: {len(over)} file(s) took over {MAX_FILE_SHARE:.0%} of the {TEST_BUDGET_SECONDS} s budget "
            f"({MAX_FILE_SHARE * TEST_BUDGET_SECONDS:.0f} s), summed over their tests: " + "; ".join(over)
            + ". Cut the work (smaller smoke inputs, a shared fixture), not the coverage.", red=True)
