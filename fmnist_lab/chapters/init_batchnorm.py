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
    good_clear = {}  # whether the widest gap between the sensible initializations, without batch norm, is beyond seed noise
    for d, h in ((2, REFERENCE.hidden), (6, DEEP)):
        good = [runs for i, runs in groups.by_value(init, "init", hidden=h, batchnorm=False).items() if i not in ("normal1", "normal001")]
        good_clear[d] = report.glue_spread(f"good{d}", good)["clear"]
        report.glue_comparison(f"loss{d}_normal1", *(init.runs[init.label(hidden=h, init=i, batchnorm=False)] for i in ("default", "normal1")),
                               split="val")  # the same seeds: paired
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
    # batch norm over the sensible initializations at either depth: the largest gain of a mean, in points
    report.glue_numbers(bn_sensible_max=max(100 * (S[d, i, "bn"]["val_mean"] - S[d, i, "plain"]["val_mean"]) for d in (2, 6) for i in sensible))
    top, top_plain = init.pick(), init.pick(batchnorm=False)  # the chapter's highest mean, and the highest without batch norm
    best_vs_plain = report.glue_comparison("init_best_vs_plain", init.runs[top], init.runs[top_plain], split="val")
    top_control = init.study.control_of(top)  # the pair the intro's answer table ranks: the pick against its own control
    report.glue_markdown(init_top=top, init_top_control_name=top_control)
    report.glue_comparison("init_top_control", init.runs[top], init.runs[top_control])
    reference = init.study.label_of(REFERENCE)
    picks_test = {len(init.study.groups[l].hidden): report.glue_comparison(f"init_test{len(init.study.groups[l].hidden)}", init.runs[l], init.runs[reference])
                  for l in best}  # the picks against the reference MLP on the test set, paired by seed
    # The generalization gap (training minus validation accuracy at the reported epoch) of N(0, 1) against the default, paired by seed
    overfit = {d: report.paired(*(init.runs[init.label(hidden=h, init=i, batchnorm=False)] for i in ("normal1", "default")),
                                value=metrics.train_val_gap) for d, h in ((2, REFERENCE.hidden), (6, DEEP))}
    report.glue_markdown(**{f"gap{d}_normal1_verdict": report.noise_verdict(o["gain"], o["ci"]) for d, o in overfit.items()})
    selected = {label: init.runs[label] for label in dict.fromkeys(best)} | {f"{reference} (reference)": init.runs[reference]}
    # without s/epoch (tab_init_cost has the times), so the long row names leave every header two lines at most
    report.glue_table("tab_init_test", report.summary_table(selected, label="selected on validation", test=True,
                                                            columns=("params", "best epoch", "train acc %", "val acc %", "test acc %")));
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    S = f.S
    claim(all(S[6, i, "bn"]["val_mean"] > S[6, i, "plain"]["val_mean"] for i in choices.INITS),
          "With six layers, batch norm raises the mean validation accuracy of every initialization")
    claim(not any(f.bn_gain[i]["clear"] for i in f.sensible), "for each sensible initialization alone its gain is within seed noise")
    claim(all(f.bn_gain[i]["clear"] for i in ("normal1", "normal001")), "it clears the noise only for the two badly scaled starts")
    claim(not any(f.good_clear.values()), "The sensible initializations (Xavier, Kaiming, PyTorch's default) are interchangeable within seed noise")
    claim(all(S[d, i, b]["val_mean"] > S[d, "normal1", b]["val_mean"] + 0.01 for d, i, b in S if i != "normal1"),
          "A badly scaled start is the one choice here that costs whole points")
    claim(f.init.study.groups[f.top].batchnorm and f.init.study.groups[f.top].init in f.sensible and not f.best_vs_plain["clear"],
          "The highest means of the chapter belong to sensible schemes with batch norm, but the best of them is only … points above the best network without it, …")
    claim(all(metrics.seconds_per_epoch(f.bn6[i], f.cpu) > metrics.seconds_per_epoch(f.plain6[i], f.cpu) for i in choices.INITS),
          "Batch norm costs time at six layers: … it is slower with every one of them")
    claim(all(S[d, "normal1", "plain"]["gap"] > S[d, "default", "plain"]["gap"] for d in (2, 6)) and f.overfit[2]["clear"],
          "A loss of that order is reproduced; the reduced overfitting is not")
    claim(f.top in f.best, "The introduction's summary table measures the pick against a different control")  # one of the two picks above
    claim(f.capped > len(f.normal6) / 2, "most of their six-layer runs were still improving when the budget ended")
    claim(all(S[d, i, "bn"]["val_mean"] - S[d, i, "plain"]["val_mean"] < 0.01 for d in (2, 6) for i in f.sensible)
          and all(S[d, "normal1", "bn"]["val_mean"] - S[d, "normal1", "plain"]["val_mean"] > 0.01 for d in (2, 6)),
          "Its \"BN has little effect\" holds for the sensible initializations")
