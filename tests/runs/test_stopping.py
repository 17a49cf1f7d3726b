"""How `fmnist-lab run` stops (fmnist_lab.runs.stopping): SIGTERM ends like Ctrl-C, and the lines
that say what was kept and which command resumes keep the user's options."""
import os
import signal
from argparse import Namespace

import pytest

from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs import stopping

CFGS = [RunConfig(hidden=(16,), seed=s) for s in range(2)]


def test_sigterm_inside_is_a_keyboard_interrupt_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        with stopping.sigterm_as_ctrl_c():
            os.kill(os.getpid(), signal.SIGTERM)
            signal.sigtimedwait([], 1) if hasattr(signal, "sigtimedwait") else None
    assert stopping.cause() == "SIGTERM" and signal.getsignal(signal.SIGTERM) == before


def test_resume_line_repeats_the_command_or_names_the_keys_left_with_the_options_kept():
    plain = Namespace(force=False, argv=["run", "--chapter", "02_baseline"], profile=None, workers=None, scheduler=None)
    line = stopping.resume_line(plain, "/store", 3, CFGS)
    assert "the 3 run(s) finished before it are saved in /store" in line and "`fmnist-lab run --chapter 02_baseline` resumes" in line
    forced = Namespace(force=True, argv=["run", "--force"], profile="smoke", workers=2, scheduler=None)
    line = stopping.resume_line(forced, "/store", 0, CFGS)
    assert "no run had finished" in line
    assert f"`fmnist-lab run --force --profile smoke --workers 2 --key {CFGS[0].key()} --key {CFGS[1].key()}` retrains the 2 left" in line


def test_failure_report_lists_each_failed_run_with_its_reason():
    args = Namespace(force=False, argv=["run"], profile=None, workers=None, scheduler=None)
    report = stopping.failure_report(args, "/store", [(CFGS[0], "out of memory")])
    assert report.splitlines()[0].startswith("failed: 1 run(s) were not trained")
    assert f"{CFGS[0].key()}" in report and "out of memory" in report and "`fmnist-lab run` trains only what is still missing" in report
