"""Chapter 11's findings (how far can an MLP go?): the tricks' table and glue, the frontier's glue and the
validation pick among the candidates."""
from __future__ import annotations

import math
import re
import statistics
from types import SimpleNamespace
from typing import Any

import pandas as pd

from .. import report
from ..analysis import ceiling, cost, leaderboard, robustness
from ..analysis.ceiling import helped
from ..analysis.metrics import machine
from ..analysis.statistics import shown_points
from ..report.figures.frontier import frontier_axis
from ..report.format import pm, signed
from ..report.settings import added, addition, reader_name
from ..runs import derived, experiments, studies, summary
from ..runs.derived import Analysis
from ..runs.store import Store
from ..runs.study import ChapterResults
from . import claims, findings
from .claims import claim
from ..runs.summary import ci95, select, summarize


# ---- Tables and glue for the chapter's prose ------------------------------------------------------------
def short_name(label: str) -> str:
    """A variant's glue prefix, from what its label adds: "… + weight averaging" -> "weight_averaging",
    "… + one-cycle schedule" -> "one_cycle_schedule" (so two variants never share one)."""
    return re.sub(r"[^a-z0-9]+", "_", " ".join(added(label)).lower()).strip("_")


def flip_label(control: str) -> str:
    """The test-time flip's row: the control's saved networks, each image scored with its mirror image."""
    return f"{control} + test-time flip"


FLIP = flip_label(studies.STACKED_MLP_LABEL)


def flip_gain(flips: pd.DataFrame, split: str = "val") -> float:
    """The test-time flip's gain over the same saved networks scoring once, as the table prints it
    (the difference of the printed means, `shown_points`)."""
    return shown_points(flips[f"{split}_flip"].mean(), flips[split].mean())


def flip_test(flips: pd.DataFrame) -> tuple[float, float]:
    """The test-time flip's test gain (`flip_gain`) and its paired 95% half-width."""
    return flip_gain(flips, "test"), ci95(list(flips["test_gain"]))


def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def tricks_table(runs: dict[str, list[dict[str, Any]]], gains: pd.DataFrame, control: str,
                 flips: pd.DataFrame | None = None) -> pd.DataFrame:
    """The recipe and each trick: validation and test accuracy (mean ± std, %), the mean paired test
    gain (points), its paired 95% interval in a column of its own ('−0.62 to +0.60', unbroken: with
    the gain in one cell it wrapped onto three lines) and the seeds ahead on test. (The validation
    gain, the difference of the validation means, is left to the figure and the prose: the table
    must fit a laptop's page.)
    `flips` (`flip_gains`) adds the test-time flip of the recipe's saved networks as a last row.
    (Every trick trains the same epochs; the frontier shows what each costs.)"""

    def interval(gain: float, ci: float) -> str:
        return "–" if math.isnan(ci) else f"{signed(gain - ci)}\u00a0to\u00a0{signed(gain + ci)}"

    def row(label, val, test, gain=None):
        cells = {"model": label, "val acc %": pm(*val), "test acc %": pm(*test)}
        if gain is None:
            return cells | {"test gain (points)": "–", "95% interval": "–", "ahead on test": "–"}  # the control itself
        return cells | {"test gain (points)": signed(gain["test_gain"]), "95% interval": interval(gain["test_gain"], gain["test_ci"]),
                        "ahead on test": f"{gain['ahead']} of {gain['seeds']}"}

    rows = []
    for label, results in runs.items():
        s = summarize(results)
        gain = None if label == control else gains[gains["trick"] == label].iloc[0]
        rows.append(row(label, (s["val_mean"], s["val_std"]), (s["test_mean"], s["test_std"]), gain))
    if flips is not None and len(flips):
        gain = {"val_gain": flip_gain(flips), **dict(zip(("test_gain", "test_ci"), flip_test(flips))),
                "ahead": int((flips["test_gain"] > 0).sum()), "seeds": len(flips)}
        rows.append(row(flip_label(control), _mean_std(list(flips["val_flip"])), _mean_std(list(flips["test_flip"])), gain))
    return pd.DataFrame(rows)


