"""Chapter 4's findings (regularization): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .. import report
from ..analysis import groups, metrics
from ..engine import labels
from ..runs import studies, summary
from ..runs.study import ChapterResults
from . import claims, takeaways
from .claims import claim


def gap_change(runs: list[dict[str, Any]], control: list[dict[str, Any]]) -> dict[str, Any]:
    """How far a regularizer moves the train − validation gap (points) from the `control`'s, seed by
    seed (`report.paired` on `metrics.train_val_gap`), with its `verdict` (`report.noise_verdict`)."""
    p = report.paired(runs, control, value=metrics.train_val_gap)
    return p | {"verdict": report.noise_verdict(p["gain"], p["ci"])}


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch4", ch.all_runs())  # the machines are named once, in the appendix
    GAP_COLUMNS = ("s/epoch", "train acc %", "val acc %", "peak val acc %", "peak epoch", "gap (points)")
    cfg, plain = studies.OVERFIT, ch.dropout.runs[ch.dropout.label(dropout=0)]  # no regularization: also λ = 0 and smoothing 0
    coupled = {lam: runs for lam, runs in groups.by_value(ch.l2, "weight_decay", optimizer="adam").items() if lam}
    decoupled, drop = groups.by_value(ch.l2, "weight_decay", optimizer="adamw"), groups.by_value(ch.dropout, "dropout")
    best = {"no regularization": plain, **groups.best(ch.l2, lambda c: c.weight_decay > 0, optimizer="adam"),
            **groups.best(ch.l2, optimizer="adamw"), **groups.best(ch.dropout, lambda c: c.dropout > 0),
            **groups.best(ch.smoothing, lambda c: c.label_smoothing > 0)}
    best_l2, best_ls, winner = list(best)[1], list(best)[-1], summary.select(best)
    grid_top = max(studies.L2_LAMBDAS)  # 10⁻², the largest λ of the grid both optimizers share
    stats = report.glue_stats(control=plain, none=plain, l2c_best=best[best_l2], ls=best[best_ls], drop_half=drop[0.5], l2c_mid=coupled[1e-4],
                              l2c_milli=coupled[1e-3], l2c_small=coupled[min(coupled)], l2c_max=coupled[max(coupled)],
                              l2d_top=decoupled[grid_top], adamw_extra=decoupled[studies.ADAMW_EXTRA])
    l2c_val = {lam: report.compare(runs, plain, "val") for lam, runs in coupled.items()}  # each λ against no penalty, paired by seed
    drop_val = {p: report.compare(runs, plain, "val") for p, runs in drop.items() if p}
    gaps = {name: gap_change(runs, plain) for name, runs in {"ls": best[best_ls], "adamw_extra": decoupled[studies.ADAMW_EXTRA],
                                                              **{f"l2d_{lam:g}": decoupled[lam] for lam in decoupled if 0 < lam <= grid_top}}.items()}
    report.glue_markdown(**{f"{name}_gap_verdict": gaps[name]["verdict"] for name in ("ls", "adamw_extra")},  # the ones the page prints
                         **{f"{name}_gap_change": report.signed(gaps[name]["gain"]) for name in ("ls", "adamw_extra")})
    report.glue_stopping("stop", ch.all_runs())
    l2d_val = {lam: report.compare(runs, plain, "val") for lam, runs in decoupled.items() if 0 < lam <= grid_top}  # paired by seed
    low = min(l2d_val, key=lambda lam: l2d_val[lam]["gain"])  # the λ of the grid that validates furthest below no decay
    l2d_low = report.glue_comparison("l2d_low", decoupled[low], plain, split="val")
    report.glue_markdown(l2d_low_lambda=labels.small(low), l2d_low_text=report.above_below(l2d_low["gain"]))  # '0.33 points below'
    report.glue_spread("drop_mild", [runs for p, runs in drop.items() if 0 < p <= 0.3], control=plain)
    report.glue_numbers(ch4_epochs=cfg.epochs, ch4_width=cfg.hidden[0],
                        adamw_shrink_grid=metrics.decay_left(cfg, max(studies.L2_LAMBDAS)), adamw_shrink_extra=metrics.decay_left(cfg, studies.ADAMW_EXTRA),
                        adamw_identical=metrics.identical_runs(decoupled[min(decoupled)], plain))  # lr·λ below float32's resolution?
    report.glue_markdown(l2c_best=best_l2, reg_best_name=winner, none_params_text=report.thousands(stats["none"]["params"]),
                         float32_half_ulp=report.scientific(2.0 ** -24))  # float32's eps is 2⁻²³
    report.glue_summary("reg_none", plain), report.glue_summary("reg_best", best[winner])
    ls_val = report.glue_comparison("ls_val_paired", best[best_ls], plain, split="val")  # seed by seed: the seeds' spread cancels
    ls_test = report.glue_comparison("reg_best_gain_test", best[winner], plain)
    replication = takeaways.smoothing_replication(studies.load("12_beyond_accuracy", quiet=True))  # the same pair, retrained
    report.glue_numbers(**replication)
    report.glue_table("tab_l2", report.summary_table(groups.distinct(ch.l2.runs), label="optimizer, λ", gap=True, columns=GAP_COLUMNS));
    report.glue_table("tab_dropout", report.summary_table({f"{p:g}": runs for p, runs in drop.items()}, label="dropout p", gap=True, columns=GAP_COLUMNS));
    smooth = groups.by_value(ch.smoothing, "label_smoothing")  # ε -> runs; the header names the regularizer
    report.glue_table("tab_smoothing", report.summary_table({f"{e:g}": runs for e, runs in smooth.items()}, label="label smoothing ε", gap=True, columns=GAP_COLUMNS));
    report.glue_table("tab_reg_test", report.summary_table(best, label="selected on validation", test=True, gap=True,
                                                            columns=("train acc %", "val acc %", "gap (points)", "test acc %")));
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    claim(f.winner == f.best_ls, "Label smoothing is the regularizer that validation selects")
    none = f.stats["none"]  # early stopping on the loss would stop more than a patience (5 epochs) before the accuracy peak
    claim(none["loss_epoch"] + f.cfg.patience < none["peak_epoch"], "the validation loss turns upward long before validation accuracy peaks")
    claim(not f.stats["l2c_best"]["clear"], "The best coupled setting, …, differs by … points from no penalty at all, …")
    vals = [summary.summarize(f.coupled[lam])["val_mean"] for lam in sorted(f.coupled)]
    claim(vals == sorted(vals, reverse=True), "validation accuracy falls more slowly but never rises")
    claim(not any(c["clear"] and c["gain"] > 0 for c in [*f.l2c_val.values(), *f.drop_val.values()]),
          "narrow the train − validation gap by lowering training accuracy, and do not raise validation accuracy beyond seed noise")
    claim(not any(c["clear"] and c["gain"] > 0 for c in f.l2c_val.values()), "no λ helps")
    claim(all(c["clear"] and c["gain"] < 0 for lam, c in f.l2c_val.items() if lam >= 1e-3),
          "from λ = 10⁻³ on it costs validation accuracy beyond seed noise")
    claim(not any(c["clear"] for lam, c in f.l2c_val.items() if lam < 1e-3), "smaller λ stay within it")
    claim(f.l2d_low["clear"] and f.l2d_low["gain"] < 0, "One λ, …, validates … no decay, …")  # below it, beyond seed noise
    claim(not any(c["clear"] for lam, c in f.l2d_val.items() if lam != f.low),
          "every other λ of the grid stays within seed noise of no decay, the largest, 10⁻², included")
    claim(f.low != f.grid_top and not f.stats["l2d_top"]["clear"], "Decoupled weight decay on the same grid does little, and nothing that grows with λ")
    claim(not any(g["clear"] for name, g in f.gaps.items() if name.startswith("l2d_")),
          "no λ of the grid moves the train − validation gap beyond seed noise")
    for sentence in ("Only at λ = 0.1, a value typical for AdamW, does decoupled decay narrow the gap",
                     "decoupled weight decay needs λ near 0.1 to narrow the gap"):
        claim(f.gaps["adamw_extra"]["clear"] and f.gaps["adamw_extra"]["gain"] < 0, sentence)
    claim(not f.stats["adamw_extra"]["clear"], "validation accuracy stays within seed noise of no decay")
    gaps = [summary.summarize(runs)["gap"] for runs in f.drop.values()]
    claim(gaps == sorted(gaps, reverse=True), "Dropout narrows the gap steadily")
    claim(not any(c["clear"] for c in f.drop_val.values()), "while validation accuracy barely moves")
    half = f.drop_val[0.5]
    claim(half["gain"] - half["ci"] < -0.9 < 0 < half["gain"] + half["ci"],  # Report A: 88.2% with dropout, 89.1% without
          "The interval at p = 0.5 admits both Report E's finding and Report A's loss")
    claim(not f.gaps["ls"]["clear"], "It leaves the accuracy gap where it was")  # neither narrower nor wider beyond noise
    claim(not f.ls_test["clear"], "not because it is shown to help")
    reproduced = f.replication["smooth_replication_clear"] and f.replication["smooth_replication"] > 0
    claim(f.replication["smooth_replication"] < f.ls_test["gain"] / 2 and not reproduced, "the replication does not reproduce the gain")
    claim(not f.ls_val["clear"] and not f.ls_test["clear"] and f.replication["smooth_replication"] < f.ls_test["gain"] / 2,
          "validation selects label smoothing, but its lead over no regularization is within seed noise on validation and on "
          "test, and a retrained pair does not reproduce it")
