"""Fault injection, kind "store" (fmnist_lab.runs.store): bad FMNIST_STORE paths, unwritable stores,
a disk that fills up, files in the way, tampered results, anything that could write into the
committed store, writes interrupted by Ctrl-C or a killed process (which leave only a temporary
file that git ignores and the next write removes), and records whose checksum is valid but whose
values are impossible (refused on read, on save and from a worker, naming the field and the file)."""
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import (
    fail_writes_under,
    fake_result,
    fake_task,
    leftovers,
    one_error,
    one_interrupt_line,
    run_cli,
    seeds,
    tiny_book,
    TINY,
    Trainer,
)

from fmnist_lab import cli
from fmnist_lab.runs import executors, experiments
from fmnist_lab.runs.store import _checksum, CorruptResult, DEFAULT_ROOT, remove_stale_temporaries, REPO_ROOT, Store


@pytest.fixture
def rescue(tmp_path, monkeypatch):
    folder = tmp_path / "rescue"
    monkeypatch.setattr("fmnist_lab.runs.store.RESCUE_DIR", folder)
    monkeypatch.setattr("fmnist_lab.runs.store.RESCUE_DIR", folder)
    return folder


# ---- the store's location ---------------------------------------------------------------------
def test_a_store_that_does_not_exist_is_an_error_not_an_empty_store(tmp_path, monkeypatch, capsys):
    tiny_book(monkeypatch, seeds(2))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "typo"))
    for command in ("status", "run", "leaderboard"):
        code, out, err = run_cli(capsys, command)
        assert code == 2 and "stored" not in out
        one_error(err, f"FMNIST_STORE={tmp_path / 'typo'} does not exist", "mkdir -p")
    assert not (tmp_path / "typo").exists()


def test_a_store_that_is_a_file_is_an_error(tmp_path, monkeypatch, capsys):
    tiny_book(monkeypatch, seeds(2))
    (tmp_path / "store").write_text("not a folder")
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    code, out, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, str(tmp_path / "store"), "is a file, not a folder", "FMNIST_STORE")


def test_a_file_where_the_runs_folder_belongs_is_an_error(tmp_path, monkeypatch, capsys):
    trainer = tiny_book(monkeypatch, seeds(2))
    (tmp_path / "runs").write_text("")
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    for command in ("status", "run"):
        code, _, err = run_cli(capsys, command)
        assert code == 2
        one_error(err, str(tmp_path / "runs"), "move it away")
    assert trainer.trained == []


# ---- unwritable store: found before training --------------------------------------------------
@pytest.mark.parametrize("code, words", [(errno.EACCES, "Permission denied (EACCES)"),
                                         (errno.EROFS, "Read-only file system (EROFS)"),
                                         (errno.ENOSPC, "No space left on device (ENOSPC)")])
def test_an_unwritable_store_is_found_before_anything_trains(tmp_path, monkeypatch, capsys, code, words):
    trainer = tiny_book(monkeypatch, seeds(2))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    fail_writes_under(monkeypatch, tmp_path, code)
    status, _, err = run_cli(capsys, "run")
    assert status == 2 and trainer.trained == []
    one_error(err, f"the store {tmp_path} cannot be written", words, "nothing was trained", "FMNIST_STORE")
    assert leftovers(tmp_path) == []


def test_a_disk_that_fills_during_training_keeps_the_finished_run_recoverable(tmp_path, monkeypatch, capsys, rescue):
    store_root = tmp_path / "store"
    store_root.mkdir()
    cfgs = seeds(3)
    trainer = tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=1, fault=lambda: fail_writes_under(monkeypatch, store_root)))
    monkeypatch.setenv("FMNIST_STORE", str(store_root))
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and len(trainer.trained) == 2  # stopped at the first failed write
    line = one_error(err, str(Store(store_root).path(cfgs[1].key())), "No space left on device (ENOSPC)",
                     f"kept in {rescue}", f"cp -r {rescue}/. {store_root}/")
    assert "lost" not in line
    store, kept = Store(store_root), Store(rescue)
    assert store.load(cfgs[0]) is not None  # the run before the disk filled is intact
    assert store.load(cfgs[1]) is None and kept.load(cfgs[1]) is not None  # the one after is recoverable, whole
    assert leftovers(store_root) == [] and leftovers(rescue) == []


