"""Chapter 7's findings (optimizers and learning rates): what the page glues and the claims it checks."""
from __future__ import annotations

import statistics
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
    cell = lambda o, lr: opt.label(optimizer=o, lr=lr)  # a grid cell's label, from its settings
    runs = lambda o, lr: opt.runs[cell(o, lr)]
    report.glue_summaries(opt, opt_best=top, opt_adam3=cell("adam", 1e-3), opt_adam4=cell("adam", 1e-4), opt_sgd_best=best["sgd"],
                          opt_sgd_small=cell("sgd", 1e-4), opt_sgd_1e3=cell("sgd", 1e-3), opt_mom_1e4=cell("momentum", 1e-4))
    best_vs_adam3 = report.glue_comparison("opt_best_vs_adam3", opt.runs[top], runs("adam", 1e-3), split="val")
    beats_adam3 = [l for l in S if (c := report.compare(opt.runs[l], runs("adam", 1e-3), "val"))["clear"] and c["gain"] > 0]
    adam_tie = report.glue_comparison("opt_adam4_vs_adam3", runs("adam", 1e-4), runs("adam", 1e-3), split="val")
    widest = report.glue_spread("opt_best", [opt.runs[l] for l in ranked])  # between two optimizers at their best rates
    # SGD wants a larger rate than Adam: each loses beyond seed noise when moved a decade towards the other's best
    sgd_down, adam_up = (report.compare(runs(*a), runs(*b), "val") for a, b in ((("sgd", 0.1), ("sgd", 1e-2)), (("adam", 1e-3), ("adam", 1e-2))))
    diverged, chance = [name(l) for l, s in S.items() if s["diverged"]], [name(l) for l, s in S.items() if s["val_mean"] < 0.5]
    report.glue_markdown(opt_best_cell=name(top),
                         opt_failures=(f"The loss became infinite or NaN in {report.join(diverged)}" if diverged else
                                       "No run's loss became infinite or NaN")
                         + (f"; {report.plural(len(chance), 'cell')} ended below 50%: {report.join(chance)}" if chance else
                            "; no cell ended below 50%"),
                         opt_sgd_best_lr_text=labels.small(opt.study.groups[best["sgd"]].lr),
                         opt_adaptive_big_text=f"{100 * max(val(optimizer=o, lr=0.1) for o in adaptive):.1f}",  # as the heat map rounds them
                         opt_sgd_small_text=f"{100 * val(optimizer='sgd', lr=1e-4):.1f}")
    report.glue_numbers(opt_grid_min=min(s["val_mean"] for s in S.values()),
                        opt_adaptive_small_min=min(val(optimizer=o, lr=1e-4) for o in adaptive),
                        # momentum 0.9 takes steps about 1 / (1 - 0.9) = 10 times longer: lr x matches plain SGD at 10 x
                        **{f"mom_equiv_{i}": 100 * abs(val(optimizer="momentum", lr=lr) - val(optimizer="sgd", lr=10 * lr))
                           for i, lr in enumerate((1e-4, 1e-3, 1e-2))})
    mom_equiv_2 = report.compare(runs("momentum", 1e-2), runs("sgd", 0.1), "val")
    report.glue_markdown(mom_equiv_2_verdict=report.noise_verdict(mom_equiv_2["gain"], mom_equiv_2["ci"]))
    # How much each validation-loss curve jitters (metrics.roughness), in thousandths of a unit of cross-entropy
    named = {"adam3": cell("adam", 1e-3), "adam4": cell("adam", 1e-4), "sgd": best["sgd"], "mom": best["momentum"]}
    curves = {label: opt.runs[label] for label in named.values()}  # the figure's curves, by the study's labels
    rough_of = lambda r: 1000 * metrics.roughness(r)
    report.glue_numbers(**{f"rough_{i}": statistics.fmean(map(rough_of, runs)) for i, runs in enumerate(curves.values())})

    def jitter(a: str, b: str) -> dict:  # curve a's roughness minus curve b's, paired by seed
        j = report.paired(opt.runs[named[a]], opt.runs[named[b]], value=rough_of)
        return j | {"verdict": report.noise_verdict(j["gain"], j["ci"])}

    jit = {f"{a}_{b}": jitter(a, b) for a, b in (("sgd", "adam3"), ("mom", "adam3"), ("sgd", "adam4"), ("mom", "adam4"), ("adam3", "adam4"))}
    report.glue_markdown(**{f"rough_{k}_verdict": j["verdict"] for k, j in jit.items()})
    sched, T = ch.schedule, ch.schedule.summaries
    const, top_sched = sched.label(schedule="constant"), sched.pick()
    decaying = [label for label in T if label != const]
    gains = {label: report.compare(sched.runs[label], sched.runs[const], "val") for label in decaying}  # paired by seed
    smallest = min(decaying, key=lambda label: gains[label]["gain"])
    report.glue_table("tab_schedules", report.summary_table(sched.runs, label="schedule (Adam, lr 10⁻³)"))
    report.glue_summaries(sched, sched_best=top_sched, sched_const=const)
    test_gain = report.glue_comparison("sched_test_gain", sched.runs[top_sched], sched.runs[const])  # same seeds, paired
    protocol = report.glue_comparison("sched_protocol_gain", sched.runs[const], runs("adam", 1e-3), split="val")  # same net, patience 5
    decay_widest = report.glue_spread("sched_decay", [sched.runs[label] for label in decaying])
    report.glue_markdown(sched_best=top_sched, sched_min_gain_verdict=report.noise_verdict(gains[smallest]["gain"], gains[smallest]["ci"]))
    report.glue_numbers(sched_epochs=sched.study.groups[const].epochs, sched_min_gain=min(g["gain"] for g in gains.values()),
                        sched_max_gain=max(g["gain"] for g in gains.values()))
    bl, B, best_b = ch.batch_lr, ch.batch_lr.summaries, {b: ch.batch_lr.pick(batch_size=b) for b in studies.BATCH_SIZES}
    at = lambda b, lr: B[bl.label(batch_size=b, lr=lr)]["val_mean"]
    cells = lambda b, lr: bl.runs[bl.label(batch_size=b, lr=lr)]
    report.glue_table("tab_batch", report.summary_table({l: bl.runs[l] for l in best_b.values()}, label="SGD + momentum 0.9"))
    report.glue_markdown(ch7_timing=report.timing_note([*bl.all_runs(), *sched.all_runs(), *(r for l in ranked for r in opt.runs[l])]),
                         bl_diverged_cells=report.join([f"{l} ({s['diverged']} of {s['seeds']} seeds)" for l, s in B.items() if s["diverged"]]) or "none")
    report.glue_numbers(**{f"bl_best_{k}_{b}": v for b, l in best_b.items() for k, v in
                           (("sec", B[l]["sec_per_epoch"]),)},
                        bl_512_small=at(512, 0.01), bl_512_big=at(512, 0.1), bl_32_stall=at(32, 0.1))
    bl_32_cost = report.glue_comparison("bl_32_cost", cells(32, 0.01), cells(32, 0.03), split="val")  # lr 0.03 against 10⁻² at batch 32
    bl_512_gain = report.glue_comparison("bl_512_gain", cells(512, 0.1), cells(512, 0.01), split="val")  # lr 0.1 against 10⁻² at batch 512
    bl_widest = report.glue_spread("bl_best", [bl.runs[l] for l in best_b.values()])
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    claim(not f.widest["clear"], "even the widest of those gaps is …")
    claim(not f.best_vs_adam3["clear"] and not f.beats_adam3, "Adam at 10⁻³, this book's default, gives nothing measurable away")
    claim(not f.beats_adam3, "nothing here beats it beyond seed noise either")
    claim(not f.widest["clear"], "at its best rate each of six optimizers lands no more than … points from the others, a gap within seed noise")
    claim(not f.adam_tie["clear"], "On Adam's own row, 10⁻³ and 10⁻⁴ are tied")
    claim(not f.mom_equiv_2["clear"], "and … points for η = 10⁻², …")
    claim(f.sgd_down["clear"] and f.sgd_down["gain"] > 0 and f.adam_up["clear"] and f.adam_up["gain"] > 0,
          "\"SGD needs a higher learning rate than Adam\" (Reports A and E) holds")
    claim(not f.jit["sgd_adam3"]["clear"] and not f.jit["mom_adam3"]["clear"],
          "Adam at 10⁻³ is not measurably jumpier than either SGD variant")
    claim(all(f.jit[k]["clear"] and f.jit[k]["gain"] > 0 for k in ("sgd_adam4", "mom_adam4")),
          "Only the ten times smaller step stands out: Adam at 10⁻⁴ is smoother than both SGD variants")
    claim(all(g["clear"] and g["gain"] > 0 for g in f.gains.values()),
          "Every schedule that lowers the rate beats the constant one, by … points of validation accuracy or more")
    claim(not f.decay_widest["clear"], "the three decaying schedules lie within … points of each other")
    claim(not f.test_gain["clear"], "a test difference of … points, …")
    claim(not f.protocol["clear"], "Whether the protocol is worth anything by itself is open")
    claim(f.bl_32_cost["clear"] and f.bl_32_cost["gain"] > 0 and f.B[f.bl.label(batch_size=32, lr=0.1)]["val_mean"] < 0.5,
          "At batch 32, lr 0.03 already costs … points against lr 10⁻² …, and lr 0.1 stalls")
    claim(not f.bl_512_gain["clear"], "at batch 512, lr 0.1 is as good as 10⁻²")
    claim(all(f.B[f.bl.label(batch_size=b, lr=lr)]["val_mean"] > 0.85 and not f.B[f.bl.label(batch_size=b, lr=lr)]["diverged"]
              for b in (128, 512) for lr in (0.01, 0.03)),  # where Report B's plain SGD (batch 400, lr 0.2) falls on the map
          "between the map's two smallest rates at its larger batches, where no cell stalls or diverges")
    claim(not f.bl_widest["clear"], "Tuned together, the best cells of the three rows lie within … points of each other")
