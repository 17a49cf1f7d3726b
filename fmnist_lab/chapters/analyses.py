"""The stored analyses the pages read: `fmnist-lab status` counts them and `fmnist-lab run` computes
the missing ones, as it does runs. Each entry builds the page's `Analysis` from the store; one whose
inputs (saved weights) are not stored yet is left out: its runs are already listed as missing."""
from __future__ import annotations

from typing import Callable

from ..analysis import leaderboard, robustness
from ..runs import derived, studies
from ..runs.derived import Analysis
from ..runs.store import Store
from . import best, beyond_accuracy, ceiling

NEEDED: dict[str, Callable[[Store], list[Analysis]]] = {
    "10_best": lambda store: [best.near_twins_analysis()],
    "09_cnn": lambda store: [robustness.moved_analysis(store)],
    "11_ceiling": lambda store: [ceiling.flip_analysis(store), ceiling.flip_analysis(store, studies.PUBLISHED)],
    "12_beyond_accuracy": lambda store: [*beyond_accuracy.stored_analyses(store), leaderboard.ensemble_analysis(store)],
}


def needed(chapter: str, store: Store) -> list[Analysis]:
    """The analyses `chapter` reads whose inputs are in `store`."""
    try:
        return NEEDED[chapter](store) if chapter in NEEDED else []
    except FileNotFoundError:  # weights not stored yet: their runs are missing, and listed as such
        return []


def compute_missing(chapter: str, store: Store, force: bool = False) -> None:
    """Compute and store the analyses `chapter` reads that `store` lacks (all of them with `force`)."""
    for analysis in needed(chapter, store):
        if force or derived.load(store, analysis) is None:
            print(f"computing the stored analysis {analysis.name} ({analysis.key()})", flush=True)
            derived.save(store, analysis, *derived.compute(analysis))
