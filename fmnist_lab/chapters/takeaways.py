"""The first page's takeaways, one per chapter: each reads that chapter's loaded studies
(`studies.load`) and returns the numbers its sentence states, by glue name: differences in
accuracy points (positive, the direction is in the words and asserted by the page in the full
profile), accuracies as fractions. Selection is on validation, as in the chapters.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import report
from ..engine.config import REFERENCE
from ..report.comparisons import shown_points
from ..runs import studies
from ..runs.experiments import current_store, missing
from ..runs.store import Store
from ..runs.study import ChapterResults, StudyResults


def _val(results: StudyResults, **fields: Any) -> float:
    return results.summary(**fields)["val_mean"]


def input_scaling(ch: ChapterResults) -> dict[str, float]:
    """Chapter 1: what standardizing is worth over raw bytes with Adam, and raw bytes under plain SGD."""
    s = ch.normalization
    return {"scale_adam_gain": shown_points(_val(s, normalization="standardize", optimizer="adam"),
                                       _val(s, normalization="raw", optimizer="adam")),
            "scale_raw_sgd_val": _val(s, normalization="raw", optimizer="sgd")}


def depth_width(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 3: the validation range over 1-6 hidden layers against the step from none to one,
    and the selected width's test gain over its control (the reference MLP's width), with its verdict."""
    deep = [s for label, s in ch.depth.summaries.items() if ch.depth.study.groups[label].hidden]
    wide = ch.width.pick()
    control = ch.width.control(wide)
    gain = report.compare(ch.width.runs[wide], ch.width.runs[control])
    return {"depth_range": shown_points(max(s["val_mean"] for s in deep), min(s["val_mean"] for s in deep)),
            "depth1_gain": shown_points(_val(ch.depth, hidden=REFERENCE.hidden[:1]), _val(ch.depth, hidden=())),
            "width_units": ch.width.study.groups[wide].hidden[0],
            "width_gain": shown_points(ch.width.summaries[wide]["test_mean"], ch.width.summaries[control]["test_mean"]),
            "width_verdict": report.noise_verdict(gain["gain"], gain["ci"])}


