"""The book's findings at a glance: its best MLP and CNN, the headline, the answer and glance tables
the first page states, computed from the leaderboard's picks (each chapter's takeaway: `takeaways`).
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from .. import report
from ..analysis import leaderboard
from ..analysis.statistics import paired_gain
from ..engine.config import REFERENCE
from ..report.comparisons import shown_points  # differences of the printed means: one number per comparison
from ..report import settings
from ..report.format import number, pct, pm, signed
from ..runs import studies
from ..runs.experiments import current_store, seeded
from ..runs.store import Store
from ..runs.summary import summarize


def _chapter_pick(rows: list[leaderboard.Entry], chapter: str, family: str) -> leaderboard.Entry | None:
    return next((e for e in rows if e.chapter == chapter and e.family == family), None)


def _recipe(rows: list[leaderboard.Entry]) -> leaderboard.Entry | None:
    """Chapter 10's stacked MLP recipe (the tables' "stacked MLP"). It is the book's best MLP only if
    `leaderboard.best_mlp` picks it; chapter 11's variants of it may validate higher by a hair."""
    return next((e for e in rows if e.study is studies.BEST and e.label == studies.STACKED_MLP_LABEL), None)


def mlp_name(e: leaderboard.Entry) -> str:
    """A leaderboard row as the prose names it. Chapter 10's recipe is "chapter 10's MLP recipe"
    wherever it is listed (the tables label it "stacked MLP": only `book_best` may call a model the
    book's best MLP); a later variant of it "chapter 10's MLP recipe with weight averaging (chapter
    11)"; any other row "chapter 3's 2 × 1024", "chapter 10's best CNN"."""
    chapter = int(e.chapter.split("_")[0])
    recipe = studies.STACKED_MLP_LABEL
    if e.label == recipe:
        return "chapter 10's MLP recipe"
    if e.label.startswith(f"{recipe} + "):
        return f"chapter 10's MLP recipe with {settings.addition(e.label)} (chapter {chapter})"
    if settings.authored(e.label):
        return settings.rerun_name(e.label, chapter)
    return f"chapter {chapter}'s {e.label}"


