"""Fault injection, kind "interruption": Ctrl-C while training, while saving, while paused, in
the read-only commands; a process killed in the middle of a write. Ctrl-C ends in one line (what
finished is kept, how to resume) and exit status 130; a killed write leaves only a temporary file
that git ignores and the next write removes."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import CHAPTER, Trainer, leftovers, run_cli, seeds, tiny_book
from fmnist_lab.runs import experiments
from fmnist_lab.runs import bench
from fmnist_lab.runs.store import REPO_ROOT, Store, remove_stale_temporaries


def ctrl_c():
    raise KeyboardInterrupt


def one_interrupt_line(err: str, *fragments: str) -> str:
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted (Ctrl-C)"), err
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in: {lines[0]}"
    return lines[0]


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


def test_ctrl_c_during_the_save_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the second run's result, mid-write
            raise KeyboardInterrupt
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    code, _, err = run_cli(capsys, "run")
    assert code == 130
    one_interrupt_line(err, "the 1 run(s) finished before it are saved")
    assert Store(tmp_path).keys() == {cfgs[0].key()} and leftovers(tmp_path) == []


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


def test_ctrl_c_during_the_bench_saves_nothing(tmp_path, monkeypatch, capsys):

    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(bench, "_torchvision_root", lambda: ctrl_c())
    code, _, err = run_cli(capsys, "bench", "--repeats", "1")
    assert code == 130 and not (tmp_path / "bench.json").exists() and leftovers(tmp_path) == []
    one_interrupt_line(err)


# ---- a process killed in the middle of a write -----------------------------------------------------
WRITER = """
import sys, time
from pathlib import Path
from fmnist_lab.runs.store import _atomic_write
def write(fh):
    fh.write(b'{"half": ')
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
_atomic_write(Path(sys.argv[1]), write)
"""


def test_a_killed_write_leaves_a_temporary_file_that_git_ignores_and_the_next_write_removes(tmp_path):
    cfg = seeds(1)[0]
    store = Store(tmp_path)
    target = store.path(cfg.key())
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                              cwd=REPO_ROOT)
    try:
        assert writer.stdout.readline().strip() == "writing"
        (left,) = leftovers(tmp_path)  # the write in progress
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    assert left.exists() and not target.exists()  # no partial result: only the temporary file
    assert store.load(cfg) is None and store.keys() == set()  # which nobody mistakes for a result
    if (REPO_ROOT / ".git").exists():  # a clone, not an unpacked archive
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index",
                                  str(Path("book/results/runs") / left.name)], cwd=REPO_ROOT)
        assert ignored.returncode == 0, "git would offer the temporary file for committing"
    store.save(Trainer()(cfg)[0])  # the next write into the folder
    assert leftovers(tmp_path) == [] and store.load(cfg) is not None


def test_the_temporary_file_of_a_live_writer_is_left_alone(tmp_path):
    mine = tmp_path / f".x.json.{os.getpid()}-abcdefgh.tmp"
    mine.write_text("{")
    dead = tmp_path / ".y.json.999999999-abcdefgh.tmp"  # beyond any pid_max: no such process
    dead.write_text("{")
    old_style, fresh_old_style = tmp_path / ".z.json.abcdefgh.tmp", tmp_path / ".w.json.ijklmnop.tmp"
    old_style.write_text("{")
    fresh_old_style.write_text("{")
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([dead, old_style])
    assert mine.exists() and fresh_old_style.exists()