def regularization(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 4: label smoothing's test gain with its verdict, and the most any L2 or dropout
    setting adds on validation, with how many of them are beyond seed noise (upwards)."""
    none, smooth = (ch.smoothing.summary(label_smoothing=s) for s in (0.0, 0.1))
    paired = report.compare(*(ch.smoothing.runs[ch.smoothing.label(label_smoothing=s)] for s in (0.1, 0.0)))
    others = [(study, label) for study in (ch.l2, ch.dropout) for label in study.summaries
              if study.study.groups[label] != study.study.control]
    ups = [report.compare(study.runs[label], study.runs[study.study.label_of(study.study.control)], "val") for study, label in others]
    return {"smooth_gain": shown_points(smooth["test_mean"], none["test_mean"]),
            "smooth_gain_val": shown_points(smooth["val_mean"], none["val_mean"]),
            "smooth_verdict": report.noise_verdict(paired["gain"], paired["ci"]),
            "reg_other_gain": max(shown_points(study.summaries[label]["val_mean"], none["val_mean"]) for study, label in others),
            "reg_clear_gains": sum(u["clear"] and u["gain"] > 0 for u in ups), "reg_settings": len(ups)}


def _smoothing(prefix: str, smoothed: list[dict[str, Any]], plain: list[dict[str, Any]]) -> dict[str, Any]:
    paired = report.compare(smoothed, plain)  # test, paired by seed
    return {prefix: paired["gain"], f"{prefix}_clear": int(paired["clear"]), f"{prefix}_verdict": report.noise_verdict(paired["gain"], paired["ci"])}


def smoothing_replication(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 12 retrains chapter 4's label-smoothing pair (best epoch restored): its test gain, paired by seed."""
    c = ch.calibration
    return _smoothing("smooth_replication", *(c.runs[c.label(label_smoothing=s)] for s in (0.1, 0.0)))


def published_smoothing(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 11 adds label smoothing to the published recipe: its test gain there, paired by seed."""
    return _smoothing("smooth_published", *(ch.published.runs[k] for k in (studies.PUBLISHED_SMOOTHED, studies.PUBLISHED_LABEL)))


SATURATING = ("sigmoid", "tanh")


def activations(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 5: the validation spread of all activations at two layers, with the widest gap's
    verdict; at six, how far the saturating ones trail the rest."""
    a = ch.activation
    two = [_val(a, hidden=REFERENCE.hidden, activation=name) for name in studies.ACTIVATIONS]
    six = {name: _val(a, hidden=studies.DEEP, activation=name) for name in studies.ACTIVATIONS}
    widest = report.widest([a.runs[label] for label in a.study.labels(hidden=REFERENCE.hidden)])
    return {"act_spread2": shown_points(max(two), min(two)), "act2_verdict": report.noise_verdict(widest["gain"], widest["ci"]),
            "act_saturating_gap6": shown_points(min(v for k, v in six.items() if k not in SATURATING),
                                           max(six[k] for k in SATURATING))}


def initialization(ch: ChapterResults) -> dict[str, float]:
    """Chapter 6: validation points N(0, 1) loses against PyTorch's default, without and with batch norm."""
    out = {}
    for depth, hidden in ((2, REFERENCE.hidden), (6, studies.DEEP)):
        default = _val(ch.init, hidden=hidden, init="default", batchnorm=False)
        for bn, name in ((False, "plain"), (True, "bn")):
            out[f"init_loss{depth}_{name}"] = shown_points(default, _val(ch.init, hidden=hidden, init="normal1", batchnorm=bn))
    return out


def optimizers(ch: ChapterResults) -> dict[str, Any]:
    """Chapter 7: the spread of the optimizers at their best rates (with the widest gap's verdict)
    against the narrowest spread of one optimizer over its rates; the worst cell; the least a
    decaying schedule adds on validation, and how many schedules are beyond seed noise there and on test."""
    by_optimizer: dict[str, list[str]] = {}
    for label in ch.optimizer.summaries:
        by_optimizer.setdefault(ch.optimizer.study.groups[label].optimizer, []).append(label)
    val = {o: [ch.optimizer.summaries[label]["val_mean"] for label in labels] for o, labels in by_optimizer.items()}
    best = [max(labels, key=lambda label: ch.optimizer.summaries[label]["val_mean"]) for labels in by_optimizer.values()]
    widest = report.widest([ch.optimizer.runs[label] for label in best])
    constant = ch.schedule.label(schedule="constant")
    decaying = [label for label in ch.schedule.summaries if label != constant]
    gains = {split: [report.compare(ch.schedule.runs[label], ch.schedule.runs[constant], split) for label in decaying]
             for split in ("val", "test")}
    return {"opt_spread": shown_points(max(map(max, val.values())), min(map(max, val.values()))),
            "opt_verdict": report.noise_verdict(widest["gain"], widest["ci"]),
            "opt_lr_range_min": min(shown_points(max(v), min(v)) for v in val.values()),
            "opt_worst_val": min(min(v) for v in val.values()),
            "sched_min_gain": min(shown_points(ch.schedule.summaries[label]["val_mean"], ch.schedule.summaries[constant]["val_mean"])
                                  for label in decaying),
            "sched_n": len(decaying), **{f"sched_clear_{split}": sum(g["clear"] and g["gain"] > 0 for g in gains[split])
                                        for split in gains}}


def augmentation(ch: ChapterResults) -> dict[str, float]:
    """Chapter 8: per training length, how many augmentation sets trail no augmentation on
    validation, how many of those beyond seed noise (and how many gain beyond it), and by how much on
    average over the ones that trail (points)."""
    a, out = ch.augmentation, {}
    for name, epochs in zip(("short", "long"), studies.AUGMENTATION_LENGTHS):
        none = a.label(augment=(), epochs=epochs)
        sets = [label for label in a.study.labels(epochs=epochs) if a.study.groups[label].augment]
        deltas = [shown_points(a.summaries[label]["val_mean"], a.summaries[none]["val_mean"]) for label in sets]
        behind = [report.compare(a.runs[label], a.runs[none], "val") for label in sets]
        trail = [-d for d in deltas if d < 0]
        out |= {f"aug_{name}_epochs": epochs, f"aug_{name}_below": len(trail),
                f"aug_{name}_clear": sum(b["clear"] and b["gain"] < 0 for b in behind), f"aug_{name}_gains": sum(b["clear"] and b["gain"] > 0 for b in behind),
                f"aug_{name}_trail": sum(trail) / len(trail) if trail else 0.0, "aug_sets": len(sets)}
    return out


TAKEAWAYS: dict[str, Callable[[ChapterResults], dict[str, float]]] = {
    "01_dataset": input_scaling, "03_depth_width": depth_width, "04_regularization": regularization,
    "05_activations": activations, "06_init_batchnorm": initialization, "07_optimizers": optimizers,
    "08_augmentation": augmentation, "11_ceiling": published_smoothing, "12_beyond_accuracy": smoothing_replication,
}


def of_every_chapter(store: Store | None = None, stored_only: bool = False) -> dict[str, float]:
    """Every chapter takeaway's numbers, by glue name. `stored_only`: skip a chapter whose runs
    are not all in the store instead of training them (a smoke store built by one page)."""
    store = store or current_store()
    out: dict[str, float] = {}
    for chapter, numbers in TAKEAWAYS.items():
        if stored_only and missing(studies.chapter_configs(chapter), store):
            continue
        out |= numbers(studies.load(chapter, store, quiet=True))
    return out
