"""Stored analyses (fmnist_lab.runs.derived): computed once and read after, keyed by their inputs,
refused when damaged, never computed silently with FMNIST_NO_TRAIN, order and numbers kept."""
import json
import os

import numpy as np
import pytest

from fmnist_lab.runs import derived
from fmnist_lab.runs.experiments import NotTrained
from fmnist_lab.runs.store import CorruptResult, Store


def counting(result, calls):
    def compute():
        calls.append(1)
        return result
    return compute


def analysis(calls, inputs=("run=abc",), result=None):
    result = {"zeta": np.float32(0.5), "alpha": np.arange(3)} if result is None else result
    return derived.Analysis("demo", 1, {"n": 2}, inputs, counting(result, calls), chapter="99_demo")


def test_computed_once_then_read_from_the_store(tmp_path):
    store, calls = Store(tmp_path), []
    first = derived.ensure(store, analysis(calls))
    second = derived.ensure(store, analysis(calls))
    assert calls == [1] and first == second == {"zeta": 0.5, "alpha": [0, 1, 2]}
    assert list(second) == ["zeta", "alpha"]  # a result's order (a table's rows, a legend's) survives the store


def test_a_changed_input_or_version_is_a_new_analysis(tmp_path):
    calls = []
    base = analysis(calls)
    changed = analysis(calls, inputs=("run=abd",))
    newer = derived.Analysis(base.name, 2, base.params, base.inputs, base.compute)
    assert len({base.key(), changed.key(), newer.key()}) == 3
    assert base.key() == analysis([]).key()  # the compute function is not part of the identity


def test_no_train_refuses_to_compute_a_missing_analysis(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_NO_TRAIN", "1")
    calls = []
    with pytest.raises(NotTrained, match="demo"):
        derived.ensure(Store(tmp_path), analysis(calls))
    assert calls == []


def test_a_damaged_record_is_refused_with_its_file_named(tmp_path):
    store, calls = Store(tmp_path), []
    derived.ensure(store, analysis(calls))
    file = derived.path(store, analysis(calls))
    record = json.loads(file.read_text())
    record["result"]["zeta"] = 0.9
    file.write_text(json.dumps(record))
    with pytest.raises(CorruptResult, match=file.name):
        derived.load(store, analysis(calls))


def test_missing_lists_what_is_not_stored(tmp_path):
    store, calls = Store(tmp_path), []
    stored, absent = analysis(calls), analysis(calls, inputs=("run=other",))
    derived.ensure(store, stored)
    assert derived.missing(store, [stored, absent]) == [absent]


def test_stored_files_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        derived.ensure(Store(tmp_path), analysis([]))
    finally:
        os.umask(old)
    (file,) = (tmp_path / derived.FOLDER).iterdir()
    assert file.stat().st_mode & 0o777 == 0o644
