"""The book's tables of runs: one row per configuration with mean ± std over seeds."""
from __future__ import annotations

import math
import statistics
from typing import Any, Callable

import pandas as pd

from ..analysis.metrics import machine, seconds_per_epoch, stopping_epochs, timing_machine
from ..runs.summary import summarize
from .format import pct, pm, thousands


def summary_table(groups: dict[str, list[dict[str, Any]]], label: str = "configuration",
                  test: bool = False, gap: bool = False, compact: bool = False,
                  columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per configuration: seeds, parameters, s/epoch, epochs, val accuracy in % (with `test`,
    test accuracy instead of the seed count).

    `gap` adds the train - val gap (points) and the best validation accuracy of any epoch, for
    runs reported at their last epoch (no early stopping). `compact` keeps only parameters and
    accuracies, and `columns` only the columns named (after the label), for a table that must fit
    a laptop screen. Seconds per epoch compare only between runs of one machine: when the groups
    were trained on several, each cell averages the runs of the machine that trained most of them
    ('–' for a group with none there)."""
    if compact:
        columns = ("params", "train acc %", "val acc %", *(["test acc %"] * test))
    if columns is not None:
        return summary_table(groups, label, test=test, gap=gap)[[label, *columns]]

    runs = [r for results in groups.values() for r in results]
    on = timing_machine(runs) if len({machine(r) for r in runs}) > 1 else None
    rows = []
    for name, results in groups.items():
        s = summarize(results)
        seconds = seconds_per_epoch(results, on)
        row = {label: name, "params": thousands(s["params"]), "s/epoch": "–" if math.isnan(seconds) else f"{seconds:.2f}",
               "best epoch": f"{s['epochs']:.1f}", "seeds": s["seeds"],
               "train acc %": pct(s["train_mean"]), "val acc %": pm(s["val_mean"], s["val_std"])}
        if gap:
            del row["best epoch"]  # reported at the last epoch; show where validation peaked instead
            row["peak val acc %"] = pct(s["peak_val_mean"])
            row["peak epoch"] = f"{statistics.fmean(stopping_epochs(r)['acc_epoch'] for r in results):.1f}"
            row["gap (points)"] = f"{100 * s['gap']:.2f}"
        if test:  # the test column takes the seed count's place: with it, eight columns overflow a laptop screen
            del row["seeds"]
            row["test acc %"] = pm(s["test_mean"], s["test_std"])
        if s["diverged"]:
            row["val acc %"] += f" (diverged {s['diverged']}/{s['seeds']})"
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table (no extra dependency): the first column and any column of words ('C = 0.01',
    a cell that starts with a letter) left-aligned, columns of numbers right-aligned."""
    def words(column: pd.Series) -> bool:
        return any(str(v).strip()[:1].isalpha() for v in column)

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    align = "|" + "|".join(":--" if i == 0 or words(frame.iloc[:, i]) else "--:" for i in range(len(frame.columns))) + "|"

    def cell(value: Any) -> str:
        return str(value).replace(" = ", "\u00a0=\u00a0")  # 'λ = 10⁻⁵' never breaks at its '='

    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, align, *body])

# ---- Tables and glue over a study's groups, addressed by configuration values, never by label text.


def val_cell(results: list[dict[str, Any]]) -> str:
    """'89.45 ± 0.15' (validation, percent), with '(diverged k/n)' when seeds diverged."""
    s = summarize(results)
    return pm(s["val_mean"], s["val_std"]) + (f" (diverged {s['diverged']}/{s['seeds']})" if s["diverged"] else "")


def epochs_cell(results: list[dict[str, Any]]) -> str:
    """The selected epoch, mean over the runs, always with one decimal ('13.0', '13.3'), so that a
    column of them lines up on its decimal point."""
    return f"{summarize(results)['epochs']:.1f}"


def params_cell(results: list[dict[str, Any]]) -> str:
    """'269 322' (thin space between thousands)."""
    return thousands(results[0]["params"])


def seconds_cell(on: str | None) -> Callable[[list[dict[str, Any]]], str]:
    """A cell of mean seconds per epoch over the runs trained on machine `on` ('–' if none ran there)."""

    def cell(results: list[dict[str, Any]]) -> str:
        seconds = seconds_per_epoch(results, on)
        return "–" if math.isnan(seconds) else f"{seconds:.2f}"
    return cell


def grid_table(results: Any, rows: dict[str, dict[str, Any]], columns: dict[str, dict[str, Any]],
               cells: dict[str, Callable[[list[dict[str, Any]]], str]], corner: str = "") -> pd.DataFrame:
    """A table over a study (`StudyResults`): one row per entry of `rows` and, for each entry of
    `columns`, one column per entry of `cells`. Rows and columns are {title: RunConfig field values};
    a cell gets the runs of every group that has both its row's and its column's values (pooled,
    e.g. over initializations). Headers read 'column: cell', or just one of them when the other
    is the only one or empty."""
    table = []
    for row_title, row_fields in rows.items():
        row = {corner: row_title}
        for col_title, col_fields in columns.items():
            runs = [r for group in results.where(**row_fields, **col_fields).values() for r in group]
            if not runs:
                raise KeyError(f"no group has {row_fields | col_fields}")
            for cell_title, cell in cells.items():
                header = cell_title if not col_title else col_title if len(cells) == 1 else f"{col_title}: {cell_title}"
                row[header] = cell(runs)
        table.append(row)
    return pd.DataFrame(table)


def selected_table(results: Any, picks: list[str], reference: str, test: bool = True) -> pd.DataFrame:
    """`summary_table` of the groups selected on validation, then the reference group marked
    '(reference)' unless it is one of the picks."""
    groups = {label: results.runs[label] for label in dict.fromkeys(picks)}
    if reference not in groups:
        groups[f"{reference} (reference)"] = results.runs[reference]
    return summary_table(groups, label="selected on validation", test=test)
