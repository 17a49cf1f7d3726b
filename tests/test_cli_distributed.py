"""`fmnist-lab run` with workers (fmnist_lab.cli): on a Dask scheduler, on local worker processes,
failed runs listed with their reason, Ctrl-C cancelling what is queued, and the one batch of all
chapters."""
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import (
    CHAPTER,
    comparable,
    count_saves,
    fake_result,
    fake_task,
    leftovers,
    loopback_only,
    run_cli,
    seeds,
    SMALL,
    threads,
    tiny_book,
)

from fmnist_lab import cli
from fmnist_lab.engine.train import train
from fmnist_lab.runs import executors, experiments, studies
from fmnist_lab.runs.store import Store


def test_run_with_a_scheduler_trains_only_what_is_missing_there(tmp_path, monkeypatch, capsys):
    distributed = pytest.importorskip("distributed")
    loopback_only(monkeypatch)
    cfgs = seeds(3, SMALL)
    Store(tmp_path).save(fake_result(cfgs[0]))
    monkeypatch.setattr(studies, "book_chapters", lambda: [CHAPTER])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: list(cfgs))
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: [])
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    saves = count_saves(monkeypatch)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code, out, err = run_cli(capsys, "run", "--scheduler", cluster.scheduler_address)
    assert code == 0 and f"training on the Dask cluster at {cluster.scheduler_address}" in out, err
    assert saves == {cfgs[1].key(): 1, cfgs[2].key(): 1}


@contextmanager
def thread_pool(workers=None, scheduler=None):
    with ThreadPoolExecutor(2) as pool:
        yield pool


def test_run_lists_failed_runs_with_their_reason_and_exits_3(tmp_path, monkeypatch, capsys):
    cfgs = seeds(3)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(cli, "open_executor", thread_pool)
    monkeypatch.setattr(executors, "train_task", fake_task({cfgs[1].key(): ValueError("bad\nconfiguration")}))
    code, out, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 3 and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"failed: 1 run(s) were not trained (the runs that finished are saved in {tmp_path}):",
        f"  {cfgs[1].key()}  {cfgs[1].label()}: ValueError: bad configuration",
        "fix the cause, then `fmnist-lab run --workers 2` trains only what is still missing"]
    assert Store(tmp_path).keys() == {cfgs[0].key(), cfgs[2].key()}


def test_ctrl_c_cancels_what_is_queued_and_keeps_what_finished(tmp_path, monkeypatch, capsys):
    cfgs = seeds(4)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(cli, "open_executor", thread_pool)
    monkeypatch.setattr(executors, "train_task", fake_task())
    real_wait, calls = experiments.wait, []

    def wait(*args, **kwargs):  # Ctrl-C once the first result is in
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        done, pending = real_wait(*args, **kwargs)
        while not done:
            done, pending = real_wait(*args, **kwargs)
        return set(list(done)[:1]), pending
    monkeypatch.setattr(experiments, "wait", wait)
    code, _, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 130 and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("interrupted (Ctrl-C): the 1 run(s) finished before it are saved")
    assert "`fmnist-lab run --workers 2` resumes" in line
    assert len(Store(tmp_path).keys()) == 1 and leftovers(tmp_path) == []  # claims released too


# ---- N processes on this machine --------------------------------------------------------------------
def test_run_with_local_workers_trains_what_this_process_would(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2, SMALL)
    monkeypatch.setattr(studies, "book_chapters", lambda: [CHAPTER])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: list(cfgs))
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: cfgs[:1])
    monkeypatch.setattr(executors, "available_cores", lambda: 2)  # 2 workers x 1 thread, on any machine
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, out, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 0 and "training on 2 worker processes x 1 thread(s)" in out, err
    store = Store(tmp_path)
    assert store.keys() == {c.key() for c in cfgs} and store.checkpoint_path(cfgs[0].key()).is_file()
    with threads(1):
        assert comparable(store.load(cfgs[1])) == comparable(train(cfgs[1], progress=False)[0])


def test_with_workers_all_chapters_are_one_batch_and_taught_runs_wait_for_their_teacher(tmp_path):
    teacher = SMALL.replace(hidden=(32,))
    taught = SMALL.replace(teacher=teacher.key())
    batches = [("a", [SMALL, teacher], [teacher.key()]), ("b", [SMALL.replace(seed=1), taught], [])]
    assert cli._one_batch(batches, Store(tmp_path)) == [
        ("a, b", [SMALL, teacher, SMALL.replace(seed=1)], [teacher.key()]),
        ("a, b: runs taught by the runs above", [taught], [teacher.key()])]
