"""The book's studies, each declared once, in the order the chapters report them.

A chapter loads its studies with `load("06_init_batchnorm")`; `fmnist-lab status` and
`fmnist-lab run` read the same declarations, so the store can be checked and filled without
executing a notebook. Adding a study from existing settings touches this file, its chapter and
`_toc.yml` only.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..engine.choices import ACTIVATIONS, INITS, OPTIMIZERS, SCHEDULES
from ..engine.config import REFERENCE, RunConfig
from ..engine.estimators import ESTIMATORS, EstimatorConfig
from ..engine.labels import layers, small
from ..engine.models import widths_for_budget
from .store import Store
from .study import ChapterResults, Study
from .study import load as load_studies

# ---- Chapter 1: input scaling, with Adam and with the plain SGD the NumPy reports used --------
BASELINE = REFERENCE.replace(hidden=(128,))  # chapter 2's one-layer baseline (Report B's 784-128-10)
NORMALIZATIONS = {"raw": "raw bytes (0\u2060–\u2060255)", "unit": "[0, 1]", "standardize": "standardized"}  # word joiners: "0–255" never splits
NORMALIZATION_OPTIMIZERS = {"adam": dict(optimizer="adam", lr=1e-3), "sgd": dict(optimizer="sgd", lr=0.1)}
NORMALIZATION = Study(
    "normalization", "01_dataset", "input scaling",
    {f"{title}, {OPTIMIZERS[opt].title}": BASELINE.replace(normalization=norm, epochs=15, **kwargs)
     for opt, kwargs in NORMALIZATION_OPTIMIZERS.items() for norm, title in NORMALIZATIONS.items()},
    varies=("normalization",))

# ---- Chapter 2 ---------------------------------------------------------------------------------
BASELINE_LABEL = "1 × 128 baseline"
BASELINE_STUDY = Study("baseline", "02_baseline", "baseline", {BASELINE_LABEL: BASELINE}, checkpoint=(BASELINE_LABEL,))

# Chapter 2's classical classifiers, each over a small grid that validation picks from (`picks("estimator")`).
# Pixels standardized as for the MLPs. kNN and the SVM work on principal components: their cost grows
# with the length of the vectors they compare, and 50 or 100 components keep an RBF SVM on all 50 000
# images under a processor-minute per fit. Logistic regression and the forest see every pixel.
def _grid(estimator: str, settings: list[dict[str, Any]], pca: int | None = None, **fixed: Any) -> dict[str, EstimatorConfig]:
    """A classifier's grid: each settings dict (with "pca" to vary the components) over the `fixed`
    hyperparameters, labelled by the classifier and what varies ('SVM (RBF kernel), C = 10, 100
    components'; the chapter names the fixed hyperparameters once)."""
    grid = {}
    for varied in settings:
        varied = dict(varied)
        components = varied.pop("pca", pca)
        label = EstimatorConfig(estimator, varied, pca=components).settings()
        grid[f"{ESTIMATORS[estimator].title}, {label}"] = EstimatorConfig(estimator, {**fixed, **varied}, pca=components)
    return grid


CLASSICAL = Study("classical", "02_baseline", "baselines", {
    **_grid("logistic", [{"C": c} for c in (1e-3, 1e-2, 1e-1, 1.0)], max_iter=1000),
    **_grid("knn", [{"n_neighbors": k} for k in (1, 5, 10, 20)], pca=50),
    **_grid("forest", [{"max_features": m} for m in ("log2", "sqrt")], n_estimators=100),
    **_grid("svm", [{"C": c, "pca": p} for p in (50, 100) for c in (1.0, 10.0)]),
    # The reference MLP's network and optimizer (2 x 256 ReLU, Adam 1e-3, batch 128) for 20 epochs,
    # without early stopping; the grid is its L2 penalty.
    **_grid("mlp", [{"alpha": a} for a in (1e-4, 1e-2)], hidden_layer_sizes=(256, 256),
            learning_rate_init=1e-3, batch_size=128, max_iter=20),
})
# The Fashion-MNIST benchmark's test accuracy (zalando2017benchmark in references.bib) for two of
# chapter 2's estimators: its best classical entry, an RBF SVC on all pixels, and its MLPClassifier
# with the default single layer of 100 ReLU units. Theirs, not ours: quoted for comparison.
BENCHMARK = {"svm": ("SVC, RBF kernel, C = 10", 0.897), "mlp": ("MLPClassifier, 1 × 100 ReLU", 0.871)}



# ---- Chapter 3: depth, width and a fixed parameter budget ------------------------------------
DEPTHS = (0, 1, 2, 3, 4, 6)
WIDTHS = (32, 64, 128, 256, 512, 1024)
BUDGET = 200_000
BUDGET_DEPTHS = (1, 2, 3, 4)
DEPTH = Study("depth", "03_depth_width", "depth",
              {layers(d) + (" of 256" if d else ""): REFERENCE.replace(hidden=(256,) * d) for d in DEPTHS},
              varies=("hidden",), control=REFERENCE)
WIDTH = Study("width", "03_depth_width", "width",
              {f"2 × {w}": REFERENCE.replace(hidden=(w, w)) for w in WIDTHS}, varies=("hidden",), control=REFERENCE)
_BUDGET_NETS = {d: REFERENCE.replace(hidden=(widths_for_budget(d, BUDGET),) * d) for d in BUDGET_DEPTHS}
BUDGET_STUDY = Study("budget", "03_depth_width", "depth at a fixed parameter budget",
                     {f"{d} × {cfg.hidden[0]}": cfg for d, cfg in _BUDGET_NETS.items()},
                     varies=("hidden",), control=_BUDGET_NETS[2])

# ---- Chapter 4: a wider net trained for a fixed length without early stopping, so it over-fits
# visibly and the curves run to the end; the reported model is the last epoch's.
OVERFIT = REFERENCE.replace(hidden=(512, 512), epochs=20, early_stopping="none")
L2_LAMBDAS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2)
ADAMW_EXTRA = 1e-1  # decoupled decay is multiplied by lr, so AdamW's useful range sits higher
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
SMOOTHINGS = (0.0, 0.1)
L2 = Study("l2", "04_regularization", "weight decay",
           {**{f"Adam + L2, λ = {small(lam)}": OVERFIT.replace(weight_decay=lam) for lam in L2_LAMBDAS},
            # AdamW without decay is Adam: the λ = 0 group is the same runs, not trained twice.
            **{f"AdamW, λ = {small(lam)}": OVERFIT.replace(optimizer="adamw" if lam else "adam", weight_decay=lam)
               for lam in (*L2_LAMBDAS, ADAMW_EXTRA)}},
           varies=("optimizer", "weight_decay"), control=OVERFIT)