def glue_tricks(gains: pd.DataFrame, flips: pd.DataFrame) -> dict[str, Any]:
    """Glue each trick's numbers as `<name>_<fact>` (see `short_name`): `_val_gain`, `_test_gain`
    (signed points), `_test_low`, `_test_high` (its paired interval), `_ahead`, `_seeds` (no cost: the recipe's seeds were not timed alike);
    the test-time flip's as `flip_val`, `flip_test`, `flip_test_low`, `flip_test_high`, `flip_ahead`;
    `helped_words` (the tricks that raised validation accuracy, in words), `top_trick`, `top_gain`
    (the largest mean test gain, flips included). Returns the facts."""

    facts: dict[str, Any] = {}
    for g in gains.itertuples():
        name = short_name(g.trick)
        facts |= {f"{name}_val_gain": g.val_gain, f"{name}_test_gain": g.test_gain, f"{name}_test_low": g.test_gain - g.test_ci,
                  f"{name}_test_high": g.test_gain + g.test_ci, f"{name}_ahead": g.ahead, f"{name}_seeds": g.seeds}
    flip_t, flip_ci = flip_test(flips)
    facts |= {"flip_val": flip_gain(flips), "flip_test": flip_t, "flip_test_low": flip_t - flip_ci,
              "flip_test_high": flip_t + flip_ci, "flip_ahead": int((flips["test_gain"] > 0).sum()), "flip_seeds": len(flips)}
    candidates = {**dict(zip(gains["trick"], gains["test_gain"])), "the test-time flip": flip_t}
    top = max(candidates, key=candidates.get)
    signed_names = [k for k in facts if k.endswith(("_gain", "_low", "_high")) or k in ("flip_val", "flip_test")]
    report.glue_markdown(**{k: report.signed(facts[k]) for k in signed_names},
                         helped_words=report.join([addition(t) for t in helped(gains)]) or "none",
                         top_trick=addition(top), top_gain=report.signed(candidates[top]))
    report.glue_numbers(**{k: v for k, v in facts.items() if k not in signed_names})
    return facts | {"top_trick": top, "top_gain": candidates[top]}


def glue_frontier(mlps: pd.DataFrame, goal: float, minimum: float) -> dict[str, Any]:
    """Glue what the frontier paragraph quotes: `front_n` (MLPs on the frontier) of `mlps_n`, of which
    `taught_n` were taught by a CNN and `plain_n` not; the most accurate MLP on test (`top_label`,
    by a reader's name, `robustness.reader_name`; `top_test`, `top_val`, `top_minutes`); the
    frontier point before it (`prev_label`, `prev_test`, `prev_minutes`) and how many times its
    cost the last step takes (`top_ratio`); `costlier_n`, the MLPs that cost more than the top one,
    and `costlier_val_higher_n`, how many of them validate higher; `goal_gap` and `minimum_gap`,
    the goal and the minimum minus the best test accuracy (points); `axis_floor` (%) and
    `below_axis_n`, the figure's lowest accuracy and how many MLPs lie below it (`frontier_axis`)."""

    top = mlps.loc[mlps["test"].idxmax()]
    front = mlps[mlps["frontier"] & (mlps["cpu_minutes"] < top["cpu_minutes"])]
    prev = front.loc[front["cpu_minutes"].idxmax()] if len(front) else top
    costlier = mlps[mlps["cpu_minutes"] > top["cpu_minutes"]]
    floor = frontier_axis(mlps, (goal, minimum))[0]
    taught = int((mlps["family"] != "MLP").sum())
    facts = {"front_n": int(mlps["frontier"].sum()), "mlps_n": len(mlps), "taught_n": taught, "plain_n": len(mlps) - taught,
             "top_test": top["test"], "top_val": top["val"],
             "top_minutes": top["cpu_minutes"], "prev_test": prev["test"], "prev_minutes": prev["cpu_minutes"],
             "top_ratio": top["cpu_minutes"] / prev["cpu_minutes"], "costlier_n": len(costlier),
             "costlier_val_higher_n": int((costlier["val"] > top["val"]).sum()), "goal_gap": 100 * (goal - top["test"]),
             "minimum_gap": 100 * (minimum - top["test"]), "axis_floor": floor,
             "below_axis_n": int((100 * mlps["test"] < floor).sum())}
    report.glue_numbers(**facts)
    ratio = facts["top_ratio"]  # a step at about the same cost is a setting, not more compute
    report.glue_markdown(top_label=reader_name(top), prev_label=reader_name(prev),
                         top_step_cost=f"{report.number(ratio, 0)} times the compute" if ratio >= 1.5 else "about the same compute")
    return facts | {"top_label": top["label"], "prev_label": prev["label"]}


