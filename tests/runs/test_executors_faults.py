"""Fault injection, kind "lost workers" (fmnist_lab.runs.executors, experiments): a worker process
killed (as the out-of-memory killer does) costs only the run it held, the pool is replaced and the
rest go on; workers die with the process that started them, even one killed by SIGKILL; far more
workers than cores are capped with one warning. A Dask scheduler that is not one, dies mid-run, or
has no workers ends `run --scheduler` in bounded time with one line (exit 2), the finished runs kept."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import (
    CHAPTER, CLI_WITH_SLOW_WORKERS, deadline, dying_task, fake_task, leftovers, loopback_only, one_error, pid_alive,
    run_cli, seeds, slow_task, tiny_book, wait_until,
)

from fmnist_lab.runs import executors, experiments
from fmnist_lab.runs.store import Store

TESTS = str(Path(__file__).resolve().parents[1])


@pytest.mark.filterwarnings("ignore:a worker process died")
def test_a_killed_worker_costs_only_its_run_and_a_new_pool_trains_the_rest(tmp_path, monkeypatch):
    cfgs = seeds(6)
    monkeypatch.setattr(executors, "train_task", dying_task)
    store = Store(tmp_path)
    with executors.LocalWorkers(2, threads=1) as pool:
        with pytest.raises(experiments.RunsFailed) as failed:
            experiments.ensure(cfgs, store, executor=pool, quiet=True)
        processes = list(pool._processes.values())
    ((cfg, reason),) = failed.value.failures
    assert cfg == cfgs[1] and "worker process" in reason and "died" in reason and "SIGKILL" in reason, reason
    assert store.keys() == {c.key() for c in cfgs if c != cfgs[1]} and leftovers(tmp_path) == []
    assert pool.revivals >= 1 and not any(p.is_alive() for p in processes)


def _start(tmp_path, *argv):
    script = tmp_path / "cli.py"
    script.write_text(CLI_WITH_SLOW_WORKERS.format(tests=TESTS))
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "FMNIST_STORE": str(tmp_path / "store"), "FMNIST_PROGRESS": "0", "FMNIST_TEST_PIDS": str(pids)}
    (tmp_path / "store").mkdir()
    # output to files, not pipes: a worker left alive would hold a pipe open and block the reading
    process = subprocess.Popen([sys.executable, str(script), *argv], env=env, stdout=(tmp_path / "out").open("w"),
                               stderr=(tmp_path / "err").open("w"))
    started = wait_until(lambda: len(list(pids.iterdir())) == 3 and len(Store(tmp_path / "store").keys()) == 1, 120)
    workers = {int(p.read_text()) for p in pids.iterdir()}
    return process, started, workers


def _stop(process, workers):
    for pid in workers:  # never leave one behind, even when the test fails
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path):
    process, started, workers = _start(tmp_path, "run", "--workers", "2")
    try:
        assert started, "the run never reached its second and third task"
        assert workers and all(map(pid_alive, workers))  # one or two: under load one worker may take both first tasks
        process.kill()
        process.wait(timeout=30)
        assert wait_until(lambda: not any(map(pid_alive, workers)), 20), "worker processes outlived their parent"
    finally:
        _stop(process, workers)


def test_sigterm_stops_run_with_workers_like_ctrl_c(tmp_path):
    process, started, workers = _start(tmp_path, "run", "--workers", "2")
    try:
        assert started, "the run never reached its second and third task"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        err = (tmp_path / "err").read_text()
        assert process.returncode == 130, err
        assert "Traceback" not in err
        (line,) = err.strip().splitlines()
        assert line.startswith("interrupted (SIGTERM): the 1 run(s) finished before it are saved"), line
        assert "`fmnist-lab run --workers 2` resumes" in line
        assert len(Store(tmp_path / "store").keys()) == 1 and leftovers(tmp_path / "store") == []
        assert wait_until(lambda: not any(map(pid_alive, workers)), 20), "worker processes outlived their parent"
    finally:
        _stop(process, workers)


class _Recorded(ThreadPoolExecutor):
    made: list = []

    def __init__(self, workers, threads=None):
        super().__init__(workers)
        self.workers, self.threads = workers, 1
        self.made.append(workers)


def test_far_more_workers_than_cores_are_capped_with_one_warning(tmp_path, monkeypatch, capsys):
    cfgs = seeds(2)
    tiny_book(monkeypatch, cfgs)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    monkeypatch.setattr(executors, "LocalWorkers", _Recorded)
    monkeypatch.setattr(executors, "train_task", fake_task())
    _Recorded.made.clear()
    code, _, err = run_cli(capsys, "run", "--chapter", CHAPTER, "--workers", "64")
    assert code == 0 and _Recorded.made == [2], err
    (line,) = err.strip().splitlines()
    assert line.startswith("warning: --workers 64 is more than the 2 core(s)") and "2 are used" in line, line
    assert Store(tmp_path).keys() == {c.key() for c in cfgs}


# ---- a Dask scheduler that is not one, that dies, that has no workers -------------------------------
@pytest.fixture
def book(tmp_path, monkeypatch):
    """A tiny book (three runs) and an empty store for it; returns the trainer."""
    pytest.importorskip("distributed")
    loopback_only(monkeypatch)
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    (tmp_path / "store").mkdir()
    return tiny_book(monkeypatch, seeds(3))


@pytest.fixture
def silent_listener():
    """(address, connections) of a TCP listener on 127.0.0.1 that accepts and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except socket.timeout:
                continue
            except OSError:
                return
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}", accepted
    stop.set()
    thread.join(5)
    for connection in accepted:
        connection.close()  # also ends a client that would still be waiting for an answer
    server.close()


