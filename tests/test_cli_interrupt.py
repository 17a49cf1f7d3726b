"""Fault injection, kind "interruption" (fmnist_lab.cli): Ctrl-C while training, during a forced
retrain, while paused, in the read-only commands. Ctrl-C ends in one line (what finished is kept,
how to resume) and exit status 130; SIGTERM (`kill`) ends the same way, saying SIGTERM."""
import os
import signal
import time

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import CHAPTER, ctrl_c, leftovers, one_interrupt_line, run_cli, seeds, tiny_book, Trainer

from fmnist_lab import cli
from fmnist_lab.runs import experiments
from fmnist_lab.runs.store import Store


def test_ctrl_c_while_training_keeps_what_finished_and_says_how_to_resume(tmp_path, monkeypatch, capsys):
    cfgs = seeds(3)
    trainer = tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=1, fault=ctrl_c))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run", "--chapter", CHAPTER)
    assert code == 130
    one_interrupt_line(err, f"the 1 run(s) finished before it are saved in {tmp_path}",
                       f"`fmnist-lab run --chapter {CHAPTER}` resumes")
    store = Store(tmp_path)
    assert store.keys() == {cfgs[0].key()} and store.load(cfgs[0]) is not None and leftovers(tmp_path) == []
    # ... and the command it names trains only the two that were left
    resumed = tiny_book(monkeypatch, cfgs)
    assert run_cli(capsys, "run", "--chapter", CHAPTER)[0] == 0
    assert resumed.trained == [cfgs[1].key(), cfgs[2].key()] and store.keys() == {c.key() for c in cfgs}
    assert trainer.trained == [cfgs[0].key()]


def test_ctrl_c_during_a_forced_retrain_names_the_runs_left(tmp_path, monkeypatch, capsys):
    cfgs = seeds(3)
    tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=1, fault=ctrl_c))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run", "--force")
    assert code == 130
    one_interrupt_line(err, f"fmnist-lab run --force --key {cfgs[1].key()} --key {cfgs[2].key()}")


def test_ctrl_c_while_paused(tmp_path, monkeypatch, capsys):
    tiny_book(monkeypatch, seeds(1))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    pause = tmp_path / "pause"
    pause.touch()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(pause))
    monkeypatch.setattr(experiments.time, "sleep", lambda seconds: ctrl_c())
    code, out, err = run_cli(capsys, "run")
    assert code == 130 and f"paused: remove {pause} to continue" in out
    one_interrupt_line(err, "no run had finished", "resumes")


@pytest.mark.parametrize("command", ["status", "leaderboard", "evaluate"])
def test_ctrl_c_in_a_command_that_only_reads(tmp_path, monkeypatch, capsys, command):
    tiny_book(monkeypatch, seeds(1))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(Store, "load", lambda self, cfg: ctrl_c())
    monkeypatch.setattr("fmnist_lab.cli.evaluate_checkpoint", lambda path: ctrl_c())
    argv = [command] + ([str(tmp_path / "x.pt")] if command == "evaluate" else [])
    code, _, err = run_cli(capsys, *argv)
    assert code == 130
    one_interrupt_line(err, "nothing is lost")


# ---- SIGTERM (`kill PID`) is handled like Ctrl-C ---------------------------------------------------
@pytest.fixture
def sigterm_caught():
    """A SIGTERM handler of the test's own, so that a `fmnist-lab` that does not install one leaves
    pytest alive (the test then fails on the exit status); restored afterwards."""
    caught = []
    before = signal.signal(signal.SIGTERM, lambda signum, frame: caught.append(signum))
    yield caught
    signal.signal(signal.SIGTERM, before)


def _sigterm():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(1)  # the handler runs here, in the main thread


def test_sigterm_while_training_keeps_what_finished_and_says_how_to_resume(tmp_path, monkeypatch, capsys, sigterm_caught):
    cfgs = seeds(3)
    tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=1, fault=_sigterm))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run", "--chapter", CHAPTER)
    assert code == 130 and sigterm_caught == [], err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"interrupted (SIGTERM): the 1 run(s) finished before it are saved in {tmp_path}"), line
    assert f"`fmnist-lab run --chapter {CHAPTER}` resumes" in line
    assert Store(tmp_path).keys() == {cfgs[0].key()} and leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN  # the command's handler is gone again


def test_sigterm_in_a_command_that_only_reads(tmp_path, monkeypatch, capsys, sigterm_caught):
    tiny_book(monkeypatch, seeds(1))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(Store, "load", lambda self, cfg: _sigterm())
    code, _, err = run_cli(capsys, "status")
    assert code == 130 and sigterm_caught == []
    assert err.strip() == "interrupted (SIGTERM); nothing was being written, so nothing is lost"


def test_help_documents_the_exit_status_of_sigterm(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert "130  interrupted (Ctrl-C, or SIGTERM" in capsys.readouterr().out
