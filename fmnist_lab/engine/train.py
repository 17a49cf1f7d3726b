"""The one training loop, shared by every MLP and CNN in the book.

Data lives in memory as tensors on the training device; shuffling is `randperm`; augmentation
is batched. Each epoch is followed by a validation pass; early stopping keeps the best state
and restores it at the end. A run whose loss becomes NaN/inf is marked `diverged` and stops
instead of crashing, so a sweep over learning rates always finishes.
"""
from __future__ import annotations

import copy
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from . import resume as resume_state
from .augment import as_view, augment, augment_views, n_views
from .choices import OPTIMIZERS, SCHEDULES
from .config import ENGINE_VERSION, RunConfig
from .data import FashionMNIST, load
from .models import build_model, count_parameters
from .pause import pause_requested, wait_between_epochs
from .records import confusion, encode_predictions, provenance

EVAL_BATCH = 4096
VIEW_BATCH = 128  # a CNN teacher scores 50 000 images in 16 s in batches of 128, in 40 s in batches of 4 096 (2-core EPYC)
TRAIN_EVAL_SIZE = 10_000  # training images re-scored in eval mode each epoch (the honest train accuracy)
SUBSET_SEED = 7  # fixes which images a `train_size` subset keeps, independent of the run seed


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def show_progress() -> bool:
    """Progress bars on a terminal (or with FMNIST_PROGRESS=1), never inside a book build."""
    flag = os.environ.get("FMNIST_PROGRESS")
    if flag is not None:
        return flag not in ("0", "", "false")
    return sys.stderr.isatty()


def input_scaling(cfg: RunConfig, data: FashionMNIST) -> tuple[float, float]:
    """(shift, scale) so that model input = (pixel_in_[0,1] - shift) / scale."""
    if cfg.normalization == "standardize":
        return data.pixel_mean, data.pixel_std
    if cfg.normalization == "unit":
        return 0.0, 1.0
    return 0.0, 1.0 / 255.0  # raw: the 0..255 byte values


def training_images(cfg: RunConfig, data: FashionMNIST) -> tuple[torch.Tensor, torch.Tensor]:
    """The training split (with the validation split if `cfg.refit`), or a fixed random subset of
    `cfg.train_size` images of it."""
    x, y = data.train_images, data.train_labels
    if cfg.refit:
        x, y = torch.cat([x, data.val_images]), torch.cat([y, data.val_labels])
    if cfg.train_size is not None and cfg.train_size < len(y):
        keep = torch.randperm(len(y), generator=torch.Generator().manual_seed(SUBSET_SEED))[:cfg.train_size]
        x, y = x[keep], y[keep]
    return x, y


def as_unit_float(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1] on `device`."""
    return images.to(device).unsqueeze(1).float().div_(255)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, shift: float, scale: float) -> tuple[float, float, torch.Tensor]:
    """(mean cross-entropy, accuracy, predicted labels) in eval mode."""
    was_training = model.training
    model.eval()
    total_loss, predictions = 0.0, []
    for start in range(0, len(y), EVAL_BATCH):
        logits = model((x[start:start + EVAL_BATCH] - shift) / scale)
        total_loss += F.cross_entropy(logits, y[start:start + EVAL_BATCH], reduction="sum").item()
        predictions.append(logits.argmax(1))
    model.train(was_training)
    predicted = torch.cat(predictions)
    return total_loss / len(y), (predicted == y).float().mean().item(), predicted.cpu()


def make_optimizer(cfg: RunConfig, params) -> torch.optim.Optimizer:
    return OPTIMIZERS[cfg.optimizer].build(cfg, params)


def make_schedule(cfg: RunConfig, optimizer: torch.optim.Optimizer, steps_per_epoch: int):
    """A per-step learning-rate schedule over the planned `cfg.epochs` (None for a constant rate)."""
    build = SCHEDULES[cfg.schedule].build
    return None if build is None else build(cfg, optimizer, steps_per_epoch)


def _improved(cfg: RunConfig, val_loss: float, val_acc: float, best: float | None) -> tuple[bool, float]:
    score = val_loss if cfg.early_stopping == "val_loss" else -val_acc  # lower is better
    return best is None or score < best, score


class Batches:
    """The training set as shuffled mini-batches, prepared the way the model sees them.

    Without augmentation the whole tensor is scaled once up front; with it, each batch is
    augmented on raw [0, 1] pixels and then scaled. Shuffling is one `randperm` per epoch.
    `train` and `bench` both iterate this, so they cannot disagree on what a batch is.
    """

    def __init__(self, cfg: RunConfig, x_unit: torch.Tensor, y: torch.Tensor, generator: torch.Generator,
                 shift: float, scale: float):
        self.cfg, self.y, self.generator, self.shift, self.scale = cfg, y, generator, shift, scale
        self.x = x_unit if cfg.augment else (x_unit - shift) / scale

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.cfg.batch_size)

    def __iter__(self):
        """(indices, model inputs, labels, views) per batch: `views` numbers the view of each image
        when every augmentation has few outcomes (`augment.augment_views`), else it is None."""
        order = torch.randperm(len(self.y), generator=self.generator, device=self.x.device)
        for i in range(0, len(self.y), self.cfg.batch_size):
            idx = order[i:i + self.cfg.batch_size]
            inputs, views = self.x[idx], None
            if n_views(self.cfg.augment):
                inputs, views = augment_views(inputs, self.cfg.augment, self.generator)
            elif self.cfg.augment:
                inputs = augment(inputs, self.cfg.augment, self.generator)
            if self.cfg.augment:
                inputs = (inputs - self.shift) / self.scale
            yield idx, inputs, self.y[idx], views


def distillation_loss(logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      cfg: RunConfig) -> torch.Tensor:
    """Hinton et al. (2015): KL to the teacher's softened distribution (times T^2, so its gradient
    scale does not depend on T), mixed with the usual cross-entropy on the true labels."""
    t = cfg.distill_temperature
    soft = F.kl_div(F.log_softmax(logits / t, 1), F.log_softmax(teacher_logits / t, 1),
                    reduction="batchmean", log_target=True) * t * t
    hard = F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing)
    return cfg.distill_weight * soft + (1 - cfg.distill_weight) * hard


def teacher_scores(cfg: RunConfig, teacher: tuple[nn.Module, RunConfig] | None, batches: Batches, device: torch.device,
                   progress: bool = False):
    """`(batch indices, model inputs, views) -> teacher logits`, or None without a teacher.

    `teacher` is the loaded checkpoint (model, its config) that `cfg.teacher` names. The teacher
    scores the very images the student sees ("consistent" distillation, Beyer et al. 2022; a score
    computed up front may differ from the batch's own in the last bits of float rounding):
    without augmentation each training image once, up front (a table lookup per batch); with
    augmentations of few outcomes (shifts by whole pixels, flips) every view of every image once,
    up front, when there are fewer views than epochs (`view_scores`: 50 views cost 50 passes, one per
    epoch costs 200 over 200 epochs); otherwise every batch as it is drawn.
    """
    if cfg.teacher is None:
        return None
    if teacher is None:
        raise ValueError(f"run {cfg.key()} is taught by {cfg.teacher}: pass its checkpoint, "
                         "train(cfg, teacher=checkpoints.load_checkpoint(path))")
    model, teacher_cfg = teacher
    if teacher_cfg.key() != cfg.teacher:
        raise ValueError(f"the teacher passed is run {teacher_cfg.key()}, but this run names {cfg.teacher}")
    if teacher_cfg.normalization != cfg.normalization:
        raise ValueError(f"the teacher was trained on {teacher_cfg.normalization!r} inputs, this run uses "
                         f"{cfg.normalization!r}; give both the same normalization")
    model = model.to(device)
    if teacher_cfg.model != "mlp":
        model = model.to(memory_format=torch.channels_last)
    if cfg.mixup or (cfg.augment and not (n_views(cfg.augment) or math.inf) < cfg.epochs):
        return lambda idx, inputs, views: _scores(model, inputs)
    if cfg.augment:
        table = view_scores(model, teacher_cfg.key(), batches, device, progress)
        return lambda idx, inputs, views: table[idx, views]
    table = _scores_all(model, batches.x)
    return lambda idx, inputs, views: table[idx]


_VIEW_SCORES: dict[tuple, torch.Tensor] = {}  # the last table, for the next seed of the same student


def view_scores(model: nn.Module, teacher_key: str, batches: Batches, device: torch.device, progress: bool = False) -> torch.Tensor:
    """The teacher's logits for every view of every training image, (images, views, classes), in
    `augment_views`'s numbering. Kept for the next run taught by the same teacher on the same images
    (one table, about 100 MB for 50 views of 50 000 images)."""
    cfg = batches.cfg
    key = (teacher_key, resume_state.weights_digest(model), cfg.augment, cfg.refit, cfg.train_size,
           batches.shift, batches.scale, str(device))
    if key not in _VIEW_SCORES:
        _VIEW_SCORES.clear()
        views = tqdm(range(n_views(cfg.augment)), desc="teacher: scoring every view", unit="view", leave=False,
                     disable=not progress)
        _VIEW_SCORES[key] = torch.stack([_scores_all(model, (as_view(batches.x, cfg.augment, v) - batches.shift) / batches.scale,
                                                     VIEW_BATCH) for v in views], 1)
    return _VIEW_SCORES[key]


def _scores_all(model: nn.Module, x: torch.Tensor, batch: int = EVAL_BATCH) -> torch.Tensor:
    return torch.cat([_scores(model, x[i:i + batch]) for i in range(0, len(x), batch)])


@torch.no_grad()
def _scores(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    return model(inputs)


def mix(inputs: torch.Tensor, cfg: RunConfig, generator: torch.Generator, rng: random.Random):
    """Mixup: each image blended with a random partner of the same batch, one weight per batch.
    Returns (mixed inputs, partner indices, weight of the original image)."""
    weight = rng.betavariate(cfg.mixup, cfg.mixup)
    partner = torch.randperm(len(inputs), generator=generator, device=inputs.device)
    return weight * inputs + (1 - weight) * inputs[partner], partner, weight


def run_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, schedule, cfg: RunConfig,
              batches: Batches, teacher=None, averaged: AveragedModel | None = None,
              mix_rng: random.Random | None = None) -> tuple[float, float]:
    """One pass over the batches; returns (mean train loss, train accuracy).

    `averaged`: the moving average of the weights, updated after every step (`cfg.ema`).
    `mix_rng`: draws the mixup weights (`cfg.mixup`)."""
    model.train()
    loss_sum = torch.zeros((), device=batches.x.device)
    correct = torch.zeros((), device=batches.x.device, dtype=torch.long)
    for idx, inputs, yb, views in batches:
        if cfg.mixup:
            inputs, partner, weight = mix(inputs, cfg, batches.generator, mix_rng)
        logits = model(inputs)
        soft = None if teacher is None else teacher(idx, inputs, views)

        def loss_on(labels):
            if soft is None:
                return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing)
            return distillation_loss(logits, soft, labels, cfg)

        loss = loss_on(yb) if not cfg.mixup else weight * loss_on(yb) + (1 - weight) * loss_on(yb[partner])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
        if averaged is not None:
            averaged.update_parameters(model)
        loss_sum += loss.detach() * len(idx)
        correct += (logits.argmax(1) == yb).sum()
    return loss_sum.item() / len(batches.y), correct.item() / len(batches.y)


def train(cfg: RunConfig, data: FashionMNIST | None = None, device: torch.device | None = None,
          progress: bool | None = None, teacher: tuple[nn.Module, RunConfig] | None = None,
          resume: Path | None = None) -> tuple[dict[str, Any], nn.Module]:
    """Train one run; return its JSON-ready result and the model in its restored best state.

    `teacher`: the loaded checkpoint (model, config) of the run `cfg.teacher` names, if any.
    `resume`: a file for the run's state between epochs (`engine.resume`): saved there every
    minute or so, and resumed from when it holds this run's state."""
    data = data or load()
    device = device or default_device()
    progress = show_progress() if progress is None else progress
    info = provenance(device)
    wall_start = time.perf_counter()

    # ---- setup: model, data on the device, optimizer, schedule, teacher
    torch.manual_seed(cfg.seed)  # model init and dropout
    generator = torch.Generator(device=device).manual_seed(cfg.seed)  # shuffling and augmentation
    model = build_model(cfg).to(device)
    if cfg.model != "mlp":  # NHWC convolutions: about 1.7x faster on CPU (oneDNN), same maths
        model = model.to(memory_format=torch.channels_last)
    shift, scale = input_scaling(cfg, data)
    train_x, train_y = training_images(cfg, data)
    x_unit, y = as_unit_float(train_x, device), train_y.to(device)
    batches = Batches(cfg, x_unit, y, generator, shift, scale)
    val_x, val_y = as_unit_float(data.val_images[:cfg.val_size], device), data.val_labels[:cfg.val_size].to(device)
    score_x, score_y = x_unit[:TRAIN_EVAL_SIZE], y[:TRAIN_EVAL_SIZE]

    optimizer = make_optimizer(cfg, model.parameters())
    schedule = make_schedule(cfg, optimizer, len(batches))
    soft_targets = teacher_scores(cfg, teacher, batches, device, progress)
    # With `cfg.ema` the averaged weights are what is validated, kept and returned.
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema), use_buffers=True) if cfg.ema else None
    scored = model if averaged is None else averaged.module
    mix_rng = random.Random(cfg.seed) if cfg.mixup else None
    history: dict[str, list] = {k: [] for k in ("epoch", "lr", "train_loss", "train_acc", "train_eval_acc",
                                                "val_loss", "val_acc", "seconds")}
    best_score, best_state, best_epoch, since_best, diverged, paused = None, None, 0, 0, False, 0.0
    first_epoch, earlier_seconds, last_save = 1, 0.0, time.perf_counter()
    machine = resume_state.machine(cfg.key(), ENGINE_VERSION, info, None if teacher is None else teacher[0])
    saved, why_not = resume_state.load(resume, machine) if resume is not None else (None, "")
    if why_not:
        tqdm.write(f"run {cfg.key()}: {why_not}")
    if saved is not None:  # go on where the interrupted run stopped, exactly as if it had not
        for part, name in ((model, "model"), (optimizer, "optimizer"), (schedule, "schedule"), (averaged, "averaged")):
            if part is not None:
                part.load_state_dict(saved[name])
        resume_state.restore_streams(saved["streams"], generator, mix_rng)
        history, info = saved["history"], info | {"started_at": saved["info"]["started_at"],  # this code, this host; the first start
                                                  "resumed_after_epoch": [*saved["info"].get("resumed_after_epoch", []), saved["epoch"]]}
        best_score, best_state, best_epoch, since_best = saved["best_score"], saved["best_state"], saved["best_epoch"], saved["since_best"]
        first_epoch, earlier_seconds = saved["epoch"] + 1, saved["seconds"]

    # ---- the epoch loop: train, validate, keep the best state, stop early

    bar = tqdm(range(first_epoch, cfg.epochs + 1), desc=cfg.label(), disable=not progress, leave=False, unit="epoch",
               initial=first_epoch - 1, total=cfg.epochs)
    for epoch in bar:
        lr_now = optimizer.param_groups[0]["lr"]
        start = time.perf_counter()
        train_loss, train_acc = run_epoch(model, optimizer, schedule, cfg, batches, soft_targets, averaged, mix_rng)
        seconds = time.perf_counter() - start
        val_loss, val_acc, _ = evaluate(scored, val_x, val_y, shift, scale)
        _, train_eval_acc, _ = evaluate(scored, score_x, score_y, shift, scale)
        for name, value in (("epoch", epoch), ("lr", lr_now), ("train_loss", train_loss),
                            ("train_acc", train_acc), ("train_eval_acc", train_eval_acc),
                            ("val_loss", val_loss), ("val_acc", val_acc), ("seconds", seconds)):
            history[name].append(value if math.isfinite(value) else None)
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
            diverged = True
            break
        improved, score = _improved(cfg, val_loss, val_acc, best_score)
        if improved:
            best_score, best_epoch, since_best = score, epoch, 0
            best_state = copy.deepcopy(scored.state_dict())
        else:
            since_best += 1
        bar.set_postfix(val_acc=f"{val_acc:.4f}", best=best_epoch)
        if cfg.early_stopping != "none" and since_best >= cfg.patience:
            break
        if resume is not None and (time.perf_counter() - last_save >= resume_state.SAVE_EVERY_SECONDS or pause_requested()):
            why_not = resume_state.save(resume, {
                "machine": machine, "epoch": epoch, "seconds": earlier_seconds + time.perf_counter() - wall_start - paused,
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": None if schedule is None else schedule.state_dict(),
                "averaged": None if averaged is None else averaged.state_dict(),
                "streams": resume_state.random_streams(generator, mix_rng), "history": history, "info": info,
                "best_score": best_score, "best_state": best_state, "best_epoch": best_epoch, "since_best": since_best})
            last_save = time.perf_counter()
            if why_not:
                tqdm.write(f"run {cfg.key()}: {why_not}")
                resume = None
        paused += wait_between_epochs(epoch)
    bar.close()

    # ---- restore the best state and evaluate it once on validation and test
    model = scored
    if best_state is not None and cfg.early_stopping != "none":
        model.load_state_dict(best_state)
    final_epoch = best_epoch if cfg.early_stopping != "none" else history["epoch"][-1]
    val_loss, val_acc, val_pred = evaluate(model, val_x, val_y, shift, scale)
    test_x, test_y = as_unit_float(data.test_images, device), data.test_labels.to(device)
    test_loss, test_acc, test_pred = evaluate(model, test_x, test_y, shift, scale)
    # a pause is not training time; a resumed run's time is its pieces' (an epoch redone counts once)
    info["wall_seconds"] = round(earlier_seconds + time.perf_counter() - wall_start - paused, 3)
    epoch_seconds = sorted(history["seconds"])
    result = {
        "key": cfg.key(),
        "engine_version": ENGINE_VERSION,
        "config": cfg.to_dict(),
        "provenance": info,
        "params": count_parameters(model),
        "epochs_run": len(history["epoch"]),
        "final_epoch": final_epoch,
        "diverged": diverged,
        "seconds_per_epoch": epoch_seconds[len(epoch_seconds) // 2],
        "history": history,
        "val": {"loss": _finite(val_loss), "acc": val_acc, "confusion": confusion(val_y, val_pred)},
        "test": {"loss": _finite(test_loss), "acc": test_acc, "confusion": confusion(test_y, test_pred),
                 "predictions": encode_predictions(test_pred)},
    }
    return result, model


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
