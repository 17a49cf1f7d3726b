"""The training loop (fmnist_lab.engine.train): determinism, learning, early stopping, divergence,
every optimizer and schedule, CNNs, distillation, weight averaging, mixup and refits."""
import pytest
import torch

from fmnist_lab.engine import models
from fmnist_lab.engine.config import REFERENCE, RunConfig
from fmnist_lab.engine.train import Batches, mix, teacher_scores, train
from fmnist_lab.runs.store import Store


def test_two_identical_runs_are_identical(tiny):
    a, _ = train(tiny, progress=False)
    b, _ = train(tiny, progress=False)
    for column in ("train_loss", "val_loss", "val_acc", "train_eval_acc"):
        assert a["history"][column] == b["history"][column]
    assert a["test"]["predictions"] == b["test"]["predictions"]


def test_different_seeds_differ(tiny):
    a, _ = train(tiny, progress=False)
    b, _ = train(tiny.replace(seed=1), progress=False)
    assert a["history"]["train_loss"] != b["history"]["train_loss"]


def test_loss_decreases_and_learns_on_real_subset(tiny):
    result, _ = train(tiny.replace(epochs=4), progress=False)
    losses = result["history"]["train_loss"]
    assert losses[-1] < losses[0] * 0.8
    assert result["val"]["acc"] > 0.70  # chance is 0.10


def test_early_stopping_restores_best_state(tiny):
    # The learning rate is multiplied by 1000 after epoch 1, wrecking the model: the best state
    # is epoch 1, and the returned model and metrics must be those of epoch 1, not the last one.
    cfg = tiny.replace(optimizer="sgd", lr=0.05, schedule="step", step_epochs=1, step_gamma=1000.0,
                       epochs=6, patience=2)
    result, _ = train(cfg, progress=False)
    history = result["history"]
    best = max(range(len(history["val_acc"])), key=lambda i: history["val_acc"][i] or -1)
    assert result["final_epoch"] == best + 1 == 1
    assert history["val_acc"][-1] is None or history["val_acc"][-1] < history["val_acc"][best]
    assert result["val"]["acc"] == pytest.approx(history["val_acc"][best], abs=1e-6)


def test_no_early_stopping_keeps_last_epoch(tiny):
    result, _ = train(tiny.replace(early_stopping="none", epochs=3), progress=False)
    assert result["final_epoch"] == result["epochs_run"] == 3
    assert result["val"]["acc"] == pytest.approx(result["history"]["val_acc"][-1], abs=1e-6)


def test_divergence_is_marked_not_raised(tiny, tmp_path):
    result, _ = train(tiny.replace(optimizer="momentum", lr=1e8, normalization="raw"), progress=False)
    assert result["diverged"] is True
    assert result["epochs_run"] == 1
    Store(tmp_path).save(result)  # a diverged run is still a valid, storable result


@pytest.mark.parametrize("schedule", ["step", "cosine", "onecycle"])
@pytest.mark.parametrize("optimizer", ["sgd", "nesterov", "rmsprop", "adamw"])
def test_every_optimizer_and_schedule_trains(tiny, optimizer, schedule):
    lr = 0.05 if optimizer in ("sgd", "nesterov") else 1e-3
    cfg = tiny.replace(optimizer=optimizer, lr=lr, schedule=schedule, epochs=1, train_size=512, weight_decay=1e-4)
    result, _ = train(cfg, progress=False)
    assert not result["diverged"] and result["val"]["acc"] > 0.3


def test_cosine_schedule_decays_to_zero(tiny):
    result, _ = train(tiny.replace(schedule="cosine", epochs=3), progress=False)
    lrs = result["history"]["lr"]
    assert lrs[0] == pytest.approx(1e-3) and lrs[0] > lrs[1] > lrs[2] > 0


@pytest.mark.parametrize("model", ["lenet", "cnn"])
def test_cnns_share_the_loop(tiny, model):
    result, net = train(tiny.replace(model=model, channels=(8, 16), epochs=1, train_size=512), progress=False)
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert result["val"]["acc"] > 0.2


def test_distillation_loss_mixes_teacher_and_labels():
    from fmnist_lab.engine.train import distillation_loss
    torch.manual_seed(0)
    logits, other, labels = torch.randn(32, 10), torch.randn(32, 10), torch.randint(0, 10, (32,))
    cfg = RunConfig(teacher="0123456789abcdef", label_smoothing=0.1)
    ce = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=0.1)
    assert distillation_loss(logits, other, labels, cfg.replace(distill_weight=0.0)) == pytest.approx(ce.item())
    # A student that already matches its teacher pays nothing on the soft part.
    assert distillation_loss(logits, logits, labels, cfg.replace(distill_weight=1.0)).item() == pytest.approx(0.0, abs=1e-6)
    assert distillation_loss(logits, other, labels, cfg.replace(distill_weight=1.0)).item() > 0.01


