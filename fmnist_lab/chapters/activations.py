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
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch5", ch.all_runs())
    act, data, deep = ch.activation, fdata.load(), REFERENCE.replace(hidden=DEEP)
    x, y = diagnostics.probe_batch(data, deep)  # 1 000 validation images
    grads = {c.title: diagnostics.gradient_norms(deep.replace(activation=a), x, y) for a, c in choices.ACTIVATIONS.items()}
    report.glue_markdown(**{f"grad_ratio_{a}": report.scientific(g[0] / g[-1], 2) for a, g in zip(choices.ACTIVATIONS, grads.values())})
    depths = {labels.layers(len(h)): dict(hidden=h) for h in (REFERENCE.hidden, DEEP)}
    cells = {"val acc %": report.val_cell, "epoch": report.epochs_cell, "s/epoch": report.seconds_cell(report.glue_timing("ch5", ch))}
    report.glue_table("tab_act", report.grid_table(act, {c.title: dict(activation=a) for a, c in choices.ACTIVATIONS.items()}, depths, cells));
    S = report.glue_groups(act, lambda c: (len(c.hidden), c.activation), v="val_mean")
    relu_like = [a for a in choices.ACTIVATIONS if a not in ("sigmoid", "tanh")]  # ReLU and its smooth and leaky variants
    report.glue_spread("two", act.where(hidden=REFERENCE.hidden).values())
    report.glue_spread("relu_family6", [act.runs[act.label(hidden=DEEP, activation=a)] for a in relu_like])
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
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    six = {a: f.S[6, a] for a in choices.ACTIVATIONS}  # six hidden layers, by activation
    claim(max(six["sigmoid"]["val_mean"], six["tanh"]["val_mean"]) < min(six[a]["val_mean"] for a in f.relu_like),
          "With six layers the saturating ones fall behind")
    claim(all(g["gain"] > 0 for g in f.lead), "Here leaky ReLU is ahead on validation")  # with two layers and with six
    claim(not any(g["clear"] for g in f.lead), "not a win that three seeds can tell from noise")
    claim(six["sigmoid"]["epochs"] == max(s["epochs"] for s in six.values()), "Sigmoid also needs the most epochs")
    claim(six["sigmoid"]["epochs"] > REFERENCE.epochs - REFERENCE.patience,  # early stopping had not ended it: its best epoch lies in the last `patience`
          "It was still improving when the …-epoch budget ended")
