"""Chapter 8's findings (data augmentation): what the page glues and the claims it checks."""
from __future__ import annotations

import json
from types import SimpleNamespace

from .. import report
from ..engine import config
from ..runs import bench, experiments, studies, summary
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
    reference = experiments.ensure(experiments.seeded(config.REFERENCE), quiet=True)  # patience 5
    report.glue_comparison("aug_protocol_gain", aug.runs[lab[NONE, SHORT]], reference, split="val")  # same seeds, paired
    best_paired = report.glue_comparison("aug_best_paired", aug.runs[lab[best, LONG]], aug.runs[lab[NONE, LONG]], split="val")
    singles = [name for name, augs in SETS.items() if len(augs) == 1 and name != best]  # every other single augmentation
    within = [name for name in singles if not report.paired(aug.runs[lab[name, LONG]], aug.runs[lab[NONE, LONG]], split="val")["clear"]]
    report.glue_markdown(aug60_singles_within=report.join(within) or "none of them")
    report.glue_comparison("aug_fe_vs_erase", S[lab["flip + erasing", LONG]], S[lab["erasing", LONG]], split="val")
    report.glue_numbers(aug_reference_val=summary.summarize(reference)["val_mean"], aug_none_gain=100 * (S[lab[NONE, LONG]]["val_mean"] - S[lab[NONE, SHORT]]["val_mean"]),
                        aug_sets_gain=sum(100 * (S[lab[s, LONG]]["val_mean"] - S[lab[s, SHORT]]["val_mean"]) for s in SETS if s != NONE) / (len(SETS) - 1))
    plain, recipe = (cnn.label(augment=augs) for augs in ((), studies.CNN_AUGMENTATION))
    report.glue_table("tab_aug_cnn", report.summary_table(cnn.runs, label=f"{cnn.study.groups[plain].epochs} epochs"))
    stats = report.glue_stats(control=cnn.runs[plain], cnn_none=cnn.runs[plain], cnn_aug=cnn.runs[recipe])
    report.glue_numbers(cnn_aug_extra=stats["cnn_aug"]["sec"] - stats["cnn_none"]["sec"])
    measured = json.loads(bench.RESULT_PATH.read_text())
    extra = {name: S[lab[name, LONG]]["sec_per_epoch"] - S[lab[NONE, LONG]]["sec_per_epoch"] for name in SETS if name != NONE}
    report.glue_signed(aug_extra_min=min(extra.values()), aug_extra_max=max(extra.values()))
    report.glue_markdown(aug_extra_max_name=max(extra, key=extra.get), aug_timing=report.timing_note(ch.all_runs()),
                         bench_device=report.where_trained([measured]))
    report.glue_numbers(**{f"bench_{k}_{case}": row[f"{k}_s"] for case, row in measured["rows"].items() for k in ("engine", "dataloader")})
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    delta, LONG, augmented = f.delta, f.LONG, [s for s in f.SETS if s != f.NONE]
    claim(delta["flip + rotation", LONG] < min(delta["flip", LONG], delta["rotation", LONG]),
          "Of the two combinations, flip + rotation loses more than either of its parts")
    claim(all(delta[name, LONG] < 0 for name in f.singles),
          "Every other single augmentation ended below no augmentation after 60 epochs")
    claim(not f.best_paired["clear"], "within what three seeds can resolve")
    claim(delta["flip + erasing", LONG] > delta["flip + erasing", f.SHORT],
          "flip + erasing … ends … points off no augmentation …, up from … after 20 epochs")
    claim(all(min(augmented, key=lambda s: delta[s, n]) == "shift" for n in (f.SHORT, LONG)),
          "shifts are the worst augmentation for the MLP")
    claim(f.best == "erasing", "erasing, the best set on validation, tracks no augmentation early and ends highest")
    claim(f.stats["cnn_aug"]["gain"] < 0, "Trained for only 12 epochs, the CNN repeats what the MLP did at 20")
