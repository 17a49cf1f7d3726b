"""Load-or-train (fmnist_lab.runs.experiments): only what is missing is trained, a corrupt result is
retrained, profiles shrink configurations, a missing teacher says how
to make it, an interrupted run resumes from the state it left in the store."""
import pytest

from fakes import result  # noqa: F401  (fixtures)

from fmnist_lab.engine import estimators
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.engine.train import train
from fmnist_lab.runs import experiments
from fmnist_lab.runs.store import Store


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


def test_smoke_profile_shrinks_configs(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    cfgs = experiments.seeded(RunConfig(epochs=30))
    assert [c.seed for c in cfgs] == [0, 1] and all(c.epochs == 2 and c.train_size == experiments.PROFILES["smoke"].train_size for c in cfgs)
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


def test_missing_teacher_checkpoint_says_how_to_make_it(tiny, tmp_path, monkeypatch):
    from fmnist_lab.runs.experiments import ensure

    monkeypatch.setattr("fmnist_lab.runs.store.Store", lambda *a: Store(tmp_path))
    with pytest.raises(FileNotFoundError, match="fmnist-lab run"):
        ensure([tiny.replace(teacher="0123456789abcdef")], Store(tmp_path), progress=False)
    with pytest.raises(ValueError, match="pass its checkpoint"):  # train() never looks a teacher up itself
        train(tiny.replace(teacher="0123456789abcdef"), progress=False)


def test_profiles_shrink_classifier_fits_and_give_seeds_only_to_randomized_ones():
    smoke, full = experiments.PROFILES["smoke"], experiments.PROFILES["full"]
    svm, forest = EstimatorConfig("svm", {"C": 1.0}, pca=50), EstimatorConfig("forest", {"n_estimators": 100})
    assert experiments.seeded(svm, full) == [svm] and [c.seed for c in experiments.seeded(forest, full)] == list(full.seeds)
    (small,) = experiments.seeded(svm, smoke)
    assert (small.train_size, small.val_size, small.iteration_cap) == (smoke.train_size, smoke.val_size, None)
    assert experiments.shrink(forest, smoke).iteration_cap == smoke.max_epochs  # at most 2 trees
    assert estimators.build(experiments.shrink(forest, smoke)).get_params()["n_estimators"] == smoke.max_epochs


def test_an_interrupted_run_resumes_from_its_saved_epoch_in_the_store(tmp_path, monkeypatch):
    from fmnist_lab.engine import resume, train as engine

    cfg, store = RunConfig(hidden=(16,), train_size=500, val_size=500, epochs=3), Store(tmp_path)
    monkeypatch.setattr(resume, "SAVE_EVERY_SECONDS", 0.0)
    with monkeypatch.context() as m:  # Ctrl-C after epoch 2
        m.setattr(engine, "wait_between_epochs", lambda epoch: (_ for _ in ()).throw(KeyboardInterrupt) if epoch == 2 else 0.0)
        with pytest.raises(experiments.Interrupted):
            experiments.ensure([cfg], store, progress=False, quiet=True)
    assert store.partial_path(cfg.key()).is_file() and store.load(cfg) is None
    (out,) = experiments.ensure([cfg], store, progress=False, quiet=True)
    assert out["provenance"]["resumed_after_epoch"] == [2] and out["epochs_run"] == 3
    assert not store.partial_path(cfg.key()).exists()  # removed once the result is stored
    with monkeypatch.context() as m:  # interrupted again; a forced retrain then starts over
        m.setattr(engine, "wait_between_epochs", lambda epoch: (_ for _ in ()).throw(KeyboardInterrupt) if epoch == 2 else 0.0)
        with pytest.raises(experiments.Interrupted):
            experiments.ensure([cfg], store, progress=False, quiet=True, force=True)
    assert store.partial_path(cfg.key()).is_file()
    (forced,) = experiments.ensure([cfg], store, progress=False, quiet=True, force=True)
    assert "resumed_after_epoch" not in forced["provenance"] and forced["history"]["train_loss"] == out["history"]["train_loss"]

