"""The leaderboard: each chapter's configuration selected on validation, beside earlier claims.

Selection is per chapter and per family (MLP, MLP taught by a CNN, CNN) on mean validation
accuracy; test accuracy is reported for the selected configurations only. A distilled MLP is its
own family: it needs a trained CNN, so it does not compete for "best MLP". Refit runs (trained on
the validation images too) are left out. Chapters whose runs are not all stored are skipped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import studies
from .experiments import current_store, select, summarize
from .report import pm
from .config import RunConfig
from .store import Store
from .study import Study

# Numbers other reports published (test accuracy). Theirs, not ours: quoted for comparison only.
REPORT_CLAIMS = (
    ("Report A", "MLP 512-512-256-128, dropout, StepLR", 0.891), ("Report A", "CNN", 0.932),
    ("Report B", "NumPy MLP, 2 hidden layers", 0.8775), ("Report B", "Keras CNN", 0.9079),
    ("Report C", "MLP, 2 hidden layers", 0.8832), ("Report C", "LeNet-style CNN", 0.8966),
    ("Report D", "NumPy MLP, leaky ReLU", 0.8007), ("Report E", "MLP 2 × 400, Adam 1e-3", 0.8901),
)
PUBLISHED = (
    ("scikit-learn MLPClassifier, Fashion-MNIST benchmark", 0.871),
    ("best MLP in the Fashion-MNIST benchmark table", 0.8833),
    ("human, Fashion-MNIST README", 0.835),
)


@dataclass(frozen=True)
class Entry:
    chapter: str
    family: str  # one of FAMILIES
    study: Study
    label: str  # the group's label in its study
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.study.title}: {self.label}"


FAMILIES = ("MLP", "MLP taught by a CNN", "CNN")


def family(cfg: RunConfig) -> str:
    if cfg.model != "mlp":
        return "CNN"
    return "MLP taught by a CNN" if cfg.teacher else "MLP"


def chapter_groups(chapter: str, store: Store) -> dict[tuple[Study, str], list[dict[str, Any]]] | None:
    """All selectable groups of a chapter, by (study, label), or None if any run is missing."""
    groups = {}
    for study in studies.CHAPTERS[chapter]:
        for label, cfgs in study.configs().items():
            if cfgs[0].refit:  # trained on the validation images: nothing to select it by
                continue
            results = [store.load(cfg) for cfg in cfgs]
            if any(r is None for r in results):
                return None
            groups[study, label] = results
    return groups


def entries(store: Store | None = None) -> list[Entry]:
    """Per chapter and family, the group with the best mean validation accuracy."""
    store = store or current_store()
    rows = []
    for chapter in studies.CHAPTERS:
        groups = chapter_groups(chapter, store) or {}
        for fam in FAMILIES:
            mine = {k: v for k, v in groups.items() if family(k[0].groups[k[1]]) == fam}
            if mine:
                study, label = select(mine)
                rows.append(Entry(chapter, fam, study, label, summarize(mine[study, label])))
    return rows


@dataclass(frozen=True)
class Gain:
    """What a chapter's selected MLP adds over its control (the same run with the varied setting at
    its default), in accuracy points."""
    label: str
    val: float
    val_err: float
    test: float
    test_err: float
    cost: float  # training time per seed, relative to the control's


def _points(summary: dict[str, Any], control: dict[str, Any], split: str) -> tuple[float, float]:
    diff = summary[f"{split}_mean"] - control[f"{split}_mean"]
    return 100 * diff, 100 * math.hypot(summary[f"{split}_std"], control[f"{split}_std"])


def gains(rows: list[Entry], summaries: dict[tuple[Study, str], dict[str, Any]],
          chapters: tuple[str, ...] | None = None) -> list[Gain]:
    """Per chapter, its selected MLP minus its study's control group (`Study.control_of`; error: both
    seed stds combined), largest test gain first. `summaries`: (study, label) -> seed summary.
    The validation gain carries the winner's curse of the pick; the test gain does not."""
    chapters = studies.ranked_chapters() if chapters is None else chapters
    out = []
    for e in rows:
        if e.family == "MLP" and e.chapter in chapters and e.study.control is not None:
            base = e.study.control_of(e.label)
            control = summaries[e.study, base]
            (val, val_err), (test, test_err) = (_points(e.summary, control, split) for split in ("val", "test"))
            out.append(Gain(f"{e.label} vs {base}", val, val_err, test, test_err,
                            e.summary["wall_seconds"] / control["wall_seconds"]))
    return sorted(out, key=lambda g: g.test, reverse=True)


def best(rows: list[Entry], family: str) -> Entry | None:
    """The family's entry with the best validation accuracy across chapters."""
    mine = [e for e in rows if e.family == family]
    return max(mine, key=lambda e: e.summary["val_mean"]) if mine else None


def headline(rows: list[Entry]) -> str:
    """'best MLP: 0.xxxx ± 0.xxxx | best CNN: 0.xxxx ± 0.xxxx' (test accuracy of the validation pick)."""
    parts = []
    for family in ("MLP", "CNN"):
        e = best(rows, family)
        parts.append(f"best {family}: " + (f"{e.summary['test_mean']:.4f} ± {e.summary['test_std']:.4f}" if e else "not trained"))
    return " | ".join(parts)


def table(rows: list[Entry]) -> list[dict[str, str]]:
    """Rows for printing or a DataFrame: our entries, then the earlier reports' and published numbers."""
    out = [{"source": f"this book, {e.chapter}", "model": f"{e.family} — {e.name}", "seeds": str(e.summary["seeds"]),
            "val acc %": pm(e.summary["val_mean"], e.summary["val_std"]),
            "test acc %": pm(e.summary["test_mean"], e.summary["test_std"])} for e in rows]
    out += [{"source": source, "model": what, "seeds": "1", "val acc %": "", "test acc %": f"{100 * acc:.2f}"}
            for source, what, acc in REPORT_CLAIMS]
    out += [{"source": "published", "model": what, "seeds": "", "val acc %": "", "test acc %": f"{100 * acc:.2f}"}
            for what, acc in PUBLISHED]
    return out
