"""How a configuration reads to a reader: field titles and the settings that differ from a reference."""
from __future__ import annotations

import pandas as pd

from ..engine.choices import ACTIVATIONS, INITS, OPTIMIZERS, SCHEDULES
from ..engine.config import REFERENCE, RunConfig
from ..engine.labels import small
from ..runs.studies import AUTHORED_RECIPES, STACKED_MLP_LABEL, TEACHER

# How a reader names each RunConfig field in a recipe table (fields not listed show their own name).
FIELD_TITLES = {"model": "network", "hidden": "hidden layers", "channels": "channels per block", "activation": "activation",
                "dropout": "dropout", "batchnorm": "batch norm", "init": "initialization", "optimizer": "optimizer",
                "lr": "learning rate", "momentum": "momentum", "weight_decay": "weight decay", "schedule": "learning-rate schedule",
                "batch_size": "batch size", "epochs": "epochs", "early_stopping": "epoch kept", "patience": "early-stopping patience",
                "augment": "augmentation", "normalization": "input scaling", "label_smoothing": "label smoothing",
                "teacher": "teacher", "distill_weight": "weight of the teacher's loss",
                "distill_temperature": "distillation temperature", "mixup": "mixup Beta parameter", "ema": "weight averaging decay"}

AUGMENTATION_TITLES = {"hflip": "flip", "rotate": "rotation", "shift": "shift", "erase": "erasing"}


def setting_text(cfg: RunConfig, name: str) -> str:
    """One setting of `cfg` as a reader reads it: '1024 × 1024', 'flip + erasing', 'AdamW', 'yes'."""

    if name in cfg.inactive_fields() or (name == "channels") == (cfg.model == "mlp") and name in ("hidden", "channels"):
        return "—"  # settings this run cannot use: a teacher's without one, an MLP's channels, a CNN's widths
    value = getattr(cfg, name)
    if name == "model":
        return {"mlp": "MLP", "cnn": "small CNN", "lenet": "LeNet-style CNN"}[value]
    registries = {"activation": ACTIVATIONS, "init": INITS, "optimizer": OPTIMIZERS, "schedule": SCHEDULES}
    if name in registries:
        return registries[name][value].title
    if name in ("hidden", "channels"):
        return " × ".join(map(str, value)) if value else "none"
    if name == "augment":
        return " + ".join(AUGMENTATION_TITLES.get(a, a) for a in value) or "none"
    if name == "early_stopping":
        return {"val_acc": "best validation accuracy", "val_loss": "lowest validation loss", "none": "last"}[value]
    if name == "teacher":
        return "the best CNN, seed 0" if value == TEACHER.key() else f"the run {value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return small(value) if value else "0"
    return str(value)


def config_changes(cfg: RunConfig, base: RunConfig = REFERENCE, base_name: str = "reference MLP") -> pd.DataFrame:
    """The settings in which `cfg` differs from `base` (seed and profile caps aside), side by side,
    named and written as a reader reads them (`FIELD_TITLES`, `setting_text`).

    Settings that cannot affect a run (`RunConfig.inactive_fields`) are shown as "—".
    """
    rows = [{"setting": FIELD_TITLES.get(name, name), base_name: setting_text(base, name), "this model": setting_text(cfg, name)}
            for name in base.to_dict() if name not in ("seed", "train_size", "val_size")
            and setting_text(cfg, name) != setting_text(base, name)]
    return pd.DataFrame(rows)


def optimizer_title(cfg: RunConfig) -> str:
    """The optimizer of `cfg` in a reader's words, with the settings that qualify it:
    'SGD + momentum 0.9', 'Nesterov 0.9', 'AdamW (λ = 10⁻²)', 'Adam + L2 (λ = 10⁻³)', 'Adam'."""

    title = OPTIMIZERS[cfg.optimizer].title
    if cfg.optimizer in ("momentum", "nesterov"):
        title += f" {cfg.momentum:g}"
    if cfg.weight_decay:

        decay = small(cfg.weight_decay)
        title += f" (λ = {decay})" if cfg.optimizer == "adamw" else f" + L2 (λ = {decay})"
    return title


def authored(label: str) -> bool:
    """Whether a group label names a recipe for its authors ("Nøkland & Eidnes's MLP recipe"), as
    `studies.AUTHORED_RECIPES` declares them, or that recipe with an addition ("… + label smoothing")."""
    return any(label == a or label.startswith(f"{a} + ") for a in AUTHORED_RECIPES)


COUNTABLE = ("schedule",)  # additions named by a countable noun take the article: "with the one-cycle schedule"


def added(label: str) -> list[str]:
    """The additions a variant's label names after its recipe, as declared: "… + label smoothing +
    distillation" -> ["label smoothing", "distillation"]; [] for a label that adds nothing."""
    return label.split(" + ")[1:]


def addition(label: str) -> str:
    """What a variant adds to its recipe, as the prose names it: "… + label smoothing" -> "label
    smoothing", "… + one-cycle schedule" -> "the one-cycle schedule", "… + label smoothing +
    distillation" -> "label smoothing and distillation". A label that adds nothing is returned as it
    is. (Every page that names an addition asks here.)"""
    parts = [f"the {part}" if part.endswith(COUNTABLE) else part for part in added(label)]
    return " and ".join(parts) if parts else label


def rerun_name(label: str, chapter: int) -> str:
    """An authors' recipe as the prose names it: "Nøkland & Eidnes's MLP recipe, re-run in chapter 11",
    and with an addition "Nøkland & Eidnes's MLP recipe with label smoothing, trained in chapter 11"
    (never "chapter 11's Nøkland & Eidnes's …")."""
    if label in AUTHORED_RECIPES:
        return f"{label}, re-run in chapter {chapter}"
    return f"{label.split(' + ', 1)[0]} with {addition(label)}, trained in chapter {chapter}"


def reader_name(row: pd.Series) -> str:
    """A `trained_networks` row as the prose names it: "chapter 7's one-cycle MLP", "chapter 10's
    MLP recipe, no augmentation, 30 epochs" -- never a study's internal title, never "best MLP" (the
    tables' label of chapter 10's recipe: the book's best MLP is whichever `leaderboard.best_mlp`
    names), and with no parentheses, so that a number can follow in parentheses."""
    noun = "CNN" if row["family"] == "CNN" else "MLP"
    label = row["label"]
    if label.startswith(STACKED_MLP_LABEL):  # chapter 10's recipe: only the book's rule names a "best MLP"
        label = "MLP recipe" + label[len(STACKED_MLP_LABEL):]
    if authored(label):
        return rerun_name(label, row["chapter"])
    return f"chapter {row['chapter']}'s {label}" + ("" if noun in label else f" {noun}")
