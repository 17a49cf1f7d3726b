"""Why an MLP trails a CNN, measured three ways (chapter 9): saved networks scored on moved test
images, the same two recipes on fewer training images, and every trained network by size and cost.

Moving an image is evaluation only: no run is trained or stored here. A shift moves the whole image
by whole pixels and fills with black (the background), in each of the 8 directions (a diagonal
move shifts both axes by the same number of pixels); a rotation turns it about its centre
(bilinear, black fill). Models see the moved images with the input scaling they were trained with.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .config import RunConfig
from .data import FashionMNIST, test_subset as fixed_test_subset
from .experiments import PROFILES, current_profile, current_store, ensure, select, summarize
from .store import Store

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
    from .train import as_unit_float

    images, labels = fixed_test_subset(data, n or test_images(), SUBSET_SEED)
    return as_unit_float(images, torch.device("cpu")), labels


def moved_accuracy(model: nn.Module, cfg: RunConfig, data: FashionMNIST, x: torch.Tensor, y: torch.Tensor,
                   moves: list[Callable[[torch.Tensor], torch.Tensor]]) -> float:
    """Mean accuracy of `model` over the copies of images `x` that each of `moves` makes."""
    from .train import evaluate, input_scaling

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


def saved_models(store: Store | None = None) -> dict[str, tuple[nn.Module, RunConfig]]:
    """The seed-0 networks tested on moved images, by a reader's name: chapter 10's best MLP and best
    CNN (their committed full-profile checkpoints, in every profile) and chapter 8's MLP trained on
    shifted images (from `store`, by default the current one, where it is trained first if missing,
    as any chapter's run would be)."""
    from . import studies
    from .checkpoints import load_checkpoint

    store = store or current_store()
    best = studies.BEST.configs(PROFILES["full"])
    shifted = studies.AUGMENTATION.configs()[studies.SHIFT_TRAINED][0]
    ensure([shifted], store, checkpoint_keys=[shifted.key()], quiet=True)
    paths = {"best MLP (chapter 10)": Store().checkpoint_path(best[studies.BEST_MLP_LABEL][0].key()),
             "best CNN (chapter 10)": Store().checkpoint_path(best[studies.BEST_CNN_LABEL][0].key()),
             "reference MLP trained on shifted images (chapter 8)": store.checkpoint_path(shifted.key())}
    return {name: load_checkpoint(path) for name, path in paths.items()}


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
    (`gap_small`, `gap_large`, with `gap_min`, `gap_max` over all sizes), each recipe's test
    accuracy there (`mlp_small`, `cnn_small`, `mlp_large`, `cnn_large`); `cnn_match`: the fewest
    images with which the CNN reaches the MLP's accuracy on the largest set (nan if never), and
    `match_factor`, how many times fewer images that is; `cnn_last_best`: on the smallest set, how
    many of the CNN's `small_seeds` seeds were best at their last planned epoch (still improving
    when training stopped), and `small_steps`, the CNN's optimizer steps per epoch there."""
    sizes = sorted(mlp)
    test = {name: {n: summarize(runs[n])["test_mean"] for n in sizes} for name, runs in (("mlp", mlp), ("cnn", cnn))}
    gaps = {n: 100 * (test["cnn"][n] - test["mlp"][n]) for n in sizes}
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
    `seed_minutes`), val and test (mean over seeds, fractions). Refit and smaller-training-set runs are left
    out; a group with a run missing is skipped."""
    from . import studies as book_studies
    from .leaderboard import family

    store = store or current_store()
    rows, seen = [], set()
    for study in all_studies or book_studies.STUDIES:
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


def seed_minutes(runs: list[dict[str, Any]]) -> float:
    """Training minutes per seed, from the seeds timed on two threads where there are any
    (`report.two_thread_minutes`: a seed retrained on one thread takes longer without being a
    costlier recipe), else the mean over all seeds."""
    from .report import two_thread_minutes

    minutes = two_thread_minutes(runs)[0]
    return minutes if not math.isnan(minutes) else float(np.mean([r["provenance"]["wall_seconds"] for r in runs])) / 60


def chapter_number(page: str) -> int:
    """'09_cnn' -> 9: chapters are named by number in the prose ('chapter 9')."""
    return int(page.split("_", 1)[0])


def reader_name(row: pd.Series) -> str:
    """A `trained_networks` row as the prose names it: "chapter 7's one-cycle MLP", "chapter 10's
    best MLP, no augmentation, 30 epochs" -- never a study's internal title, and with no parentheses,
    so that a number can follow in parentheses."""
    noun = "CNN" if row["family"] == "CNN" else "MLP"
    return f"chapter {row['chapter']}'s {row['label']}" + ("" if noun in row["label"] else f" {noun}")


def failed_below() -> float:
    """The validation accuracy under which a configuration counts as failed, in the current profile."""
    return FAILED_BELOW.get(current_profile().name, FAILED_BELOW["full"])


def efficiency_facts(networks: pd.DataFrame, floor: float | None = None, mlp: str | None = None,
                     cnn: str | None = None) -> dict[str, Any]:
    """What the prose quotes about `trained_networks`: how many configurations (`n_trained`), MLPs and
    CNNs shown (`n_mlp`, `n_cnn`), MLPs taught by a CNN (`n_taught`: the plots leave them out) and
    failed groups below `floor` validation accuracy (`n_failed`, any family: left out too; `floor`,
    by default `failed_below()`, is returned), so that n_trained = n_mlp + n_cnn + n_taught + n_failed;
    the MLP and the CNN the prose compares with (`best_mlp`, `best_cnn`: the labels `mlp`, `cnn`,
    by default the best of each family on validation; `_params`, `_test`, `_minutes`); the best test
    accuracy of any MLP (`top_mlp_test`); the smallest CNN whose test accuracy beats every MLP's
    (`lean_cnn`: label; `_params`, `_test`, `_minutes`), how many times fewer parameters it has than
    `best_mlp` (`lean_ratio`), and the best MLP on validation among those with no more parameters
    than it (`rival_mlp`, with the same three numbers). Each named network's name as a reader reads
    it (`_name`, `reader_name`), its parameters as text
    (`_params_text`, '1 865 738') and its minutes per seed on two threads (`_minutes`, from
    `report.two_thread_minutes`: one thread count, so the times compare) with the machine
    (`_minutes_text`, '7.2 minutes per seed (AMD EPYC, 2 threads)'). A missing network is named
    'none', with nan numbers."""
    from .report import number, thousands, two_thread_minutes

    floor = failed_below() if floor is None else floor
    kept = networks[networks["val"] >= floor]
    mlps, cnns = (kept[kept["family"] == f] for f in ("MLP", "CNN"))
    none = pd.Series({"label": "none", "params": math.nan, "test": math.nan, "runs": []})

    def pick(frame: pd.DataFrame, label: str | None) -> pd.Series:  # the named one, else the best on validation
        if label is not None:
            named = frame[frame["label"] == label]
            return named.iloc[0] if len(named) else none
        return frame.loc[frame["label"] == select(dict(zip(frame["label"], frame["runs"])))].iloc[0] if len(frame) else none

    best = {"mlp": pick(mlps, mlp), "cnn": pick(cnns, cnn)}
    winners = cnns[cnns["test"] > mlps["test"].max()].sort_values("params") if len(mlps) else cnns.iloc[:0]
    lean = winners.iloc[0] if len(winners) else none
    rival = pick(mlps[mlps["params"] <= lean["params"]], None)  # the best MLP on validation no bigger than that CNN
    out: dict[str, Any] = {"floor": floor, "n_trained": len(networks), "n_mlp": len(mlps), "n_cnn": len(cnns),
                           "n_taught": int((kept["family"] == "MLP taught by a CNN").sum()),
                           "n_failed": int((networks["val"] < floor).sum()),
                           "top_mlp_test": mlps["test"].max(), "lean_cnn": lean["label"], "lean_ratio": best["mlp"]["params"] / lean["params"]}
    for prefix, row in (("best_mlp", best["mlp"]), ("best_cnn", best["cnn"]), ("lean_cnn", lean), ("rival_mlp", rival)):
        minutes, where = two_thread_minutes(list(row["runs"]))
        out |= {f"{prefix}_params": row["params"], f"{prefix}_test": row["test"], f"{prefix}_minutes": minutes,
                f"{prefix}_name": reader_name(row) if "chapter" in row else row["label"],
                f"{prefix}_params_text": "–" if math.isnan(row["params"]) else thousands(row["params"]),
                f"{prefix}_minutes_text": f"{number(minutes, 1)} minutes per seed ({where})" if where else "no time on two threads"}
    out |= {"best_mlp": best["mlp"]["label"], "best_cnn": best["cnn"]["label"], "rival_mlp": rival["label"]}
    return out


# ---- Glue for the chapter's prose (each returns its facts, for the claims the chapter asserts) -------
def _glue(prefix: str, facts: dict[str, Any]) -> dict[str, Any]:
    from .report import glue_markdown, glue_numbers

    glue_numbers(**{f"{prefix}_{k}": v for k, v in facts.items() if not isinstance(v, str)})
    glue_markdown(**{f"{prefix}_{k}": v for k, v in facts.items() if isinstance(v, str)})
    return facts


def glue_robustness(prefix: str, curves: dict[str, dict[str, dict[float, float]]], mlp: str, cnn: str, shifted: str) -> dict[str, Any]:
    """Glue `robustness_facts` as `<prefix>_<fact>` (numbers), with `<prefix>_images`, the number
    of test images scored, as text ('2 000 images')."""
    from .report import plural

    return _glue(prefix, robustness_facts(curves, mlp, cnn, shifted) | {"images": plural(test_images(), "test image")})


def glue_sizes(prefix: str, mlp: dict[int, list[dict[str, Any]]], cnn: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Glue `size_facts` as `<prefix>_<fact>` (numbers); the sizes also as text, '1 000 images'
    (`<prefix>_small_n`, `_large_n`, `_match_n`), and on how many of the CNN's seeds on the smallest
    set the last epoch was the best, 'on 2 of 3 seeds' (`<prefix>_cnn_last_best_text`)."""
    from .report import plural

    from .report import seeds_ahead

    facts = size_facts(mlp, cnn)
    words = {f"{k}_n": plural(facts[k], "image") if facts[k] == facts[k] else "no training-set size"
             for k in ("small", "large", "cnn_match")}
    words["cnn_last_best_text"] = seeds_ahead(facts["cnn_last_best"], facts["small_seeds"])  # 'on 2 of 3 seeds'
    return _glue(prefix, facts | words)


def glue_efficiency(prefix: str, networks: pd.DataFrame, floor: float | None = None, mlp: str | None = None,
                    cnn: str | None = None) -> dict[str, Any]:
    """Glue `efficiency_facts` as `<prefix>_<fact>` (labels as text), with `<prefix>_timing`
    (`report.timing_note` of all the runs: where the training times come from)."""
    from .report import timing_note

    runs = [r for group in networks["runs"] for r in group]
    return _glue(prefix, efficiency_facts(networks, floor, mlp, cnn) | {"timing": timing_note(runs)})


def efficiency_figure(networks: pd.DataFrame, facts: dict[str, Any], ringed: str, line: str):
    """`plots.efficiency` with the networks `efficiency_facts` compares with ringed and named
    `ringed` in the legend (the prose may compare with a named model, not the validation pick), and
    a dotted line, named `line`, at the best test accuracy of any MLP."""
    from . import plots

    return plots.efficiency(networks, (facts["best_mlp"], facts["best_cnn"]), facts["floor"],
                            line=(line, facts["top_mlp_test"]), ringed=ringed)
