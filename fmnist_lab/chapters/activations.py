"""Chapter 5's findings (activation functions): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import diagnostics
from ..engine import choices
from ..engine import data as fdata
from ..engine import labels
from ..engine.config import REFERENCE
from ..runs.studies import DEEP
from ..runs.summary import summarize
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch5", ch.all_runs())  # the machines are named once, in the appendix
    act, data, deep = ch.activation, fdata.load(), REFERENCE.replace(hidden=DEEP)
    x, y = diagnostics.probe_batch(data, deep)  # 1 000 validation images
    grads = {c.title: diagnostics.gradient_norms(deep.replace(activation=a), x, y) for a, c in choices.ACTIVATIONS.items()}
    report.glue_markdown(**{f"grad_ratio_{a}": report.scientific(g[0] / g[-1], 2) for a, g in zip(choices.ACTIVATIONS, grads.values())})
    depths = {labels.layers(len(h)): dict(hidden=h) for h in (REFERENCE.hidden, DEEP)}
    seconds = report.seconds_cell(report.glue_timing("ch5", ch))  # from the machine that trained most runs
    runs = {(len(h), a): act.runs[act.label(hidden=h, activation=a)] for h in (REFERENCE.hidden, DEEP) for a in choices.ACTIVATIONS}
    both = lambda cell, a: " / ".join(cell(runs[d, a]) for d in (2, 6))  # two layers / six, in one column
    h2, h6, h26 = (f" {what}\u00a0layers" for what in ("2", "6", "2\u00a0/\u00a06"))  # a header breaks after its comma, never inside '2 layers'
    report.glue_table("tab_act", [{"activation": c.title, f"val acc %,{h2}": report.val_cell(runs[2, a]),
                                   f"val acc %,{h6}": report.val_cell(runs[6, a]),
                                   f"epoch,{h26}": both(lambda r: f"{summarize(r)['epochs']:.1f}", a),  # one decimal in every cell
                                   f"s/epoch,{h26}": both(seconds, a)} for a, c in choices.ACTIVATIONS.items()]);
    S = report.glue_groups(act, lambda c: (len(c.hidden), c.activation), v="val_mean")
    relu_like = [a for a in choices.ACTIVATIONS if a not in ("sigmoid", "tanh")]  # ReLU and its smooth and leaky variants
    report.glue_spread("two", act.where(hidden=REFERENCE.hidden).values())
    report.glue_spread("six", act.where(hidden=DEEP).values())
    family_gap = report.glue_spread("relu_family6", [runs[6, a] for a in relu_like])  # the ReLU family alone, six layers
    title = lambda a: choices.ACTIVATIONS[a].title
    two = sorted(choices.ACTIVATIONS, key=lambda a: S[2, a]["val_mean"])  # two layers, lowest first: the widest gap is two[-1] over two[0]
    report.glue_markdown(two_top=title(two[-1]), two_bottom=title(two[0]))
    behind = {a: {b: report.compare(runs[6, a], runs[6, b], "val") for b in relu_like} for a in ("sigmoid", "tanh")}  # six layers
    within = [f"{title(a)} against {title(b)}" for a, versus in behind.items() for b, c in versus.items() if not c["clear"]]
    total = sum(len(versus) for versus in behind.values())
    report.glue_markdown(behind6_clear=f"all {total} lie beyond seed noise" if not within else
                         f"{total - len(within)} of the {total} lie beyond seed noise (all but {report.join(within)})")
    lead = [report.glue_comparison(f"leaky_minus_relu{len(h)}", *(act.runs[act.label(hidden=h, activation=a)] for a in ("leaky_relu", "relu")),
                               split="val") for h in (REFERENCE.hidden, DEEP)]  # paired seed by seed
    report.glue_numbers(ch5_max_epochs=REFERENCE.epochs)
    report.glue_markdown(**{f"params{d}_text": report.thousands(S[d, "relu"]["params"]) for d in (2, 6)},
                         **{f"ep6_{a}_text": report.number(S[6, a]["epochs"], 1) for a in ("sigmoid", "relu")})
    dead = diagnostics.dead_units({label: act.study.configs()[label][0] for label in act.study.checkpoint}, data)
    report.glue_table("tab_dead", dead.round(1))
    mean = dead.groupby("network", sort=False)[["dead at init %", "dead after training %"]].mean().to_numpy()
    report.glue_numbers(dead2_after=mean[0, 1], dead6_before=mean[1, 0], dead6_after=mean[1, 1])
    best = [report.glue_pick(f"best{len(f['hidden'])}", act, lambda c: choices.ACTIVATIONS[c.activation].title, **f) for f in depths.values()]
    report.glue_table("tab_act_test", report.selected_table(act, best, act.study.label_of(REFERENCE)));
    act2_test = report.glue_comparison("act2_test", act.runs[best[0]], act.runs[act.study.label_of(REFERENCE)])  # paired by seed
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    six = {a: f.S[6, a] for a in choices.ACTIVATIONS}  # six hidden layers, by activation
    two = [f.S[2, a]["val_mean"] for a in choices.ACTIVATIONS]
    for sentence in ("With the reference MLP's two hidden layers the activation matters little",
                     "With two hidden layers the activation matters far less than with six"):
        claim(max(two) - min(two) < (max(s["val_mean"] for s in six.values()) - min(s["val_mean"] for s in six.values())) / 2, sentence)
    claim(max(six["sigmoid"]["val_mean"], six["tanh"]["val_mean"]) < min(six[a]["val_mean"] for a in f.relu_like),
          "With six layers the saturating activations (sigmoid, tanh) fall behind")
    gaps = [c for versus in f.behind.values() for c in versus.values()]
    claim(all(c["gain"] < 0 for c in gaps) and sum(c["clear"] for c in gaps) >= len(gaps) - 2,
          "sigmoid (…) and tanh (…) fall behind the five others, nearly every gap beyond seed noise")
    for sentence in ("while those five stay within … points of each other, within seed noise",
                     "ReLU and its variants stay within seed noise of each other"):
        claim(not f.family_gap["clear"], sentence)
    claim(all(g["gain"] > 0 for g in f.lead), "the direction Report B expected")  # with two layers and with six
    claim(not any(g["clear"] for g in f.lead), "but not a win")
    claim(not f.lead[1]["clear"], "leaky ReLU, whose units cannot die, validates within seed noise of ReLU at six layers")
    claim(six["sigmoid"]["epochs"] == max(s["epochs"] for s in six.values()), "Sigmoid also needs the most epochs")
    claim(all(r["epochs_run"] == REFERENCE.epochs and r["final_epoch"] > REFERENCE.epochs - REFERENCE.patience
              for r in f.runs[6, "sigmoid"]),  # each seed's best epoch among the last `patience`
          "Early stopping ended no sigmoid run: on every seed the …-epoch budget did")