def glue_pick(pick: str, runs: dict[str, list[dict[str, Any]]], candidates: list[str], goal: float,
              minimum: float) -> dict[str, Any]:
    """Glue the validation pick among `candidates` (labels of `runs`): `pick` (label), `pick_val`,
    `pick_val_std`, `pick_test`, `pick_test_std`, `pick_verdict` (against the goal and the minimum,
    `report.target_verdict`); the runner-up on validation (`pick_runner_up`) and the pick's lead over
    it, paired by seed (`pick_margin`, signed points, and `pick_margin_verdict`): a lead within seed
    noise does not really separate the two. Returns the facts."""

    s = summarize(runs[pick])
    others = {label: runs[label] for label in candidates if label != pick}
    runner = select(others) if others else pick
    lead = report.compare(runs[pick], runs[runner], "val")  # the difference of the printed means, the interval paired
    report.glue_markdown(pick=pick, pick_verdict=report.target_verdict(s["test_mean"], goal, minimum), pick_runner_up=runner,
                         pick_margin=report.signed(lead["gain"]), pick_margin_verdict=report.noise_verdict(lead["gain"], lead["ci"]))
    report.glue_numbers(pick_val=s["val_mean"], pick_val_std=s["val_std"], pick_test=s["test_mean"], pick_test_std=s["test_std"])
    return {"pick": pick, "test": s["test_mean"], "goal_reached": s["test_mean"] >= goal, "runner_up": runner,
            "margin": lead["gain"], "margin_ci": lead["ci"]}


def published_table(pub: list[dict[str, Any]]) -> pd.DataFrame:
    """The published recipe's seeds (validation and test accuracy, %, the epoch kept), their mean ±
    std, and the paper's one test-watched run beside them."""
    rows = [{"run": f"seed {r['config']['seed']}", "val acc %": f"{100 * r['val']['acc']:.2f}", "test acc %": f"{100 * r['test']['acc']:.2f}",
             "epoch kept": str(r["final_epoch"])} for r in sorted(pub, key=lambda r: r["config"]["seed"])]
    s = summarize(pub)
    rows.append({"run": "mean ± std", "val acc %": pm(s["val_mean"], s["val_std"]), "test acc %": pm(s["test_mean"], s["test_std"]),
                 "epoch kept": report.number(s["epochs"], 1)})
    rows.append({"run": "Nøkland and Eidnes (one run, test read every epoch)", "val acc %": "–",
                 "test acc %": f"{100 * leaderboard.NOKLAND_MLP:.2f}", "epoch kept": "–"})
    return pd.DataFrame(rows)


def glue_published(pub: list[dict[str, Any]], recipe: list[dict[str, Any]]) -> dict[str, Any]:
    """Glue the published recipe's re-run (`pub_*`, `report.glue_summary` with detail) against the
    paper's one test-watched run (`paper_mlp`; `pub_vs_paper`, signed points as printed;
    `pub_below_paper`, how many seeds score below it; `pub_test_low`/`_high`, the 95% interval of
    our mean, which may still hold the paper's number) and against chapter 10's recipe, paired by
    seed (`pub_vs_recipe_val`, `pub_vs_recipe_test` and their `_verdict`s). Returns the facts."""
    s = report.glue_summary("pub", pub, detail=True)
    tests = [r["test"]["acc"] for r in pub]
    low, high = s["test_mean"] - s["test_ci95"], s["test_mean"] + s["test_ci95"]
    report.glue_numbers(paper_mlp=leaderboard.NOKLAND_MLP, pub_below_paper=sum(t < leaderboard.NOKLAND_MLP for t in tests),
                        pub_test_low=low, pub_test_high=high, pub_epochs_run=pub[0]["epochs_run"],
                        pub_dropout=studies.PUBLISHED_MLP.dropout, pub_batch=studies.PUBLISHED_MLP.batch_size,
                        pub_gamma=studies.PUBLISHED_MLP.step_gamma, pub_milestones=", ".join(map(str, studies.PUBLISHED_MLP.milestones)))
    report.glue_markdown(pub_lr=report.scientific(studies.PUBLISHED_MLP.lr),  # the settings, from the declaration
                         pub_vs_paper=report.signed(report.shown_points(s["test_mean"], leaderboard.NOKLAND_MLP)),
                         pub_params_text=report.thousands(pub[0]["params"]))
    val = report.glue_comparison("pub_vs_recipe_val", pub, recipe, "val")
    test = report.glue_comparison("pub_vs_recipe_test", pub, recipe)
    paper = report.unpaired({"test_mean": leaderboard.NOKLAND_MLP, "test_std": 0.0, "seeds": 1}, s)  # one run: our seeds' spread alone
    return {"summary": s, "below_paper": sum(t < leaderboard.NOKLAND_MLP for t in tests), "seeds": len(tests),
            "paper_inside": not paper["clear"], "val": val, "test": test}


