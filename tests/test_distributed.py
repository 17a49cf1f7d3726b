"""Training missing runs elsewhere: through a `concurrent.futures` executor (worker processes, a
Dask cluster), with per-key claims so that processes sharing a store never train a run twice.

A run trained on a worker must be the run trained here (same thread count); each record is
written once, by the submitting process; a failed task is listed and stops nothing else."""
import copy
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import torch

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import CHAPTER, Trainer, fake_result, leftovers, run_cli, seeds, tiny_book
from fmnist_lab.runs import experiments
from fmnist_lab.runs import executors
from fmnist_lab.runs import bench
from fmnist_lab import cli
from fmnist_lab.runs import classical
from fmnist_lab.runs import studies
from fmnist_lab.engine.checkpoints import load_checkpoint
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs.store import REPO_ROOT, Store
from fmnist_lab.engine.train import train

SMALL = RunConfig(hidden=(16,), train_size=300, epochs=1)
_CONNECT = socket.socket.connect  # before the autouse fixture forbids connections


def comparable(result: dict) -> dict:
    """A record without what legitimately differs between two trainings: timings, provenance."""
    result = copy.deepcopy(result)
    for name in ("provenance", "seconds_per_epoch", "checksum"):
        result.pop(name, None)
    result["history"].pop("seconds")
    return result


@contextmanager
def threads(n: int):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def count_saves(monkeypatch) -> dict[str, int]:
    """Number of times each run's result is written (counted in this, the submitting, process)."""
    saves: dict[str, int] = {}
    real_save = Store.save

    def save(self, result):
        saves[result["key"]] = saves.get(result["key"], 0) + 1
        return real_save(self, result)
    monkeypatch.setattr(Store, "save", save)
    return saves


def loopback_only(monkeypatch):
    """Let this process talk to a cluster on 127.0.0.1, and still to nothing else."""
    def connect(sock, address):
        if isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost"):
            return _CONNECT(sock, address)
        raise RuntimeError("a test tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", connect)


# ---- on a Dask cluster ------------------------------------------------------------------------------
def test_a_dask_cluster_trains_each_run_once_and_exactly_as_this_process_would(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    loopback_only(monkeypatch)
    cfgs = seeds(4, SMALL)
    saved_model = cfgs[1].key()
    saves = count_saves(monkeypatch)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        results = experiments.ensure(cfgs, Store(tmp_path), checkpoint_keys=[saved_model], progress=False,
                                     quiet=True, executor=client.get_executor())
        hosts = {result["provenance"]["host"] for result in results}
    assert [r["key"] for r in results] == [c.key() for c in cfgs]  # in the caller's order
    assert saves == {cfg.key(): 1 for cfg in cfgs}  # each written once, here
    assert Store(tmp_path).keys() == {cfg.key() for cfg in cfgs} and leftovers(tmp_path) == []
    assert hosts == {socket.gethostname()} and {r["provenance"]["threads"] for r in results} == {1}
    with threads(1):  # Dask's workers train on one thread each (it sets OMP_NUM_THREADS=1)
        for cfg, result in zip(cfgs, results):
            here, model = train(cfg, progress=False)
            assert comparable(result) == comparable(here), f"run {cfg.key()} differs when trained on a worker"
            if cfg.key() == saved_model:
                worker_model, _ = load_checkpoint(Store(tmp_path).checkpoint_path(cfg.key()))
                for name, tensor in model.state_dict().items():
                    assert torch.equal(worker_model.state_dict()[name], tensor)
    # run again: everything is stored, so nothing is submitted at all
    again = experiments.ensure(cfgs, Store(tmp_path), checkpoint_keys=[saved_model], progress=False, quiet=True,
                               executor=BrokenExecutor())
    assert [comparable(r) for r in again] == [comparable(r) for r in results]


def test_run_with_a_scheduler_trains_only_what_is_missing_there(tmp_path, monkeypatch, capsys):
    distributed = pytest.importorskip("distributed")
    loopback_only(monkeypatch)
    cfgs = seeds(3, SMALL)
    Store(tmp_path).save(fake_result(cfgs[0]))
    monkeypatch.setattr(studies, "book_chapters", lambda: [CHAPTER])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: list(cfgs))
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: [])
    monkeypatch.setattr(classical, "chapter_configs", lambda chapter: [])  # no scikit-learn fits
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    saves = count_saves(monkeypatch)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code, out, err = run_cli(capsys, "run", "--scheduler", cluster.scheduler_address)
    assert code == 0 and f"training on the Dask cluster at {cluster.scheduler_address}" in out, err
    assert saves == {cfgs[1].key(): 1, cfgs[2].key(): 1}


