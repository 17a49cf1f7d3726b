"""How far can an MLP go (chapter 11): each known trick against the best-MLP recipe, seed by seed,
test-time flips of the saved models, and the accuracy-cost frontier of every MLP the book trained.

A trick's gain is paired by seed (same seed, same data order up to the trick itself), so the
seed-to-seed spread of the recipe cancels; its interval is the 95% t-interval of those paired
differences. Costs are CPU-minutes per seed: wall time times the threads that trained it, so runs
trained by one two-thread process and by single-thread workers compare on one scale.
"""
from __future__ import annotations

import math
import statistics
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from .metrics import ci95
from .experiments import summarize

# The best pure MLPs on Fashion-MNIST documented elsewhere (test accuracy; theirs, quoted only):
KAN_MLP = 0.895  # one hidden layer of 1 024 units, "KAN or MLP: A Fairer Comparison" (Yu et al. 2024), about
BENCHMARK_MLP = 0.8833  # the best MLP in the Fashion-MNIST benchmark table (zalandoresearch/fashion-mnist)


def cpu_minutes(result: dict[str, Any]) -> float:
    """Training cost of one run in CPU-minutes (wall time x threads)."""
    info = result["provenance"]
    return info["wall_seconds"] * (info.get("threads") or 1) / 60


def paired_gain(runs: list[dict[str, Any]], control: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """`split` accuracy of `runs` minus `control`, seed by seed, in points: the mean, its paired 95 %
    half-width, the per-seed differences and on how many seeds the trick was ahead."""
    theirs = {r["config"]["seed"]: r[split]["acc"] for r in control}
    diffs = [100 * (r[split]["acc"] - theirs[r["config"]["seed"]]) for r in runs if r["config"]["seed"] in theirs]
    if not diffs:
        raise ValueError("no seed is shared by the trick's runs and the control's: nothing to pair")
    return {"gain": float(np.mean(diffs)), "ci": ci95(diffs), "seeds": diffs, "ahead": sum(d > 0 for d in diffs)}


def trick_gains(runs: dict[str, list[dict[str, Any]]], control: str) -> pd.DataFrame:
    """One row per trick (every group but `control`): validation and test gain over the control,
    paired by seed (points, with 95% half-widths), seeds ahead on test, and the cost per seed
    relative to the control's (CPU-minutes)."""
    base = runs[control]
    base_cost = np.mean([cpu_minutes(r) for r in base])
    rows = []
    for label, results in runs.items():
        if label == control:
            continue
        val, test = paired_gain(results, base, "val"), paired_gain(results, base, "test")
        rows.append({"trick": label, "val_gain": val["gain"], "val_ci": val["ci"], "test_gain": test["gain"],
                     "test_ci": test["ci"], "val_seeds": val["seeds"], "test_seeds": test["seeds"], "ahead": test["ahead"], "seeds": len(test["seeds"]),
                     "cost": np.mean([cpu_minutes(r) for r in results]) / base_cost})
    return pd.DataFrame(rows)


def helped(gains: pd.DataFrame) -> list[str]:
    """The tricks that raised mean validation accuracy (selection sees validation only)."""
    return list(gains.loc[gains["val_gain"] > 0, "trick"])


def flip_gains(keys: list[str], store_root: str | None = None) -> pd.DataFrame:
    """Test-time flips of saved models: per run key, validation and test accuracy of the model alone
    and of the mean of its predictions for the image and its mirror image."""
    from . import predict

    rows = []
    for key in keys:
        row = {"key": key}
        for split in ("val", "test"):
            plain = predict.accuracy(predict.probabilities(key, split, False, store_root), split)
            flipped = predict.accuracy(predict.probabilities(key, split, True, store_root), split)
            row |= {split: plain, f"{split}_flip": flipped, f"{split}_gain": 100 * (flipped - plain)}
        rows.append(row)
    return pd.DataFrame(rows)


def pareto(frame: pd.DataFrame, cost: str = "minutes", score: str = "test") -> pd.Series:
    """Whether each row is on the frontier: no other row is at least as good for less cost."""
    order = frame.sort_values([cost, score], ascending=[True, False])
    best, front = -math.inf, set()
    for index, row in order.iterrows():
        if row[score] > best:
            front.add(index)
            best = row[score]
    return frame.index.isin(front)


def mlp_frontier(networks: pd.DataFrame) -> pd.DataFrame:
    """The book's MLPs (taught ones included; failed ones, below `robustness.failed_below()` on
    validation, left out) from `robustness.trained_networks`, with CPU-minutes per seed
    (`cpu_minutes`) and whether each is on the test-accuracy-for-cost frontier."""
    from .robustness import failed_below

    mlps = networks[(networks["family"] != "CNN") & (networks["val"] >= failed_below())].copy()
    mlps["cpu_minutes"] = [float(np.mean([cpu_minutes(r) for r in runs])) for runs in mlps["runs"]]
    mlps["frontier"] = pareto(mlps, cost="cpu_minutes")
    return mlps


def summary_row(results: list[dict[str, Any]]) -> dict[str, float]:
    """Validation and test mean ± std (fractions) and CPU-minutes per seed of one group."""
    s = summarize(results)
    return {"val": s["val_mean"], "val_std": s["val_std"], "test": s["test_mean"], "test_std": s["test_std"],
            "cpu_minutes": float(np.mean([cpu_minutes(r) for r in results]))}


# ---- Tables and glue for the chapter's prose ------------------------------------------------------------
def short_name(study, label: str) -> str:
    """The RunConfig field a trick changes from its study's control ('ema', 'mixup', 'teacher')."""
    cfg, control = study.groups[label], study.control
    changed = [f for f in study.varies if getattr(cfg, f) != getattr(control, f)]
    return changed[0] if changed else "control"


FLIP = "best MLP + test-time flip"  # the recipe's saved networks, each image scored with its mirror image


def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def tricks_table(runs: dict[str, list[dict[str, Any]]], gains: pd.DataFrame, control: str,
                 flips: pd.DataFrame | None = None) -> pd.DataFrame:
    """The recipe and each trick: validation and test accuracy (mean ± std, %), the mean paired test
    gain (points), its paired 95% interval in a column of its own ('−0.62 to +0.60', unbroken: with
    the gain in one cell it wrapped onto three lines) and the seeds ahead on test. (The validation
    gain, the difference of the validation means, is left to the figure and the prose: the table
    must fit a laptop's page.)
    `flips` (`flip_gains`) adds the test-time flip of the recipe's saved networks as a last row.
    (Every trick trains the same epochs; the frontier shows what each costs.)"""
    from .report import pm, signed

    def interval(gain: float, ci: float) -> str:
        return "–" if math.isnan(ci) else f"{signed(gain - ci)}\u00a0to\u00a0{signed(gain + ci)}"

    def row(label, val, test, gain=None):
        cells = {"model": label, "val acc %": pm(*val), "test acc %": pm(*test)}
        if gain is None:
            return cells | {"test gain (points)": "", "95% interval": "", "ahead on test": ""}
        return cells | {"test gain (points)": signed(gain["test_gain"]), "95% interval": interval(gain["test_gain"], gain["test_ci"]),
                        "ahead on test": f"{gain['ahead']} of {gain['seeds']}"}

    rows = []
    for label, results in runs.items():
        s = summarize(results)
        gain = None if label == control else gains[gains["trick"] == label].iloc[0]
        rows.append(row(label, (s["val_mean"], s["val_std"]), (s["test_mean"], s["test_std"]), gain))
    if flips is not None and len(flips):
        gain = {"val_gain": flips["val_gain"].mean(), "test_gain": flips["test_gain"].mean(), "test_ci": ci95(list(flips["test_gain"])),
                "ahead": int((flips["test_gain"] > 0).sum()), "seeds": len(flips)}
        rows.append(row(FLIP, _mean_std(list(flips["val_flip"])), _mean_std(list(flips["test_flip"])), gain))
    return pd.DataFrame(rows)


def glue_tricks(study, gains: pd.DataFrame, flips: pd.DataFrame) -> dict[str, Any]:
    """Glue each trick's numbers as `<field>_<fact>` (see `short_name`): `_val_gain`, `_test_gain`
    (signed points), `_test_low`, `_test_high` (its paired interval), `_ahead`, `_seeds`, `_cost`;
    the test-time flip's as `flip_val`, `flip_test`, `flip_test_low`, `flip_test_high`, `flip_ahead`;
    `helped_words` (the tricks that raised validation accuracy, in words), `top_trick`, `top_gain`
    (the largest mean test gain, flips included). Returns the facts."""
    from . import report

    facts: dict[str, Any] = {}
    for g in gains.itertuples():
        name = short_name(study, g.trick)
        facts |= {f"{name}_val_gain": g.val_gain, f"{name}_test_gain": g.test_gain, f"{name}_test_low": g.test_gain - g.test_ci,
                  f"{name}_test_high": g.test_gain + g.test_ci, f"{name}_ahead": g.ahead, f"{name}_seeds": g.seeds, f"{name}_cost": g.cost}
    flip_test, flip_ci = flips["test_gain"].mean(), ci95(list(flips["test_gain"]))
    facts |= {"flip_val": flips["val_gain"].mean(), "flip_test": flip_test, "flip_test_low": flip_test - flip_ci,
              "flip_test_high": flip_test + flip_ci, "flip_ahead": int((flips["test_gain"] > 0).sum()), "flip_seeds": len(flips)}
    candidates = {**dict(zip(gains["trick"], gains["test_gain"])), "the test-time flip": flip_test}
    top = max(candidates, key=candidates.get)
    signed_names = [k for k in facts if k.endswith(("_gain", "_low", "_high")) or k in ("flip_val", "flip_test")]
    report.glue_markdown(**{k: report.signed(facts[k]) for k in signed_names},
                         helped_words=report.join([t.replace("best MLP + ", "") for t in helped(gains)]) or "none",
                         top_trick=top.replace("best MLP + ", ""), top_gain=report.signed(candidates[top]))
    report.glue_numbers(**{k: v for k, v in facts.items() if k not in signed_names})
    return facts | {"top_trick": top, "top_gain": candidates[top]}


def frontier_axis(mlps: pd.DataFrame, lines: tuple[float, ...] = ()) -> tuple[float, float]:
    """The test-accuracy range (%) `frontier_figure` draws: from a whole percent about a point below
    the lower quartile (never under 80%), so that the strongest MLPs are told apart, to just above
    the best MLP and the `lines` (fractions). The MLPs below it are counted, not drawn."""
    low = math.floor(max(100 * mlps["test"].quantile(0.25) - 1, 80))
    return low, 100 * max([mlps["test"].max(), *lines]) + 0.6


def glue_frontier(mlps: pd.DataFrame, goal: float, minimum: float) -> dict[str, Any]:
    """Glue what the frontier paragraph quotes: `front_n` (MLPs on the frontier) of `mlps_n`, of which
    `taught_n` were taught by a CNN and `plain_n` not; the most accurate MLP on test (`top_label`,
    by a reader's name, `robustness.reader_name`; `top_test`, `top_val`, `top_minutes`); the
    frontier point before it (`prev_label`, `prev_test`, `prev_minutes`) and how many times its
    cost the last step takes (`top_ratio`); `costlier_n`, the MLPs that cost more than the top one,
    and `costlier_val_higher_n`, how many of them validate higher; `goal_gap` and `minimum_gap`,
    the goal and the minimum minus the best test accuracy (points); `axis_floor` (%) and
    `below_axis_n`, the figure's lowest accuracy and how many MLPs lie below it (`frontier_axis`)."""
    from . import report
    from .robustness import reader_name

    top = mlps.loc[mlps["test"].idxmax()]
    front = mlps[mlps["frontier"] & (mlps["cpu_minutes"] < top["cpu_minutes"])]
    prev = front.loc[front["cpu_minutes"].idxmax()] if len(front) else top
    costlier = mlps[mlps["cpu_minutes"] > top["cpu_minutes"]]
    floor = frontier_axis(mlps, (goal, minimum))[0]
    taught = int((mlps["family"] != "MLP").sum())
    facts = {"front_n": int(mlps["frontier"].sum()), "mlps_n": len(mlps), "taught_n": taught, "plain_n": len(mlps) - taught,
             "top_test": top["test"], "top_val": top["val"],
             "top_minutes": top["cpu_minutes"], "prev_test": prev["test"], "prev_minutes": prev["cpu_minutes"],
             "top_ratio": top["cpu_minutes"] / prev["cpu_minutes"], "costlier_n": len(costlier),
             "costlier_val_higher_n": int((costlier["val"] > top["val"]).sum()), "goal_gap": 100 * (goal - top["test"]),
             "minimum_gap": 100 * (minimum - top["test"]), "axis_floor": floor,
             "below_axis_n": int((100 * mlps["test"] < floor).sum())}
    report.glue_numbers(**facts)
    report.glue_markdown(top_label=reader_name(top), prev_label=reader_name(prev))
    return facts | {"top_label": top["label"], "prev_label": prev["label"]}


def glue_pick(pick: str, runs: dict[str, list[dict[str, Any]]], candidates: list[str], goal: float,
              minimum: float) -> dict[str, Any]:
    """Glue the validation pick among `candidates` (labels of `runs`): `pick` (label), `pick_val`,
    `pick_val_std`, `pick_test`, `pick_test_std`, `pick_verdict` (against the goal and the minimum,
    `report.target_verdict`); the runner-up on validation (`pick_runner_up`) and the pick's lead over
    it, paired by seed (`pick_margin`, `pick_margin_low`, `pick_margin_high`: signed points, its 95%
    interval): a lead whose interval spans zero does not really separate the two. Returns the facts."""
    from . import report
    from .experiments import select

    s = summarize(runs[pick])
    others = {label: runs[label] for label in candidates if label != pick}
    runner = select(others) if others else pick
    lead = paired_gain(runs[pick], runs[runner], "val")
    report.glue_markdown(pick=pick, pick_verdict=report.target_verdict(s["test_mean"], goal, minimum), pick_runner_up=runner,
                         pick_margin=report.signed(lead["gain"]), pick_margin_low=report.signed(lead["gain"] - lead["ci"]),
                         pick_margin_high=report.signed(lead["gain"] + lead["ci"]))
    report.glue_numbers(pick_val=s["val_mean"], pick_val_std=s["val_std"], pick_test=s["test_mean"], pick_test_std=s["test_std"])
    return {"pick": pick, "test": s["test_mean"], "goal_reached": s["test_mean"] >= goal, "runner_up": runner,
            "margin": lead["gain"], "margin_ci": lead["ci"]}


# ---- Figures ------------------------------------------------------------------------------------------
def seed_rows(seeds: list[float], y: float, step: float = 0.25) -> list[float]:
    """Where to draw each seed's tick on row `y`: on the row, except that a seed equal to an earlier
    one (gains come in steps of 0.01 points, so two seeds can tie) is drawn a `step` above or below
    it: three seeds always show three ticks."""
    rows, seen = [], {}
    for value in seeds:
        k = seen.get(round(value, 6), 0)
        seen[round(value, 6)] = k + 1
        rows.append(y + step * ((k + 1) // 2) * (-1 if k % 2 else 1))
    return rows


def gains_figure(gains: pd.DataFrame, flips: pd.DataFrame | None = None):
    """Each trick's gain over the recipe in points, validation and test side by side: one tick per
    seed (drawn over the mean's dot; tied seeds stacked, `seed_rows`), the mean with its paired 95%
    interval. `flips` adds test-time flipping of the recipe's saved models as one more row."""
    import matplotlib.pyplot as plt

    from .plots import WIDTH

    rows = [(t.trick.replace("best MLP + ", ""), t.val_gain, t.val_ci, t.test_gain, t.test_ci, t.test_seeds, t.val_seeds)
            for t in gains.itertuples()]
    if flips is not None and len(flips):
        rows.append(("test-time flip", flips["val_gain"].mean(), ci95(list(flips["val_gain"])),
                     flips["test_gain"].mean(), ci95(list(flips["test_gain"])), list(flips["test_gain"]), list(flips["val_gain"])))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 0.6 * len(rows) + 1.6), sharey=True)
    for ax, split in zip(axes, ("validation", "test")):
        for y, (name, vg, vci, tg, tci, tseeds, vseeds) in enumerate(rows):
            mean, ci = (vg, vci) if split == "validation" else (tg, tci)
            ax.errorbar(mean, y, xerr=0 if math.isnan(ci) else ci, fmt="o", color="C0", capsize=3, ms=6, zorder=3)
            seeds = vseeds if split == "validation" else tseeds
            ax.plot(seeds, seed_rows(seeds, y), "|", color="C1", ms=12, mew=2, zorder=4)  # above the dot
        ax.axvline(0, color="0.4", lw=1)
        ax.set_xlabel(f"{split} gain (points)")
        ax.set_yticks(range(len(rows)), [textwrap.fill(r[0], 16) for r in rows])  # wrapped: a long name would widen the figure
    axes[0].invert_yaxis()  # the first row at the top (once: the axes share y, a second call would undo it)
    axes[1].plot([], [], "o", color="C0", label="mean, 95% interval")
    axes[1].plot([], [], "|", color="C1", ms=10, mew=2, label="one seed")
    fig.legend(loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def frontier_figure(mlps: pd.DataFrame, highlight: list[str], goal: float | None = None, minimum: float | None = None):
    """Test accuracy (%) against CPU-minutes per seed (log x) for every MLP the book trained; the
    frontier (nothing better for less) joined by a step line; `highlight` labels drawn in colour
    and named; `goal` (dashed) and `minimum` (dotted) lines (fractions). The accuracy axis is cut
    (`frontier_axis`) and the MLPs below it are counted in the lower right corner; the legend sits
    below the axes, where it covers neither points nor lines."""
    import matplotlib.pyplot as plt

    from .plots import WIDTH

    fig, ax = plt.subplots(figsize=(WIDTH, 5.0))
    plain = mlps[~mlps["label"].isin(highlight)]
    ax.scatter(plain["cpu_minutes"], 100 * plain["test"], s=18, color="0.65", label="another MLP of the book", zorder=2)
    front = mlps[mlps["frontier"]].sort_values("cpu_minutes")
    ax.step(front["cpu_minutes"], 100 * front["test"], where="post", color="C0", lw=1.5, label="frontier", zorder=3)
    for i, label in enumerate(highlight):
        row = mlps[mlps["label"] == label]
        if len(row):
            ax.scatter(row["cpu_minutes"], 100 * row["test"], s=46, color=f"C{i + 1}", label=label, zorder=4, edgecolor="k", lw=0.5)
    top = mlps.loc[mlps["test"].idxmax()]
    ax.annotate(top["label"], (top["cpu_minutes"], 100 * top["test"]), xytext=(-8, -4), textcoords="offset points",
                ha="right", va="top")
    for value, style, name in ((goal, "--", "goal"), (minimum, ":", "minimum")):
        if value is not None:
            ax.axhline(100 * value, color="0.3", ls=style, lw=1.2, label=f"{name}, {100 * value:g}%")
    low, high = frontier_axis(mlps, tuple(v for v in (goal, minimum) if v is not None))
    below = int((100 * mlps["test"] < low).sum())
    if below:
        ax.text(0.99, 0.02, f"{below} MLPs below {low:g}%, not drawn ↓", transform=ax.transAxes, ha="right", va="bottom")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))  # 0.1, 1, 10 rather than powers of ten
    ax.set_xlabel("training cost per seed (CPU-minutes, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(low - 0.15, high)  # a margin: a point at the floor is drawn whole
    handles, labels = ax.get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig
