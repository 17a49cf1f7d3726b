"""The leaderboard as a reader sees it: its table, its headline, the ranked gains' table and glue, and the
earlier reports' claims beside ours."""
from __future__ import annotations

import math

from ..analysis.leaderboard import (
    CLASSICAL_FAMILY,
    ENSEMBLE_FAMILY,
    PUBLISHED,
    REPORT_CLAIMS,
    BestMLP,
    Entry,
    Gain,
    best,
    best_claim,
    best_mlp,
)
from ..engine.config import RunConfig
from ..engine.labels import described
from ..runs import studies
from ..runs.store import Store
from .comparisons import above
from .format import join, pct, pm, signed
from .glue import glue_markdown, glue_numbers, glue_signed


def gains_table(ranked: list[Gain]) -> list[dict[str, str]]:
    """Rows for a DataFrame: each change, what it is measured against, its test gain with the paired
    95% interval, and on how many seeds it beat its control."""
    def change(g: Gain) -> str:  # 'width: 2 × 1024', but 'label smoothing 0.1', not 'label smoothing: label smoothing 0.1'
        return g.pick if g.study is not None and g.study.title in g.pick else g.name

    nobreak = "\u00a0"  # an interval is read whole: '−0.12 to +0.13' never split over lines
    return [{"change": change(g), "measured against": g.against, "test gain": signed(g.test),
             "95% interval": "" if math.isnan(g.test_ci) else f"{signed(g.test - g.test_ci)}{nobreak}to{nobreak}{signed(g.test + g.test_ci)}",
             "seeds better": f"{g.seeds_better} of {len(g.test_seeds)}"} for g in ranked]


def glue_gains(ranked: list[Gain], recipe: RunConfig, prefix: str = "gain") -> None:
    """Glue what a page says about `ranked` (from `ranked_gains`, largest first), for {glue:md} unless
    a number: `<prefix>_top`, `_second`, `_last` (names) with `_top_test`, `_second_test`,
    `_last_test` (signed points) and `_top_cost` (number); `_clear`, the gains whose paired interval
    excludes zero, in words; `_n`, `_seeds_better`, `_seed_pairs` (numbers). Per study (its `name`):
    `<prefix>_<study>_rank` (number), `_test`, `_low`, `_high` (signed: gain and paired interval).
    For the picks `recipe` adopts (`Gain.adopted_by`): `_adopted_n`, `_adopted_sum` (signed),
    `_adopted_err` (their paired 95% half-widths combined in quadrature, points) and `_controls`, how many different controls
    they were measured against."""

    if not ranked:
        return
    adopted = [g for g in ranked if g.adopted_by(recipe)]
    shown = {"top": ranked[0], "second": ranked[min(1, len(ranked) - 1)], "last": ranked[-1]}
    glue_markdown(**{f"{prefix}_{k}": g.phrase for k, g in shown.items()},
                         **{f"{prefix}_clear": join([g.phrase for g in ranked if g.clear]) or "none of them"})
    glue_signed(**{f"{prefix}_{k}_test": g.test for k, g in shown.items()}, **{f"{prefix}_adopted_sum": sum(g.test for g in adopted)},
                       **{f"{prefix}_{g.study.name}_{k}": v for g in ranked
                          for k, v in (("test", g.test), ("low", g.test - g.test_ci), ("high", g.test + g.test_ci))})
    glue_numbers(**{f"{prefix}_{g.study.name}_rank": i + 1 for i, g in enumerate(ranked)},
                        **{f"{prefix}_top_cost": ranked[0].cost, f"{prefix}_n": len(ranked),
                           f"{prefix}_seeds_better": sum(g.seeds_better for g in ranked),
                           f"{prefix}_seed_pairs": sum(len(g.test_seeds) for g in ranked), f"{prefix}_adopted_n": len(adopted),
                           f"{prefix}_adopted_err": math.sqrt(sum(g.test_ci ** 2 for g in adopted)),
                           f"{prefix}_controls": len({g.against for g in adopted})})


def glue_claims(test: dict[str, float], prefix: str = "claim") -> None:
    """Set our test accuracy per family ({"MLP": 0.906, "CNN": 0.943}) against the best earlier claim:
    glue `<prefix>_<family>` (their accuracy), `_source` (which report, Markdown), `_gap` (ours
    minus theirs, signed points) and `_versus` ('1.59 points above', Markdown), family in lower case."""

    for family, ours in test.items():
        source, _, theirs = best_claim(family)
        name, gap = f"{prefix}_{family.lower()}", 100 * (ours - theirs)
        glue_numbers(**{name: theirs})
        glue_markdown(**{f"{name}_source": source, f"{name}_versus": above(ours, theirs)})
        glue_signed(**{f"{name}_gap": gap})


def _lead(b: BestMLP) -> list[str]:
    """How firmly validation chose the best MLP over its runner-up, as the book's pages say it
    (`chapters.findings.book_best`), in two indented lines short enough for a page's code output:
    '  tied on validation with stacked MLP (chapter 10), named by the higher mean:' (the book's rule) or
    '  ahead of stacked MLP (chapter 10) on validation:', then '  lead +0.01 points, paired 95% interval
    −0.12 to +0.13'. No line without a runner-up."""
    if b.runner_up is None:
        return []
    other = f"{b.runner_up.label} (chapter {int(b.runner_up.chapter.split('_')[0])})"
    interval = (f"paired 95% interval {signed(b.lead - b.lead_ci)} to {signed(b.lead + b.lead_ci)}"
                if not math.isnan(b.lead_ci) else "no interval: too few seeds pair")
    how = (f"tied on validation with {other}, named by the higher mean:" if b.tied
           else f"ahead of {other} on validation:")
    return [f"  {how}", f"  lead {signed(b.lead)} points, {interval}"]


