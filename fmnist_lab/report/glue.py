"""myst-nb glue: every number a page's prose states is glued from results here, never typed."""
from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..analysis.cost import two_thread_runs
from ..analysis.metrics import machine, only_right, paired_mcnemar, per_class_mean_std, stopping_summary, timing_machine
from ..engine.config import RunConfig
from ..engine.data import CLASS_NAMES
from ..runs.summary import compute_seconds, summarize
from .comparisons import compare, noise_verdict, seeds_ahead, shown_points, unpaired, widest
from .format import join, number, plural, scientific, signed, slug, span
from .tables import markdown_table
from .timing import two_thread_minutes


def glue_table(name: str, frame: pd.DataFrame | list[dict[str, Any]]) -> pd.DataFrame:
    """Glue a table as Markdown (for a numbered `{table}` in the text) and return it; a list of row
    dicts (as `leaderboard.table` gives) is made a DataFrame first."""
    from IPython.display import Markdown  # lazy: only a page being built displays Markdown
    from myst_nb import glue  # lazy: only a page being built has a glue target

    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    glue(name, Markdown(markdown_table(frame)), display=False)
    return frame


def glue_numbers(**values: float | str) -> None:
    """Glue plain numbers; the text formats them, e.g. {glue:text}`name:.2%`. A text among them (a
    verdict in words) is glued as Markdown, so one dict of findings glues in one call."""
    from myst_nb import glue  # lazy: only a page being built has a glue target

    glue_markdown(**{name: value for name, value in values.items() if isinstance(value, str)})
    for name, value in values.items():
        if not isinstance(value, str):
            glue(name, value.item() if hasattr(value, "item") else value, display=False)  # numpy -> Python, for format specs


def glue_markdown(**texts: str) -> None:
    """Glue short texts (names, labels) for {glue:md}`name`; plain glue would print them quoted."""
    from IPython.display import Markdown  # lazy: only a page being built displays Markdown
    from myst_nb import glue  # lazy: only a page being built has a glue target

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
                        f"{prefix}_overfit": 100 * s["gap"], f"{prefix}_val_test_gap": shown_points(s["val_mean"], s["test_mean"])})  # as printed
    return s


def glue_summaries(results: Any, detail: bool = False, **labels: str) -> None:
    """`glue_summary(prefix, ..., detail)` for several groups of one study (a `StudyResults`), given
    as prefix=label: `glue_summaries(ch.schedule, sched_best=best, sched_const="constant")`."""
    for prefix, label in labels.items():
        glue_summary(prefix, results.runs[label], detail=detail)


def glue_minutes(**groups: list[dict[str, Any]]) -> dict[str, float]:
    """Per name: `<name>_minutes` (number, `two_thread_minutes`), `<name>_timed` (how many seeds that
    mean rests on) and `<name>_minutes_text` ('7.2 minutes per seed', or '29 minutes per seed (1 of 3
    seeds timed on two threads)' when the others ran elsewhere, so that a budget resting on one
    seed says so; for {glue:md}). The machine is named in the appendix, not here."""
    out = {}
    for name, results in groups.items():
        minutes, where = two_thread_minutes(results)
        timed = len(two_thread_runs(results))
        out[name] = minutes
        glue_numbers(**{f"{name}_minutes": minutes, f"{name}_timed": timed})
        some = f" ({timed} of {plural(len(results), 'seed')} timed on two threads)" if timed < len(results) else ""
        glue_markdown(**{f"{name}_minutes_text": f"{number(minutes, 1)} minutes per seed{some}" if where
                         else "not timed on two threads"})
    return out


def glue_compute(prefix: str, results: list[dict[str, Any]]) -> None:
    """Glue what a set of runs cost when trained (from provenance): `<prefix>_runs` and
    `<prefix>_minutes`. Where they trained is the appendix's to say (`where_trained`), once."""
    results = list({r["key"]: r for r in results}.values())  # a run shared by two groups counts once
    glue_numbers(**{f"{prefix}_runs": len(results), f"{prefix}_minutes": compute_seconds(results) / 60})


def glue_signed(digits: int = 2, **values: float) -> None:
    """Glue differences as signed text ('+0.37', '−0.37' with U+2212) for {glue:md}`name`."""
    glue_markdown(**{name: signed(value, digits) for name, value in values.items()})


def glue_comparison(name: str, a: Any, b: Any, split: str = "test") -> dict[str, Any]:
    """The one way to glue how far result `a` lies above result `b` on `split` ("val", "test").

    Always `<name>` (signed points, for {glue:md}) and `<name>_points` (the number). Then, by what
    `a` and `b` are:
    - two seed summaries (`summary.summarize` dicts): the difference of the means as printed
      (`shown_points`) with its Welch interval (`unpaired`), and `<name>_err` (the two seed stds
      combined, points);
    - two lists of runs: `compare`, paired seed by seed when both hold the same seeds (the seeds'
      spread cancels; then also `<name>_ahead`, `seeds_ahead`), Welch's interval otherwise.
    Both glue `<name>_verdict` (`noise_verdict`: beyond or within seed noise, with the 95% interval,
    the book's one standard). Returns `unpaired`'s, `paired`'s or `compare`'s dict (`gain`, `ci`, `clear`)."""
    if isinstance(a, Mapping):
        out = unpaired(a, b, split)
        glue_numbers(**{f"{name}_err": 100 * math.hypot(a[f"{split}_std"], b[f"{split}_std"])})
    else:
        out = compare(a, b, split)
        out["gain"] = shown_points(*(summarize(runs)[f"{split}_mean"] for runs in (a, b)))  # as printed, as for summaries
        out["clear"] = abs(out["gain"]) > out["ci"]
        if "ahead" in out:
            glue_markdown(**{f"{name}_ahead": seeds_ahead(out["ahead"], out["seeds"])})
    glue_markdown(**{f"{name}_verdict": noise_verdict(out["gain"], out["ci"])})
    glue_numbers(**{f"{name}_points": out["gain"]})
    glue_signed(**{name: out["gain"]})
    return out


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


