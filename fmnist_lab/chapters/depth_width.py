"""Chapter 3's findings (depth and width): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import groups
from ..runs import studies, summary
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch3", ch.all_runs())  # the machines are named once, in the appendix
    depth = groups.by_value(ch.depth, lambda cfg: len(cfg.hidden))  # hidden layers -> runs
    width = groups.by_value(ch.width, lambda cfg: cfg.hidden[0])  # units per layer -> runs
    report.glue_stats(depth0=depth[0], depth1=depth[1], depth2=depth[2], depth6=depth[6], width256=width[256],
                      **{f"{name}_best": study.runs[study.pick()] for name, study in ch.items()})
    narrow = report.glue_stats(control=width[32], width32=width[32], width1024=width[1024])
    vs_one = {layers: report.compare(runs, depth[1], "val") for layers, runs in depth.items() if layers > 1}  # paired by seed
    deep_val = {layers: summary.summarize(runs)["val_mean"] for layers, runs in depth.items() if layers}
    report.glue_markdown(deep_top=report.plural(max(deep_val, key=deep_val.get), "layer"),  # the widest gap, named
                         deep_bottom=report.plural(min(deep_val, key=deep_val.get), "layer"))
    report.glue_timing("ch3", ch)  # how far two runs of one configuration differ in seconds per epoch
    report.glue_spread("deep", [runs for layers, runs in depth.items() if layers])
    budget_gap = report.glue_spread("budget", ch.budget.runs.values())
    report.glue_markdown(ch3_timing=report.timing_note(ch.all_runs()), budget=report.plural(studies.BUDGET, "parameter"),
                         **{f"{name}_best": study.pick() for name, study in ch.items()})
    report.glue_table("tab_depth", report.summary_table(ch.depth.runs, label="hidden layers"));
    report.glue_table("tab_width", report.summary_table(ch.width.runs, label="hidden layers × units"));
    report.glue_table("tab_budget", report.summary_table(ch.budget.runs, label="hidden layers × units"));
    shape = lambda cfg: f"{len(cfg.hidden)} × {cfg.hidden[0]}" if cfg.hidden else "softmax regression"  # one style for every row
    selected = {f"{shape(study.study.groups[study.pick()])} ({role})": study.runs[study.pick()]
                for role, study in (("best depth", ch.depth), ("best width", ch.width))}
    report.glue_table("tab_depth_test", report.summary_table({**selected, "2 × 256 (reference MLP)": width[256]},
                                                             label="hidden layers × units", test=True))
    report.glue_comparison("width_test_gain", ch.width.runs[ch.width.pick()], width[256]);  # the reference MLP's 2 × 256
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    claim(summary.select(f.width) == 1024, "validation accuracy is highest at the largest width tried")
    widths = sorted(f.width)
    claim(not any((c := report.compare(f.width[b], f.width[a], "val"))["clear"] and c["gain"] < 0 for a, b in zip(widths, widths[1:])),
          "with no step down beyond seed noise on the way")
    claim(report.compare(f.width[1024], f.width[256])["clear"], "Width is the lever that works")  # on test, beyond seed noise
    claim(f.narrow["width1024"]["clear"] and f.narrow["width1024"]["train"] - f.narrow["width32"]["train"] > 2 * f.narrow["width1024"]["gain"] / 100,
          "most of the extra capacity goes into memorising the training set, but not all of it")
    for sentence in ("no depth validates above one hidden layer beyond seed noise",
                     "further layers add time per epoch and no accuracy beyond seed noise"):
        claim(not any(c["clear"] and c["gain"] > 0 for c in f.vs_one.values()), sentence)
    claim(not any(c["clear"] for c in f.vs_one.values()), "no depth from two to six differs from one hidden layer beyond seed noise")
    claim(not any((c := report.compare(f.depth[6], runs, "val"))["clear"] and c["gain"] < 0 for layers, runs in f.depth.items() if 0 < layers < 6),
          "six layers do not hurt beyond seed noise")
    for sentence in ("how they are split between one and four layers makes no difference beyond seed noise",
                     "Report D's constant-budget finding that two layers are best is not reproduced"):
        claim(not f.budget_gap["clear"], sentence)
    val = {layers: summary.summarize(runs)["val_mean"] for layers, runs in f.depth.items()}
    deep = {layers: v for layers, v in val.items() if layers}
    top, bottom = max(deep, key=deep.get), min(deep, key=deep.get)
    claim(report.compare(f.depth[top], f.depth[bottom], "val")["clear"] and 4 * (deep[top] - deep[bottom]) < val[1] - val[0],
          "The widest of these gaps, … over …, is …: real, but small beside the step to the first hidden layer")