def book_best(rows: list[leaderboard.Entry], store: Store | None = None,
              runs: dict[tuple[Any, str], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The book's headline as every page states it: its best MLP (`leaderboard.best_mlp`, where the
    rule lives), its best CNN (the CNN rows' validation pick) and the gap between them. Numbers:
    `book_mlp_val`, `book_mlp_test`, `book_mlp_test_std`, `book_mlp_seeds`, `book_cnn_test`,
    `book_cnn_test_std`, `book_gap` (CNN minus MLP, test points as printed), `book_param_ratio` (the
    MLP's parameters over the CNN's). Words (for {glue:md}): `book_mlp` (`mlp_name`), `book_mlp_label`
    (its label in the tables), `book_cnn`, `book_runner_up`, `book_lead`, `book_lead_low`,
    `book_lead_high` (the pick's validation lead over the runner-up, paired by seed, and its 95%
    interval; signed points) and `book_tie`, how firmly validation chose, as one phrase to follow the
    name: "tied on validation with chapter 10's MLP recipe (+0.01 points, paired 95% interval −0.12
    to +0.13) and named by the book's rule, the higher mean validation accuracy", or "ahead of … on
    validation by … (paired 95% interval … to …)". Missing parts are left out; {} without an MLP row."""
    b, cnn = leaderboard.best_mlp(rows, store, runs), leaderboard.best(rows, "CNN")
    if b is None:
        return {}
    m = b.pick.summary
    out: dict[str, Any] = {"book_mlp": mlp_name(b.pick), "book_mlp_label": b.pick.label, "book_mlp_val": m["val_mean"],
                           "book_mlp_test": m["test_mean"], "book_mlp_test_std": m["test_std"], "book_mlp_seeds": m["seeds"]}
    if b.runner_up is None:
        out["book_tie"] = "the only MLP on the leaderboard"
    else:
        low, high = (signed(b.lead - b.lead_ci), signed(b.lead + b.lead_ci)) if b.lead_ci == b.lead_ci else ("–", "–")
        other, lead = mlp_name(b.runner_up), signed(b.lead)
        interval = f"paired 95% interval {low} to {high}" if low != "–" else "no interval: too few seeds pair"
        out |= {"book_runner_up": other, "book_lead": lead, "book_lead_low": low, "book_lead_high": high,
                "book_tie": (f"tied on validation with {other} ({lead} points, {interval}) and named by the book's rule, "
                             "the higher mean validation accuracy") if b.tied
                else f"ahead of {other} on validation by {lead} points ({interval})"}
    if cnn:
        out |= {"book_cnn": mlp_name(cnn), "book_cnn_test": cnn.summary["test_mean"], "book_cnn_test_std": cnn.summary["test_std"],
                "book_gap": shown_points(cnn.summary["test_mean"], m["test_mean"]), "book_param_ratio": m["params"] / cnn.summary["params"],
                "book_gap_verdict": report.verdict(cnn.summary, m)}  # Welch's interval: two models, no pairs
    return out


def glue_book_best(store: Store | None = None, rows: list[leaderboard.Entry] | None = None) -> dict[str, Any]:
    """Glue `book_best` on a page (numbers for {glue:text}, words for {glue:md}) and return it: every
    page that names the book's best MLP or the MLP–CNN gap quotes these, and no other, as the book's."""
    store = store or current_store()
    facts = book_best(leaderboard.entries(store) if rows is None else rows, store)
    report.glue_numbers(**{k: v for k, v in facts.items() if not isinstance(v, str)})
    report.glue_markdown(**{k: v for k, v in facts.items() if isinstance(v, str)})
    return facts


def best_claim(family: str) -> tuple[str, str, float]:
    """The earlier reports' best claimed test accuracy for "MLP" or "CNN": (report, model, accuracy)."""
    return max((c for c in leaderboard.REPORT_CLAIMS if ("CNN" in c[1]) == (family == "CNN")), key=lambda c: c[2])


def headline(rows: list[leaderboard.Entry], store: Store | None = None) -> dict[str, float]:
    """The best MLP and CNN on validation (test), their lead over the earlier reports' best claims
    (the MLP's also over the benchmark's best MLP, and against the best documented one), the CNN's lead and parameter ratio, and, for scale,
    what chapter 10's stacked MLP recipe and chapter 9's small CNN add over the reference MLP (test
    points; `cnn9_over_mlp` against that recipe too, the model the prose names). Missing parts are left out."""
    chosen = leaderboard.best_mlp(rows, store)  # the book's best MLP: its rule lives there
    mlp, cnn, cnn9 = chosen and chosen.pick, leaderboard.best(rows, "CNN"), _chapter_pick(rows, "09_cnn", "CNN")
    recipe = _recipe(rows)
    out = {}
    for name, e in (("mlp", mlp), ("cnn", cnn)):
        if e:
            out |= {f"best_{name}_test": e.summary["test_mean"], f"best_{name}_test_std": e.summary["test_std"],
                    f"best_{name}_seeds": e.summary["seeds"],
                    f"{name}_over_reports": shown_points(e.summary["test_mean"], best_claim(name.upper())[2])}
    if mlp:  # the benchmark table's best MLP, and the best documented one (one run, its test read every epoch)
        out["mlp_over_published"] = shown_points(mlp.summary["test_mean"], leaderboard.BENCHMARK_MLP)
        out["mlp_vs_documented"] = report.against_one_run(mlp.summary, leaderboard.NOKLAND_MLP)
    if mlp and cnn:
        out |= {"cnn_over_mlp": shown_points(cnn.summary["test_mean"], mlp.summary["test_mean"]),
                "param_ratio": mlp.summary["params"] / cnn.summary["params"]}
    if recipe and cnn9:
        out |= {"cnn9_over_mlp": shown_points(cnn9.summary["test_mean"], recipe.summary["test_mean"]),
                "cnn9_over_mlp_verdict": report.verdict(cnn9.summary, recipe.summary)}  # Welch's: two models
    for name, (_, _, gain, ci, _) in scale_gains(rows, store).items():
        out |= {f"{name}_gain": gain, f"{name}_ci": ci}
    return out


def change_name(g: leaderboard.Gain) -> str:
    """A pick as a short table cell: its label where the label names what was varied ('label
    smoothing 0.1', '6 layers, Kaiming normal, batch norm'), else '<study title>: <label>' ('width: 2 × 1024')."""
    words = [w for w in g.study.title.lower().replace("-", " ").split() if len(w) > 3]
    return g.pick if any(w in g.pick.lower() for w in words) else f"{g.study.title}: {g.pick}"


def _gain_cells(change: str, chapter: int, gain: float, ci: float, cost: float | None) -> dict[str, str]:
    nb = "\u00a0"  # a gain and its interval are read whole: never split over lines
    cell = f"{signed(gain)}{nb}±{nb}{number(ci)}" if ci == ci else signed(gain)
    return {"change": change, "chapter": str(chapter),  # bold: the paired interval excludes zero (beyond seed noise)
            "test gain (points)": f"**{cell}**" if abs(gain) > ci else cell,
            "training time": "–" if cost is None else f"{cost:.1f}{nb}×"}


def answer_table(rows: list[leaderboard.Entry], ranked: list[leaderboard.Gain], store: Store | None = None) -> pd.DataFrame:
    """The first screen's answer, one row per change: each pick of chapters 3–8 against its own
    control (`ranked`, largest mean test gain first), then, for scale, chapter 10's stacked MLP recipe
    and chapter 9's small CNN against the reference MLP. Cells: the mean test gain ± the half-width of
    its paired 95% t-interval (seed against seed; the stacked recipe's and the CNN's mean as printed,
    `shown_points`, as the prose quotes it) and the training time per seed relative to what it is
    measured against ("–" unless all of both ran on one kind of machine)."""
    out = [_gain_cells(change_name(g), int(g.study.chapter.split("_")[0]), g.test, g.test_ci, g.cost if g.same_machine else None)
           for g in ranked]
    return pd.DataFrame(out + [_gain_cells(*row) for row in scale_gains(rows, store).values()])


def scale_gains(rows: list[leaderboard.Entry], store: Store | None = None) -> dict[str, tuple]:
    """For scale, chapter 10's stacked recipe ("stack") and chapter 9's small CNN ("cnn9") against the
    reference MLP: (change, chapter, test gain as printed, its paired 95% half-width, time ratio or
    None across machines), where all their seeds are stored."""
    store, out = store or current_store(), {}
    reference = [store.load(cfg) for cfg in seeded(REFERENCE)]
    scale = {"stack": ("stacked: chapter 10's MLP recipe", _recipe(rows)), "cnn9": ("a small CNN instead of the MLP", _chapter_pick(rows, "09_cnn", "CNN"))}
    for name, (change, e) in scale.items():
        runs = [store.load(cfg) for cfg in e.study.configs()[e.label]] if e else []
        if runs and all(runs + reference):
            ref, same = summarize(reference), len({r["provenance"]["device_name"] for r in runs + reference}) == 1
            out[name] = (change, int(e.chapter.split("_")[0]), shown_points(e.summary["test_mean"], ref["test_mean"]),
                         paired_gain(runs, reference, "test")["ci"], e.summary["wall_seconds"] / ref["wall_seconds"] if same else None)
    return out


gains = leaderboard.ranked_gains  # each chapter's MLP pick against its control, paired by seed, as chapter 10 draws it


def gain_numbers(ranked: list[leaderboard.Gain]) -> dict[str, float]:
    """The largest single test gain (and its cost), how many picks were ranked, for how many the
    paired 95% interval of the test gain includes zero (`Gain.clear` is False), and whether the
    largest one's excludes zero (`gain_top_clear`, 1 or 0)."""
    if not ranked:
        return {}
    return {"gain_top_test": ranked[0].test, "gain_top_cost": ranked[0].cost, "gains_n": len(ranked),
            "gains_noise": sum(not g.clear for g in ranked), "gain_top_clear": int(ranked[0].clear)}


def which(rows: list[leaderboard.Entry], family: str) -> str:
    """The family's validation pick (for "MLP", the book's best MLP, `leaderboard.best_mlp`'s rule) as
    the prose names it (`mlp_name`): "chapter 10's MLP recipe with weight averaging (chapter 11)"."""
    e = leaderboard.best(rows, family)
    return mlp_name(e) if e else "none trained"


def glance_table(rows: list[leaderboard.Entry]) -> pd.DataFrame:
    """Per family, this book's best (test, mean ± std over seeds) beside the earlier reports' best
    claim (one run each) and the published numbers; the human baseline last."""
    out = []
    for family in ("MLP", "CNN"):
        e = leaderboard.best(rows, family)
        if e:
            out.append({"model": which(rows, family), "source": "this book, best on validation", "seeds": str(e.summary["seeds"]),
                        "test acc %": pm(e.summary["test_mean"], e.summary["test_std"])})
        report_name, what, acc = best_claim(family)
        out.append({"model": what, "source": f"{report_name}, the earlier reports' best {family}", "seeds": "1",
                    "test acc %": pct(acc)})
        out += [{"model": what, "source": "published", "seeds": "1" if "one run" in what else "–", "test acc %": pct(acc)}
                for what, acc in sorted(leaderboard.PUBLISHED, key=lambda p: -p[1]) if family in what]
    out += [{"model": what, "source": "published", "seeds": "–", "test acc %": pct(acc)}
            for what, acc in leaderboard.PUBLISHED if not any(f in what for f in ("MLP", "CNN"))]
    return pd.DataFrame(out)


# The directions the first page states, each on the numbers above (by glue name). The page checks
# them in the full profile; smoke numbers are noise.
CLAIMS: dict[str, Callable[[dict[str, float]], bool]] = {
    "1: standardizing helps with Adam; raw bytes under SGD stay near chance (10%)":
        lambda n: n["scale_adam_gain"] > 0 and n["scale_raw_sgd_val"] < 0.15,
    "3: depth beyond one layer small beside the first layer; the widest net is picked and gains on test beyond seed noise":
        lambda n: 4 * n["depth_range"] < n["depth1_gain"] and n["width_units"] == max(studies.WIDTHS) and n["width_gain"] > 0
        and n["width_verdict"].startswith("beyond"),
    "4: label smoothing ahead but within seed noise, and not reproduced by chapter 12; no L2 or dropout setting clearly gains":
        lambda n: n["smooth_gain"] > 0 and n["smooth_gain_val"] > 0 and n["smooth_verdict"].startswith("within")
        and n["smooth_replication"] < n["smooth_gain"] / 2 and not (n["smooth_replication_clear"] and n["smooth_replication"] > 0)
        and n["reg_clear_gains"] == 0,
    "5: activations within a point at two layers, though the widest gap is beyond seed noise; saturating ones behind at six":
        lambda n: n["act_spread2"] < 1 and n["act2_verdict"].startswith("beyond") and n["act_saturating_gap6"] > 0,
    "6: N(0, 1) costs whole points; batch norm wins back part, not all":
        lambda n: all(n[f"init_loss{d}_plain"] > max(1, n[f"init_loss{d}_bn"]) and n[f"init_loss{d}_bn"] > 0
                      for d in (2, 6)),
    "7: the optimizers differ less than one optimizer over its rates, within seed noise; every decaying schedule gains on validation, none clearly on test":
        lambda n: n["opt_spread"] < n["opt_lr_range_min"] and n["opt_verdict"].startswith("within") and n["sched_min_gain"] > 0
        and n["sched_clear_test"] == 0,
    "8: most sets trail no augmentation when short; the shortfall shrinks with length; none gains":
        lambda n: n["aug_short_trail"] > n["aug_long_trail"] > 0 and 2 * n["aug_short_below"] > n["aug_sets"]
        and n["aug_short_clear"] > n["aug_long_clear"] and n["aug_short_gains"] == n["aug_long_gains"] == 0,
    "9/10: the CNNs beat the best MLP with fewer parameters; the best models beat the earlier claims":
        lambda n: min(n["cnn_over_mlp"], n["cnn9_over_mlp"], n["mlp_over_reports"], n["mlp_over_published"],
                      n["cnn_over_reports"]) > 0 and n["param_ratio"] > 1 and n["cnn9_over_mlp_verdict"].startswith("beyond"),
    "3-8: the largest single gain is the only one whose paired interval excludes zero":
        lambda n: n["gain_top_clear"] == 1 and n["gains_noise"] == n["gains_n"] - 1,
    "10: no single change is worth a full point; stacked less than chapter 9's CNN":
        lambda n: n["gain_top_test"] < 1 and n["gain_top_test"] < n["stack_gain"] < n["cnn9_gain"],
}


def failed_claims(numbers: dict[str, float]) -> list[str]:
    """The `CLAIMS` the numbers do not support (a missing number fails its claim)."""
    failed = []
    for claim, holds in CLAIMS.items():
        try:
            ok = holds(numbers)
        except KeyError:
            ok = False
        if not ok:
            failed.append(claim)
    return failed
