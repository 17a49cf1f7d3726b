"""The results store (fmnist_lab.runs.store): round trips, damaged and misfiled results refused,
interrupted writes, the kind of a stored configuration, and per-key claims."""
import json

import pytest

from fault_helpers import leftovers
from fakes import KNN
from fakes import result  # noqa: F401  (fixtures)

from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.runs.store import config_from_dict, CorruptResult, Store, validate


def test_round_trip(tmp_path, result):
    store = Store(tmp_path)
    path = store.save(result)
    cfg = RunConfig.from_dict(result["config"])
    loaded = store.load(cfg)
    assert path.name == f"{cfg.key()}.json" and loaded["test"]["acc"] == result["test"]["acc"]
    assert loaded["provenance"]["torch_version"] and loaded["provenance"]["device"] == "cpu"


def test_truncated_file_is_ignored_with_a_warning(tmp_path, result):
    store = Store(tmp_path)
    path = store.save(result)
    path.write_text(path.read_text()[:500])
    with pytest.warns(UserWarning, match="will be trained again"):
        assert store.load(RunConfig.from_dict(result["config"])) is None


def test_hand_edited_result_is_rejected(tmp_path, result):
    store = Store(tmp_path)
    path = store.save(result)
    data = json.loads(path.read_text())
    data["test"]["acc"] = 0.99
    path.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="checksum"):
        assert store.load(RunConfig.from_dict(result["config"])) is None


def test_result_under_wrong_key_is_rejected(result):
    moved = dict(result, key="0" * 16)
    with pytest.raises(CorruptResult):
        validate(moved)


def test_write_interrupted_midway_leaves_no_file(tmp_path, result, monkeypatch):
    store = Store(tmp_path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were killed while writing
    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save(result)
    assert list(tmp_path.rglob("*")) == [tmp_path / "runs"]  # no partial result, no temp file


def test_a_stored_config_says_which_kind_it_is():
    assert config_from_dict(KNN.to_dict()) == KNN
    assert config_from_dict(RunConfig().to_dict()) == RunConfig()
    with pytest.raises(ValueError, match="unknown RunConfig fields: .*kind"):
        RunConfig.from_dict(KNN.to_dict())
    with pytest.raises(ValueError, match="unknown configuration kind"):
        config_from_dict({**KNN.to_dict(), "kind": "gradient boosting"})
    with pytest.raises(ValueError, match="choose one of"):
        EstimatorConfig("boosting")


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