def glue_additions(runs: dict[str, list[dict[str, Any]]], flips: pd.DataFrame) -> pd.DataFrame:
    """Each addition to the published recipe against it, paired seed by seed: the table
    (`tab_additions`, the test-time flip of its saved networks last) and, per addition, `add_<name>_val`,
    `add_<name>_test` (signed points), `add_<name>_val_verdict`, `add_<name>_verdict` (test) and
    `add_<name>_ahead`, where <name> says what it adds (`short_name`: 'label_smoothing'). Returns the gains."""
    gains = ceiling.trick_gains(runs, studies.PUBLISHED_LABEL)
    report.glue_table("tab_additions", tricks_table(runs, gains, studies.PUBLISHED_LABEL, flips))
    for g in gains.itertuples():
        name = f"add_{short_name(g.trick)}"
        report.glue_markdown(**{f"{name}_val": signed(g.val_gain), f"{name}_test": signed(g.test_gain),
                                f"{name}_val_verdict": report.noise_verdict(g.val_gain, g.val_ci),
                                f"{name}_verdict": report.noise_verdict(g.test_gain, g.test_ci),
                                f"{name}_ahead": report.seeds_ahead(g.ahead, g.seeds)})
    return gains


def stack_words(gains: pd.DataFrame) -> str:
    """Which additions to the published recipe raised validation accuracy, and whether the stack
    of them is trained (`analysis.ceiling.stack`), as a clause the page glues (`pub_stack`)."""
    won = helped(gains)
    names = report.join([addition(label) for label in won])
    if not won:
        return "none of the additions raised validation accuracy, so there is nothing to stack"
    if len(won) == 1:
        return f"only {names} raised validation accuracy, so that run is the stack"
    trained = ceiling.stack(studies.PUBLISHED, won) is not None
    return f"{names} raised validation accuracy; their stack is {'trained' if trained else 'not trained here'}"


def glue_flip(prefix: str, flips: pd.DataFrame) -> dict[str, Any]:
    """Glue the test-time flip's gain on saved networks, paired seed by seed with the same networks
    scoring each image once: `<prefix>_val`, `<prefix>_test` (signed points), `<prefix>_verdict`,
    `<prefix>_ahead`. Returns gain, ci and clear on test."""
    gain, ci = flip_test(flips)
    report.glue_markdown(**{f"{prefix}_val": report.signed(flip_gain(flips)), f"{prefix}_test": report.signed(gain),
                            f"{prefix}_verdict": report.noise_verdict(gain, ci),
                            f"{prefix}_ahead": report.seeds_ahead(int((flips["test_gain"] > 0).sum()), len(flips))})
    return {"gain": gain, "ci": ci, "clear": abs(gain) > ci}


def flip_analysis(store: Store, study=studies.TRICKS) -> Analysis:
    """The test-time flip of a study's saved models (every seed; chapter 10's recipe by default, or
    the published recipe), as the stored analysis the page reads."""
    return ceiling.flip_analysis([cfg.key() for cfg in study.checkpoint_configs()], store)