def glue_timing(prefix: str, chapter: Any) -> str:
    """Seconds per epoch compare only between runs on one machine: pick the machine that trained
    most of a chapter's runs (`ChapterResults`) and return it (for `seconds_cell`), and glue
    `<prefix>_timing_jitter`: the largest difference in seconds per epoch between two runs of one
    group on that machine, a scale for which timing differences mean anything. (The machine is
    named once, in the appendix.)"""

    runs = chapter.all_runs()
    on = timing_machine(runs)
    jitter = [max(seconds) - min(seconds) for study in chapter.values() for group in study.runs.values()
              if len(seconds := [r["seconds_per_epoch"] for r in group if machine(r) == on]) > 1]
    glue_numbers(**{f"{prefix}_timing_jitter": max(jitter, default=0.0)})
    return on


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
    {glue:md} ('+0.39', '−0.72'), and `_verdict`, whether the gain is beyond seed noise (`noise_verdict`,
    the 95% interval paired by seed).

    Returns the glued numbers by group (without the prefix), with `gain` (points) and
    `clear` (bool: beyond seed noise) against a control, for the claims a chapter asserts."""
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
            gain, ci = shown_points(s["val_mean"], base["val_mean"]), compare(runs, control, "val")["ci"]
            glue_markdown(**{f"{name}_gain": signed(gain), f"{name}_train_gain": signed(shown_points(s["train_mean"], base["train_mean"])),
                             f"{name}_verdict": noise_verdict(gain, ci)})
            out[name] |= {"gain": gain, "clear": abs(gain) > ci}
    return out


def glue_spread(prefix: str, groups: Any, control: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """How far apart several groups (an iterable of run lists) are, against the noise: `<prefix>_range`
    (highest − lowest mean validation accuracy, points, from the means as printed); `_train_min`, `_train_max` (fractions); with a `control`, `_max_delta`:
    the largest distance of a group's mean from the control's, in points. `_verdict`: whether the
    widest gap (from the control, else highest against lowest group) is beyond seed noise
    (`noise_verdict`, paired by seed where the groups share seeds). Returns that comparison
    (`compare`: `gain`, `ci`, `clear`), for the claims a chapter asserts."""
    groups = list(groups)
    summaries = [summarize(runs) for runs in groups]
    base = summarize(control) if control is not None else None
    val = [s["val_mean"] for s in summaries]
    values = {"range": shown_points(max(val), min(val)),  # as the tables print the means
              "train_min": min(s["train_mean"] for s in summaries), "train_max": max(s["train_mean"] for s in summaries)}
    if base is not None:
        values["max_delta"] = max(abs(shown_points(v, base["val_mean"])) for v in val)
        gap = compare(groups[max(range(len(val)), key=lambda i: abs(val[i] - base["val_mean"]))], control, "val")
    else:
        gap = widest(groups)
    glue_numbers(**{f"{prefix}_{k}": v for k, v in values.items()})
    glue_markdown(**{f"{prefix}_verdict": noise_verdict(gap["gain"], gap["ci"])})
    return gap


def glue_stopping(prefix: str, results: list[dict[str, Any]]) -> dict[str, float]:
    """Glue `metrics.stopping_summary` of a set of full-length runs as `<prefix>_runs`,
    `_loss_first`, `_epochs_apart`, `_acc_epoch`, `_loss_epoch`, `_cost` (points), `_loss_rise`, and
    the epochs as prose writes them, `_acc_epoch_text`, `_loss_epoch_text`, `_epochs_apart_text`."""
    stop = stopping_summary(results)
    glue_numbers(**{f"{prefix}_{k}": v for k, v in stop.items()})
    glue_markdown(**{f"{prefix}_{k}_text": number(stop[k], 1) for k in ("acc_epoch", "loss_epoch", "epochs_apart")})
    return stop


def glue_class_gains(prefix: str, results_a: list[dict[str, Any]], results_b: list[dict[str, Any]]) -> np.ndarray:
    """Glue where model A gains over model B per class (test accuracy, mean over seeds), for prose:
    class names `<prefix>_1`, `<prefix>_2` (largest gains) and `<prefix>_last` (smallest), each with
    its signed gain in points as `<prefix>_1_pts` ... (Markdown); A's weakest class `<prefix>_worst`
    with A's and B's accuracy on it, `<prefix>_worst_a` and `<prefix>_worst_b` (fractions).
    Returns the gains in points, by class."""

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

    def images(low: int, high: int) -> str:
        return plural(low, "image") if low == high else span(low, high, "images")

    mc = paired_mcnemar(y_true, preds_a, preds_b)
    glue_markdown(**{f"{prefix}_a_only": images(mc["a_only_min"], mc["a_only_max"]),
                     f"{prefix}_b_only": images(mc["b_only_min"], mc["b_only_max"]),
                     f"{prefix}_p_max": scientific(mc["p_max"]), f"{prefix}_pairs": plural(mc["pairs"], "pair")})
    glue_numbers(**{f"{prefix}_n_a_only": int(only_right(y_true, preds_a, preds_b).sum()),
                    f"{prefix}_n_b_only": int(only_right(y_true, preds_b, preds_a).sum())})
    return mc