DROPOUT = Study("dropout", "04_regularization", "dropout",
                {f"dropout {p:g}": OVERFIT.replace(dropout=p) for p in DROPOUTS}, varies=("dropout",), control=OVERFIT)
SMOOTHING = Study("smoothing", "04_regularization", "label smoothing",
                  {f"label smoothing {s:g}": OVERFIT.replace(label_smoothing=s) for s in SMOOTHINGS},
                  varies=("label_smoothing",), control=OVERFIT)

# ---- Chapters 5 and 06: the reference MLP and six hidden layers --------------------------------
DEEP = (256,) * 6  # deep enough for vanishing gradients and bad initializations to show
ACTIVATION = Study(
    "activation", "05_activations", "activation",
    {f"{layers(len(h))}, {choice.title}": REFERENCE.replace(hidden=h, activation=name)
     for h in (REFERENCE.hidden, DEEP) for name, choice in ACTIVATIONS.items()},
    varies=("activation",), control=REFERENCE,
    checkpoint=(f"2 layers, {ACTIVATIONS['relu'].title}", f"6 layers, {ACTIVATIONS['relu'].title}"))
INIT = Study(
    "init", "06_init_batchnorm", "initialization and batch norm",
    {f"{layers(len(h))}, {choice.title}{', batch norm' if bn else ''}": REFERENCE.replace(hidden=h, init=name, batchnorm=bn)
     for h in (REFERENCE.hidden, DEEP) for bn in (False, True) for name, choice in INITS.items()},
    varies=("init", "batchnorm"), control=REFERENCE)