def _save_teacher(store: Store, cfg: RunConfig) -> torch.nn.Module:
    """A teacher nobody trained: random weights, so what it 'knows' is not the labels."""
    torch.manual_seed(123)
    teacher = models.build_model(cfg)
    store.save_checkpoint(cfg, teacher)
    return teacher.eval()


# A flip has 2 views, fewer than the 3 epochs: scored up front; 50 shifts and flips, or erasing: per batch.
@pytest.mark.parametrize("augment", [(), ("hflip",), ("shift", "hflip"), ("hflip", "erase")])
def test_distilled_student_learns_its_teacher_not_only_the_labels(tiny, tmp_path, monkeypatch, augment):
    from fmnist_lab.engine.data import load
    store = Store(tmp_path)
    teacher_cfg = RunConfig(hidden=(), seed=5)
    teacher = _save_teacher(store, teacher_cfg)
    student = tiny.replace(epochs=3, augment=augment, teacher=teacher_cfg.key(), distill_weight=1.0, distill_temperature=1.0)
    from fmnist_lab.runs.experiments import teacher_checkpoint
    taught, _ = train(student, progress=False, teacher=teacher_checkpoint(student, store))
    plain, _ = train(student.replace(teacher=None), progress=False)

    data = load()
    x = (data.test_images.unsqueeze(1).float() / 255 - data.pixel_mean) / data.pixel_std
    with torch.no_grad():
        teacher_says = "".join(map(str, teacher(x).argmax(1).tolist()))
    agreement = lambda result: sum(a == b for a, b in zip(result["test"]["predictions"], teacher_says)) / len(teacher_says)  # noqa: E731
    assert agreement(taught) > agreement(plain) + 0.3


def test_a_teacher_that_is_not_the_named_run_is_refused(tiny, tmp_path):
    store = Store(tmp_path)
    named, other = RunConfig(hidden=(), seed=5), RunConfig(hidden=(), seed=6)
    _save_teacher(store, other)
    from fmnist_lab.engine.checkpoints import load_checkpoint
    with pytest.raises(ValueError, match="teacher passed is run"):
        train(tiny.replace(teacher=named.key()), progress=False, teacher=load_checkpoint(store.checkpoint_path(other.key())))


def test_refit_trains_on_training_and_validation_images():
    from fmnist_lab.engine.data import load
    from fmnist_lab.engine.train import training_images
    data = load()
    cfg = RunConfig(refit=True, early_stopping="none")
    x, y = training_images(cfg, data)
    assert len(y) == len(data.train_labels) + len(data.val_labels) == 60_000
    assert torch.equal(x[-len(data.val_labels):], data.val_images) and torch.equal(y[:10], data.train_labels[:10])
    x_small, _ = training_images(cfg.replace(train_size=1000), data)
    assert len(x_small) == 1000


def test_weight_averaging_is_what_is_scored_and_returned(tiny):
    """The model returned is the average, not the last weights: its state differs from an unaveraged
    run's, and re-scoring the returned model reproduces the stored validation accuracy."""
    cfg = tiny.replace(batchnorm=True, ema=0.9, early_stopping="none")
    averaged, model = train(cfg, progress=False)
    plain, plain_model = train(cfg.replace(ema=0.0), progress=False)
    assert averaged["history"]["train_loss"] == plain["history"]["train_loss"]  # the same optimisation path
    assert averaged["val"]["acc"] != plain["val"]["acc"]  # scored on other weights
    w_avg, w_plain = model.state_dict(), plain_model.state_dict()
    assert not torch.equal(w_avg["1.weight"], w_plain["1.weight"])
    assert "n_averaged" not in " ".join(w_avg)  # a plain network's state: loadable as a checkpoint of cfg
    from fmnist_lab.engine.checkpoints import _checked
    _checked(__import__("pathlib").Path(f"{cfg.key()}.pt"), {"config": cfg.to_dict(), "state_dict": w_avg})


def test_mixup_blends_pairs_with_one_weight_per_batch():
    import random
    x = torch.arange(8.0).reshape(4, 1, 1, 2)
    cfg = REFERENCE.replace(mixup=0.4)
    mixed, partner, weight = mix(x, cfg, torch.Generator().manual_seed(0), random.Random(0))
    assert 0.0 <= weight <= 1.0 and sorted(partner.tolist()) == [0, 1, 2, 3]
    assert torch.allclose(mixed, weight * x + (1 - weight) * x[partner])


