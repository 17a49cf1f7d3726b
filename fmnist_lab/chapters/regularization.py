"""Chapter 4's findings (regularization): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import groups, metrics
from ..runs import studies, summary
from ..runs.study import ChapterResults
from . import claims, findings
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch4", ch.all_runs())
    GAP_COLUMNS = ("s/epoch", "train acc %", "val acc %", "peak val acc %", "peak epoch", "gap (points)")
    cfg, plain = studies.OVERFIT, ch.dropout.runs[ch.dropout.label(dropout=0)]  # no regularization: also λ = 0 and smoothing 0
    coupled = {lam: runs for lam, runs in groups.by_value(ch.l2, "weight_decay", optimizer="adam").items() if lam}
    decoupled, drop = groups.by_value(ch.l2, "weight_decay", optimizer="adamw"), groups.by_value(ch.dropout, "dropout")
    best = {"no regularization": plain, **groups.best(ch.l2, lambda c: c.weight_decay > 0, optimizer="adam"),
            **groups.best(ch.l2, optimizer="adamw"), **groups.best(ch.dropout, lambda c: c.dropout > 0),
            **groups.best(ch.smoothing, lambda c: c.label_smoothing > 0)}
    best_l2, best_ls, winner = list(best)[1], list(best)[-1], summary.select(best)
    stats = report.glue_stats(control=plain, none=plain, l2c_best=best[best_l2], ls=best[best_ls], drop_half=drop[0.5], l2c_mid=coupled[1e-4],
                              l2c_small=coupled[min(coupled)], l2c_max=coupled[max(coupled)], adamw_extra=decoupled[studies.ADAMW_EXTRA])
    report.glue_stopping("stop", ch.all_runs())
    report.glue_spread("l2d_grid", [plain, *(runs for lam, runs in decoupled.items() if lam <= max(studies.L2_LAMBDAS))])
    report.glue_spread("drop_mild", [runs for p, runs in drop.items() if 0 < p <= 0.3], control=plain)
    report.glue_numbers(ch4_epochs=cfg.epochs, ch4_width=cfg.hidden[0],
                        adamw_shrink_grid=metrics.decay_left(cfg, max(studies.L2_LAMBDAS)), adamw_shrink_extra=metrics.decay_left(cfg, studies.ADAMW_EXTRA),
                        adamw_identical=metrics.identical_runs(decoupled[min(decoupled)], plain))  # lr·λ below float32's resolution?
    report.glue_markdown(l2c_best=best_l2, reg_best_name=winner, none_params_text=report.thousands(stats["none"]["params"]),
                         float32_half_ulp=report.scientific(2.0 ** -24))  # float32's eps is 2⁻²³
    report.glue_summary("reg_none", plain), report.glue_summary("reg_best", best[winner])
    ls_val = report.glue_comparison("ls_val_paired", best[best_ls], plain, split="val")  # seed by seed: the seeds' spread cancels
    ls_test = report.glue_comparison("reg_best_gain_test", best[winner], plain)
    replication = findings.smoothing_replication(studies.load("12_beyond_accuracy", quiet=True))  # the same pair, retrained
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
    claim(not f.stats["l2c_best"]["clear"], "The best coupled setting differs from no penalty at all … indistinguishable from it")
    gaps = [summary.summarize(runs)["gap"] for runs in f.drop.values()]
    claim(gaps == sorted(gaps, reverse=True), "Dropout narrows the gap steadily")
    claim(not f.ls_val["clear"], "three seeds measure the gain only roughly")
    claim(not f.ls_test["clear"], "It is the most promising regularizer here, not a proven one")
    claim(f.replication["smooth_replication"] < f.ls_test["gain"] / 2, "the book's replication does not reproduce the gain")
