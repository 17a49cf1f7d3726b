"""Chapter 10's findings (the MLP and CNN recipes, and the book's best MLP): what the page glues and the claims it checks."""
from __future__ import annotations

from types import SimpleNamespace

from .. import report
from ..analysis import leaderboard, metrics
from ..analysis.cost import two_thread_runs
from ..engine import config, data
from ..report import leaderboard_tables
from ..runs import derived, experiments, studies, summary
from ..runs.store import Store
from ..runs.study import ChapterResults
from . import claims, findings
from .claims import claim

NEAR_SAMPLE, NEAR_TWIN = 2000, 2.0  # images per split; "near twin": distance below 2 (pixels in [0, 1])


def near_twins_analysis() -> derived.Analysis:
    """How close validation and test images come to a training image (`metrics.near_twins`): data
    only, so its one input is the dataset (whose files are verified by their checksums)."""
    def compute():
        split = data.load()
        return metrics.near_twins({"val": split.val_images[:NEAR_SAMPLE], "test": split.test_images[:NEAR_SAMPLE]},
                                  split.train_images, NEAR_TWIN)
    return derived.Analysis("near_twins", 1, {"sample": NEAR_SAMPLE, "twin": NEAR_TWIN}, ("fashion-mnist",), compute,
                            chapter="10_best")


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    store = experiments.current_store()
    report.glue_compute("ch10", ch.all_runs())
    runs = {**ch.best.runs, **ch.long.runs, **ch.refit.runs}  # the refit runs trained on train + val: test only
    M, C, P, D, L, F = (report.glue_summary(prefix, runs[label], detail=True) for prefix, label in zip(
        ("bmlp", "bcnn", "plain", "dist", "long", "refit"),
        (studies.STACKED_MLP_LABEL, studies.BEST_CNN_LABEL, studies.SHORT_PLAIN, studies.DISTILLED, studies.LONG_SHIFTED, studies.REFIT)))
    # Where the two started: chapter 3's reference MLP and chapter 9's best small CNN (only those groups load).
    Rr = experiments.ensure(studies.DEPTH.configs()[studies.DEPTH.label(hidden=config.REFERENCE.hidden)], quiet=True)
    cnns = {label: experiments.ensure(studies.CNN.configs()[label], quiet=True) for label in studies.CNN.labels(model="cnn")}
    C9r = cnns[summary.select(cnns)]
    R, C9 = summary.summarize(Rr), summary.summarize(C9r)
    GOALS = studies.TARGETS  # (goal, minimum) per family, set before training
    CNN_MINUTES_PER_SEED = 30  # the CNN's compute budget per seed on two CPU cores
    minutes = report.glue_minutes(bmlp=runs[studies.STACKED_MLP_LABEL], bcnn=runs[studies.BEST_CNN_LABEL], plain=runs[studies.SHORT_PLAIN], dist=runs[studies.DISTILLED],
                                  long=runs[studies.LONG_SHIFTED], refit=runs[studies.REFIT])  # two threads, one machine each
    timed = len(two_thread_runs(runs[studies.BEST_CNN_LABEL]))  # a budget met by the seeds timed alike, and no more
    report.glue_markdown(bcnn_budget=("" if timed == len(runs[studies.BEST_CNN_LABEL]) else f"on {'that seed' if timed == 1 else 'those seeds'}, ")
                         + ("within" if minutes["bcnn"] <= CNN_MINUTES_PER_SEED else "over"),
                         near_images=report.plural(NEAR_SAMPLE, "image"),
                         **{f"{p}_verdict": report.target_verdict(S["test_mean"], *GOALS["CNN" if S is C else "MLP"], again=p in ("refit", "dist"))
                            for p, S in zip(("bmlp", "bcnn", "refit", "dist"), (M, C, F, D))})
    report.glue_numbers(recipe_val_lead=report.points(M, P, "val"))  # the untaught short run trails the recipe by this
    ran = {label: runs[label] for label in (studies.STACKED_MLP_LABEL, studies.BEST_CNN_LABEL, studies.SHORT_PLAIN, studies.DISTILLED,
                                            studies.LONG_SHIFTED, studies.REFIT)}
    Mr, Cr, Pr, Dr, Lr, Fr = ran.values()
    comparisons = {name: report.glue_comparison(name, a, b, *split) for name, (a, b, *split) in dict(  # run lists: paired by seed
        mlp_gain=(Mr, Rr), cnn_gain=(Cr, C9r), gain_cnn09=(C9r, Rr), headline_gap=(Cr, Mr), refit_gain=(Fr, Pr),
        recipe_val=(Mr, Pr, "val"), recipe_test=(Mr, Pr), long_vs_val=(Lr, Mr, "val"), long_vs_test=(Lr, Mr),
        dist_val_gain=(Dr, Pr, "val"), dist_test_gain=(Dr, Pr)).items()}
    split, teacher = data.load(), Store().load(studies.TEACHER)  # the committed seed-0 best CNN, in every profile
    imitation = metrics.imitation({"taught": runs[studies.DISTILLED], "plain": runs[studies.SHORT_PLAIN]}, teacher, split.test_labels.numpy())
    mcnemar = metrics.paired_mcnemar(split.test_labels.numpy(), *([metrics.predictions(r) for r in runs[label]]
                                                                 for label in (studies.BEST_CNN_LABEL, studies.STACKED_MLP_LABEL)))
    twins = near_twins_analysis()  # distances to the closest training image: data only, so the committed record serves every profile
    near = derived.load(Store(), twins) or derived.ensure(store, twins)
    rows = leaderboard.entries(store)
    book = findings.glue_book_best(store, rows)  # the book's best MLP and best CNN (the rule: leaderboard.best_mlp)
    chosen = leaderboard.best_mlp(rows, store)
    report.glue_markdown(book_saved="has its weights saved too" if chosen and chosen.pick.saved(store) else "was trained without saving its weights")
    gaps = leaderboard.val_test_gaps(leaderboard.all_entries(store))  # every row selected on validation, classical and ensemble too
    report.glue_numbers(ref_test=R["test_mean"], ref_val=R["val_mean"], cnn09_test=C9["test_mean"], param_ratio=M["params"] / C["params"],
                        teacher_test=teacher["test"]["acc"], dist_weight=studies.DISTILLED_MLP.distill_weight,
                        dist_temperature=studies.DISTILLED_MLP.distill_temperature, near_twin=NEAR_TWIN,
                        **imitation, **near, **{f"mc10_{k}": v for k, v in mcnemar.items()}, **{f"lb_{k}": v for k, v in gaps.items()})
    report.glue_markdown(mc10_p_text=report.scientific(mcnemar["p_max"]))
    leaderboard_tables.glue_claims({"MLP": book["book_mlp_test"], "CNN": C["test_mean"]})  # the book's best against the reports' best claims
    ranked = leaderboard.ranked_gains(rows, store)  # what mattered most: each chapter's pick against its own control
    leaderboard_tables.glue_gains(ranked, studies.BEST_MLP)
    for name, recipe in (("tab_recipe_mlp", studies.BEST_MLP), ("tab_recipe_cnn", studies.BEST_CNN)):
        report.glue_table(name, report.config_changes(recipe))
    report.glue_table("tab_best", report.summary_table({**ch.best.runs, **ch.long.runs}, label="model", test=True, compact=True));
    report.glue_table("tab_recipe_dist", report.config_changes(studies.DISTILLED_MLP, studies.BEST_MLP_SHORT_PLAIN, "untaught MLP"));
    report.glue_table("tab_leaderboard", leaderboard_tables.table(leaderboard.all_entries(store), compact=True));
    report.glue_table("tab_gains", leaderboard_tables.gains_table(ranked))
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    M, C, C9, P, D, L, F, R = f.M, f.C, f.C9, f.P, f.D, f.L, f.F, f.R
    claim(C["test_mean"] > M["test_mean"], "A small CNN with the same optimizer, schedule and smoothing, … times smaller, is … points better")
    claim(C9["test_mean"] > M["test_mean"], "even chapter 9's small CNN, only its dropout tuned (…), beats the tuned MLP")
    claim(M["gap"] > C["gap"], "The MLP recipe fits its training images … points better than validation images (…), the CNN only … points")
    claim(F["test_mean"] > P["test_mean"], "the short plain MLP scores … on test, … points over the same recipe trained on 50 000 images")
    claim(L["val_mean"] < M["val_mean"],
          "the CNN's augmentation (with shifts) over 100 epochs makes it under-fit: … validation points against the recipe")
    claim(L["train_mean"] < M["train_mean"], "it gets only … of its own training images right (the recipe …)")
    claim(L["gap"] < M["gap"], "It no longer over-fits; it under-fits")
    # The prose calls studies.BEST_MLP "the MLP recipe" and names the book's best MLP (leaderboard.best_mlp) as
    # the recipe or chapter 11's variant of it, behind the best CNN.
    best_mlp, best_cnn = leaderboard.best_mlp(f.rows, f.store).pick, leaderboard.best(f.rows, "CNN")
    claim((best_mlp.study, best_mlp.label) == (studies.BEST, studies.STACKED_MLP_LABEL) or best_mlp.study.chapter == "11_ceiling",
          "Chapter 11 tries known tricks on top of this MLP recipe and re-runs the best published MLP recipe. The book's best MLP, by one rule (…), is …")
    claim(f.book["book_gap"] > 0, "It scores … on test, … points below the best CNN")
    claim((best_cnn.study, best_cnn.label) == (studies.BEST, studies.BEST_CNN_LABEL),
          "The best CNN scores … ± … and …, … points over chapter 9's selected CNN")
    # Which rows beat the best MLP on test, and why neither is chosen; then what distillation did.
    claim({l for l in f.ch.best.where(model="mlp") if f.ch.best.summaries[l]["test_mean"] > M["test_mean"]} == {studies.SHORT_PLAIN, studies.DISTILLED},
          "Two MLPs in the table score higher on test than the MLP recipe")
    claim(0 < M["val_mean"] - P["val_mean"], "there the MLP without augmentation at 30 epochs trails it by … points")
    claim(not f.comparisons["recipe_val"]["clear"], "validation cannot tell the two apart")
    claim(D["gap"] < P["gap"], "It also fits its training images less tightly")
    claim(not f.comparisons["dist_test_gain"]["clear"], "The validation gain does not carry over to the test set")
    claim(D["val_mean"] - D["test_mean"] > P["val_mean"] - P["test_mean"], "the gap between the two grows from … points untaught to … taught")
    claim(f.imitation["agree_taught"] > f.imitation["agree_plain"],
          "It did move towards its teacher: it gives the teacher's answer on … of the test images")
    claim(f.imitation["copied_taught"] > f.imitation["copied_plain"], "of the … test images the teacher gets wrong it makes the same mistake on …")
    # Validation flatters every configuration, and not by near twins.
    claim(f.gaps["test_lower"] == f.gaps["rows"], "in every one of the … configurations the leaderboard selects on validation, test is lower")
    claim(R["val_mean"] > R["test_mean"], "a configuration fixed before any selection shows it too")
    claim(abs(f.near["near_val"] / f.near["near_test"] - 1) < 0.02,
          "the closest training image is as far from a validation image as from a test image")
    claim(abs(f.near["twins_val"] - f.near["twins_test"]) < 0.02, "as few have a near twin closer than …")
    # What mattered most: the ranked gains of each chapter's pick against its own control.
    ranked = f.ranked
    adopted, act = [g for g in ranked if g.adopted_by(studies.BEST_MLP)], next(g for g in ranked if g.study is studies.ACTIVATION)
    claim(len(adopted) == 4, "The … picks the MLP recipe adopts add up to … ± … points one at a time (…); stacked, with batch norm, dropout, AdamW and flips on top")
    claim(len(adopted) == len({g.against for g in adopted}), "the single gains were measured against … different controls")
    claim(abs(sum(g.test for g in adopted) - report.points(M, R)) < 0.5, "The two agree")
    claim(ranked[0].test < report.points(M, R), "Two dotted vertical lines further right mark the stacked MLP recipe's and chapter 9's CNN's gains")
    claim(report.points(M, R) < report.points(C9, R),
          "Swapping the MLP for chapter 9's small CNN … is worth … over the reference MLP — more than everything stacked")
    claim(all(g.test < 1.0 for g in ranked), "No single change is worth a full point")
    claim(all(g.same_machine for g in ranked),
          "In parentheses: training time per seed relative to the control")  # a ratio of times from one machine
    claim(ranked[0].study is studies.WIDTH, "Width gives the largest single gain")
    claim(ranked[0].cost > 4, "at several times the training time")
    claim([g.clear for g in ranked] == [True] + [False] * (len(ranked) - 1),
          "the gain is beyond seed noise only for … (…), so the order of the others is not established")
    claim(act.study.groups[act.pick].activation == "leaky_relu", "Leaky ReLU, ranked … of …")
    claim(act.study.groups[act.control] == config.REFERENCE, "chapter 5 concluded that the activation matters far less at two hidden layers than at six")
    claim(not act.clear, "Its interval includes zero")
    claim(not act.adopted_by(studies.BEST_MLP), "Leaky ReLU … is not in the recipe")