def test_an_address_where_no_dask_scheduler_answers_ends_in_one_line(book, silent_listener, monkeypatch, capfd):
    address, accepted = silent_listener
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 2.0)
    start = time.monotonic()
    with deadline(60):  # distributed's own connect waited for ever here
        code, _, err = run_cli(capfd, "run", "--scheduler", address)
    assert code == 2 and accepted and book.trained == [], err
    one_error(err, f"cannot reach a Dask scheduler at {address}", "no answer within 2 s", "not a Dask scheduler",
              "`dask scheduler`")
    assert time.monotonic() - start < 30


CLUSTER = """
import sys
sys.path.insert(0, {tests!r})  # its worker runs fault_helpers' tasks
import distributed
with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                              dashboard_address=None) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.readline()
"""


def test_a_scheduler_that_dies_mid_run_ends_in_one_line_keeping_the_finished_runs(book, tmp_path, monkeypatch, capfd):
    store = Store(tmp_path / "store")
    (tmp_path / "pids").mkdir()
    monkeypatch.setattr(executors, "train_task", slow_task)  # seed 0 at once, the others for 2 minutes
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 5.0)
    env = {**os.environ, "FMNIST_TEST_PIDS": str(tmp_path / "pids")}
    scheduler = subprocess.Popen([sys.executable, "-c", CLUSTER.format(tests=TESTS)], env=env, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        address = scheduler.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), "the scheduler did not start"
        # once the first run is saved and the second is on the worker, the scheduler dies (SIGKILL)
        killer = threading.Thread(target=lambda: wait_until(lambda: len(store.keys()) == 1, 60) and scheduler.kill())
        killer.start()
        start = time.monotonic()
        with deadline(90):
            code, _, err = run_cli(capfd, "run", "--scheduler", address)
        killer.join()
    finally:
        scheduler.kill()
        scheduler.wait(timeout=30)
    assert code == 2, err
    one_error(err, f"lost the Dask scheduler at {address}", f"1 run(s) had finished and are saved in {store.root}",
              "the same command then trains what is missing")
    assert store.keys() == {seeds(3)[0].key()} and leftovers(store.root) == []  # claims released
    assert time.monotonic() - start < 60


def test_a_scheduler_without_workers_ends_in_one_line(book, tmp_path, monkeypatch, capfd):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "NO_WORKERS_SECONDS", 2.0)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        start = time.monotonic()
        with deadline(60):  # it waited for a worker for ever
            code, _, err = run_cli(capfd, "run", "--scheduler", cluster.scheduler_address)
    assert code == 2 and book.trained == [], err
    one_error(err, f"the Dask scheduler at {cluster.scheduler_address} has had no worker for 2 s",
              f"`dask worker {cluster.scheduler_address}`", "no run had finished")
    assert Store(tmp_path / "store").keys() == set() and leftovers(tmp_path / "store") == []
    assert time.monotonic() - start < 30