def test_a_failed_checkpoint_write_rescues_the_checkpoint_too(tmp_path, monkeypatch, capsys, rescue):
    cfgs = seeds(1)
    tiny_book(monkeypatch, cfgs, checkpointed=cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    trainer_fault = Trainer(fault_at=0, fault=lambda: fail_writes_under(monkeypatch, tmp_path / "checkpoints"))
    monkeypatch.setattr("fmnist_lab.runs.executors.train", trainer_fault)
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    one_error(err, str(Store(tmp_path).checkpoint_path(cfgs[0].key())), "ENOSPC", f"kept in {rescue}")
    assert Store(rescue).checkpoint_path(cfgs[0].key()).is_file() and Store(rescue).load(cfgs[0]) is not None


def test_when_even_the_rescue_fails_the_message_says_the_run_is_lost(tmp_path, monkeypatch, capsys, rescue):
    cfgs = seeds(1)
    tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=0, fault=lambda: fail_writes_under(monkeypatch, tmp_path)))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    (tmp_path / "store").mkdir()
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    one_error(err, "ENOSPC", "is lost", "run again")


# ---- things in the way, damaged and unreadable results ------------------------------------------
def test_a_folder_where_a_run_file_belongs(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2)
    trainer = tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    Store(tmp_path).path(cfgs[1].key()).mkdir(parents=True)
    code, out, err = run_cli(capsys, "status")
    assert code == 1 and out.strip().endswith("missing runs: 2")
    assert err.count("warning:") == 1 and "cannot be read" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and trainer.trained == []
    one_error(err, str(Store(tmp_path).path(cfgs[1].key())), "is a folder", "rm -r", "nothing was trained", warnings=1)


def _truncate(path, data):
    path.write_text(path.read_text()[:200])


def _edit(path, data):
    data["test"]["acc"] = 0.99
    path.write_text(json.dumps(data))


def _not_an_object(path, data):
    path.write_text("[]")


def _binary(path, data):
    path.write_bytes(b"\xff\xfe\x00garbage")


@pytest.mark.parametrize("damage", [_truncate, _edit, _not_an_object, _binary])
def test_a_damaged_result_is_warned_about_once_and_retrained(tmp_path, monkeypatch, capsys, damage):
    cfgs = seeds(1)
    trainer = tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    store = Store(tmp_path)
    path = store.save(Trainer()(cfgs[0])[0])
    damage(path, json.loads(path.read_text()))
    code, out, err = run_cli(capsys, "status")
    assert code == 1 and out.strip().endswith("missing runs: 1")
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: ignoring {path}") and "trained again" in lines[0]
    code, _, err = run_cli(capsys, "run")
    assert code == 0 and trainer.trained == [cfgs[0].key()] and store.load(cfgs[0]) is not None


def test_a_result_filed_under_another_runs_key_is_not_used(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    store = Store(tmp_path)
    path = store.save(Trainer()(cfgs[0])[0])
    path.rename(store.path(cfgs[1].key()))
    code, out, err = run_cli(capsys, "status")
    assert code == 1 and out.strip().endswith("missing runs: 2")
    assert err.count("warning:") == 1 and f"expected {cfgs[1].key()}" in err


def test_an_unreadable_result_is_a_warning_not_a_traceback(tmp_path, monkeypatch, capsys):
    cfgs = seeds(1)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    path = Store(tmp_path).save(Trainer()(cfgs[0])[0])
    real_read = type(path).read_text

    def read_text(self, *args, **kwargs):
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self, *args, **kwargs)
    monkeypatch.setattr(type(path), "read_text", read_text)
    code, out, err = run_cli(capsys, "status")
    assert code == 1 and out.strip().endswith("missing runs: 1")
    assert err.count("warning:") == 1 and "Permission denied (EACCES)" in err and "Traceback" not in err


# ---- nothing a smoke profile or another store does writes into the committed store ------------
def test_the_smoke_profile_refuses_the_committed_store(monkeypatch, capsys):
    trainer = tiny_book(monkeypatch, seeds(1))
    monkeypatch.setenv("FMNIST_STORE", str(DEFAULT_ROOT))
    code, _, err = run_cli(capsys, "run", "--profile", "smoke")
    assert code == 2 and trainer.trained == []
    one_error(err, "the committed store", "smoke profile never writes there", "unset FMNIST_STORE")


def test_a_smoke_run_writes_only_into_its_temporary_store(tmp_path, monkeypatch, capsys):
    trainer = tiny_book(monkeypatch, seeds(1))
    monkeypatch.setattr(experiments, "_smoke_root", lambda: str(tmp_path))
    code, _, _ = run_cli(capsys, "run", "--profile", "smoke")
    assert code == 0 and trainer.trained and Store(tmp_path).keys() == set(trainer.trained)
    assert os.environ.get("FMNIST_PROFILE") is None  # --profile lasted for the command only


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


# ---- records that lie: a valid checksum over impossible values ------------------------------------
def _set(field, value):
    def change(result):
        *parents, last = field.split(".")
        target = result
        for name in parents:
            target = target[name]
        target[last] = value
    return change


