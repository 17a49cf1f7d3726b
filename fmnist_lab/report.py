"""Glue between results and the book: tables, number formatting and myst-nb glue calls."""
from __future__ import annotations

import math
import re
import statistics
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .config import REFERENCE, RunConfig
from .experiments import compute_seconds, select, summarize
from .metrics import machine, stopping_epochs, stopping_summary, timing_machine


def pct(value: float, digits: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}"


def pm(mean: float, std: float, digits: int = 2) -> str:
    """'88.32 ± 0.15' (percent), joined by no-break spaces so that a narrow table column never
    splits it over lines."""
    return "–" if math.isnan(mean) else f"{pct(mean, digits)}\u00a0±\u00a0{pct(std, digits)}"


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
    from .metrics import seconds_per_epoch

    runs = [r for results in groups.values() for r in results]
    on = timing_machine(runs) if len({machine(r) for r in runs}) > 1 else None
    rows = []
    for name, results in groups.items():
        s = summarize(results)
        seconds = seconds_per_epoch(results, on)
        row = {label: name, "params": thousands(s["params"]), "s/epoch": "–" if math.isnan(seconds) else f"{seconds:.2f}",
               "best epoch": number(s["epochs"], 1), "seeds": s["seeds"],
               "train acc %": pct(s["train_mean"]), "val acc %": pm(s["val_mean"], s["val_std"])}
        if gap:
            del row["best epoch"]  # reported at the last epoch; show where validation peaked instead
            row["peak val acc %"] = pct(s["peak_val_mean"])
            row["peak epoch"] = number(statistics.fmean(stopping_epochs(r)["acc_epoch"] for r in results), 1)
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


def glue_table(name: str, frame: pd.DataFrame | list[dict[str, Any]]) -> pd.DataFrame:
    """Glue a table as Markdown (for a numbered `{table}` in the text) and return it; a list of row
    dicts (as `leaderboard.table` gives) is made a DataFrame first."""
    from IPython.display import Markdown
    from myst_nb import glue

    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
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


def glue_summary(prefix: str, results: list[dict[str, Any]], detail: bool = False) -> dict[str, Any]:
    """Glue `<prefix>_val`, `_val_std`, `_test`, `_test_std`, `_test_ci`, `_epochs`, `_params`, `_sec`,
    and `_epochs_text` (the mean selected epoch as prose writes it, '13' or '13.3', for {glue:md}); with `detail` also `_minutes_per_seed` (training time per seed), `_train` (training accuracy at
    the reported epoch), `_overfit` (train − validation) and `_val_test_gap` (validation − test), in points."""
    s = summarize(results)
    glue_numbers(**{f"{prefix}_val": s["val_mean"], f"{prefix}_val_std": s["val_std"],
                    f"{prefix}_test": s["test_mean"], f"{prefix}_test_std": s["test_std"],
                    f"{prefix}_test_ci": s["test_ci95"], f"{prefix}_epochs": s["epochs"],
                    f"{prefix}_params": s["params"], f"{prefix}_sec": s["sec_per_epoch"]})
    glue_markdown(**{f"{prefix}_epochs_text": number(s["epochs"], 1)})
    if detail:
        glue_numbers(**{f"{prefix}_minutes_per_seed": s["wall_seconds"] / 60, f"{prefix}_train": s["train_mean"],
                        f"{prefix}_overfit": 100 * s["gap"], f"{prefix}_val_test_gap": 100 * (s["val_mean"] - s["test_mean"])})
    return s


def glue_summaries(results: Any, detail: bool = False, **labels: str) -> None:
    """`glue_summary(prefix, ..., detail)` for several groups of one study (a `StudyResults`), given
    as prefix=label: `glue_summaries(ch.schedule, sched_best=best, sched_const="constant")`."""
    for prefix, label in labels.items():
        glue_summary(prefix, results.runs[label], detail=detail)


