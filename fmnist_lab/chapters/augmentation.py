"""Chapter 8's findings (data augmentation): what the page glues and the claims it checks."""
from __future__ import annotations

import json
from types import SimpleNamespace

from .. import report
from ..analysis import metrics
from ..runs import bench, studies
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch8", ch.all_runs())
    aug, S, cnn = ch.augmentation, ch.augmentation.summaries, ch.cnn_augmentation
    SETS, (SHORT, LONG), NONE = studies.AUGMENTATION_SETS, studies.AUGMENTATION_LENGTHS, "no augmentation"
    lab = {(name, n): aug.label(augment=augs, epochs=n) for name, augs in SETS.items() for n in (SHORT, LONG)}
    groups = {n: {name: aug.runs[lab[name, n]] for name in SETS} for n in (SHORT, LONG)}
    delta = {(name, n): gain for n in groups for name, gain in report.glue_against_control(f"aug{n}", groups[n], NONE).items()}
    best = max((name for name in SETS if name != NONE), key=lambda name: delta[name, LONG])  # on validation, after 60 epochs
    for n in groups:
        report.glue_table(f"tab_aug_{n}", report.summary_table(groups[n], label="augmentation"))
    report.glue_summaries(aug, detail=True, aug_best=lab[best, LONG], aug_none=lab[NONE, LONG])
    vs_none = {(name, n): report.paired(aug.runs[lab[name, n]], aug.runs[lab[NONE, n]], split="val") for name in SETS if name != NONE for n in (SHORT, LONG)}
    clear_below = {n: [name for name in SETS if name != NONE and vs_none[name, n]["clear"] and vs_none[name, n]["gain"] < 0] for n in (SHORT, LONG)}
    report.glue_numbers(**{f"aug{n}_n_clear_below": len(names) for n, names in clear_below.items()})
    report.glue_markdown(**{f"aug{n}_clear_below": report.join(names) or "none" for n, names in clear_below.items()})
    longer = {name: report.paired(aug.runs[lab[name, LONG]], aug.runs[lab[name, SHORT]], split="val") for name in SETS}  # 60 against 20 epochs
    n_longer_clear = sum(longer[name]["clear"] and longer[name]["gain"] > 0 for name in SETS if name != NONE)
    report.glue_numbers(aug_n_longer_clear=n_longer_clear)
    report.glue_markdown(aug_none_longer_verdict=report.noise_verdict(longer[NONE]["gain"], longer[NONE]["ci"]))
    best_paired = report.glue_comparison("aug_best_paired", aug.runs[lab[best, LONG]], aug.runs[lab[NONE, LONG]], split="val")
    best_test = report.glue_comparison("aug_best_test_gain", aug.runs[lab[best, LONG]], aug.runs[lab[NONE, LONG]])  # paired by seed
    singles = [name for name, augs in SETS.items() if len(augs) == 1 and name != best]  # every other single augmentation
    within = [name for name in singles if not vs_none[name, LONG]["clear"]]
    report.glue_markdown(aug60_singles_within=report.join(within) or "none of them")
    fe_vs_erase = report.glue_comparison("aug_fe_vs_erase", aug.runs[lab["flip + erasing", LONG]], aug.runs[lab["erasing", LONG]], split="val")
    # The train–validation gap after 60 epochs against no augmentation, paired by seed: which sets narrow it beyond seed noise
    gaps = {name: report.paired(aug.runs[lab[name, LONG]], aug.runs[lab[NONE, LONG]], value=metrics.train_val_gap) for name in SETS if name != NONE}
    narrower = [name for name, g in gaps.items() if g["gain"] + g["ci"] < 0]  # the whole interval below zero
    report.glue_markdown(aug60_gap_narrower=report.join(narrower) or "none")
    report.glue_signed(aug_none_gain=report.shown_points(S[lab[NONE, LONG]]["val_mean"], S[lab[NONE, SHORT]]["val_mean"]))
    plain, recipe = (cnn.label(augment=augs) for augs in ((), studies.CNN_AUGMENTATION))
    report.glue_table("tab_aug_cnn", report.summary_table(cnn.runs, label=f"{cnn.study.groups[plain].epochs} epochs"))
    stats = report.glue_stats(control=cnn.runs[plain], cnn_none=cnn.runs[plain], cnn_aug=cnn.runs[recipe])
    report.glue_numbers(cnn_aug_extra=stats["cnn_aug"]["sec"] - stats["cnn_none"]["sec"])
    theirs = {r["config"]["seed"]: r["final_epoch"] for r in cnn.runs[plain]}
    later = [r["final_epoch"] > theirs[r["config"]["seed"]] for r in cnn.runs[recipe] if r["config"]["seed"] in theirs]
    report.glue_markdown(cnn_aug_later=report.seeds_ahead(sum(later), len(later)))  # 'on all 3 seeds'
    shift_worst = {n: report.paired(aug.runs[lab["shift", n]], aug.runs[lab[sorted((s for s in SETS if s not in (NONE, "shift")), key=lambda s: delta[s, n])[0], n]], split="val")
                   for n in (SHORT, LONG)}  # shift against the next-worst set
    measured = json.loads(bench.RESULT_PATH.read_text())
    extra = {name: S[lab[name, LONG]]["sec_per_epoch"] - S[lab[NONE, LONG]]["sec_per_epoch"] for name in SETS if name != NONE}
    report.glue_signed(aug_extra_min=min(extra.values()), aug_extra_max=max(extra.values()))
    report.glue_markdown(aug_extra_max_name=max(extra, key=extra.get), aug_timing=report.timing_note(ch.all_runs()),
                         bench_elsewhere="on the same machine" if report.where_trained([measured]) == report.where_trained(ch.all_runs()) else "on a different machine")
    report.glue_numbers(**{f"bench_{k}_{case}": row[f"{k}_s"] for case, row in measured["rows"].items() for k in ("engine", "dataloader")})
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    delta, LONG, SHORT, augmented = f.delta, f.LONG, f.SHORT, [s for s in f.SETS if s != f.NONE]
    claim(len(f.clear_below[SHORT]) > len(f.clear_below[LONG]), "So the loss Report A saw is mostly a training-length effect")
    claim(f.clear_below[LONG] == ["flip + rotation"], "only … is still below it beyond seed noise, at … points")  # the page quotes flip + rotation's gain
    claim(f.n_longer_clear > len(augmented) / 2 and not f.longer[f.NONE]["clear"],
          "the augmented runs keep learning … the plain run does not")
    claim(not any(f.vs_none[name, LONG]["clear"] for name in f.singles), "end within seed noise of no augmentation")
    claim(not f.best_paired["clear"] and all(not (v["clear"] and v["gain"] > 0) for (name, n), v in f.vs_none.items() if n == LONG),
          "none of the six sets beats no augmentation beyond seed noise")
    claim(not f.best_paired["clear"] and not f.best_test["clear"], "No set beats no augmentation beyond seed noise")
    claim(not f.best_test["clear"], "on the test set the difference is … points, …")
    claim(f.narrower and all(g["gain"] < 0 for g in f.gaps.values()), "Augmentation narrows the train–validation gap")  # every set, some beyond noise
    claim(delta["flip + erasing", LONG] > delta["flip + erasing", SHORT] and f.longer["flip + erasing"]["clear"],
          "Flip + erasing, the pair chapter 10's MLP recipe uses, ends … points from no augmentation, …, up from … after 20 epochs")
    claim(all(min(augmented, key=lambda s: delta[s, n]) == "shift" for n in (SHORT, LONG)) and f.shift_worst[SHORT]["clear"],
          "Shifts cost the MLP the most after 20 epochs")
    claim(f.best == "erasing", "erasing (the set with the highest mean after 60 epochs)")
    claim(f.stats["cnn_aug"]["gain"] < 0 and f.stats["cnn_aug"]["clear"], "Trained for only 12 epochs, the CNN repeats what the MLP did at 20")
