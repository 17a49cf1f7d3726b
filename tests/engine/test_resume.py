"""Resuming an interrupted run (fmnist_lab.engine.resume, through engine.train): it must end exactly
where the same run left alone ends, and never resume a state saved for another run or machine."""
import pytest
import torch

from fmnist_lab.engine import resume, train as engine
from fmnist_lab.engine.train import train

# Every random stream and every kind of state at once: dropout (torch's generator), shuffling and
# augmentation (the run's generator), mixup (Python's), a per-step schedule, Adam, averaged weights.
CFG = engine.RunConfig(hidden=(32,), train_size=1000, val_size=1000, epochs=4, dropout=0.2, batchnorm=True,
                       augment=("shift", "hflip"), mixup=0.2, schedule="onecycle", optimizer="adam", ema=0.9)


def interrupted(cfg, path, monkeypatch, after: int):
    """Train `cfg` with its state saved after every epoch, stopped by Ctrl-C after epoch `after`."""
    monkeypatch.setattr(resume, "SAVE_EVERY_SECONDS", 0.0)

    def stop(epoch, poll_seconds=5.0):
        if epoch == after:
            raise KeyboardInterrupt
        return 0.0

    with monkeypatch.context() as m:
        m.setattr(engine, "wait_between_epochs", stop)
        with pytest.raises(KeyboardInterrupt):
            train(cfg, progress=False, resume=path)


def same_run(a, b):
    for column in ("epoch", "lr", "train_loss", "train_acc", "train_eval_acc", "val_loss", "val_acc"):
        assert a["history"][column] == b["history"][column], column
    assert a["final_epoch"] == b["final_epoch"] and a["val"] == b["val"] and a["test"] == b["test"]


def test_a_resumed_run_ends_exactly_as_the_run_left_alone(tmp_path, monkeypatch):
    alone, alone_model = train(CFG, progress=False)
    path = tmp_path / "partial" / f"{CFG.key()}.pt"
    interrupted(CFG, path, monkeypatch, after=2)
    assert torch.load(path, weights_only=False)["epoch"] == 2
    resumed, resumed_model = train(CFG, progress=False, resume=path)
    same_run(resumed, alone)
    assert all(torch.equal(v, resumed_model.state_dict()[k]) for k, v in alone_model.state_dict().items())
    assert resumed["provenance"]["resumed_after_epoch"] == [2]
    assert "resumed_after_epoch" not in alone["provenance"]


def test_early_stopping_state_survives_the_interruption(tmp_path, monkeypatch):
    # Validation loss is lowest after epoch 5 and patience is 2: the run left alone stops after
    # epoch 7. Stopped after epoch 6 (one epoch without progress), the resumed run must count that
    # epoch and stop after 7 too, keeping epoch 5's state.
    cfg = engine.RunConfig(hidden=(64,), train_size=300, val_size=500, optimizer="adam", lr=0.01,
                           early_stopping="val_loss", epochs=12, patience=2)
    alone, _ = train(cfg, progress=False)
    assert not alone["diverged"] and (alone["final_epoch"], alone["epochs_run"]) == (5, 7)
    path = tmp_path / "state.pt"
    interrupted(cfg, path, monkeypatch, after=6)
    resumed, _ = train(cfg, progress=False, resume=path)
    same_run(resumed, alone)


def test_a_pause_saves_the_state_before_it_waits(tmp_path, monkeypatch):
    cfg, path, pause = CFG.replace(epochs=2), tmp_path / "state.pt", tmp_path / "pause"
    pause.touch()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(pause))  # a minute has not passed: the pause alone saves
    monkeypatch.setattr(engine, "wait_between_epochs", lambda epoch: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        train(cfg, progress=False, resume=path)
    assert torch.load(path, weights_only=False)["epoch"] == 1


def test_a_state_that_cannot_be_saved_leaves_the_run_to_train_on(tmp_path, monkeypatch, capsys):
    cfg = CFG.replace(epochs=2)
    (tmp_path / "partial").write_text("a file where the folder should be")
    monkeypatch.setattr(resume, "SAVE_EVERY_SECONDS", 0.0)
    result, _ = train(cfg, progress=False, resume=tmp_path / "partial" / "state.pt")
    same_run(result, train(cfg, progress=False)[0])
    said = capsys.readouterr()
    assert (said.out + said.err).count("cannot be saved") == 1  # said once, then no more tries
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_state_from_another_machine_is_set_aside_and_the_run_starts_over(tmp_path, monkeypatch, capsys):
    cfg = CFG.replace(epochs=2, mixup=0.0)
    path = tmp_path / "state.pt"
    interrupted(cfg, path, monkeypatch, after=1)
    state = torch.load(path, weights_only=False)
    state["machine"]["threads"] += 1  # saved with another thread count: its sums round differently
    torch.save(state, path)
    fresh, _ = train(cfg, progress=False, resume=path)
    assert "resumed_after_epoch" not in fresh["provenance"]
    said = capsys.readouterr()
    assert "does not match this run's threads" in said.out + said.err
    assert (tmp_path / "state.pt.set-aside").exists()
    same_run(fresh, train(cfg, progress=False)[0])


def test_a_state_of_another_run_is_not_resumed(tmp_path, monkeypatch):
    path = tmp_path / "state.pt"
    interrupted(CFG.replace(epochs=2, seed=1), path, monkeypatch, after=1)
    state, why = resume.load(path, resume.machine(CFG.replace(epochs=2).key(), engine.ENGINE_VERSION,
                                                   {"device": "cpu", "device_name": "any"}))
    assert state is None and "run's key" in why


def test_a_state_taught_by_other_weights_is_not_resumed():
    # The same teacher key, retrained meanwhile (another machine): the student would learn from two teachers.
    a, b = torch.nn.Linear(4, 2), torch.nn.Linear(4, 2)
    info = {"device": "cpu", "device_name": "any"}
    assert resume.machine("k", 1, info, a) == resume.machine("k", 1, info, a) != resume.machine("k", 1, info, b)


def test_a_damaged_state_starts_the_run_over(tmp_path):
    path = tmp_path / "state.pt"
    path.write_bytes(b"not a torch file")
    state, why = resume.load(path, {"key": "0" * 16})
    assert state is None and "could not be read" in why and not path.exists()
