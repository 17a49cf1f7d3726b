"""Where missing runs train (fmnist_lab.runs.executors): the worker task, and local worker
processes that stop when left early."""
import os
import time

import pytest

from fakes import KNN

from fmnist_lab.runs import executors
from fmnist_lab.runs.store import Store


def test_a_worker_fits_an_estimator_and_returns_no_weights(tmp_path):
    record, weights = executors.train_task(KNN.to_dict(), KNN.key(), keep_weights=True)
    assert weights is None and Store(tmp_path).check_record(KNN, record)["key"] == KNN.key()
    with pytest.raises(ValueError, match="install the same version"):
        executors.train_task(KNN.to_dict(), "0" * 16)


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
