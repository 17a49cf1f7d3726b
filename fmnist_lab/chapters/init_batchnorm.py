"""Chapter 6's findings (initialization and batch norm): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import diagnostics, groups, metrics
from ..engine import choices
from ..engine import data as fdata
from ..engine import labels
from ..engine.config import REFERENCE
from ..runs.studies import DEEP
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch6", ch.all_runs())
    init, deep = ch.init, REFERENCE.replace(hidden=DEEP)
    x, y = diagnostics.probe_batch(fdata.load(), deep)  # 1 000 validation images
    stds = {bn: {c.title: diagnostics.activation_std(deep.replace(init=i, batchnorm=bn), x) for i, c in choices.INITS.items()} for bn in (False, True)}
    plain = dict(zip(choices.INITS, stds[False].values()))  # by initialization name, without batch norm
    report.glue_numbers(factor_normal1=diagnostics.per_layer_factor(plain["normal1"]), factor_small=1 / diagnostics.per_layer_factor(plain["normal001"]),
                        **{f"std_{i}_last": s[-1] for i, s in plain.items()})
    report.glue_markdown(**{f"std_{i}_last_sci": report.scientific(plain[i][-1]) for i in ("normal1", "normal001")})  # 3.3 × 10⁶
    nets = {labels.layers(len(h)) + (", batch norm" if bn else ""): dict(hidden=h, batchnorm=bn) for h in (REFERENCE.hidden, DEEP) for bn in (False, True)}
    inits = {c.prose_title: dict(init=i) for i, c in choices.INITS.items()}
    report.glue_table("tab_init", report.grid_table(init, inits, nets, {"val acc %": report.val_cell}, corner="initialization (val acc %)"))
    cpu = report.glue_timing("ch6", ch)  # the machine that trained most runs: seconds per epoch from it only
    cost = {"params": report.params_cell, "s/epoch": report.seconds_cell(cpu), "best epoch": report.epochs_cell}
    report.glue_table("tab_init_cost", report.grid_table(init, nets, {"": {}}, cost, corner="network"));
    S = report.glue_groups(init, lambda c: (len(c.hidden), c.init, "bn" if c.batchnorm else "plain"), v="val_mean", gap=lambda s: 100 * s["gap"])
    for d, h in ((2, REFERENCE.hidden), (6, DEEP)):
        report.glue_spread(f"good{d}", [runs for i, runs in groups.by_value(init, "init", hidden=h, batchnorm=False).items() if i not in ("normal1", "normal001")])
        report.glue_comparison(f"loss{d}_normal1", S[d, "default", "plain"], S[d, "normal1", "plain"], split="val")
    bn6, plain6 = (groups.by_value(init, "init", hidden=DEEP, batchnorm=bn) for bn in (True, False))
    bn_gain = {i: report.paired(bn6[i], plain6[i], split="val") for i in choices.INITS}  # seed by seed
    sensible = ("xavier", "kaiming", "default")
    report.glue_markdown(bn6_ahead=report.seeds_ahead(sum(g["ahead"] for g in bn_gain.values()), sum(g["seeds"] for g in bn_gain.values()), "pair"))
    report.glue_markdown(bn6_clear=report.join([choices.INITS[i].prose_title for i, g in bn_gain.items() if g["clear"]]) or "none of them")
    normal6 = [r for bn in (False, True) for r in init.runs[init.label(hidden=DEEP, init="normal1", batchnorm=bn)]]
    capped = sum(r["epochs_run"] == r["config"]["epochs"] for r in normal6)  # early stopping never fired: still improving
    report.glue_markdown(normal6_capped=f"{capped} of the {len(normal6)}")
    report.glue_numbers(sec6_bn=metrics.seconds_per_epoch(sum(bn6.values(), []), cpu), sec6_plain=metrics.seconds_per_epoch(sum(plain6.values(), []), cpu))
    best = [report.glue_pick(f"init_best{len(h)}", init, hidden=h) for h in (REFERENCE.hidden, DEEP)]
    report.glue_table("tab_init_test", report.selected_table(init, best, init.study.label_of(REFERENCE)));
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    S = f.S
    claim(all(S[6, i, "bn"]["val_mean"] > S[6, i, "plain"]["val_mean"] for i in choices.INITS),
          "With six layers, batch norm raises the mean validation accuracy of every initialization")
    claim(not any(f.bn_gain[i]["clear"] for i in f.sensible), "for each initialization alone within seed noise")
    claim(all(S[d, i, b]["val_mean"] > S[d, "normal1", b]["val_mean"] + 0.01 for d, i, b in S if i != "normal1"),
          "A badly scaled start is the one choice here that costs whole points")
    claim(all(f.init.study.groups[f.init.pick(hidden=h)].batchnorm for h in (REFERENCE.hidden, DEEP)),
          "The sensible schemes with batch norm are the best configurations of the chapter")
    claim(all(metrics.seconds_per_epoch(f.bn6[i], f.cpu) > metrics.seconds_per_epoch(f.plain6[i], f.cpu) for i in choices.INITS),
          "Batch norm costs time at six layers: … it is slower with every one of them")
    claim(all(S[d, "normal1", "plain"]["gap"] > S[d, "default", "plain"]["gap"] for d in (2, 6)),
          "A loss of that order is reproduced; the reduced overfitting is not")
    claim(f.capped > len(f.normal6) / 2, "most of their six-layer runs were still improving at the end")