def headline(rows: list[Entry], store: Store | None = None) -> str:
    """'MLP picked on validation: best MLP + weight averaging (chapter 11),' / '  test 90.68% ± 0.10%' and
    'CNN picked on validation: best CNN (chapter 10),' / '  test 94.33% ± 0.06%' (test accuracy of each
    family's pick, mean ± std over seeds), the MLP's followed by its lead over the runner-up (`_lead`):
    the MLP is the book's best MLP (`best_mlp`, its runs read from `store` to pair the lead seed by
    seed), and a near tie is said, never resolved."""
    chosen = best_mlp(rows, store)
    lines = []
    for family, e in (("MLP", chosen and chosen.pick), ("CNN", best(rows, "CNN"))):
        where = (f"{e.label} (chapter {int(e.chapter.split('_')[0])}),\n  test {pct(e.summary['test_mean'])}% ± "
                 f"{pct(e.summary['test_std'])}%") if e else "not trained"  # two lines: a long name fits a printed page
        lines.append(f"{family} picked on validation: {where}")
        if family == "MLP" and chosen:
            lines += _lead(chosen)
    return "\n".join(lines)


# The table's families in order (ours, then the earlier reports' and published ones'), as its family cells name them.
ORDER = ("MLP", ENSEMBLE_FAMILY, "MLP taught by a CNN", "CNN", CLASSICAL_FAMILY, "human")
SHORT = {CLASSICAL_FAMILY: "classical"}  # on a page, where the caption names scikit-learn


def claim_family(model: str) -> str:
    """The family of an earlier report's or a published model, from its name (as `best_claim` reads
    it): 'CNN', 'MLP' or 'human'."""
    return "CNN" if "CNN" in model else "MLP" if "MLP" in model else "human"


def table(rows: list[Entry], compact: bool = False) -> list[dict[str, str]]:
    """Rows for printing or a DataFrame, ranked: our entries by family (`ORDER`), best mean validation
    accuracy first within each (the measure the book selects on; `rank` 1 is the family's pick), then
    the earlier reports' claims and the published numbers by family, best test accuracy first (they
    have no validation score, so no rank). Every row names its family; a model cell names the model
    only, and what is measured or remarked about it goes to the `note` column (the seed ensemble's
    calibration, runs that a later chapter lists under another label). `compact` (for a page, whose
    columns are narrow): 'chapter 3' instead of the chapter's file name, the group's label without its
    study's title, the short family name, no rank, seeds or note column (the caption says the order
    and how many seeds; a run set that a later chapter lists again appears once, there; calibration
    is chapter 12's) and '–' where a row has no validation score."""

    def accuracy(e: Entry, split: str) -> str:  # one seed, or one ensemble: no spread to show
        mean, std = e.summary[f"{split}_mean"], e.summary[f"{split}_std"]
        return pct(mean) if e.summary["seeds"] == 1 or math.isnan(std) else pm(mean, std)

    def calibration(e: Entry, unit: str = "") -> str:
        return f"{pct(e.summary['test_ece'])}{unit} (its seeds alone: {pct(e.summary['members_test_ece'])}{unit})"

    def note(e: Entry) -> str:
        notes = []
        if (other := e.twin()) is not None:
            notes.append(f"the same runs as chapter {int(other[0].split('_')[0])}'s “{other[1]}”")
        return "; ".join(notes)

    def ours(e: Entry, rank: int) -> dict[str, str]:
        if compact:
            shared = sum(o.label == e.label for o in rows) > 1  # one label, two chapters' different groups: say how each trained
            model = f"{e.label} ({described(e.study.groups[e.label])})" if shared and hasattr(e.study, "groups") else e.label
            source = f"chapter\u00a0{int(e.chapter.split('_')[0])}"
        else:
            model, source = e.name, f"this book, {e.chapter}"
        return {"family": SHORT.get(e.family, e.family) if compact else e.family, **ranked(str(rank)), "model": model,
                "source": source, **seeds(str(e.summary["seeds"])), "val acc %": accuracy(e, "val"),
                "test acc %": accuracy(e, "test"), **ece(e), **noted(note(e))}

    def theirs(source: str, model: str, acc: float) -> dict[str, str]:
        return {"family": claim_family(model), **ranked(""), "model": model, "source": source,
                **seeds("1" if source != "published" else ""), "val acc %": "–" if compact else "", "test acc %": f"{100 * acc:.2f}",
                **({"test ECE %": ""} if with_ece else {}), **noted("")}

    place = {fam: i for i, fam in enumerate(ORDER)}
    seeds = (lambda n: {}) if compact else (lambda n: {"seeds": n})  # a page says "three seeds" in the caption
    ranked = (lambda n: {}) if compact else (lambda n: {"rank": n})  # a page's columns are narrow: its caption says the order
    noted = (lambda n: {}) if compact else (lambda n: {"note": n})
    with_ece = not compact and any("test_ece" in e.summary for e in rows)  # calibration, where a row measures it
    ece = (lambda e: {"test ECE %": calibration(e) if "test_ece" in e.summary else ""}) if with_ece else (lambda e: {})
    out = []
    for fam in sorted({e.family for e in rows}, key=lambda f: (place.get(f, len(place)), f)):
        mine = sorted((e for e in rows if e.family == fam and not (compact and e.twin())), key=lambda e: -e.summary["val_mean"])  # ties: chapter order
        out += [ours(e, i + 1) for i, e in enumerate(mine)]
    others = [*REPORT_CLAIMS, *(("published", what, acc) for what, acc in PUBLISHED)]
    out += [theirs(*c) for c in sorted(others, key=lambda c: (place.get(claim_family(c[1]), len(place)), -c[2]))]
    return out