def glue(ch: ChapterResults) -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`);
    `check(facts)` then tests the claims that rest on them."""
    store = experiments.current_store()
    runs = ch.tricks.runs
    recipe = report.glue_summary("bmlp", runs[studies.STACKED_MLP_LABEL], detail=True)
    report.glue_compute("ch11", ch.all_runs())
    GOAL, MINIMUM = studies.TARGETS["MLP"]  # chapter 10's, set before training: above every pure MLP we know of
    gains = ceiling.trick_gains(runs, studies.STACKED_MLP_LABEL)
    flips = pd.DataFrame(derived.ensure(store, flip_analysis(store)))  # the recipe's saved models, every seed
    report.glue_markdown(ema_horizon=report.thousands(1 / (1 - studies.EMA_DECAY)))  # '1 000' steps
    report.glue_numbers(goal=GOAL, minimum=MINIMUM, kan_mlp=leaderboard.KAN_MLP, bench_mlp=leaderboard.BENCHMARK_MLP,
                        recipe_epochs=studies.BEST_MLP.epochs,
                        ema_decay=studies.EMA_DECAY, mixup_alpha=studies.MIXUP_ALPHA,
                        teacher_test=Store().load(studies.TEACHER)["test"]["acc"],  # the committed seed-0 best CNN, every profile
                        dist_weight=studies.CONSISTENT_MLP.distill_weight, dist_temperature=studies.CONSISTENT_MLP.distill_temperature)
    report.glue_table("tab_tricks", tricks_table(runs, gains, studies.STACKED_MLP_LABEL, flips))
    report.glue_table("tab_published", published_table(ch.published.runs[studies.PUBLISHED_LABEL]))
    glue_tricks(gains, flips)
    plain = runs[studies.EMA] + runs[studies.MIXUP]  # timed alike (one thread, one machine), unlike the recipe's own seeds
    one_thread_recipe = [r for r in runs[studies.STACKED_MLP_LABEL] if machine(r) == machine(plain[0])]
    report.glue_numbers(teacher_vs_plain=cost.cost_ratio(runs[studies.CONSISTENT], plain))
    lr = runs[studies.STACKED_MLP_LABEL][0]["history"]["lr"]
    mix = report.glue_summary("mix", runs[studies.MIXUP], detail=True)
    report.glue_numbers(last_lr_share=lr[-1] / max(lr), mix_test_std_pts=100 * mix["test_std"], bmlp_test_std_pts=100 * recipe["test_std"],
                        mix_last_best=sum(r["final_epoch"] == r["epochs_run"] for r in runs[studies.MIXUP]))
    mlps = ceiling.mlp_frontier(robustness.trained_networks())
    highlight = [label for label in [*runs, *ch.published.runs] if label in set(mlps["label"])]  # the best MLP among them, in the legend
    frontier = glue_frontier(mlps, GOAL, MINIMUM)
    report.glue_numbers(floor=robustness.failed_below())
    published = glue_published(ch.published.runs[studies.PUBLISHED_LABEL], runs[studies.STACKED_MLP_LABEL])
    pub_flips = pd.DataFrame(derived.ensure(store, flip_analysis(store, studies.PUBLISHED)))  # an addition that needs no training
    published["flip"] = glue_flip("pub_flip", pub_flips)
    additions = glue_additions(ch.published.runs, pub_flips)  # one change at a time, paired by seed
    report.glue_markdown(pub_stack=stack_words(additions))
    pub_lr = ch.published.runs[studies.PUBLISHED_LABEL][0]["history"]["lr"]
    oc_lr = ch.published.runs[studies.PUBLISHED_ONECYCLE][0]["history"]["lr"]
    report.glue_numbers(pub_last_lr_share=pub_lr[-1] / max(pub_lr), pub_oc_last_lr_share=oc_lr[-1] / max(oc_lr))  # where each schedule leaves the rate
    mlp_runs = {**runs, **ch.published.runs}  # the recipe, its variants and the published recipe
    candidates = [*ch.tricks.where(teacher=None), *ch.published.runs]  # a taught MLP is its own family (chapter 10); the flip is no network
    pick = select({label: mlp_runs[label] for label in candidates})
    picked = glue_pick(pick, mlp_runs, candidates, GOAL, MINIMUM)
    report.glue_markdown(pick_vs_paper=report.against_one_run(summarize(mlp_runs[pick]), leaderboard.NOKLAND_MLP))  # one run: our spread alone
    book = findings.glue_book_best(store)  # the book's best MLP over every chapter (the rule: leaderboard.best_mlp)
    return SimpleNamespace(**locals())


def check(f: SimpleNamespace) -> None:
    """The claims the page's prose makes in words, each with its sentence (`claims.claim`)."""
    if not claims.checked():
        return
    ema, mixup, taught = (f.gains[f.gains["trick"] == label].iloc[0] for label in (studies.EMA, studies.MIXUP, studies.CONSISTENT))
    flip = f.flips["test_gain"]
    claim(all(abs(g.test_gain) < g.test_ci for g in (ema, mixup, taught)) and abs(flip.mean()) < summary.ci95(list(flip)),
          "weight averaging, mixup, distillation on the very batches the student sees and a test-time flip all change its test accuracy within seed noise")
    claim(abs(mixup.test_gain) < mixup.test_ci, "mixup's mean test gain is not clear of the noise")
    claim(f.one_thread_recipe and min(cost.cpu_minutes(r) for r in f.one_thread_recipe) > max(cost.cpu_minutes(r) for r in f.plain),
          "The recipe's own one-thread seeds are no fair base: they took longer than those, which do more work")
    claim(taught.val_gain > 0 and taught.val_gain > taught.test_gain,
          "the teacher's soft targets move the student more on validation images, which come from the training pool, than on the test images")
    claim(abs(taught.val_gain) < taught.val_ci and abs(taught.test_gain) < taught.test_ci, "but here neither change is beyond seed noise")
    claim(f.lr[-1] / max(f.lr) < 0.01,
          "chapter 7's one-cycle schedule ends at … of its peak learning rate, so over the steps the average spans the weights barely move")
    claim(flip.mean() >= 0, "the mirror image tells them little they have not already learned")
    averaged = f.additions[f.additions["trick"] == studies.PUBLISHED_AVERAGED].iloc[0]
    claim(abs(averaged.val_gain) < averaged.val_ci and abs(averaged.test_gain) < averaged.test_ci and f.pub_lr[-1] / max(f.pub_lr) < 0.01,
          "As on chapter 10's recipe, averaging finds nothing to add")
    onecycle = f.additions[f.additions["trick"] == studies.PUBLISHED_ONECYCLE].iloc[0]
    claim(abs(onecycle.val_gain) < onecycle.val_ci and abs(onecycle.test_gain) < onecycle.test_ci
          and max(f.pub_lr[-1] / max(f.pub_lr), f.oc_lr[-1] / max(f.oc_lr)) < 0.01,
          "At this length the shape of the decay matters little: both schedules end near zero")
    won = helped(f.additions)  # "Not tested here" lists no stack: it must be trained (or empty)
    claim(not won or ceiling.stack(studies.PUBLISHED, won) is not None, "Of these additions, …")
    claim(f.mix["train_mean"] < f.recipe["train_mean"], "It makes the training images harder to fit")
    claim(f.mix["test_std"] < f.recipe["test_std"], "its seeds agree more closely")
    claim(f.picked["test"] > max(leaderboard.KAN_MLP, leaderboard.BENCHMARK_MLP), "above the KAN comparison's and the benchmark's MLPs")
    claim(f.picked["margin"] > 0, "Its lead over “…” is … points, …")  # the verdict says whether beyond seed noise
    claim(f.book.get("book_mlp_label") == f.picked["pick"], "The book's rule, … , makes the pick the book's best MLP")
    claim(f.book["book_gap"] > 0, "The book's best MLP, …, is … test points below the best CNN")
    claim(f.frontier["top_label"] == f.picked["pick"], "It is also the most accurate MLP the book trained on test among those trained on 50 000 images")
    p = f.published
    claim(p["below_paper"] == p["seeds"], "all … of our seeds score below it")
    claim(p["paper_inside"], "the 95% interval of our mean … still holds their number")
    claim(p["val"]["clear"] and p["val"]["gain"] > 0, "it validates above chapter 10's recipe beyond seed noise")
    claim(f.frontier["below_axis_n"] > 0, "… score below …%, under the figure's axis")
    claim(f.frontier["costlier_n"] == 0, "The frontier ends at the book's best MLP")  # nothing costlier beats it: it is the costliest MLP
    claim(f.frontier["top_ratio"] > 1, "the last step to it … costs …")
    claim(f.published["summary"]["train_mean"] - f.published["summary"]["val_mean"] > 0.05, "It fits its training images to …, so its limit, too, looks like generalization")
