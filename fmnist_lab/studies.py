"""What each chapter needs: named groups of configurations, each over the profile's seeds.

`fmnist-lab status` and `fmnist-lab run` read this registry, so the store can be checked and
filled without executing a notebook; chapters call the same functions.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import yaml

from .config import REFERENCE, RunConfig
from .experiments import seeded
from .models import widths_for_budget

Groups = dict[str, list[RunConfig]]

# Chapter 02's baseline: one hidden layer (seed 001's 784-128-10), otherwise the reference recipe.
BASELINE = REFERENCE.replace(hidden=(128,))
# Chapter 01 compares input scalings with Adam and with the plain SGD the NumPy seed reports used.
NORMALIZATION_OPTIMIZERS = {"adam": dict(optimizer="adam", lr=1e-3), "sgd": dict(optimizer="sgd", lr=0.1)}


def normalization_study() -> Groups:
    """Input scaling (raw bytes, [0, 1], standardized) x optimizer, on the baseline MLP, 15 epochs."""
    return {f"{norm}/{opt}": seeded(BASELINE.replace(normalization=norm, epochs=15, **kwargs))
            for opt, kwargs in NORMALIZATION_OPTIMIZERS.items()
            for norm in ("raw", "unit", "standardize")}


def baseline_study() -> Groups:
    return {"baseline": seeded(BASELINE)}


DEPTHS = (0, 1, 2, 3, 4, 6)
WIDTHS = (32, 64, 128, 256, 512, 1024)
BUDGET = 200_000
BUDGET_DEPTHS = (1, 2, 3, 4)


def depth_study() -> Groups:
    """0 (softmax regression) to 6 hidden layers of 256 units."""
    return {str(d): seeded(REFERENCE.replace(hidden=(256,) * d)) for d in DEPTHS}


def width_study() -> Groups:
    """Two hidden layers of 32 to 1024 units."""
    return {str(w): seeded(REFERENCE.replace(hidden=(w, w))) for w in WIDTHS}


def budget_study() -> Groups:
    """About 200 k parameters spent on 1 to 4 equal hidden layers."""
    return {str(d): seeded(REFERENCE.replace(hidden=(widths_for_budget(d, BUDGET),) * d)) for d in BUDGET_DEPTHS}


ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")
DEEP = (256,) * 6  # six hidden layers: deep enough for vanishing gradients and bad inits to show
INITS = ("normal1", "normal001", "xavier", "kaiming", "default")


def activation_study() -> Groups:
    """Seven activations on the reference MLP ("2/...") and on six hidden layers ("6/...")."""
    return {f"{len(hidden)}/{act}": seeded(REFERENCE.replace(hidden=hidden, activation=act))
            for hidden in (REFERENCE.hidden, DEEP) for act in ACTIVATIONS}


def init_study() -> Groups:
    """Five initializations x with/without batch norm, at depth 2 and 6: "6/xavier/bn"."""
    return {f"{len(hidden)}/{init}/{'bn' if bn else 'plain'}": seeded(REFERENCE.replace(hidden=hidden, init=init, batchnorm=bn))
            for hidden in (REFERENCE.hidden, DEEP) for bn in (False, True) for init in INITS}


# Chapter 04: a wider net trained for a fixed length without early stopping, so it overfits visibly
# and the curves run to the end; the reported model is the last epoch's.
OVERFIT = REFERENCE.replace(hidden=(512, 512), epochs=20, early_stopping="none")
L2_LAMBDAS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2)
ADAMW_EXTRA = 1e-1  # decoupled decay is multiplied by lr, so AdamW's useful range sits higher
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
SMOOTHINGS = (0.0, 0.1)


def l2_study() -> Groups:
    """Coupled L2 (Adam's weight_decay, i.e. lambda*w added to the gradient) vs decoupled AdamW: "adamw/0.001"."""
    groups = {f"adam/{lam:g}": seeded(OVERFIT.replace(weight_decay=lam)) for lam in L2_LAMBDAS}
    for lam in (*L2_LAMBDAS, ADAMW_EXTRA):
        # AdamW without decay is Adam: share those runs instead of training them twice.
        groups[f"adamw/{lam:g}"] = groups["adam/0"] if lam == 0 else seeded(OVERFIT.replace(optimizer="adamw", weight_decay=lam))
    return groups


def dropout_study() -> Groups:
    return {f"{p:g}": seeded(OVERFIT.replace(dropout=p)) for p in DROPOUTS}


def smoothing_study() -> Groups:
    return {f"{s:g}": seeded(OVERFIT.replace(label_smoothing=s)) for s in SMOOTHINGS}


# Chapter 07: optimizers on the reference MLP (early stopping as everywhere else).
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
OPTIMIZER_LRS = (1e-4, 1e-3, 1e-2, 1e-1)
SCHEDULES = ("constant", "step", "cosine", "onecycle")
# Schedules need the whole planned length to anneal: 20 epochs, no early stop, best epoch restored.
SCHEDULE_BASE = REFERENCE.replace(epochs=20, patience=20)
BATCH_SIZES = (32, 128, 512)
MOMENTUM_LRS = (1e-2, 3e-2, 1e-1, 3e-1)


ADAMW_DECAY = 1e-2  # PyTorch's default for AdamW; at 0 AdamW would be Adam


def optimizer_study() -> Groups:
    """Six optimizers x four learning rates: "momentum/0.01"."""
    return {f"{opt}/{lr:g}": seeded(REFERENCE.replace(optimizer=opt, lr=lr, weight_decay=ADAMW_DECAY if opt == "adamw" else 0.0))
            for opt in OPTIMIZERS for lr in OPTIMIZER_LRS}


def schedule_study() -> Groups:
    """Adam at 1e-3 (the reference) under four learning-rate schedules over 20 epochs."""
    return {s: seeded(SCHEDULE_BASE.replace(schedule=s)) for s in SCHEDULES}


def batch_lr_study() -> Groups:
    """SGD + momentum 0.9: batch size x learning rate, "128/0.03"."""
    return {f"{b}/{lr:g}": seeded(REFERENCE.replace(optimizer="momentum", batch_size=b, lr=lr))
            for b in BATCH_SIZES for lr in MOMENTUM_LRS}


# Chapter 08 (draft): seed 000 found augmentation hurt an MLP at a fixed number of epochs. Train
# every set for 20 and for 60 epochs (all epochs run, best validation epoch restored) to see
# whether that is a training-length effect.
AUGMENTATION_LENGTHS = (20, 60)
AUGMENTATION_SETS = {"none": (), "flip": ("hflip",), "rotate": ("rotate",), "flip+rotate": ("hflip", "rotate"),
                     "shift": ("shift",), "erase": ("erase",), "flip+erase": ("hflip", "erase")}


def augmentation_study() -> Groups:
    """The reference MLP under each augmentation set and training length: "60/flip+rotate"."""
    return {f"{n}/{name}": seeded(REFERENCE.replace(augment=augs, epochs=n, patience=n))
            for n in AUGMENTATION_LENGTHS for name, augs in AUGMENTATION_SETS.items()}


# Chapter 09: two CNNs through the same loop and recipe as the reference MLP (Adam 1e-3, batch
# 128), trained for a fixed 12 epochs with the best validation epoch restored: a CNN epoch costs
# 10-20x an MLP epoch on 2 CPU cores, so the CNNs get fewer epochs than the MLPs, not more.
CNN_EPOCHS = 12
LENET = REFERENCE.replace(model="lenet", channels=(6, 16), epochs=CNN_EPOCHS, patience=CNN_EPOCHS)
SMALL_CNN = REFERENCE.replace(model="cnn", channels=(16, 32, 64), epochs=CNN_EPOCHS, patience=CNN_EPOCHS)
CNN_DROPOUTS = (0.0, 0.25, 0.5)


def cnn_study() -> Groups:
    """LeNet-style ("lenet") and the small modern CNN under three dropout rates ("cnn/0.25")."""
    return {"lenet": seeded(LENET), **{f"cnn/{p:g}": seeded(SMALL_CNN.replace(dropout=p)) for p in CNN_DROPOUTS}}


# Chapter 08, CNN part: the small CNN without augmentation (shared with chapter 09) and with the
# classic image recipe -- flip, shift, erasing -- which chapter 10's CNN also uses.
CNN_AUGMENTATION = ("hflip", "shift", "erase")


def cnn_augmentation_study() -> Groups:
    return {"none": seeded(SMALL_CNN), "flip+shift+erase": seeded(SMALL_CNN.replace(augment=CNN_AUGMENTATION))}


# Chapter 10: the chapters' findings stacked. MLP: wide (ch 03), batch norm (ch 06), dropout and
# label smoothing (ch 04), AdamW + one-cycle (ch 07), erasing and flips over a long run (ch 08).
BEST_MLP = REFERENCE.replace(hidden=(1024, 1024), batchnorm=True, dropout=0.3, optimizer="adamw", weight_decay=0.05,
                             schedule="onecycle", label_smoothing=0.1, augment=("hflip", "erase"), epochs=60, patience=60)
# CNN: three conv-BN blocks, the same optimizer/schedule/smoothing, the full image augmentation;
# sized to stay within 30 CPU-minutes per seed on 2 cores (a narrower 24/48/96 fell short of the
# target in a one-seed probe; the per-seed cost depends on the CPU, see chapter 10's compute line).
BEST_CNN = SMALL_CNN.replace(channels=(32, 64, 128), dropout=0.25, optimizer="adamw", weight_decay=0.05, lr=2e-3,
                             schedule="onecycle", label_smoothing=0.1, augment=CNN_AUGMENTATION, epochs=30, patience=30)


# Ablation: the MLP recipe without its augmentation and at half the length -- what do the two
# ingredients chapter 08 found doubtful add once everything else is in place?
BEST_MLP_SHORT_PLAIN = BEST_MLP.replace(augment=(), epochs=30, patience=30)


# Distillation: the same short plain MLP, trained to match the committed best CNN's softened
# predictions (seed 0, full profile; its checkpoint is committed, so every profile uses it).
TEACHER = BEST_CNN.replace(seed=0)
DISTILLED_MLP = BEST_MLP_SHORT_PLAIN.replace(teacher=TEACHER.key())
DISTILLED = "best MLP, no augmentation, 30 epochs, taught by the best CNN"


# Refit: once validation has picked a recipe, its 10 000 images can join the training set.
BEST_MLP_SHORT_PLAIN_REFIT = BEST_MLP_SHORT_PLAIN.replace(refit=True, early_stopping="none")
REFIT = "best MLP, no augmentation, 30 epochs, refit on 60 000 images"


# Longer and shifted: chapter 08's shift-trained MLP was still improving at 60 epochs; here the
# best MLP recipe gets the CNN's full augmentation and 100 epochs.
BEST_MLP_LONG_SHIFTED = BEST_MLP.replace(augment=CNN_AUGMENTATION, epochs=100, patience=100)
LONG_SHIFTED = "best MLP, the CNN's augmentation, 100 epochs"


def headline_models() -> Groups:
    """The two models the book ends on (their seed-0 weights are committed)."""
    return {"best MLP": seeded(BEST_MLP), "best CNN": seeded(BEST_CNN)}


def best_study() -> Groups:
    return {**headline_models(), "best MLP, no augmentation, 30 epochs": seeded(BEST_MLP_SHORT_PLAIN),
            DISTILLED: seeded(DISTILLED_MLP)}


def long_study() -> Groups:
    return {LONG_SHIFTED: seeded(BEST_MLP_LONG_SHIFTED)}


def refit_study() -> Groups:
    """Trained on training + validation images: test only (kept out of selection and the leaderboard)."""
    return {REFIT: seeded(BEST_MLP_SHORT_PLAIN_REFIT)}


CHAPTERS: dict[str, list[Callable[[], Groups]]] = {
    "01_dataset": [normalization_study],
    "02_baseline": [baseline_study],
    "03_depth_width": [depth_study, width_study, budget_study],
    "04_regularization": [l2_study, dropout_study, smoothing_study],
    "05_activations": [activation_study],
    "06_init_batchnorm": [init_study],
    "07_optimizers": [optimizer_study, schedule_study, batch_lr_study],
    "08_augmentation": [augmentation_study, cnn_augmentation_study],
    "09_cnn": [cnn_study],
    "10_best": [best_study, long_study, refit_study],
}


def relu_models() -> Groups:
    """The ReLU runs of the activation study, whose trained units are checked for death."""
    return {k: v for k, v in activation_study().items() if k.endswith("/relu")}


# Runs whose seed-0 model is saved: for `fmnist-lab evaluate` and for looking inside trained nets.
CHECKPOINTED = {"02_baseline": [baseline_study], "05_activations": [relu_models], "10_best": [headline_models]}


TOC = Path(__file__).resolve().parent.parent / "_toc.yml"


# Each one-factor study's control: the group a pick is compared with to read what its factor alone
# adds (same base network, same training length, only the varied setting back at its default).
# Keyed by study name without "_study"; the group names carry the setting that is not varied
# (depth "6/...", length "60/...", batch "128/...").
CONTROLS: dict[str, Callable[[str], str]] = {
    "depth": lambda group: "2", "width": lambda group: "256", "budget": lambda group: "2",
    "l2": lambda group: "adam/0", "dropout": lambda group: "0", "smoothing": lambda group: "0",
    "activation": lambda group: f"{group.split('/')[0]}/relu",
    "init": lambda group: f"{group.split('/')[0]}/default/plain",
    "optimizer": lambda group: "adam/0.001", "schedule": lambda group: "constant",
    "batch_lr": lambda group: f"128/{group.split('/')[1]}",
    "augmentation": lambda group: f"{group.split('/')[0]}/none",
}


def control(study: str, group: str) -> str:
    """The control group of `group` in `study` (both as the leaderboard names them)."""
    if study not in CONTROLS:
        raise ValueError(f"study {study!r} has no control group; add one to studies.CONTROLS")
    return CONTROLS[study](group)


def book_chapters() -> list[str]:
    """The chapters the book publishes (listed in _toc.yml); the others are drafts in progress."""
    if not TOC.exists():
        return list(CHAPTERS)
    toc = yaml.safe_load(TOC.read_text())
    listed = {entry["file"] for entry in toc.get("chapters", [])}
    return [chapter for chapter in CHAPTERS if chapter in listed]


def chapter_configs(chapter: str) -> list[RunConfig]:
    """Every configuration a chapter needs (deduplicated, in order)."""
    if chapter not in CHAPTERS:
        raise ValueError(f"unknown chapter {chapter!r}; choose from {', '.join(CHAPTERS)}")
    seen: dict[str, RunConfig] = {}
    for study in CHAPTERS[chapter]:
        for cfgs in study().values():
            for cfg in cfgs:
                seen.setdefault(cfg.key(), cfg)
    return list(seen.values())


def checkpointed_configs(chapter: str) -> list[RunConfig]:
    return [cfgs[0] for study in CHECKPOINTED.get(chapter, []) for cfgs in study().values()]
