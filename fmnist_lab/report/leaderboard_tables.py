"""The leaderboard as a reader sees it: its table, its headline, the ranked gains' table and glue, and the
earlier reports' claims beside ours."""
from __future__ import annotations

import math

from ..analysis.leaderboard import (
    CLASSICAL_FAMILY,
    ENSEMBLE_FAMILY,
    FAMILIES,
    PUBLISHED,
    REPORT_CLAIMS,
    Entry,
    Gain,
    best,
    best_claim,
)
from ..engine.config import RunConfig
from ..engine.labels import described
from ..runs import studies
from .comparisons import above
from .format import join, pct, pm, signed
from .glue import glue_markdown, glue_numbers, glue_signed


def gains_table(ranked: list[Gain]) -> list[dict[str, str]]:
    """Rows for a DataFrame: each change, what it is measured against, its test gain with the paired
    95% interval, and on how many seeds it beat its control."""
    def change(g: Gain) -> str:  # 'width: 2 × 1024', but 'label smoothing 0.1', not 'label smoothing: label smoothing 0.1'
        return g.pick if g.study is not None and g.study.title in g.pick else g.name

    nobreak = "\u00a0"  # an interval is read whole: '−0.12 to +0.13' never split over lines
    return [{"change": change(g), "measured against": g.against, "test gain (points)": signed(g.test),
             "95% interval": "" if math.isnan(g.test_ci) else f"{signed(g.test - g.test_ci)}{nobreak}to{nobreak}{signed(g.test + g.test_ci)}",
             "seeds better": f"{g.seeds_better} of {len(g.test_seeds)}"} for g in ranked]


def glue_gains(ranked: list[Gain], recipe: RunConfig, prefix: str = "gain") -> None:
    """Glue what a page says about `ranked` (from `ranked_gains`, largest first), for {glue:md} unless
    a number: `<prefix>_top`, `_second`, `_last` (names) with `_top_test`, `_second_test`,
    `_last_test` (signed points) and `_top_cost` (number); `_clear`, the gains whose paired interval
    excludes zero, in words; `_n`, `_seeds_better`, `_seed_pairs` (numbers). Per study (its `name`):
    `<prefix>_<study>_rank` (number), `_test`, `_low`, `_high` (signed: gain and paired interval).
    For the picks `recipe` adopts (`Gain.adopted_by`): `_adopted_n`, `_adopted_sum` (signed),
    `_adopted_err` (their seed stds combined, points) and `_controls`, how many different controls
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
                           f"{prefix}_adopted_err": math.sqrt(sum(g.test_err ** 2 for g in adopted)),
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


def headline(rows: list[Entry]) -> str:
    """Two lines, 'MLP picked on validation: best MLP + weight averaging (chapter 11), test 90.68% ±
    0.10%' and the same for the CNN (test accuracy of each family's pick, mean ± std over seeds)."""
    parts = []
    for family in ("MLP", "CNN"):
        e = best(rows, family)
        where = (f"{e.label} (chapter {int(e.chapter.split('_')[0])}), test {pct(e.summary['test_mean'])}% ± "
                 f"{pct(e.summary['test_std'])}%") if e else "not trained"
        parts.append(f"{family} picked on validation: {where}")
    return "\n".join(parts)


def table(rows: list[Entry], compact: bool = False) -> list[dict[str, str]]:
    """Rows for printing or a DataFrame: our entries in chapter order, then the earlier reports' and
    published numbers. `compact` (for a page): 'chapter 3' instead of the chapter's file name, the
    family in its own column and the group's label without its study's title, and the seed
    ensemble's calibration in its model cell instead of a column that every other row leaves empty."""

    def accuracy(e: Entry, split: str) -> str:  # one seed, or one ensemble: no spread to show
        mean, std = e.summary[f"{split}_mean"], e.summary[f"{split}_std"]
        return pct(mean) if e.summary["seeds"] == 1 or math.isnan(std) else pm(mean, std)

    def calibration(e: Entry, unit: str = "") -> str:
        return f"{pct(e.summary['test_ece'])}{unit} (its seeds alone: {pct(e.summary['members_test_ece'])}{unit})"

    def chapter(e: Entry) -> str:
        return f"chapter {int(e.chapter.split('_')[0])}"

    def twin(e: Entry) -> tuple[str, str] | None:  # the same runs under another label in a later chapter
        cfg = getattr(e.study, "groups", {}).get(e.label)
        return next(((chapter, label) for chapter, chapter_studies in studies.CHAPTERS.items() if chapter > e.chapter
                     for study in chapter_studies for label, other in study.groups.items()
                     if other == cfg and label != e.label), None) if cfg is not None else None

    def ours(e: Entry) -> dict[str, str]:
        if not compact:
            return {"source": f"this book, {e.chapter}", "model": f"{e.family} — {e.name}"}
        shared = sum(o.label == e.label for o in rows) > 1  # one label, two chapters' different groups: say how each trained
        model = f"{e.label} ({described(e.study.groups[e.label])})" if shared and hasattr(e.study, "groups") else e.label
        if (other := twin(e)) is not None:
            model += f", the same runs as chapter {int(other[0].split('_')[0])}'s “{other[1]}”"
        model += f"; test ECE {calibration(e, unit='%')}" if "test_ece" in e.summary else ""
        family = "classical" if e.family == CLASSICAL_FAMILY else e.family  # the caption names scikit-learn
        return {"source": chapter(e).replace(" ", "\u00a0"), "family": family, "model": model}

    order = {fam: i for i, fam in enumerate((*FAMILIES, ENSEMBLE_FAMILY, CLASSICAL_FAMILY))}
    rows = sorted(rows, key=lambda e: (e.chapter, order.get(e.family, len(order))))  # stable within a family
    seeds = (lambda n: {}) if compact else (lambda n: {"seeds": n})  # a page says "one run each" in the caption
    out = [{**ours(e), **seeds(str(e.summary["seeds"])), "val acc %": accuracy(e, "val"), "test acc %": accuracy(e, "test")}
           for e in rows]
    family = {"family": ""} if compact else {}
    out += [{"source": source, **family, "model": what, **seeds("1"), "val acc %": "", "test acc %": f"{100 * acc:.2f}"}
            for source, what, acc in REPORT_CLAIMS]
    out += [{"source": "published", **family, "model": what, **seeds(""), "val acc %": "", "test acc %": f"{100 * acc:.2f}"}
            for what, acc in PUBLISHED]
    if not compact and any("test_ece" in e.summary for e in rows):  # calibration, where a row measures it
        for row, e in zip(out, rows):
            row["test ECE %"] = calibration(e) if "test_ece" in e.summary else ""
        for row in out[len(rows):]:
            row["test ECE %"] = ""
    return out