# ---- Chapter 7: optimizers on the reference MLP (early stopping as everywhere else) ------------
OPTIMIZER_LRS = (1e-4, 1e-3, 1e-2, 1e-1)
ADAMW_DECAY = 1e-2  # PyTorch's default for AdamW; at 0 AdamW would be Adam
# Schedules need the whole planned length to anneal: 20 epochs, no early stop, best epoch restored.
SCHEDULE_BASE = REFERENCE.replace(epochs=20, patience=20)
BATCH_SIZES = (32, 128, 512)
CHAPTER_7_SCHEDULES = ("constant", "step", "cosine", "onecycle")  # "multistep" is chapter 11's published recipe
MOMENTUM_LRS = (1e-2, 3e-2, 1e-1, 3e-1)
OPTIMIZER = Study(
    "optimizer", "07_optimizers", "optimizer and learning rate",
    {f"{choice.title}, lr {small(lr)}": REFERENCE.replace(optimizer=name, lr=lr, weight_decay=ADAMW_DECAY if name == "adamw" else 0.0)
     for name, choice in OPTIMIZERS.items() for lr in OPTIMIZER_LRS},
    varies=("optimizer", "lr", "weight_decay"), control=REFERENCE)
SCHEDULE = Study("schedule", "07_optimizers", "learning-rate schedule",
                 {SCHEDULES[name].title: SCHEDULE_BASE.replace(schedule=name) for name in CHAPTER_7_SCHEDULES},
                 varies=("schedule",), control=SCHEDULE_BASE)
BATCH_LR = Study("batch_lr", "07_optimizers", "batch size and learning rate (SGD + momentum)",
                 {f"batch {b}, lr {small(lr)}": REFERENCE.replace(optimizer="momentum", batch_size=b, lr=lr)
                  for b in BATCH_SIZES for lr in MOMENTUM_LRS},
                 varies=("batch_size",), control=REFERENCE)

# ---- Chapter 8: Report A found augmentation hurt an MLP at a fixed number of epochs; every set
# runs 20 and 60 epochs (all epochs run, best validation epoch restored) to test whether that is
# a training-length effect.
AUGMENTATION_LENGTHS = (20, 60)
AUGMENTATION_SETS = {"no augmentation": (), "flip": ("hflip",), "rotation": ("rotate",), "flip + rotation": ("hflip", "rotate"),
                     "shift": ("shift",), "erasing": ("erase",), "flip + erasing": ("hflip", "erase")}
SHIFT_TRAINED = "shift, 60 epochs"  # its seed-0 weights are kept: chapter 9 tests it on shifted images
AUGMENTATION = Study(
    "augmentation", "08_augmentation", "augmentation",
    {f"{name}, {n} epochs": REFERENCE.replace(augment=augs, epochs=n, patience=n)
     for n in AUGMENTATION_LENGTHS for name, augs in AUGMENTATION_SETS.items()},
    varies=("augment",), control=REFERENCE, checkpoint=(SHIFT_TRAINED,))

# Chapter 9's CNNs go through the same loop and recipe as the reference MLP (Adam 1e-3, batch
# 128), for a fixed 12 epochs with the best validation epoch restored: a CNN epoch costs 10-20x
# an MLP epoch on 2 CPU cores, so the CNNs get fewer epochs than the MLPs, not more.
CNN_EPOCHS = 12
LENET = REFERENCE.replace(model="lenet", channels=(6, 16), epochs=CNN_EPOCHS, patience=CNN_EPOCHS)
SMALL_CNN = REFERENCE.replace(model="cnn", channels=(16, 32, 64), epochs=CNN_EPOCHS, patience=CNN_EPOCHS)
CNN_DROPOUTS = (0.0, 0.25, 0.5)
CNN_AUGMENTATION = ("hflip", "shift", "erase")  # the classic image recipe, also chapter 10's CNN's
CNN_AUGMENTATION_STUDY = Study(
    "cnn_augmentation", "08_augmentation", "augmentation of the small CNN",
    {"small CNN, no augmentation": SMALL_CNN, "small CNN, flip + shift + erasing": SMALL_CNN.replace(augment=CNN_AUGMENTATION)},
    varies=("augment",), control=SMALL_CNN)

# ---- Chapter 9 ---------------------------------------------------------------------------------
CNN = Study("cnn", "09_cnn", "convolutional networks",
            {"LeNet-style CNN": LENET, **{f"small CNN, dropout {p:g}": SMALL_CNN.replace(dropout=p) for p in CNN_DROPOUTS}},
            varies=("dropout",))

