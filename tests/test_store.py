import json

import pytest

from fmnist_lab.runs import experiments
from fmnist_lab.runs import summary
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs.store import Store, validate, CorruptResult
from fmnist_lab.engine.train import train


@pytest.fixture(scope="module")
def result():
    return train(RunConfig(hidden=(32,), train_size=1000, epochs=1), progress=False)[0]


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


def test_ensure_trains_only_what_is_missing(tmp_path, result, capsys):
    store = Store(tmp_path)
    cfg = RunConfig.from_dict(result["config"])
    store.save(result)
    other = cfg.replace(seed=1)
    out = experiments.ensure([cfg, other], store, progress=False)
    assert out[0]["provenance"] == result["provenance"] and store.load(other) is not None  # loaded, not retrained
    assert "1 of 2 runs found in store; trained 1" in capsys.readouterr().out
    assert experiments.missing([cfg, other], store) == []
    assert experiments.missing([cfg], store, checkpoint_keys=[cfg.key()]) == [cfg]


def test_summary_statistics():
    mean, std = summary.mean_std([0.88, 0.89, 0.90])
    assert mean == pytest.approx(0.89) and std == pytest.approx(0.01)
    assert summary.ci95([0.88, 0.89, 0.90]) == pytest.approx(4.303 * 0.01 / 3 ** 0.5)


def test_smoke_profile_shrinks_configs(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    cfgs = experiments.seeded(RunConfig(epochs=30))
    assert [c.seed for c in cfgs] == [0, 1] and all(c.epochs == 2 and c.train_size == 2000 for c in cfgs)
    monkeypatch.setenv("FMNIST_PROFILE", "huge")
    with pytest.raises(ValueError, match="FMNIST_PROFILE='huge'"):
        experiments.current_profile()


def test_corrupt_result_is_retrained_and_replaced(tmp_path, result):
    store = Store(tmp_path)
    path = store.save(result)
    path.write_text(path.read_text()[:-40])  # truncated mid-write by some other tool
    cfg = RunConfig.from_dict(result["config"])
    with pytest.warns(UserWarning, match="will be trained again"):
        (fresh,) = experiments.ensure([cfg], store, progress=False, quiet=True)
    assert fresh["history"]["val_acc"] == result["history"]["val_acc"]  # retrained: deterministically the same
    assert fresh["test"]["predictions"] == result["test"]["predictions"]
    assert store.load(cfg) is not None  # and the file is whole again
