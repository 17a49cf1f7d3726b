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
    report.glue_compute("ch3", ch.all_runs())
    depth = groups.by_value(ch.depth, lambda cfg: len(cfg.hidden))  # hidden layers -> runs
    width = groups.by_value(ch.width, lambda cfg: cfg.hidden[0])  # units per layer -> runs
    report.glue_stats(depth0=depth[0], depth1=depth[1], depth2=depth[2], depth6=depth[6], width256=width[256],
                      **{f"{name}_best": study.runs[study.pick()] for name, study in ch.items()})
    narrow = report.glue_stats(control=width[32], width32=width[32], width1024=width[1024])
    report.glue_markdown(width1024_train_gain_text=report.signed(100 * (narrow["width1024"]["train"] - narrow["width32"]["train"])))
    report.glue_timing("ch3", ch)  # how far two runs of one configuration differ in seconds per epoch
    report.glue_spread("deep", [runs for layers, runs in depth.items() if layers])
    report.glue_spread("budget", ch.budget.runs.values())
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
    claim(summary.select(f.width) == 1024, "validation accuracy rises with width up to the largest network tried")
    widths = sorted(f.width)
    claim(not any((c := report.compare(f.width[b], f.width[a], "val"))["clear"] and c["gain"] < 0 for a, b in zip(widths, widths[1:])),
          "validation accuracy rises with width up to the largest network tried")  # no step down beyond seed noise
    claim(report.compare(f.width[1024], f.width[256])["clear"], "Width is the lever that works")  # on test, beyond seed noise
    val = {layers: summary.summarize(runs)["val_mean"] for layers, runs in f.depth.items()}
    deep = [v for layers, v in val.items() if layers]
    claim(4 * (max(deep) - min(deep)) < val[1] - val[0],
          "The widest of these gaps is …: real, but small beside the step to the first hidden layer")