# Why the gap: the same two recipes on fewer training images (validation and test unchanged).
# A smaller set also means fewer steps per epoch under the same epoch budget.
TRAIN_SIZES = (1000, 2500, 5000, 10_000, 25_000, None)  # None: all 50 000
DATA_EFFICIENCY = Study(
    "data_efficiency", "09_cnn", "training-set size",
    {f"{name}, {f'{50_000 if n is None else n:,}'.replace(',', chr(0x202F))} images": cfg.replace(train_size=n)
     for name, cfg in (("reference MLP", REFERENCE), ("small CNN", SMALL_CNN)) for n in TRAIN_SIZES},
    varies=("train_size",))

# ---- Chapter 10: the chapters' findings stacked. Each line is a setting and the chapter that chose it.
BEST_MLP = REFERENCE.replace(
    hidden=(1024, 1024),  # ch. 03: the widest net validated best
    batchnorm=True,  # ch. 06
    dropout=0.3, label_smoothing=0.1,  # ch. 04
    optimizer="adamw", weight_decay=0.05, schedule="onecycle",  # ch. 07: AdamW, one-cycle
    augment=("hflip", "erase"), epochs=60, patience=60,  # ch. 08: erasing and flips pay over a long run
)
# Three conv-BN blocks, the same optimizer/schedule/smoothing, the full image augmentation; sized
# to stay within 30 CPU-minutes per seed on 2 cores.
BEST_CNN = SMALL_CNN.replace(channels=(32, 64, 128), dropout=0.25, optimizer="adamw", weight_decay=0.05, lr=2e-3,
                             schedule="onecycle", label_smoothing=0.1, augment=CNN_AUGMENTATION, epochs=30, patience=30)
# Ablation: the MLP recipe without its augmentation and at half the length.
BEST_MLP_SHORT_PLAIN = BEST_MLP.replace(augment=(), epochs=30, patience=30)
# Distillation: the short plain MLP, trained to match the committed best CNN's softened
# predictions (seed 0, full profile; its checkpoint is committed, so every profile uses it).
TEACHER = BEST_CNN.replace(seed=0)
DISTILLED_MLP = BEST_MLP_SHORT_PLAIN.replace(teacher=TEACHER.key())
# Refit: once validation has picked a recipe, its 10 000 images can join the training set.
BEST_MLP_SHORT_PLAIN_REFIT = BEST_MLP_SHORT_PLAIN.replace(refit=True, early_stopping="none")
# Chapter 8's shift-trained MLP was still improving at 60 epochs: the best MLP recipe with the
# CNN's full augmentation over 100 epochs.
BEST_MLP_LONG_SHIFTED = BEST_MLP.replace(augment=CNN_AUGMENTATION, epochs=100, patience=100)

# Targets set before training (test accuracy): (goal, the least we would accept). The MLP's lies
# above every pure MLP we know of; chapters 10 and 11 both judge against these.
TARGETS = {"MLP": (0.920, 0.915), "CNN": (0.945, 0.940)}
# "stacked MLP": every chapter's choice stacked. Not "best MLP": the book's best MLP is whichever
# model `leaderboard.best_mlp` picks on validation (chapter 11's re-run of a published recipe).
STACKED_MLP_LABEL, BEST_CNN_LABEL = "stacked MLP", "best CNN"
SHORT_PLAIN = f"{STACKED_MLP_LABEL}, no augmentation, 30 epochs"
DISTILLED = f"{STACKED_MLP_LABEL}, no augmentation, 30 epochs, taught by the best CNN"
REFIT = f"{STACKED_MLP_LABEL}, no augmentation, 30 epochs, refit on 60 000 images"
LONG_SHIFTED = f"{STACKED_MLP_LABEL}, the CNN's augmentation, 100 epochs"
BEST = Study("best", "10_best", "best models",
             {STACKED_MLP_LABEL: BEST_MLP, BEST_CNN_LABEL: BEST_CNN, SHORT_PLAIN: BEST_MLP_SHORT_PLAIN, DISTILLED: DISTILLED_MLP},
             checkpoint=(STACKED_MLP_LABEL, BEST_CNN_LABEL), all_seeds=True)