def _history(change):
    def apply(result):
        change(result["history"])
    return apply


IMPOSSIBLE = {
    "test accuracy 1.7": (_set("test.acc", 1.7), "'test.acc' is 1.7"),
    "val accuracy -0.1": (_set("val.acc", -0.1), "'val.acc' is -0.1"),
    "final epoch -2": (_set("final_epoch", -2), "'final_epoch' is -2"),
    "final epoch past the run": (_set("final_epoch", 5), "'final_epoch' is 5"),
    "negative seconds per epoch": (_set("seconds_per_epoch", -3.0), "'seconds_per_epoch' is -3.0"),
    "negative wall seconds": (_set("provenance.wall_seconds", -1.0), "'provenance.wall_seconds' is -1.0"),
    "negative epoch seconds": (_history(lambda h: h.update(seconds=[-0.5])), "'history.seconds[0]' is -0.5"),
    "empty history": (_set("history", {}), "'history' is empty"),
    "no epoch at all": (lambda r: (r.update(epochs_run=0, final_epoch=0), r["history"].update({k: [] for k in r["history"]})),
                        "'epochs_run' is 0"),
    "unequal history columns": (_history(lambda h: h.update(val_acc=[0.5, 0.6])), "unequal lengths"),
    "history accuracy 2": (_history(lambda h: h.update(train_acc=[2.0])), "'history.train_acc[0]' is 2.0"),
    "history column not a list": (_history(lambda h: h.update(lr=0.1)), "'history.lr' is a float"),
}


def _signed(result):
    result = {k: v for k, v in result.items() if k != "checksum"}
    result["checksum"] = _checksum(result)
    return result


@pytest.mark.parametrize("name", IMPOSSIBLE)
def test_a_record_with_impossible_values_is_refused_on_read_naming_field_and_file(tmp_path, monkeypatch, capsys, name):
    change, words = IMPOSSIBLE[name]
    cfgs = seeds(1)
    trainer = tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    store = Store(tmp_path)
    path = store.save(fake_result(cfgs[0]))
    result = json.loads(path.read_text())
    change(result)
    path.write_text(json.dumps(_signed(result)))  # a valid checksum: only the values give it away
    code, out, err = run_cli(capsys, "status")
    assert code == 1 and out.strip().endswith("missing runs: 1"), err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"warning: ignoring {path}") and words in line, line
    code, _, err = run_cli(capsys, "leaderboard")
    assert "Traceback" not in err
    code, _, err = run_cli(capsys, "run")
    assert code == 0 and trainer.trained == [cfgs[0].key()] and store.load(cfgs[0]) is not None


@pytest.mark.parametrize("name", ["test accuracy 1.7", "final epoch -2", "empty history", "unequal history columns"])
def test_a_record_with_impossible_values_is_refused_on_save(tmp_path, name):
    change, words = IMPOSSIBLE[name]
    result = fake_result(TINY)
    change(result)
    store = Store(tmp_path)
    with pytest.raises(CorruptResult) as refused:
        store.save(result)
    assert f"refusing to save {store.path(TINY.key())}" in str(refused.value) and words in str(refused.value)
    assert store.keys() == set() and leftovers(tmp_path) == []


def test_training_that_returns_impossible_values_is_one_error_line_and_nothing_saved(tmp_path, monkeypatch, capsys):
    cfgs = seeds(1)
    trainer = Trainer()
    real = trainer.__call__

    def lying(cfg, *args, **kwargs):
        result, model = real(cfg)
        return {**result, "final_epoch": -2}, model
    tiny_book(monkeypatch, cfgs, trainer=trainer)
    monkeypatch.setattr("fmnist_lab.runs.executors.train", lying)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    one_error(err, f"refusing to save {Store(tmp_path).path(cfgs[0].key())}", "'final_epoch' is -2")
    assert Store(tmp_path).keys() == set()


def test_a_worker_result_with_impossible_values_fails_that_run_only(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(cli, "open_executor", thread_pool)
    honest = fake_task()

    def task(config, key, teacher=None, keep_weights=False, resume=None):
        result, weights = honest(config, key, teacher, keep_weights)
        return ({**result, "test": {**result["test"], "acc": 1.7}} if key == cfgs[1].key() else result), weights
    monkeypatch.setattr(executors, "train_task", task)
    code, _, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 3 and "Traceback" not in err
    assert f"  {cfgs[1].key()}  {cfgs[1].label()}: CorruptResult: field 'test.acc' is 1.7" in err
    assert Store(tmp_path).keys() == {cfgs[0].key()}


@contextmanager
def thread_pool(workers=None, scheduler=None):
    with ThreadPoolExecutor(2) as pool:
        yield pool