def cpu_title(name: str) -> str:
    """A processor's name as a reader reads it, without trademarks, clock and filler:
    'Intel(R) Xeon(R) Processor' -> 'Intel Xeon', 'AMD EPYC 7B13 64-Core Processor' -> 'AMD EPYC 7B13',
    'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz' -> 'Intel Core i7-8700 CPU'; a name that is only the
    architecture ('x86_64', as some machines report it) or empty -> 'unnamed x86-64 CPU'."""
    if name.strip() in ("", "x86_64"):
        return "unnamed x86-64 CPU"
    name = re.sub(r"\((R|TM)\)", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*@.*$", "", name)
    name = re.sub(r"\s+(\d+-Core\s+)?Processor\b", "", name)
    return " ".join(name.split())


def machine_title(provenance: dict[str, Any]) -> str:
    """Where one run trained, for a table: 'AMD EPYC, 2 threads', 'NVIDIA H200 (GPU)'."""
    if provenance["device"] == "cuda":
        return f"{provenance['device_name']} (GPU)"
    return f"{cpu_title(provenance['device_name'])}, {plural(provenance['threads'], 'thread')}"


def devices(results: list[dict[str, Any]]) -> str:
    """Where runs were trained, each machine once with its share of the runs:
    '2 threads of an AMD EPYC 7B13 (40 runs) and 2 threads of an Intel Xeon (8 runs)'."""
    counts: dict[tuple[str, str, int], int] = {}
    for r in results:
        p = r["provenance"]
        name = cpu_title(p["device_name"]) if p["device"] == "cpu" else p["device_name"]
        where = (p["device"], name, p["threads"])
        counts[where] = counts.get(where, 0) + 1
    parts = []
    for (device, name, threads), n in sorted(counts.items(), key=lambda item: -item[1]):
        article = "an" if name[:1].lower() in "aeiou" else "a"
        what = f"a GPU ({name})" if device == "cuda" else f"{plural(threads, 'thread')} of {article} {name}"
        parts.append(what + (f" ({plural(n, 'run')})" if len(counts) > 1 else ""))
    return join(parts)


def _two_thread_runs(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs timed on two threads of the machine that trained most of those (`timing_machine`)."""
    two = [r for r in results if r["provenance"].get("threads") == 2]
    return [r for r in two if machine(r) == timing_machine(two)] if two else []


def two_thread_minutes(results: list[dict[str, Any]]) -> tuple[float, str]:
    """Training minutes per seed of the runs timed on two threads, on the machine that trained most
    of those, and that machine in words ('AMD EPYC, 2 threads'); (NaN, '') if none ran on two threads.
    Times compared in prose must come from one thread count: a seed retrained on one thread, or
    beside another process, takes longer without being a costlier recipe."""
    timed = _two_thread_runs(results)
    if not timed:
        return math.nan, ""
    return sum(r["provenance"]["wall_seconds"] for r in timed) / len(timed) / 60, machine_title(timed[0]["provenance"])


def _timed_where(results: list[dict[str, Any]]) -> str:
    """'AMD EPYC, 2 threads', with '1 of 3 seeds' added when the others ran elsewhere."""
    timed = _two_thread_runs(results)
    where = machine_title(timed[0]["provenance"])
    return where + (f", {len(timed)} of {plural(len(results), 'seed')}" if len(timed) < len(results) else "")


def glue_minutes(**groups: list[dict[str, Any]]) -> dict[str, float]:
    """Per name: `<name>_minutes` (number, `two_thread_minutes`) and `<name>_minutes_text`
    ('7.2 minutes per seed (AMD EPYC, 2 threads)', or '… (Intel Xeon, 2 threads, 1 of 3 seeds)'
    when only some seeds were timed there; for {glue:md})."""
    out = {}
    for name, results in groups.items():
        minutes, where = two_thread_minutes(results)
        out[name] = minutes
        glue_numbers(**{f"{name}_minutes": minutes})
        glue_markdown(**{f"{name}_minutes_text": f"{number(minutes, 1)} minutes per seed ({_timed_where(results)})" if where
                         else "not timed on two threads"})
    return out


def time_versus(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    """Two groups' minutes per seed side by side, saying whether the ratio means anything:
    '2.6 against 7.2 minutes per seed (both AMD EPYC, 2 threads)', or, from two CPUs, '… (Intel
    Xeon against AMD EPYC, 2 threads each: different CPUs, so the ratio is only rough)'."""
    (ma, wa), (mb, wb) = two_thread_minutes(a), two_thread_minutes(b)
    times = f"{number(ma, 1)} against {number(mb, 1)} minutes per seed"
    if wa == wb:
        return f"{times} (both {wa})"
    cpu = lambda where: where.split(",")[0]  # 'AMD EPYC, 2 threads' -> 'AMD EPYC'
    return f"{times} ({cpu(wa)} against {cpu(wb)}, 2 threads each: different CPUs, so the ratio is only rough)"


def glue_compute(prefix: str, results: list[dict[str, Any]]) -> None:
    """Glue what a set of runs cost when trained (from provenance): `<prefix>_runs`,
    `<prefix>_minutes` (numbers) and `<prefix>_devices` (Markdown, for {glue:md})."""
    results = list({r["key"]: r for r in results}.values())  # a run shared by two groups counts once
    glue_numbers(**{f"{prefix}_runs": len(results), f"{prefix}_minutes": compute_seconds(results) / 60})
    glue_markdown(**{f"{prefix}_devices": devices(results)})


# ---- Phrases for generated prose: equal ranges, whole numbers, signs and plurals read as written.
MINUS = "\u2212"


def number(value: float, digits: int = 2) -> str:
    """'10' for a number that is whole at `digits` decimals ('10' or '5 000', never '10.0' or '−0'), else
    `digits` decimals; a true minus sign (U+2212) for negatives."""
    text = f"{value:.{digits}f}"
    if float(text).is_integer():
        return "0" if float(text) == 0 else thousands(float(text))
    return text.replace("-", MINUS)


def signed(value: float, digits: int = 2) -> str:
    """'+0.37' or '−0.37' (U+2212); zero as '0.00'."""
    text = f"{value:+.{digits}f}"
    return "0" + text[2:] if float(text) == 0 else text.replace("-", MINUS)


def above_below(points: float, digits: int = 2) -> str:
    """'1.59 points above', '0.91 points below', 'level with' (a difference in points, in words: a
    sign on a distance reads wrong in a sentence like 'lands −0.91 points from')."""
    if number(abs(points), digits) == "0":
        return "level with"
    return f"{number(abs(points), digits)} points {'above' if points > 0 else 'below'}"


def thousands(n: float) -> str:
    """'50 000', '7 850', '999', '−1 200': a whole number with a narrow no-break space (U+202F)
    between thousands, as the prose writes them (never a comma, and never split across lines);
    rounded if not whole."""
    return f"{n:,.0f}".replace(",", "\u202f").replace("-", MINUS)


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 run', '3 runs', '1 000 images' (thin space between thousands)."""
    shown = thousands(n) if float(n).is_integer() else f"{n:.1f}"
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


# How a reader names each RunConfig field in a recipe table (fields not listed show their own name).
FIELD_TITLES = {"model": "network", "hidden": "hidden layers", "channels": "channels per block", "activation": "activation",
                "dropout": "dropout", "batchnorm": "batch norm", "init": "initialization", "optimizer": "optimizer",
                "lr": "learning rate", "momentum": "momentum", "weight_decay": "weight decay", "schedule": "learning-rate schedule",
                "batch_size": "batch size", "epochs": "epochs", "early_stopping": "epoch kept", "patience": "early-stopping patience",
                "augment": "augmentation", "normalization": "input scaling", "label_smoothing": "label smoothing",
                "teacher": "teacher", "distill_weight": "weight of the teacher's loss",
                "distill_temperature": "distillation temperature", "mixup": "mixup Beta parameter", "ema": "weight averaging decay"}
AUGMENTATION_TITLES = {"hflip": "flip", "rotate": "rotation", "shift": "shift", "erase": "erasing"}


def setting_text(cfg: RunConfig, name: str) -> str:
    """One setting of `cfg` as a reader reads it: '1024 × 1024', 'flip + erasing', 'AdamW', 'yes'."""
    from .choices import ACTIVATIONS, INITS, OPTIMIZERS, SCHEDULES
    from .studies import small

    if name in cfg.inactive_fields() or (name == "channels") == (cfg.model == "mlp") and name in ("hidden", "channels"):
        return "—"  # settings this run cannot use: a teacher's without one, an MLP's channels, a CNN's widths
    value = getattr(cfg, name)
    if name == "model":
        return {"mlp": "MLP", "cnn": "small CNN", "lenet": "LeNet-style CNN"}[value]
    registries = {"activation": ACTIVATIONS, "init": INITS, "optimizer": OPTIMIZERS, "schedule": SCHEDULES}
    if name in registries:
        return registries[name][value].title
    if name in ("hidden", "channels"):
        return " × ".join(map(str, value)) if value else "none"
    if name == "augment":
        return " + ".join(AUGMENTATION_TITLES.get(a, a) for a in value) or "none"
    if name == "early_stopping":
        return {"val_acc": "best validation accuracy", "val_loss": "lowest validation loss", "none": "last"}[value]
    if name == "teacher":
        from .studies import TEACHER
        return "the best CNN, seed 0" if value == TEACHER.key() else f"the run {value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return small(value) if value else "0"
    return str(value)


def config_changes(cfg: RunConfig, base: RunConfig = REFERENCE, base_name: str = "reference MLP") -> pd.DataFrame:
    """The settings in which `cfg` differs from `base` (seed and profile caps aside), side by side,
    named and written as a reader reads them (`FIELD_TITLES`, `setting_text`).

    Settings that cannot affect a run (`RunConfig.inactive_fields`) are shown as "—".
    """
    rows = [{"setting": FIELD_TITLES.get(name, name), base_name: setting_text(base, name), "this model": setting_text(cfg, name)}
            for name in base.to_dict() if name not in ("seed", "train_size", "val_size")
            and setting_text(cfg, name) != setting_text(base, name)]
    return pd.DataFrame(rows)


def against_spread(difference: float, *stds: float) -> str:
    """Whether a difference of two seed means is bigger than the seed-to-seed spread, in words."""
    return "more than the spread between seeds" if abs(difference) >= max(stds) else "less than the spread between seeds"


def shown_points(a: float, b: float, digits: int = 2) -> float:
    """`a` − `b` (fractions) in points, from the two as the page prints them (`digits` decimals of
    a percent): a reader who subtracts 90.01 from 90.05 must find the glued +0.04, not +0.03."""
    return round(round(100 * a, digits) - round(100 * b, digits), digits)


def above(a: float, b: float, digits: int = 2) -> str:
    """Accuracy `a` against `b` (fractions) in words, from the printed figures: '1.12 points
    above', '0.30 points below', 'level with' (`shown_points`, `above_below`)."""
    return above_below(shown_points(a, b, digits), digits)


def points(a: dict[str, Any], b: dict[str, Any], split: str = "test") -> float:
    """How far seed summary `a` is above `b` on a split ("val", "test"), in accuracy points (`shown_points`)."""
    return shown_points(a[f"{split}_mean"], b[f"{split}_mean"])


def versus_spread(a: dict[str, Any], b: dict[str, Any], split: str = "test") -> str:
    """`against_spread` for two seed summaries on one split: is their difference beyond the seed noise?"""
    return against_spread(a[f"{split}_mean"] - b[f"{split}_mean"], a[f"{split}_std"], b[f"{split}_std"])


def glue_versus(**pairs: tuple) -> None:
    """For each `name=(a, b)` or `name=(a, b, split)` of two seed summaries (split "test" unless
    given), glue how far `a` is above `b`: `<name>` (signed points, for {glue:md}), `<name>_err`
    (the two seed stds combined, points) and `<name>_spread` (`against_spread` in words)."""
    for name, (a, b, *split) in pairs.items():
        on = split[0] if split else "test"
        glue_signed(**{name: points(a, b, on)})
        glue_numbers(**{f"{name}_err": 100 * math.hypot(a[f"{on}_std"], b[f"{on}_std"])})
        glue_markdown(**{f"{name}_spread": versus_spread(a, b, on)})


def glue_signed(digits: int = 2, **values: float) -> None:
    """Glue differences as signed text ('+0.37', '−0.37' with U+2212) for {glue:md}`name`."""
    glue_markdown(**{name: signed(value, digits) for name, value in values.items()})


def glue_difference(name: str, a: dict[str, Any], b: dict[str, Any], metric: str = "val") -> float:
    """Glue how far summary `a` lies above summary `b` (`experiments.summarize` dicts), in points of
    `metric` ("val" or "test") accuracy: `name` (number), `name_signed` ('+0.37' / '−0.37', for
    {glue:md}) and `name_spread` (whether it exceeds the seed spread, in words). Returns the points."""
    points = shown_points(a[f"{metric}_mean"], b[f"{metric}_mean"])
    glue_numbers(**{name: points})
    glue_markdown(**{f"{name}_signed": signed(points), f"{name}_spread": against_spread(
        points / 100, a[f"{metric}_std"], b[f"{metric}_std"])})
    return points


def seeds_ahead(ahead: int, seeds: int, noun: str = "seed") -> str:
    """On how many of the paired seeds (or other `noun`s) a model was ahead: 'on all 3 seeds',
    'on both seeds', 'on 2 of 3 seeds', 'on none of the 3 seeds', 'on its one seed'."""
    if seeds == 1:
        return f"on its one {noun}" if ahead else f"on none of its one {noun}"
    if ahead == seeds:
        return f"on both {noun}s" if seeds == 2 else f"on all {seeds} {noun}s"
    return f"on none of the {seeds} {noun}s" if ahead == 0 else f"on {ahead} of {seeds} {noun}s"


def noise_verdict(gain: float, half_width: float) -> str:
    """Whether a gain paired seed by seed (points) is clear of the seed noise, with its 95% interval:
    'beyond seed noise (95% interval +0.53 to +1.07)', 'within seed noise (95% interval −0.12 to
    +1.11)'; 'with too few seeds for an interval' when there is none (NaN)."""
    if math.isnan(half_width):
        return "with too few seeds for an interval"
    where = "beyond" if abs(gain) > half_width else "within"
    return f"{where} seed noise (95% interval {signed(gain - half_width)} to {signed(gain + half_width)})"


def paired(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str = "test") -> dict[str, Any]:
    """How far `runs` lie above `control` on `split`, seed by seed (the seeds' spread cancels): the
    mean `gain` in points, its 95% half-width `ci`, `clear` (the interval excludes zero), `ahead`
    (seeds where `runs` won) and `seeds` (pairs)."""
    from .ceiling import paired_gain

    p = paired_gain(runs, control, split)
    return {"gain": p["gain"], "ci": p["ci"], "clear": abs(p["gain"]) > p["ci"], "ahead": p["ahead"], "seeds": len(p["seeds"])}


def glue_paired(name: str, runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str = "test") -> dict[str, Any]:
    """`paired` for prose that claims a direction: `<name>` (signed points), `<name>_verdict`
    (`noise_verdict`) and `<name>_ahead` (`seeds_ahead`), all for {glue:md}. Returns `paired`."""
    p = paired(runs, control, split)
    glue_markdown(**{name: signed(p["gain"]), f"{name}_verdict": noise_verdict(p["gain"], p["ci"]),
                     f"{name}_ahead": seeds_ahead(p["ahead"], p["seeds"])})
    return p


def slug(text: str) -> str:
    """A glue-name fragment from a reader's label: 'flip + rotation' -> 'flip_rotation'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def glue_against_control(prefix: str, groups: dict[str, list[dict[str, Any]]], control: str) -> dict[str, float]:
    """How each group compares with one of them, the `control` (e.g. no augmentation), on validation.

    Per group, `glue_stats` under `<prefix>_<slug(name)>` (e.g. `aug60_flip_rotation_gain`, signed
    text; `aug60_no_augmentation_train`). Over the groups other than the control: `<prefix>_n`,
    `_n_below` (how many score below the control), `_below` (their names, or 'none'),
    `_mean_gain` and `_worst_gain` (signed text, points), `_best` (the best one's name) and
    `_best_gain` (points). Returns each of those groups' gain over the control, in points."""
    stats = glue_stats(control=groups[control], **{f"{prefix}_{slug(name)}": runs for name, runs in groups.items()})
    gains = {name: stats[f"{prefix}_{slug(name)}"]["gain"] for name in groups if name != control}
    best, below = max(gains, key=gains.get), [name for name, gain in gains.items() if gain < 0]
    glue_numbers(**{f"{prefix}_n": len(gains), f"{prefix}_n_below": len(below), f"{prefix}_best_gain": gains[best]})
    glue_markdown(**{f"{prefix}_below": join(below) or "none", f"{prefix}_best": best,
                     f"{prefix}_mean_gain": signed(statistics.fmean(gains.values())), f"{prefix}_worst_gain": signed(min(gains.values()))})
    return gains


def optimizer_title(cfg: RunConfig) -> str:
    """The optimizer of `cfg` in a reader's words, with the settings that qualify it:
    'SGD + momentum 0.9', 'Nesterov 0.9', 'AdamW (λ = 10⁻²)', 'Adam + L2 (λ = 10⁻³)', 'Adam'."""
    from .choices import OPTIMIZERS

    title = OPTIMIZERS[cfg.optimizer].title
    if cfg.optimizer in ("momentum", "nesterov"):
        title += f" {cfg.momentum:g}"
    if cfg.weight_decay:
        from .studies import small

        decay = small(cfg.weight_decay)
        title += f" (λ = {decay})" if cfg.optimizer == "adamw" else f" + L2 (λ = {decay})"
    return title


def timing_note(results: list[dict[str, Any]]) -> str:
    """Where a set of runs was timed, for prose that compares their seconds per epoch: 'all timed on
    2 threads of AMD EPYC', or, when they come from several machines, a phrase that says the
    times mix machines and are only indicative."""
    where = devices(results)
    machines = {(r["provenance"]["device"], r["provenance"]["device_name"], r["provenance"]["threads"]) for r in results}
    if len(machines) == 1:
        return f"all timed on {where}"
    mixed = "machines" if len({m[:2] for m in machines}) > 1 else "thread counts"  # one CPU, 1 and 2 threads
    return f"timed on {where}, so they mix {mixed} and are indicative only"


def target_verdict(mean: float, goal: float, floor: float, again: bool = False) -> str:
    """How a mean accuracy stands against a target set before training, in words for the prose;
    `again`: the short form for a page that has already named both targets once."""
    if again:
        return ("reaches the goal too" if mean >= goal else "clears the minimum too, though not the goal" if mean >= floor
                else "also falls short of the minimum")
    if mean >= goal:
        return f"reaches the {number(100 * goal, 1)}% goal"
    if mean >= floor:
        return f"clears the {number(100 * floor, 1)}% minimum but not the {number(100 * goal, 1)}% goal"
    return f"falls short of both the {number(100 * goal, 1)}% goal and the {number(100 * floor, 1)}% minimum"


# ---- Tables and glue over a study's groups, addressed by configuration values, never by label text.
def val_cell(results: list[dict[str, Any]]) -> str:
    """'89.45 ± 0.15' (validation, percent), with '(diverged k/n)' when seeds diverged."""
    s = summarize(results)
    return pm(s["val_mean"], s["val_std"]) + (f" (diverged {s['diverged']}/{s['seeds']})" if s["diverged"] else "")


def epochs_cell(results: list[dict[str, Any]]) -> str:
    """The selected epoch, mean over the runs: '13', or '13.3' (one decimal) when not whole."""
    return number(summarize(results)["epochs"], 1)


def params_cell(results: list[dict[str, Any]]) -> str:
    """'269 322' (thin space between thousands)."""
    return thousands(results[0]["params"])


def seconds_cell(on: str | None) -> Callable[[list[dict[str, Any]]], str]:
    """A cell of mean seconds per epoch over the runs trained on machine `on` ('–' if none ran there)."""
    from .metrics import seconds_per_epoch

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


def glue_groups(results: Any, key: Callable[[RunConfig], tuple], **fields: str | Callable[[dict[str, Any]], float]
                ) -> dict[tuple, dict[str, Any]]:
    """Glue one number per group of a study (`StudyResults`) and per field, named after the field
    and the group's `key(config)` joined by '_': with `key=lambda c: (len(c.hidden), c.init)`,
    `v="val_mean"` glues `v2_kaiming`, `v6_kaiming`, ... A field is a summary entry or a function
    of the summary. Returns the summaries by key, e.g. `S[6, "kaiming"]`."""
    by_key = {key(cfg): results.summaries[label] for label, cfg in results.study.groups.items()}
    if len(by_key) != len(results.study.groups):
        raise ValueError("glue_groups: `key` gives two groups the same key")
    glue_numbers(**{name + "_".join(map(str, k)): field(s) if callable(field) else s[field]
                    for k, s in by_key.items() for name, field in fields.items()})
    return by_key


def glue_pick(name: str, results: Any, title: Callable[[RunConfig], str] | None = None, **fields: Any) -> str:
    """The best group on validation among those with these field values (`results.pick`); glues
    its name as `<name>` (Markdown: the label, or `title(config)`) and its mean validation
    accuracy as `<name>_val`. Returns the label."""
    label = results.pick(**fields)
    glue_markdown(**{name: title(results.study.groups[label]) if title else label})
    glue_numbers(**{f"{name}_val": results.summaries[label]["val_mean"]})
    return label


def selected_table(results: Any, picks: list[str], reference: str, test: bool = True) -> pd.DataFrame:
    """`summary_table` of the groups selected on validation, then the reference group marked
    '(reference)' unless it is one of the picks."""
    groups = {label: results.runs[label] for label in dict.fromkeys(picks)}
    if reference not in groups:
        groups[f"{reference} (reference)"] = results.runs[reference]
    return summary_table(groups, label="selected on validation", test=test)


def glue_timing(prefix: str, chapter: Any) -> str:
    """Seconds per epoch compare only between runs on one machine: pick the machine that trained
    most of a chapter's runs (`ChapterResults`) and return it (for `seconds_cell`), and glue
    `<prefix>_timing_device` (Markdown, e.g. '2 threads of AMD EPYC') and `<prefix>_timing_jitter`:
    the largest difference in seconds per epoch between two runs of one group on that machine,
    a scale for which timing differences mean anything."""
    from .metrics import machine, timing_machine

    runs = chapter.all_runs()
    on = timing_machine(runs)
    jitter = [max(seconds) - min(seconds) for study in chapter.values() for group in study.runs.values()
              if len(seconds := [r["seconds_per_epoch"] for r in group if machine(r) == on]) > 1]
    glue_markdown(**{f"{prefix}_timing_device": devices([r for r in runs if machine(r) == on])})
    glue_numbers(**{f"{prefix}_timing_jitter": max(jitter, default=0.0)})
    return on


# ---- The appendix: what the book ran on and what its runs cost. --------------------------------
BOOK = Path(__file__).resolve().parent.parent / "book"


def chapter_title(chapter: str | Path, book: Path = BOOK) -> str:
    """A page's title as the reader sees it: its first '# ' heading, without the '# ' and the line
    end. `chapter` is a path to a .md file or a page's name in `book`, e.g. "09_cnn"."""
    path = Path(chapter) if str(chapter).endswith(".md") else Path(book) / f"{chapter}.md"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# "):
                return line[2:].strip()
    raise ValueError(f"{path} has no '# ' title")


def cost_table(chapters: dict[str, list[dict[str, Any]]], titles: dict[str, str] | None = None) -> pd.DataFrame:
    """What the stored runs cost to train: one row per chapter (its title from `titles`, by default
    the page's own title), then a total in which a run shared by two chapters counts once."""
    def row(name: str, results: list[dict[str, Any]]) -> dict[str, Any]:
        return {"chapter": name, "runs": len(results), "epochs trained": thousands(sum(r["epochs_run"] for r in results)),
                "training minutes": f"{compute_seconds(results) / 60:.1f}"}

    unique = list({r["key"]: r for results in chapters.values() for r in results}.values())
    titles = titles if titles is not None else {chapter: chapter_title(chapter) for chapter in chapters}
    rows = [row(titles[chapter], list({r["key"]: r for r in results}.values())) for chapter, results in chapters.items()]
    return pd.DataFrame([*rows, row("total (a run shared between chapters counts once)", unique)])


def device_table(results: Any) -> pd.DataFrame:
    """How many of `results` each machine trained ('AMD EPYC, 2 threads', with its torch version);
    a run listed twice counts once, the busiest machine first."""
    counts: dict[tuple[str, str], int] = {}
    for r in {r["key"]: r for r in results}.values():
        where = (machine_title(r["provenance"]), r["provenance"]["torch_version"])
        counts[where] = counts.get(where, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return pd.DataFrame({"machine": [m for (m, _), _ in ranked], "torch": [t for (_, t), _ in ranked],
                         "runs": [n for _, n in ranked]})


def software_table(packages: tuple[str, ...] = ("torchvision", "numpy", "jupyter-book", "myst-nb", "fmnist-lab")) -> pd.DataFrame:
    """The machine and software this process runs on (for the build that renders the book)."""
    import os
    import platform
    from importlib.metadata import version

    import torch

    from .records import cpu_name

    system = f"{platform.system()} {platform.release().split('-')[0]}, {platform.machine().replace('_', '-')}"
    rows = {"operating system": system, "CPU": cpu_title(cpu_name()), "cores": os.cpu_count(),
            "torch threads": torch.get_num_threads(), "Python": platform.python_version(), "torch": torch.__version__,
            **{name: version(name) for name in packages}}
    return pd.DataFrame({"component": list(rows), "version / value": [str(v) for v in rows.values()]})


def bench_table(measured: dict[str, Any]) -> pd.DataFrame:
    """`fmnist-lab bench`'s result (bench.json) as a table: seconds per epoch of each case in this
    engine and in the DataLoader pipeline, the speed-up, and the bare compute bound."""
    rows = [{"case": name, "engine s/epoch": f"{row['engine_s']:.2f}", "DataLoader s/epoch": f"{row['dataloader_s']:.2f}",
             "speed-up": f"{row['dataloader_s'] / row['engine_s']:.1f}×"} for name, row in measured["rows"].items()]
    rows.append({"case": "compute only", "engine s/epoch": f"{measured['compute_bound_s']:.2f}",
                 "DataLoader s/epoch": "–", "speed-up": "–"})
    return pd.DataFrame(rows)


def projection_table(projection: dict[str, Any]) -> pd.DataFrame:
    """`bench.projected_retrain()` as a table a page can wrap: hours of a full retrain by cores."""
    return pd.DataFrame({"cores": list(projection["hours"]),
                         "projected hours": [f"{hours:.1f}" for hours in projection["hours"].values()]})


def bench_numbers(measured: dict[str, Any], case: str = "plain") -> dict[str, float]:
    """The benchmark's headline numbers for prose: `bench_speedup` (DataLoader / engine, for `case`),
    `bench_overhead` (engine / bare compute) and `bench_repeats`."""
    row = measured["rows"][case]
    return {"bench_speedup": row["dataloader_s"] / row["engine_s"],
            "bench_overhead": row["engine_s"] / measured["compute_bound_s"], "bench_repeats": measured["repeats"]}


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


def glue_stats(control: list[dict[str, Any]] | None = None, **groups: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each named group of runs, glue what the prose quotes about it (validation, never test:
    `glue_summary` glues the test scores of selected configurations):

    `<name>_val`, `_val_std`, `_train`, `_peak` (fractions, format them with :.2%), `_gap` (train −
    validation) and `_peak_drop` (best epoch's validation − the reported one's), in points;
    `_seeds`, `_epochs`, `_params`, `_sec` (seconds per epoch); from the full histories (see
    `metrics.stopping_summary`) `_peak_epoch`, `_loss_epoch`, `_loss_rise`, `_stop_cost`; the three
    mean epochs also as prose writes them, `_epochs_text`, `_peak_epoch_text`, `_loss_epoch_text`
    ('13' or '13.3', for {glue:md}). Against a
    `control` group: `_gain` and `_train_gain`, the differences in points as signed text for
    {glue:md} ('+0.39', '−0.72'), and `_vs_spread`, whether the gain exceeds the seeds' spread.

    Returns the glued numbers by group (without the prefix), with `gain` (points) and
    `beyond_spread` (bool) against a control, for the claims a chapter asserts."""
    base = summarize(control) if control is not None else None
    out = {}
    for name, runs in groups.items():
        s, stop = summarize(runs), stopping_summary(runs)
        out[name] = {"val": s["val_mean"], "val_std": s["val_std"], "train": s["train_mean"], "peak": s["peak_val_mean"],
                     "gap": 100 * s["gap"], "peak_drop": 100 * (s["peak_val_mean"] - s["val_mean"]), "seeds": s["seeds"],
                     "epochs": s["epochs"], "params": s["params"], "sec": s["sec_per_epoch"], "peak_epoch": stop["acc_epoch"],
                     "loss_epoch": stop["loss_epoch"], "loss_rise": stop["loss_rise"], "stop_cost": stop["cost"]}
        glue_numbers(**{f"{name}_{k}": v for k, v in out[name].items()})
        glue_markdown(**{f"{name}_{k}_text": number(out[name][k], 1) for k in ("epochs", "peak_epoch", "loss_epoch")})
        if base is not None:
            gain = shown_points(s["val_mean"], base["val_mean"])
            spread = against_spread(gain, 100 * s["val_std"], 100 * base["val_std"])
            glue_markdown(**{f"{name}_gain": signed(gain), f"{name}_train_gain": signed(shown_points(s["train_mean"], base["train_mean"])),
                             f"{name}_vs_spread": spread})
            out[name] |= {"gain": gain, "beyond_spread": spread.startswith("more")}
    return out


def glue_spread(prefix: str, groups: Any, control: list[dict[str, Any]] | None = None) -> None:
    """How far apart several groups (an iterable of run lists) are, against the noise: `<prefix>_range`
    (highest − lowest mean validation accuracy) and `_max_std` (the largest seed std, the control's
    included), in points; `_train_min`, `_train_max` (fractions); with a `control`, `_max_delta`:
    the largest distance of a group's mean from the control's, in points; `_vs_spread`: whether that
    distance (else the range) exceeds the largest std, in words."""
    summaries = [summarize(runs) for runs in groups]
    base = summarize(control) if control is not None else None
    val = [s["val_mean"] for s in summaries]
    values = {"range": 100 * (max(val) - min(val)),
              "max_std": 100 * max(s["val_std"] for s in summaries + ([base] if base else [])),
              "train_min": min(s["train_mean"] for s in summaries), "train_max": max(s["train_mean"] for s in summaries)}
    if base is not None:
        values["max_delta"] = 100 * max(abs(v - base["val_mean"]) for v in val)
    glue_numbers(**{f"{prefix}_{k}": v for k, v in values.items()})
    glue_markdown(**{f"{prefix}_vs_spread": against_spread(values.get("max_delta", values["range"]), values["max_std"])})


def glue_stopping(prefix: str, results: list[dict[str, Any]]) -> dict[str, float]:
    """Glue `metrics.stopping_summary` of a set of full-length runs as `<prefix>_runs`,
    `_loss_first`, `_epochs_apart`, `_acc_epoch`, `_loss_epoch`, `_cost` (points), `_loss_rise`, and
    the epochs as prose writes them, `_acc_epoch_text`, `_loss_epoch_text`, `_epochs_apart_text`."""
    stop = stopping_summary(results)
    glue_numbers(**{f"{prefix}_{k}": v for k, v in stop.items()})
    glue_markdown(**{f"{prefix}_{k}_text": number(stop[k], 1) for k in ("acc_epoch", "loss_epoch", "epochs_apart")})
    return stop


def scientific(value: float, digits: int = 1) -> str:
    """'3.2 × 10⁻⁴⁵' (a true minus in the exponent, superscript digits); '0' for zero; plain
    `number` for values between 0.01 and 1000, where a power of ten does not help."""
    if value == 0 or 0.01 <= abs(value) < 1000:
        return number(value, digits)
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa.replace('-', MINUS)} × 10{power}"


def glue_class_gains(prefix: str, results_a: list[dict[str, Any]], results_b: list[dict[str, Any]]) -> np.ndarray:
    """Glue where model A gains over model B per class (test accuracy, mean over seeds), for prose:
    class names `<prefix>_1`, `<prefix>_2` (largest gains) and `<prefix>_last` (smallest), each with
    its signed gain in points as `<prefix>_1_pts` ... (Markdown); A's weakest class `<prefix>_worst`
    with A's and B's accuracy on it, `<prefix>_worst_a` and `<prefix>_worst_b` (fractions).
    Returns the gains in points, by class."""
    from .data import CLASS_NAMES
    from .metrics import per_class_mean_std

    (mean_a, _), (mean_b, _) = per_class_mean_std(results_a), per_class_mean_std(results_b)
    gain = 100 * (mean_a - mean_b)
    order, worst = np.argsort(-gain, kind="stable"), int(np.argmin(mean_a))
    ranks = {"1": order[0], "2": order[1], "last": order[-1]}
    glue_markdown(**{f"{prefix}_{rank}": CLASS_NAMES[i] for rank, i in ranks.items()},
                  **{f"{prefix}_{rank}_pts": signed(gain[i], 1) for rank, i in ranks.items()},
                  **{f"{prefix}_worst": CLASS_NAMES[worst]})
    glue_numbers(**{f"{prefix}_worst_a": mean_a[worst], f"{prefix}_worst_b": mean_b[worst]})
    return gain


def glue_mcnemar(prefix: str, y_true: np.ndarray, preds_a: list[np.ndarray], preds_b: list[np.ndarray]) -> dict[str, float]:
    """Glue whether A's and B's test predictions really differ, for prose. McNemar's test pairs
    seed i of A with seed i of B (`metrics.paired_mcnemar`): `<prefix>_a_only` / `<prefix>_b_only`
    ('between 493 and 535 images' only A / only B gets right, over the pairs), `<prefix>_p_max`
    (largest p-value, '1.3 × 10⁻⁷') and `<prefix>_pairs` ('3 pairs'), all Markdown; over all seeds,
    `<prefix>_n_a_only` / `<prefix>_n_b_only`: images every seed of A gets right and every seed of B
    wrong, and the other way round (numbers). Returns the paired summary."""
    from .metrics import only_right, paired_mcnemar

    def images(low: int, high: int) -> str:
        return plural(low, "image") if low == high else span(low, high, "images")

    mc = paired_mcnemar(y_true, preds_a, preds_b)
    glue_markdown(**{f"{prefix}_a_only": images(mc["a_only_min"], mc["a_only_max"]),
                     f"{prefix}_b_only": images(mc["b_only_min"], mc["b_only_max"]),
                     f"{prefix}_p_max": scientific(mc["p_max"]), f"{prefix}_pairs": plural(mc["pairs"], "pair")})
    glue_numbers(**{f"{prefix}_n_a_only": int(only_right(y_true, preds_a, preds_b).sum()),
                    f"{prefix}_n_b_only": int(only_right(y_true, preds_b, preds_a).sum())})
    return mc


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