LONG = Study("long", "10_best", "longer, with the CNN's augmentation", {LONG_SHIFTED: BEST_MLP_LONG_SHIFTED})
# Trained on training + validation images: test only (kept out of selection and the leaderboard).
REFIT_STUDY = Study("refit", "10_best", "refit on training + validation images", {REFIT: BEST_MLP_SHORT_PLAIN_REFIT})

# ---- Chapter 11: how far can an MLP go? Known tricks on the best-MLP recipe, each against it.
EMA_DECAY = 0.999  # an average over about the last 1 000 steps (2.6 epochs)
MIXUP_ALPHA = 0.2  # Zhang et al. (2018)'s setting for ImageNet-scale data: mild mixtures
EMA, MIXUP = f"{STACKED_MLP_LABEL} + weight averaging", f"{STACKED_MLP_LABEL} + mixup"
# Beyer et al. (2022): the teacher scores the very batch the student sees (flipped, erased), over
# the recipe's whole 60 epochs. About three times a plain run's cost: the CNN scores every batch.
CONSISTENT = f"{STACKED_MLP_LABEL} + consistent distillation"
CONSISTENT_MLP = BEST_MLP.replace(teacher=TEACHER.key())
TRICKS = Study("tricks", "11_ceiling", "tricks, one at a time",
               {STACKED_MLP_LABEL: BEST_MLP, EMA: BEST_MLP.replace(ema=EMA_DECAY), MIXUP: BEST_MLP.replace(mixup=MIXUP_ALPHA),
                CONSISTENT: CONSISTENT_MLP},
               varies=("ema", "mixup", "teacher"), control=BEST_MLP, checkpoint=(STACKED_MLP_LABEL,), all_seeds=True)

# The best documented pure-MLP result we know of (Nokland & Eidnes 2019, their backprop baseline,
# 91.63 % test, one run, test read every epoch), under this book's protocol: 50 000 training
# images, the epoch picked on validation, three seeds. Every setting is theirs (anokland/local-loss):
PUBLISHED_MLP = REFERENCE.replace(
    hidden=(1024, 1024, 1024),  # run_experiments.sh: --num-layers 3; train.py: --num-hidden 1024 (default)
    batchnorm=True,  # train.py: batch norm before each nonlinearity unless --no-batch-norm
    activation="relu",  # train.py: --nonlin relu (default)
    dropout=0.025,  # run_experiments.sh: --dropout 0.025, after each hidden nonlinearity
    optimizer="adam", lr=5e-4, weight_decay=0.0,  # --lr 5e-4; train.py defaults: --optim adam, --weight-decay 0
    batch_size=128,  # train.py: --batch-size 128 (default)
    schedule="multistep", milestones=(100, 150, 175, 188),  # run_experiments.sh: --lr-decay-milestones
    step_gamma=0.25,  # train.py: --lr-decay-fact 0.25 (default)
    augment=("shift", "hflip"),  # train.py: RandomCrop(28, padding=2), RandomHorizontalFlip()
    epochs=200, patience=200,  # run_experiments.sh: --epochs 200; all epochs run, best validation epoch kept
)
PUBLISHED_LABEL = "Nøkland & Eidnes's MLP recipe"
# What this book found works, added to the published recipe one setting at a time, each against it
# on the same seeds (distillation is not trained: see chapter 11's end). One-cycle replaces the step
# decays over the same 200 epochs, peaking at their starting rate (chapter 7's schedule).
PUBLISHED_SMOOTHED, PUBLISHED_AVERAGED = f"{PUBLISHED_LABEL} + label smoothing", f"{PUBLISHED_LABEL} + weight averaging"
PUBLISHED_ONECYCLE = f"{PUBLISHED_LABEL} + one-cycle schedule"
PUBLISHED = Study("published", "11_ceiling", "the best published MLP recipe and additions to it",
                  {PUBLISHED_LABEL: PUBLISHED_MLP, PUBLISHED_SMOOTHED: PUBLISHED_MLP.replace(label_smoothing=0.1),
                   PUBLISHED_AVERAGED: PUBLISHED_MLP.replace(ema=EMA_DECAY),
                   PUBLISHED_ONECYCLE: PUBLISHED_MLP.replace(schedule="onecycle", milestones=(), step_gamma=REFERENCE.step_gamma)},
                  varies=("label_smoothing", "ema", "schedule", "milestones", "step_gamma"), control=PUBLISHED_MLP, checkpoint=(PUBLISHED_LABEL,), all_seeds=True)
