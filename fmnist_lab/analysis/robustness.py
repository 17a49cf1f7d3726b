"""Why an MLP trails a CNN, measured three ways (chapter 9): saved networks scored on moved test
images, the same two recipes on fewer training images, and every trained network by size and cost.

Moving an image is evaluation only: no run is trained or stored here. A shift moves the whole image
by whole pixels and fills with black (the background), in each of the 8 directions (a diagonal
move shifts both axes by the same number of pixels); a rotation turns it about its centre
(bilinear, black fill). Models see the moved images with the input scaling they were trained with.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..engine.checkpoints import load_checkpoint
from ..engine.config import RunConfig
from ..engine.data import FashionMNIST
from ..engine.data import load as load_data
from ..engine.data import test_subset as fixed_test_subset
from ..engine.train import as_unit_float, evaluate, input_scaling
from ..runs import derived, studies
from ..runs.derived import Analysis, weights_checksum
from ..runs.experiments import PROFILES, current_profile, current_store, ensure
from ..runs.store import Store
from ..runs.summary import summarize
from .cost import seed_minutes
from .leaderboard import family
from .statistics import shown_points

SHIFTS = (0, 1, 2, 3, 4)  # pixels
DIRECTIONS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0))
ANGLES = (0, 5, 10, 15)  # degrees; each non-zero angle is scored turning both ways, and averaged
# A CNN pass over the test set costs seconds on 2 CPU cores, and each model is scored on 39 moved
# copies of it, so the curves use a fixed random subset of the test images (the same for all
# models), by profile: the smoke profile only checks that the code runs.
TEST_IMAGES = {"full": 2000, "smoke": 200}
SUBSET_SEED = 0
TRAIN_IMAGES = 50_000  # the training split; `RunConfig.train_size = None` means all of it
# Validation accuracy below which a configuration counts as a failed run (a learning rate far off,
# say) and is left out of the size-and-cost comparison; smoke runs are all weak, so none is left out.
FAILED_BELOW = {"full": 0.80, "smoke": 0.0}

# ---- Moving images ---------------------------------------------------------------------------------


def translate(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """(B, 1, H, W) images moved down by `dy` and right by `dx` whole pixels (negative: up, left);
    what moves in is black (0)."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    if abs(dy) < h and abs(dx) < w:
        out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
            x[..., max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def rotate(x: torch.Tensor, degrees: float) -> torch.Tensor:
    """(B, 1, H, W) images turned by `degrees` about the centre (bilinear, black fill)."""
    angle = math.radians(degrees)
    theta = torch.tensor([[math.cos(angle), -math.sin(angle), 0.0], [math.sin(angle), math.cos(angle), 0.0]], dtype=x.dtype)
    grid = F.affine_grid(theta.expand(len(x), 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def test_images() -> int:
    """How many test images the moved-image curves use in the current profile."""
    return TEST_IMAGES.get(current_profile().name, TEST_IMAGES["full"])


def test_subset(data: FashionMNIST, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random subset of `n` test images (by default `test_images()`; all of them if `n` is
    at least the test set's size) as (B, 1, 28, 28) floats in [0, 1], with their labels."""

    images, labels = fixed_test_subset(data, n or test_images(), SUBSET_SEED)
    return as_unit_float(images, torch.device("cpu")), labels


def moved_accuracy(model: nn.Module, cfg: RunConfig, data: FashionMNIST, x: torch.Tensor, y: torch.Tensor,
                   moves: list[Callable[[torch.Tensor], torch.Tensor]]) -> float:
    """Mean accuracy of `model` over the copies of images `x` that each of `moves` makes."""

    shift, scale = input_scaling(cfg, data)
    return float(np.mean([evaluate(model, move(x), y, shift, scale)[1] for move in moves]))


def robustness(models: dict[str, tuple[nn.Module, RunConfig]], data: FashionMNIST, n: int | None = None,
               shifts: tuple[int, ...] = SHIFTS, angles: tuple[float, ...] = ANGLES) -> dict[str, dict[str, dict[float, float]]]:
    """Per model, test accuracy (a fraction) on `n` test images (`test_subset`) shifted by each of `shifts` pixels
    (averaged over the 8 directions) and turned by each of `angles` degrees (averaged over both
    ways): {name: {"shift": {pixels: accuracy}, "rotation": {degrees: accuracy}}}."""
    x, y = test_subset(data, n)
    out = {}
    for name, (model, cfg) in models.items():
        model = model.eval()
        if cfg.model != "mlp":  # convolutions run faster on channels-last tensors on a CPU
            model, x_model = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
        else:
            x_model = x
        out[name] = {
            "shift": {k: moved_accuracy(model, cfg, data, x_model, y, [lambda v, dy=dy, dx=dx, k=k: translate(v, k * dy, k * dx)
                                                                        for dy, dx in (DIRECTIONS if k else ((0, 0),))])
                      for k in shifts},
            "rotation": {a: moved_accuracy(model, cfg, data, x_model, y, [lambda v, s=s, a=a: rotate(v, s * a) for s in ((1, -1) if a else (1,))])
                         for a in angles}}
    return out


def saved_model_paths(store: Store | None = None) -> dict[str, Path]:
    """The checkpoints of the seed-0 networks tested on moved images, by a reader's name: chapter 10's
    stacked MLP and best CNN (their committed full-profile checkpoints, in every profile) and chapter 8's
    MLP trained on shifted images (from `store`, by default the current one)."""
    store = store or current_store()
    best = studies.BEST.configs(PROFILES["full"])
    shifted = studies.AUGMENTATION.configs()[studies.SHIFT_TRAINED][0]
    return {f"{studies.STACKED_MLP_LABEL} (chapter 10)": Store().checkpoint_path(best[studies.STACKED_MLP_LABEL][0].key()),
            "best CNN (chapter 10)": Store().checkpoint_path(best[studies.BEST_CNN_LABEL][0].key()),
            "reference MLP trained on shifted images (chapter 8)": store.checkpoint_path(shifted.key())}


def moved_analysis(store: Store | None = None) -> Analysis:
    """`robustness` of the networks `saved_model_paths` names, as a stored analysis keyed by the
    weights' checksums and the moves: a build reads it instead of scoring 39 moved copies of the
    test images per network."""
    paths = saved_model_paths(store)
    params = {"shifts": list(SHIFTS), "angles": list(ANGLES), "test_images": test_images(), "subset_seed": SUBSET_SEED}
    return Analysis("moved_accuracy", 1, params, tuple(f"{name}={weights_checksum(p)}" for name, p in paths.items()),
                    compute=lambda: robustness({name: load_checkpoint(p) for name, p in paths.items()}, load_data()),
                    chapter="09_cnn")


def stored_robustness(store: Store | None = None) -> dict[str, dict[str, dict[int, float]]]:
    """`moved_analysis`, read from the store (computed and stored first if missing), with its shifts
    and angles as numbers again (JSON keys are text)."""
    store = store or current_store()
    shifted = studies.AUGMENTATION.configs()[studies.SHIFT_TRAINED][0]
    ensure([shifted], store, checkpoint_keys=[shifted.key()], quiet=True)
    curves = derived.ensure(store, moved_analysis(store))
    return {name: {kind: {int(k): v for k, v in values.items()} for kind, values in moves.items()}
            for name, moves in curves.items()}


def robustness_facts(curves: dict[str, dict[str, dict[float, float]]], mlp: str, cnn: str, shifted: str,
                     at: int = 2) -> dict[str, float]:
    """What the prose quotes about `robustness` curves, as fractions or points: for each of the MLP,
    the CNN and the shift-trained MLP (prefixes `mlp`, `cnn`, `shifted`), accuracy unmoved (`_0`),
    at `at` pixels (`_at`) and at the largest shift (`_far`), the drops to those in points
    (`_drop`, `_drop_far`) and the drop at the largest angle (`_rot_drop`); `cnn_avoids`: the share of
    the MLP's drop at `at` pixels that the CNN does not suffer."""
    out: dict[str, float] = {}
    for prefix, name in (("mlp", mlp), ("cnn", cnn), ("shifted", shifted)):
        shift, rotation = curves[name]["shift"], curves[name]["rotation"]
        far, widest = max(shift), max(rotation)
        out |= {f"{prefix}_0": shift[0], f"{prefix}_at": shift[at], f"{prefix}_far": shift[far],
                f"{prefix}_drop": 100 * (shift[0] - shift[at]), f"{prefix}_drop_far": 100 * (shift[0] - shift[far]),
                f"{prefix}_rot_drop": 100 * (rotation[0] - rotation[widest])}
    out["cnn_avoids"] = 1 - out["cnn_drop"] / out["mlp_drop"]
    return out

# ---- Training-set size -------------------------------------------------------------------------------


def images_of(cfg: RunConfig) -> int:
    """How many training images a run learns from (the whole split when `train_size` is None)."""
    return cfg.train_size or TRAIN_IMAGES


def size_facts(mlp: dict[int, list[dict[str, Any]]], cnn: dict[int, list[dict[str, Any]]]) -> dict[str, float]:
    """What the prose quotes about two recipes trained on growing subsets ({images: runs} each):
    `small`, `large` (the smallest and largest sizes), the CNN − MLP test gap there in points
    (`gap_small`, `gap_large`, with `gap_min`, `gap_max` over all sizes; the difference of the
    accuracies printed to one decimal), each recipe's test
    accuracy there (`mlp_small`, `cnn_small`, `mlp_large`, `cnn_large`); `cnn_match`: the fewest
    images with which the CNN reaches the MLP's accuracy on the largest set (nan if never), and
    `match_factor`, how many times fewer images that is; `cnn_last_best`: on the smallest set, how
    many of the CNN's `small_seeds` seeds were best at their last planned epoch (still improving
    when training stopped), and `small_steps`, the CNN's optimizer steps per epoch there."""
    sizes = sorted(mlp)
    test = {name: {n: summarize(runs[n])["test_mean"] for n in sizes} for name, runs in (("mlp", mlp), ("cnn", cnn))}
    gaps = {n: shown_points(test["cnn"][n], test["mlp"][n], 1) for n in sizes}  # as printed beside the one-decimal accuracies
    small, large = sizes[0], sizes[-1]
    match = next((n for n in sizes if test["cnn"][n] >= test["mlp"][large]), math.nan)
    return {"small": small, "large": large, "gap_small": gaps[small], "gap_large": gaps[large],
            "gap_min": min(gaps.values()), "gap_max": max(gaps.values()),
            "mlp_small": test["mlp"][small], "cnn_small": test["cnn"][small],
            "mlp_large": test["mlp"][large], "cnn_large": test["cnn"][large],
            "cnn_match": match, "match_factor": large / match,
            "cnn_last_best": sum(r["final_epoch"] == r["config"]["epochs"] for r in cnn[small]), "small_seeds": len(cnn[small]),
            "small_steps": math.ceil(small / cnn[small][0]["config"]["batch_size"])}

# ---- Every network the book trained, by size and cost ------------------------------------------------


def trained_networks(all_studies: Any = None, store: Store | None = None) -> pd.DataFrame:
    """One row per distinct trained configuration of the book's studies (groups that share their runs
    count once), stored for all the profile's seeds and trained on the whole training split: label
    (its first study's), study, chapter (the number of the chapter that reports that study, for a
    reader's name), family (`leaderboard.family`), params, minutes (training time per seed,
    `cost.seed_minutes`), val and test (mean over seeds, fractions). Refit and smaller-training-set runs are left
    out; a group with a run missing is skipped."""

    store = store or current_store()
    rows, seen = [], set()
    for study in all_studies or studies.STUDIES:
        if study.kind is not RunConfig:  # scikit-learn fits are not networks
            continue
        for label, cfgs in study.configs().items():
            declared = study.groups[label]
            if declared.refit or declared.train_size is not None:
                continue
            runs = [store.load(cfg) for cfg in cfgs]
            keys = tuple(cfg.key() for cfg in cfgs)
            if any(r is None for r in runs) or keys in seen:
                continue
            seen.add(keys)
            s = summarize(runs)
            rows.append({"label": label, "study": study.title, "chapter": chapter_number(study.chapter),
                         "family": family(declared), "params": s["params"],
                         "minutes": seed_minutes(runs), "val": s["val_mean"], "test": s["test_mean"], "runs": runs})
    return pd.DataFrame(rows)


def chapter_number(page: str) -> int:
    """'09_cnn' -> 9: chapters are named by number in the prose ('chapter 9')."""
    return int(page.split("_", 1)[0])


def failed_below() -> float:
    """The validation accuracy under which a configuration counts as failed, in the current profile."""
    return FAILED_BELOW.get(current_profile().name, FAILED_BELOW["full"])