def test_mixup_training_is_deterministic_and_differs_from_plain(tiny):
    a, _ = train(tiny.replace(mixup=0.2), progress=False)
    b, _ = train(tiny.replace(mixup=0.2), progress=False)
    c, _ = train(tiny, progress=False)
    assert a["history"]["train_loss"] == b["history"]["train_loss"]
    assert a["history"]["train_loss"] != c["history"]["train_loss"]


def _batches(cfg: RunConfig, n: int = 64) -> Batches:
    from fmnist_lab.engine.data import load
    data = load()
    x = data.train_images[:n].unsqueeze(1).float() / 255
    return Batches(cfg, x, data.train_labels[:n], torch.Generator().manual_seed(0), data.pixel_mean, data.pixel_std)


def test_consistent_teacher_scores_the_batch_the_student_sees():
    """With mixup or an augmentation of endless outcomes the teacher must score the inputs it is
    handed (not a table of the clean images looked up by index): a table would teach the wrong targets."""
    teacher_cfg = REFERENCE.replace(hidden=(8,))
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    for student in (REFERENCE.replace(teacher=teacher_cfg.key(), mixup=0.2),
                    REFERENCE.replace(teacher=teacher_cfg.key(), augment=("hflip", "erase"))):
        score = teacher_scores(student, (net, teacher_cfg), _batches(student), torch.device("cpu"))
        other = torch.rand(2, 1, 28, 28)
        assert torch.allclose(score(torch.tensor([0, 1]), other, None), net(other))


@pytest.mark.parametrize("augment", [("shift", "hflip"), ("hflip", "shift"), ("hflip",)])
def test_a_teacher_scores_every_view_once_and_gives_each_batch_its_own_views(augment):
    """Shifts and flips have few outcomes: the teacher scores each view of each image up front, and
    every batch must get the scores of the very views the student sees (not of the clean images)."""
    teacher_cfg = REFERENCE.replace(hidden=(8,))
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10)).eval()
    student = REFERENCE.replace(teacher=teacher_cfg.key(), augment=augment, batch_size=16, epochs=60)
    batches = _batches(student)
    score = teacher_scores(student, (net, teacher_cfg), batches, torch.device("cpu"))
    clean = net((batches.x - batches.shift) / batches.scale)
    moved = 0
    for idx, inputs, _, views in batches:
        with torch.no_grad():
            assert torch.allclose(score(idx, inputs, views), net(inputs), atol=1e-5)
        moved += int((~torch.isclose(score(idx, inputs, views), clean[idx], atol=1e-5)).any(1).sum())
    assert moved > 16  # most images were seen moved or mirrored, so the lookup had real work to do


def test_a_teacher_scores_each_batch_when_a_run_has_fewer_epochs_than_views(monkeypatch):
    """Scoring 50 views up front pays only over more than 50 epochs (a smoke run has two)."""
    from fmnist_lab.engine import train as engine
    monkeypatch.setattr(engine, "view_scores", lambda *a, **k: pytest.fail("scored every view for a 2-epoch run"))
    teacher_cfg = REFERENCE.replace(hidden=(8,))
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    student = REFERENCE.replace(teacher=teacher_cfg.key(), augment=("shift", "hflip"), epochs=2)
    score = teacher_scores(student, (net, teacher_cfg), _batches(student), torch.device("cpu"))
    inputs = torch.rand(3, 1, 28, 28)
    assert torch.allclose(score(torch.tensor([0, 1, 2]), inputs, torch.tensor([0, 1, 2])), net(inputs))


def test_a_pause_between_epochs_counts_neither_in_epoch_seconds_nor_in_wall_time(tmp_path, monkeypatch):
    import threading
    import time

    from fmnist_lab.engine import train as engine

    cfg = RunConfig(hidden=(16,), train_size=500, val_size=500, epochs=2)
    plain, _ = train(cfg, progress=False)
    pause = tmp_path / "pause"
    pause.touch()  # held after epoch 1 until the file goes
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(pause))
    real = engine.wait_between_epochs
    monkeypatch.setattr(engine, "wait_between_epochs", lambda epoch: real(epoch, poll_seconds=0.01))
    threading.Timer(1.5, pause.unlink).start()
    start = time.perf_counter()
    paused, _ = train(cfg, progress=False)
    elapsed = time.perf_counter() - start
    assert elapsed > 1.5 and paused["provenance"]["wall_seconds"] < elapsed - 1.4
    assert max(paused["history"]["seconds"]) < 1.0  # the wait sat between the epochs, in neither
    assert paused["history"]["val_acc"] == plain["history"]["val_acc"]  # and changed nothing it learned