AUTHORED_RECIPES = (PUBLISHED_LABEL,)  # groups named for their authors: the prose says "…, re-run in chapter N"

# ---- Chapter 12: calibration needs saved networks with and without label smoothing. Chapter 4's
# pair was trained on another kind of CPU, whose runs this one does not reproduce bit for bit (a
# retrained seed would shift chapter 4's groups), so the pair is trained again, every seed on one
# machine with its weights saved: chapter 4's 2 x 512 net, its best validation epoch restored.
CALIBRATION_NETS = {f"label smoothing {s:g}": OVERFIT.replace(label_smoothing=s, early_stopping="val_acc", patience=OVERFIT.epochs)
                    for s in SMOOTHINGS}
CALIBRATION = Study("calibration", "12_beyond_accuracy", "label smoothing and calibration", CALIBRATION_NETS,
                    varies=("label_smoothing",), control=CALIBRATION_NETS["label smoothing 0"],
                    checkpoint=tuple(CALIBRATION_NETS), all_seeds=True)

STUDIES: tuple[Study, ...] = (
    NORMALIZATION, BASELINE_STUDY, CLASSICAL, DEPTH, WIDTH, BUDGET_STUDY, L2, DROPOUT, SMOOTHING, ACTIVATION, INIT,
    OPTIMIZER, SCHEDULE, BATCH_LR, AUGMENTATION, CNN_AUGMENTATION_STUDY, CNN, DATA_EFFICIENCY, BEST, LONG, REFIT_STUDY,
    TRICKS, PUBLISHED, CALIBRATION,
)

# ---- Derived from the declarations ----------------------------------------------------------------
CHAPTERS: dict[str, list[Study]] = {}
for _study in STUDIES:
    CHAPTERS.setdefault(_study.chapter, []).append(_study)
BY_NAME = {s.name: s for s in STUDIES}

TOC = Path(__file__).resolve().parents[2] / "_toc.yml"


def load(chapter: str, store: Store | None = None, quiet: bool = False) -> ChapterResults:
    """A chapter's studies, loaded from the store (what is missing is trained): `ch.init.summaries`."""
    return load_studies(studies_of(chapter), store, quiet=quiet)


def studies_of(chapter: str) -> list[Study]:
    if chapter not in CHAPTERS:
        raise ValueError(f"unknown chapter {chapter!r}; choose from {', '.join(CHAPTERS)}")
    return CHAPTERS[chapter]


def toc_files(toc_path: Path | None = None) -> list[str]:
    """The pages _toc.yml lists, root first (chapters directly or inside parts)."""
    toc = yaml.safe_load((toc_path or TOC).read_text())
    entries = [*toc.get("chapters", []), *(e for part in toc.get("parts", []) for e in part.get("chapters", []))]
    return [toc["root"], *(entry["file"] for entry in entries)]


def book_chapters() -> list[str]:
    """The chapters the book publishes (listed in _toc.yml); the others are drafts in progress."""
    if not TOC.exists():
        return list(CHAPTERS)
    listed = set(toc_files())
    return [chapter for chapter in CHAPTERS if chapter in listed]


def chapter_configs(chapter: str) -> list[RunConfig | EstimatorConfig]:
    """Every configuration a chapter needs in the current profile, training runs and scikit-learn fits
    (deduplicated, in order)."""
    seen: dict[str, RunConfig] = {}
    for study in studies_of(chapter):
        for cfgs in study.configs().values():
            for cfg in cfgs:
                seen.setdefault(cfg.key(), cfg)
    return list(seen.values())


def checkpointed_configs(chapter: str) -> list[RunConfig]:
    """The configurations whose model the chapter saves (seed 0, or every seed where a study says so)."""
    return [cfg for study in studies_of(chapter) for cfg in study.checkpoint_configs()]


def ranked_chapters() -> tuple[str, ...]:
    """Chapters with a one-factor study on the road to the best recipe (chapters 3-8): "what
    mattered most" ranks their picks. Chapter 11's tricks are measured on the finished recipe, and
    chapter 12 compares calibration, not accuracy; each reports its own."""
    return tuple(dict.fromkeys(s.chapter for s in STUDIES if s.control is not None and s.chapter < BEST.chapter))
