"""Glue between results and the book: tables, number formatting and myst-nb glue calls."""
from __future__ import annotations

import math
import statistics
from typing import Any

import pandas as pd

from .config import REFERENCE, RunConfig
from .experiments import compute_seconds, summarize
from .metrics import stopping_epochs


def pct(value: float, digits: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}"


def pm(mean: float, std: float, digits: int = 2) -> str:
    """'88.32 ± 0.15' (percent)."""
    return "–" if math.isnan(mean) else f"{pct(mean, digits)} ± {pct(std, digits)}"


def summary_table(groups: dict[str, list[dict[str, Any]]], label: str = "configuration",
                  test: bool = False, gap: bool = False) -> pd.DataFrame:
    """One row per configuration: seeds, parameters, s/epoch, epochs, val (and test) accuracy in %.

    `gap` adds the train - val gap (points) and the best validation accuracy of any epoch, for
    runs reported at their last epoch (no early stopping)."""
    rows = []
    for name, results in groups.items():
        s = summarize(results)
        row = {label: name, "params": f"{s['params']:,}", "s/epoch": f"{s['sec_per_epoch']:.2f}",
               "best epoch": f"{s['epochs']:.1f}", "seeds": s["seeds"],
               "train acc %": pct(s["train_mean"]), "val acc %": pm(s["val_mean"], s["val_std"])}
        if gap:
            del row["best epoch"]  # reported at the last epoch; show where validation peaked instead
            row["peak val acc %"] = pct(s["peak_val_mean"])
            row["peak epoch"] = f"{statistics.fmean(stopping_epochs(r)['acc_epoch'] for r in results):.1f}"
            row["gap (points)"] = f"{100 * s['gap']:.2f}"
        if test:
            row["test acc %"] = pm(s["test_mean"], s["test_std"])
        if s["diverged"]:
            row["val acc %"] += f" (diverged {s['diverged']}/{s['seeds']})"
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table (no extra dependency), right-aligned numbers."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    align = "|" + "|".join(":--" if i == 0 else "--:" for i in range(len(frame.columns))) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, align, *body])


def glue_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Glue a table as Markdown (for a numbered `{table}` in the text) and return it."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(markdown_table(frame)), display=False)
    return frame


def glue_numbers(**values: float) -> None:
    """Glue plain numbers; the text formats them, e.g. {glue:text}`name:.2%`."""
    from myst_nb import glue

    for name, value in values.items():
        glue(name, value.item() if hasattr(value, "item") else value, display=False)  # numpy -> Python, for format specs


def glue_markdown(**texts: str) -> None:
    """Glue short texts (names, labels) for {glue:md}`name`; plain glue would print them quoted."""
    from IPython.display import Markdown
    from myst_nb import glue

    for name, text in texts.items():
        glue(name, Markdown(text), display=False)


def glue_summary(prefix: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Glue `<prefix>_val`, `_val_std`, `_test`, `_test_std`, `_test_ci`, `_epochs`, `_params`, `_sec`."""
    s = summarize(results)
    glue_numbers(**{f"{prefix}_val": s["val_mean"], f"{prefix}_val_std": s["val_std"],
                    f"{prefix}_test": s["test_mean"], f"{prefix}_test_std": s["test_std"],
                    f"{prefix}_test_ci": s["test_ci95"], f"{prefix}_epochs": s["epochs"],
                    f"{prefix}_params": s["params"], f"{prefix}_sec": s["sec_per_epoch"]})
    return s


def devices(results: list[dict[str, Any]]) -> str:
    """Where runs were trained, each machine once with its share of the runs:
    '2 threads of an AMD EPYC 7B13 (40 runs) and of an Intel Xeon (8 runs)'."""
    counts: dict[tuple[str, str, int], int] = {}
    for r in results:
        p = r["provenance"]
        name = p["device_name"] if p["device_name"] not in ("x86_64", "") else "unnamed x86-64 CPU"
        where = (p["device"], name, p["threads"])
        counts[where] = counts.get(where, 0) + 1
    parts = []
    for (device, name, threads), n in sorted(counts.items(), key=lambda item: -item[1]):
        what = f"a GPU ({name})" if device == "cuda" else f"{plural(threads, 'thread')} of {name}"
        parts.append(what + (f" ({plural(n, 'run')})" if len(counts) > 1 else ""))
    return join(parts)


def glue_compute(prefix: str, results: list[dict[str, Any]]) -> None:
    """Glue what a set of runs cost when trained (from provenance): `<prefix>_runs`,
    `<prefix>_minutes` (numbers) and `<prefix>_devices` (Markdown, for {glue:md})."""
    results = list({r["key"]: r for r in results}.values())  # a run shared by two groups counts once
    glue_numbers(**{f"{prefix}_runs": len(results), f"{prefix}_minutes": compute_seconds(results) / 60})
    glue_markdown(**{f"{prefix}_devices": devices(results)})


# ---- Phrases for generated prose: equal ranges, whole numbers, signs and plurals read as written.
MINUS = "\u2212"


def number(value: float, digits: int = 2) -> str:
    """'10' for a whole number, else `digits` decimals; a true minus sign (U+2212) for negatives."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"
    return text.replace("-", MINUS)


def signed(value: float, digits: int = 2) -> str:
    """'+0.37' or '−0.37' (U+2212); zero as '0.00'."""
    text = f"{value:+.{digits}f}"
    return "0" + text[2:] if float(text) == 0 else text.replace("-", MINUS)


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 run', '3 runs', '1 000 images' (thin space between thousands)."""
    shown = f"{n:,.0f}".replace(",", "\u2009") if float(n).is_integer() else f"{n:.1f}"
    return f"{shown} {word if n == 1 else (many or word + 's')}"


def span(low: float, high: float, unit: str = "", digits: int = 2) -> str:
    """'between 5 and 10 epochs', or 'exactly 5 epochs' when both ends are equal."""
    suffix = f" {unit}" if unit else ""
    if number(low, digits) == number(high, digits):
        return f"{number(low, digits)}{suffix}"
    return f"between {number(low, digits)} and {number(high, digits)}{suffix}"


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def config_changes(cfg: RunConfig, base: RunConfig = REFERENCE, base_name: str = "reference MLP") -> pd.DataFrame:
    """The settings in which `cfg` differs from `base` (seed and profile caps aside), side by side.

    Settings that cannot affect a run (`RunConfig.inactive_fields`) are shown as "—".
    """
    def shown(c: RunConfig, name: str) -> str:
        return "—" if name in c.inactive_fields() else str(c.to_dict()[name])

    rows = [{"setting": name, base_name: shown(base, name), "this model": shown(cfg, name)}
            for name in base.to_dict() if name not in ("seed", "train_size") and shown(cfg, name) != shown(base, name)]
    return pd.DataFrame(rows)


def against_spread(difference: float, *stds: float) -> str:
    """Whether a difference of two seed means is bigger than the seed-to-seed spread, in words."""
    return "more than the spread between seeds" if abs(difference) >= max(stds) else "less than the spread between seeds"


def target_verdict(mean: float, goal: float, floor: float) -> str:
    """How a mean accuracy stands against a target set before training, in words for the prose."""
    if mean >= goal:
        return f"reaches the {100 * goal:.1f} % goal"
    if mean >= floor:
        return f"clears the {100 * floor:.1f} % minimum but not the {100 * goal:.1f} % goal"
    return f"falls short of both the {100 * goal:.1f} % goal and the {100 * floor:.1f} % minimum"
