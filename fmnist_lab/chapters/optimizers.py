"""Chapter 7's findings (optimizers and learning rates): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import metrics
from ..engine import choices, labels
from ..runs import studies
from ..runs.study import ChapterResults
from . import claims
from .claims import claim


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    report.glue_compute("ch7", ch.all_runs())
    opt, S = ch.optimizer, ch.optimizer.summaries
    val = lambda **fields: opt.summary(**fields)["val_mean"]
    name = lambda label: f"{report.optimizer_title(opt.study.groups[label])} at {labels.small(opt.study.groups[label].lr)}"
    best = {o: opt.pick(optimizer=o) for o in choices.OPTIMIZERS}  # each optimizer's best rate, on validation
    ranked, top, adaptive = sorted(best.values(), key=lambda l: -S[l]["val_mean"]), opt.pick(), ("rmsprop", "adam", "adamw")
    report.glue_table("tab_optimizers", report.summary_table({name(l): opt.runs[l] for l in ranked}, label="optimizer, best rate", test=True))
    report.glue_numbers(opt_best_val_std_points=100 * S[top]["val_std"])  # a spread of accuracies, in points
    cell = lambda o, lr: opt.label(optimizer=o, lr=lr)  # a grid cell's label, from its settings
    report.glue_summaries(opt, opt_best=top, opt_adam3=cell("adam", 1e-3), opt_adam4=cell("adam", 1e-4), opt_sgd_best=best["sgd"],
                          opt_sgd_small=cell("sgd", 1e-4), opt_sgd_1e3=cell("sgd", 1e-3), opt_mom_1e4=cell("momentum", 1e-4))
    report.glue_comparison("opt_adam3_gap_to_best", S[top], opt.summary(optimizer="adam", lr=1e-3), split="val")
    report.glue_comparison("opt_best_vs_adam3", opt.runs[top], opt.runs[opt.label(optimizer="adam", lr=1e-3)], split="val")
    diverged, chance = [name(l) for l, s in S.items() if s["diverged"]], [name(l) for l, s in S.items() if s["val_mean"] < 0.5]
    report.glue_markdown(opt_best_cell=name(top), opt_ranking=report.join([f"{name(l)}: {report.pct(S[l]['val_mean'])}%" for l in ranked]),
                         opt_failures=(f"The loss became infinite or NaN in {report.join(diverged)}" if diverged else
                                       "No run's loss became infinite or NaN")
                         + (f"; {report.plural(len(chance), 'cell')} ended below 50%: {report.join(chance)}" if chance else
                            "; no cell ended below 50%"),
                         **{f"opt_{o}_best_lr_text": labels.small(opt.study.groups[best[o]].lr) for o in ("sgd", "adam")},
                         opt_adaptive_big_text=f"{100 * max(val(optimizer=o, lr=0.1) for o in adaptive):.1f}",  # as the heat map rounds them
                         opt_sgd_small_text=f"{100 * val(optimizer='sgd', lr=1e-4):.1f}")
    report.glue_numbers(**{f"opt_{o}_best_lr": opt.study.groups[best[o]].lr for o in best}, opt_grid_min=min(s["val_mean"] for s in S.values()),
                        opt_adaptive_big_val=max(val(optimizer=o, lr=0.1) for o in adaptive),
                        opt_adaptive_small_min=min(val(optimizer=o, lr=1e-4) for o in adaptive),
                        opt_spread_best=100 * (S[ranked[0]]["val_mean"] - S[ranked[-1]]["val_mean"]),
                        # momentum 0.9 takes steps about 1 / (1 - 0.9) = 10 times longer: lr x matches plain SGD at 10 x
                        **{f"mom_equiv_{i}": 100 * abs(val(optimizer="momentum", lr=lr) - val(optimizer="sgd", lr=10 * lr))
                           for i, lr in enumerate((1e-4, 1e-3, 1e-2))})
    compare = {label: opt.runs[label] for label in (cell("adam", 1e-3), cell("adam", 1e-4), best["sgd"], best["momentum"])}
    report.glue_numbers(**{f"rough_{i}": sum(map(metrics.roughness, runs)) / len(runs) for i, runs in enumerate(compare.values())})
    report.glue_markdown(**{f"rough_epoch_{i}": report.number(S[label]["epochs"], 1) for i, label in enumerate(compare)})
    sched, T = ch.schedule, ch.schedule.summaries
    const, top_sched = sched.label(schedule="constant"), sched.pick()
    gains = [100 * (s["val_mean"] - T[const]["val_mean"]) for label, s in T.items() if label != const]
    report.glue_table("tab_schedules", report.summary_table(sched.runs, label="schedule (Adam, lr 10⁻³)"))
    report.glue_summaries(sched, sched_best=top_sched, sched_const=const)
    report.glue_comparison("sched_test_gain", T[top_sched], T[const])
    report.glue_comparison("sched_protocol_gain", sched.runs[const], opt.runs[opt.label(optimizer="adam", lr=1e-3)], split="val")  # same net, patience 5
    report.glue_markdown(sched_best=top_sched)
    report.glue_numbers(sched_epochs=sched.study.groups[const].epochs, sched_min_gain=min(gains), sched_max_gain=max(gains),
                        sched_annealed_spread=max(gains) - min(gains), sched_max_std=100 * max(s["val_std"] for s in T.values()))
    bl, B, best_b = ch.batch_lr, ch.batch_lr.summaries, {b: ch.batch_lr.pick(batch_size=b) for b in studies.BATCH_SIZES}
    at = lambda b, lr: B[bl.label(batch_size=b, lr=lr)]["val_mean"]
    report.glue_table("tab_batch", report.summary_table({l: bl.runs[l] for l in best_b.values()}, label="SGD + momentum 0.9"))
    report.glue_markdown(ch7_timing=report.timing_note([*bl.all_runs(), *sched.all_runs(), *(r for l in ranked for r in opt.runs[l])]),
                         bl_diverged_cells=report.join([f"{l} ({s['diverged']} of {s['seeds']} seeds)" for l, s in B.items() if s["diverged"]]) or "none")
    report.glue_numbers(**{f"bl_best_{k}_{b}": v for b, l in best_b.items() for k, v in
                           (("lr", bl.study.groups[l].lr), ("val", B[l]["val_mean"]), ("sec", B[l]["sec_per_epoch"]))},
                        bl_best_spread=100 * (max(B[l]["val_mean"] for l in best_b.values()) - min(B[l]["val_mean"] for l in best_b.values())),
                        bl_512_small=at(512, 0.01), bl_32_stall=at(32, 0.1), bl_32_drop=100 * (at(32, 0.01) - at(32, 0.03)))
    report.glue_markdown(**{f"bl_best_lr_{b}_text": labels.small(bl.study.groups[l].lr) for b, l in best_b.items()})  # '10⁻²', as λ is written
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    claim(not f.diverged, "No run's loss became infinite or NaN")  # the grid's caption: it marks no divergence
    claim(f.best["adam"] == f.cell("adam", 1e-4), "Adam at …, its own best rate on validation and a ten times smaller step, is the smoothest of all")