class BrokenExecutor(ThreadPoolExecutor):
    def submit(self, *args, **kwargs):
        raise AssertionError("a stored run was submitted")


def test_a_taught_run_gets_its_teacher_sent_along_and_learns_the_same(tmp_path):
    teacher = SMALL.replace(hidden=(32,))
    Store(tmp_path).save_checkpoint(teacher, train(teacher, progress=False)[1])
    taught = SMALL.replace(teacher=teacher.key(), distill_weight=0.5, distill_temperature=2.0)
    with ThreadPoolExecutor(1) as pool:  # the real task, run beside this thread: same thread count
        (result,) = experiments.ensure([taught], Store(tmp_path), progress=False, quiet=True, executor=pool)
    here, _ = train(taught, progress=False, teacher=load_checkpoint(Store(tmp_path).checkpoint_path(teacher.key())))
    assert comparable(result) == comparable(here)


# ---- failures, through any executor -----------------------------------------------------------------
def fake_task(fail: dict[str, Exception] = {}, log: list | None = None):
    """Stands in for `executors.train_task`: instant; raises for the keys in `fail`."""
    def task(config, key, teacher=None, keep_weights=False):
        if log is not None:
            log.append(key)
        if key in fail:
            raise fail[key]
        cfg = RunConfig.from_dict(config)
        model = Trainer()(cfg)[1]
        return fake_result(cfg), executors.weights_to_bytes(model) if keep_weights else None
    return task


def test_a_failed_task_stops_nothing_else_and_stores_nothing(tmp_path, monkeypatch):
    cfgs = seeds(5)
    Store(tmp_path).save(fake_result(cfgs[0]))  # already stored: never submitted
    submitted: list[str] = []
    monkeypatch.setattr(executors, "train_task", fake_task({cfgs[2].key(): OSError("worker lost the data")}, submitted))
    with ThreadPoolExecutor(2) as pool, pytest.raises(experiments.RunsFailed) as failed:
        experiments.ensure(cfgs, Store(tmp_path), progress=False, quiet=True, executor=pool)
    assert sorted(submitted) == sorted(c.key() for c in cfgs[1:])
    assert failed.value.failures == [(cfgs[2], "OSError: worker lost the data")] and failed.value.trained == 3
    assert Store(tmp_path).keys() == {c.key() for c in cfgs} - {cfgs[2].key()} and leftovers(tmp_path) == []


def test_a_record_that_fails_validation_is_not_stored(tmp_path, monkeypatch):
    cfgs = seeds(2)
    task = fake_task()

    def swapped(config, key, teacher=None, keep_weights=False):  # returns another run's record
        result, weights = task(config, key, teacher, keep_weights)
        return (fake_result(cfgs[1]) if key == cfgs[0].key() else result), weights
    monkeypatch.setattr(executors, "train_task", swapped)
    with ThreadPoolExecutor(2) as pool, pytest.raises(experiments.RunsFailed) as failed:
        experiments.ensure(cfgs, Store(tmp_path), progress=False, quiet=True, executor=pool)
    ((cfg, reason),) = failed.value.failures
    assert cfg == cfgs[0] and reason.startswith("CorruptResult: holds run") and Store(tmp_path).keys() == {cfgs[1].key()}


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
    monkeypatch.setattr(classical, "chapter_configs", lambda chapter: [])  # no scikit-learn fits
    monkeypatch.setattr(executors, "available_cores", lambda: 2)  # 2 workers x 1 thread, on any machine
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, out, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 0 and "training on 2 worker processes x 1 thread(s)" in out, err
    store = Store(tmp_path)
    assert store.keys() == {c.key() for c in cfgs} and store.checkpoint_path(cfgs[0].key()).is_file()
    with threads(1):
        assert comparable(store.load(cfgs[1])) == comparable(train(cfgs[1], progress=False)[0])


