"""The appendix's findings: compute per chapter, devices, software versions and the engine benchmark."""
from __future__ import annotations

import json
import os
import platform
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import torch

from .. import report
from ..engine.config import RunConfig
from ..engine.records import cpu_name
from ..report.format import thousands
from ..report.timing import cpu_title, where_trained
from ..runs import bench, experiments, studies
from ..runs.store import REPO_ROOT
from ..runs.summary import compute_seconds

# ---- The appendix: what the book ran on and what its runs cost. --------------------------------
BOOK = REPO_ROOT / "book"


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
    """How many of `results` each machine trained ("2 threads of an AMD EPYC", with its torch version);
    a run listed twice counts once, the busiest machine first."""
    counts: dict[tuple[str, str], int] = {}
    for r in {r["key"]: r for r in results}.values():
        where = (where_trained([r]), r["provenance"]["torch_version"])
        counts[where] = counts.get(where, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return pd.DataFrame({"machine": [m for (m, _), _ in ranked], "torch": [t for (_, t), _ in ranked],
                         "runs": [n for _, n in ranked]})


def software_table(packages: tuple[str, ...] = ("torchvision", "numpy", "jupyter-book", "myst-nb", "fmnist-lab")) -> pd.DataFrame:
    """The machine and software this process runs on (for the build that renders the book)."""

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


def glue() -> SimpleNamespace:
    """Glue every number the page's prose quotes and return what its figures draw (`facts.<name>`)."""
    chapter_runs = {page: experiments.ensure([cfg for cfg in studies.chapter_configs(page) if isinstance(cfg, RunConfig)], quiet=True)
                    for page in studies.book_chapters()}  # training runs: chapter 2's scikit-learn fits are no epochs, no network
    report.glue_table("tab_software", software_table());  # a plain table, as HTML and PDF both print it
    every_run = [r for runs in chapter_runs.values() for r in runs]
    report.glue_table("tab_cost", cost_table(chapter_runs))  # titled as the pages are
    report.glue_table("tab_devices", device_table(every_run))
    report.glue_compute("book", every_run)  # a run shared between chapters counts once
    report.glue_markdown(retrain_measured=bench.MEASURED_ON)
    report.glue_numbers(retrain_speedup=bench.MEASURED_SPEEDUP)
    projection = bench.projected_retrain()
    report.glue_table("tab_projection", projection_table(projection))
    report.glue_numbers(projection_runs=projection["runs"], projection_hours=projection["recorded_hours"],
                        projection_longest=projection["longest_run_hours"], projection_single_hours=projection["single_thread_hours"],
                        projection_two_thread_hours=projection["recorded_hours"] - projection["single_thread_hours"])
    report.glue_markdown(projection_single_runs=report.plural(projection["single_thread_runs"], "run"))
    report.glue_markdown(projection_missing=f"{report.plural(projection['missing'], 'run')} that the book needs are not "
                         "stored yet and are not counted." if projection["missing"] else "Every run the book needs is counted.")
    measured = json.loads(bench.RESULT_PATH.read_text())
    report.glue_table("tab_bench", bench_table(measured))
    report.glue_numbers(**bench_numbers(measured))
    report.glue_markdown(bench_device=report.where_trained([measured]))
    return SimpleNamespace(**locals())
