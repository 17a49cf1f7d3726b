"""Picking groups out of a loaded study: runs keyed by a configuration value, distinct trainings, the best group on validation."""
from __future__ import annotations

from typing import Any, Callable

from ..engine.config import RunConfig
from ..runs.summary import select


# ---- A study's groups keyed by a setting, and the facts a chapter's prose quotes about them ------
def by_value(results: Any, key: str | Callable[[RunConfig], Any], **fields: Any) -> dict[Any, list[dict[str, Any]]]:
    """The runs of a study's groups (a `StudyResults`) keyed by a value read from each group's
    configuration: a field name (`by_value(ch.dropout, "dropout")` -> {0.0: runs, 0.1: runs, ...})
    or a function of it (`by_value(ch.depth, lambda c: len(c.hidden))`). `fields` keeps only the
    groups with those values, as `StudyResults.where` does. Two groups may share a value only if
    they share their runs (a study can list the same runs under two labels)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    for label in results.study.labels(**fields):
        cfg = results.study.groups[label]
        value = key(cfg) if callable(key) else getattr(cfg, key)
        runs = results.runs[label]
        if value in out and [r["key"] for r in out[value]] != [r["key"] for r in runs]:
            raise ValueError(f"study {results.study.name!r}: two groups with different runs share the value {value!r}")
        out[value] = runs
    return out


def distinct(groups: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The groups in order, less those whose runs repeat an earlier group's (one row per training)."""
    seen: set[tuple[str, ...]] = set()
    out = {}
    for label, runs in groups.items():
        keys = tuple(r["key"] for r in runs)
        if keys not in seen:
            seen.add(keys)
            out[label] = runs
    return out


def best(results: Any, where: Callable[[RunConfig], bool] | None = None, **fields: Any) -> dict[str, list[dict[str, Any]]]:
    """The group with the best mean validation accuracy among a study's groups (a `StudyResults`)
    that have these field values and satisfy `where(cfg)`, as {label: runs}: e.g. the best dropout
    above zero, `best(ch.dropout, lambda cfg: cfg.dropout > 0)`."""
    groups = {label: runs for label, runs in results.where(**fields).items()
              if where is None or where(results.study.groups[label])}
    if not groups:
        raise ValueError(f"study {results.study.name!r}: no group matches {fields or ''} and the condition")
    label = select(groups)
    return {label: groups[label]}