def test_leaving_local_workers_early_stops_their_runs():
    with pytest.raises(KeyboardInterrupt):
        with executors.LocalWorkers(1) as pool:
            worker = pool.submit(os.getpid).result()  # started
            pool.submit(time.sleep, 60)
            time.sleep(0.5)  # asleep in the worker
            start = time.perf_counter()
            raise KeyboardInterrupt
    assert time.perf_counter() - start < 10
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


# ---- two processes on one store ---------------------------------------------------------------------
def test_a_claimed_run_is_left_to_its_claimer(tmp_path):
    store = Store(tmp_path)
    held = store.claim("0123456789abcdef")
    assert held is not None and store.claim("0123456789abcdef") is None  # even from this process
    held.release()
    assert leftovers(tmp_path) == []
    with store.claim("0123456789abcdef") as again:
        assert again is not None
    (tmp_path / "runs" / ".0123456789abcdef.claim.tmp").touch()  # left by a killed process: not held
    assert store.claim("0123456789abcdef") is not None


HOLDER = """
import sys, time
from fault_helpers import fake_result, seeds
from fmnist_lab.runs.store import Store
store, cfg = Store(sys.argv[1]), seeds(2)[1]
with store.claim(cfg.key()):
    print("claimed", flush=True)
    sys.stdin.readline()
    store.save(fake_result(cfg))
"""


def test_a_run_another_process_is_training_is_waited_for_not_trained_again(tmp_path, monkeypatch):
    cfgs = seeds(3)
    trainer = Trainer()
    monkeypatch.setattr("fmnist_lab.runs.executors.train", trainer)
    other = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=REPO_ROOT / "tests")
    try:
        assert other.stdout.readline().strip() == "claimed"
        real_sleep, let_go = time.sleep, []

        def sleep(seconds):  # this process has trained the rest and now waits: let the other finish
            if not let_go:
                let_go.append(True)
                other.stdin.write("go\n")
                other.stdin.flush()
                other.wait(timeout=30)
            real_sleep(seconds)
        monkeypatch.setattr(experiments.time, "sleep", sleep)
        results = experiments.ensure(cfgs, Store(tmp_path), progress=False, quiet=True)
    finally:
        other.kill()
        other.wait()
    assert trainer.trained == [cfgs[0].key(), cfgs[2].key()]
    assert [r["key"] for r in results] == [c.key() for c in cfgs] and leftovers(tmp_path) == []


# ---- the projection ---------------------------------------------------------------------------------
def test_the_projection_hands_runs_to_free_workers_batch_by_batch():
    assert bench.list_schedule_seconds([[4, 4, 4, 4]], workers=2) == 8
    assert bench.list_schedule_seconds([[4, 4, 4, 4]], workers=8) == 4  # the longest run bounds a batch
    assert bench.list_schedule_seconds([[4, 4], [1, 1, 1, 1]], workers=2) == 6  # taught runs after their teachers
    assert bench.list_schedule_seconds([[1, 1, 4]], workers=2) == 5  # in the book's order, not longest first


def test_with_workers_all_chapters_are_one_batch_and_taught_runs_wait_for_their_teacher(tmp_path):
    teacher = SMALL.replace(hidden=(32,))
    taught = SMALL.replace(teacher=teacher.key())
    batches = [("a", [SMALL, teacher], [teacher.key()]), ("b", [SMALL.replace(seed=1), taught], [])]
    assert cli._one_batch(batches, Store(tmp_path)) == [
        ("a, b", [SMALL, teacher, SMALL.replace(seed=1)], [teacher.key()]),
        ("a, b: runs taught by the runs above", [taught], [teacher.key()])]
