"""`experiments.ensure` training elsewhere (fmnist_lab.runs.experiments): through a
`concurrent.futures` executor (a Dask cluster, threads), with per-key claims so that processes sharing
a store never train a run twice.

A run trained on a worker must be the run trained here (same thread count); each record is
written once, by the submitting process; a failed task is listed and stops nothing else."""
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import (
    comparable,
    count_saves,
    fake_result,
    fake_task,
    leftovers,
    loopback_only,
    seeds,
    SMALL,
    threads,
    Trainer,
)

from fmnist_lab.engine.checkpoints import load_checkpoint
from fmnist_lab.engine.train import train
from fmnist_lab.runs import executors, experiments
from fmnist_lab.runs.store import REPO_ROOT, Store


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

    def swapped(config, key, teacher=None, keep_weights=False, resume=None):  # returns another run's record
        result, weights = task(config, key, teacher, keep_weights)
        return (fake_result(cfgs[1]) if key == cfgs[0].key() else result), weights
    monkeypatch.setattr(executors, "train_task", swapped)
    with ThreadPoolExecutor(2) as pool, pytest.raises(experiments.RunsFailed) as failed:
        experiments.ensure(cfgs, Store(tmp_path), progress=False, quiet=True, executor=pool)
    ((cfg, reason),) = failed.value.failures
    assert cfg == cfgs[0] and reason.startswith("CorruptResult: holds run") and Store(tmp_path).keys() == {cfgs[1].key()}


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
