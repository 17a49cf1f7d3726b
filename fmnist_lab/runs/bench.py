"""`fmnist-lab bench`: one training epoch in this engine vs the classic DataLoader pipeline.

Same process, same threads, same model (784-256-256-10), batch 128, Adam; medians of repeats.
The classic pipeline is what the seed reports used: `torchvision.datasets.FashionMNIST` with
`ToTensor` + `Normalize` (plus `RandomRotation(10)` + `RandomHorizontalFlip` when augmented)
and a `DataLoader`. "compute-bound" is forward/backward/step alone on pre-sliced batches.

`bench --retrain CHAPTER` instead measures runs per hour of retraining a chapter in one process
vs on worker processes; `projected_retrain` turns that ratio and the stored runs' costs into the
wall time of a full retrain on more cores.
"""
from __future__ import annotations

import gzip
import heapq
import json
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ..engine.config import REFERENCE, RunConfig
from ..engine.data import FILES, load, locate
from ..engine.models import build_model
from ..engine.records import provenance
from ..engine.train import (
    Batches,
    as_unit_float,
    default_device,
    input_scaling,
    make_optimizer,
    make_schedule,
    run_epoch,
    show_progress,
)
from . import studies
from .executors import LocalWorkers, available_cores, usable_workers
from .experiments import PROFILES, current_profile, current_store, ensure
from .store import DEFAULT_ROOT, RESCUE_DIR, Store, StoreError, _atomic_write, describe, probe_writable

BENCH_CONFIG = REFERENCE.replace(epochs=1)
AUGMENTED_CONFIG = BENCH_CONFIG.replace(augment=("rotate", "hflip"))
RESULT_PATH = DEFAULT_ROOT / "bench.json"  # the committed measurements the chapters read


def result_path() -> Path:
    """Where `fmnist-lab bench` saves: in the current store, so the committed RESULT_PATH is written
    only in the full profile without FMNIST_STORE (smoke benches go to the smoke store)."""

    return current_store().root / "bench.json"


def check_target(path: Path, cases: tuple[str, ...]) -> None:
    """Before any timing: StoreError if `path` cannot be written, or if saving would drop rows it holds."""
    try:
        old = set(json.loads(path.read_text())["rows"]) if path.is_file() else set()
    except (OSError, ValueError, KeyError, TypeError):
        old = set()  # unreadable or not a bench file: replacing it loses nothing a chapter can read
    dropped = sorted(old - set(cases))
    if dropped:
        raise StoreError(f"{path} holds {' and '.join(dropped)} rows that this bench would drop (chapters read them): "
                         "add --augmented, or set FMNIST_STORE to another folder to save there; nothing was timed")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is a folder where the bench file belongs: remove it (rm -r {path}); nothing was timed")
    try:
        probe_writable(path.parent)
    except OSError as exc:
        raise StoreError(f"cannot save the bench to {path} ({describe(exc)}): make {path.parent} writable, free space, "
                         "or set FMNIST_STORE to another folder; nothing was timed") from None


def _save(path: Path, result: dict) -> None:
    text = json.dumps(result, indent=1).encode()
    try:
        _atomic_write(path, lambda fh: fh.write(text))
        return
    except OSError as exc:
        failure = f"could not write {path}: {describe(exc)}"
    rescue = RESCUE_DIR / "bench.json"
    try:
        _atomic_write(rescue, lambda fh: fh.write(text))
    except OSError:
        raise StoreError(f"{failure}; the measurements printed above were not saved anywhere") from None
    raise StoreError(f"{failure}; the measurements are kept in {rescue}: copy it to {path} once it can be written") from None


def _interleaved_medians(epochs: dict[str, object], repeats: int, warm_up: tuple[str, ...]) -> dict[str, float]:
    """Median seconds of each epoch function, timed in turns so that drift hits all alike."""
    for name in warm_up:
        epochs[name]()
    times: dict[str, list[float]] = {name: [] for name in epochs}
    for _ in range(repeats):
        for name, epoch in epochs.items():
            start = time.perf_counter()
            epoch()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _torchvision_root() -> Path:
    """torchvision's FashionMNIST wants the uncompressed files under <root>/FashionMNIST/raw."""
    root = Path(tempfile.mkdtemp(prefix="fmnist_bench-"))
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    source = locate()
    for name in FILES.values():
        with gzip.open(source / name) as src, open(raw / name[:-3], "wb") as dst:
            shutil.copyfileobj(src, dst)
    return root


def _classic_epoch(root: Path, augmented: bool, device: torch.device):
    from torchvision import datasets, transforms  # lazy: torchvision is needed only for this fallback

    data = load()
    steps = [transforms.RandomRotation(10), transforms.RandomHorizontalFlip()] if augmented else []
    transform = transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize((data.pixel_mean,), (data.pixel_std,))])
    dataset = datasets.FashionMNIST(str(root), train=True, download=False, transform=transform)
    # The engine trains on the 50k split; time the same number of images here.
    subset = torch.utils.data.Subset(dataset, range(len(data.train_labels)))
    loader = torch.utils.data.DataLoader(subset, batch_size=BENCH_CONFIG.batch_size, shuffle=True, num_workers=0)
    model = build_model(BENCH_CONFIG).to(device)
    optimizer = make_optimizer(BENCH_CONFIG, model.parameters())

    def epoch():
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return epoch


def _engine_epoch(cfg, device: torch.device):
    data = load()
    shift, scale = input_scaling(cfg, data)
    generator = torch.Generator(device=device).manual_seed(0)
    batches = Batches(cfg, as_unit_float(data.train_images, device), data.train_labels.to(device), generator, shift, scale)
    model = build_model(cfg).to(device)
    optimizer = make_optimizer(cfg, model.parameters())
    schedule = make_schedule(cfg, optimizer, len(batches))
    return lambda: run_epoch(model, optimizer, schedule, cfg, batches)


def _compute_epoch(device: torch.device):
    data = load()
    shift, scale = input_scaling(BENCH_CONFIG, data)
    x = (as_unit_float(data.train_images, device) - shift) / scale
    y = data.train_labels.to(device)
    batches = [(x[i:i + 128].contiguous(), y[i:i + 128].contiguous()) for i in range(0, len(y), 128)]
    model = build_model(BENCH_CONFIG).to(device)
    optimizer = make_optimizer(BENCH_CONFIG, model.parameters())

    def epoch():
        for xb, yb in batches:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return epoch


def run_bench(repeats: int = 3, augmented: bool = False, save: bool = True, path: Path | None = None) -> dict:
    """Time the pipelines, print a table, and save it (with provenance) to `path` (default: `result_path()`)."""
    path = path or result_path()
    if save:
        check_target(path, ("plain", "augmented") if augmented else ("plain",))
    device = default_device()
    torch.manual_seed(0)
    root = _torchvision_root()
    try:
        epochs = {"plain/engine": _engine_epoch(BENCH_CONFIG, device), "compute": _compute_epoch(device),
                  "plain/dataloader": _classic_epoch(root, False, device)}
        if augmented:
            epochs["augmented/engine"] = _engine_epoch(AUGMENTED_CONFIG, device)
            epochs["augmented/dataloader"] = _classic_epoch(root, True, device)
        medians = _interleaved_medians(epochs, repeats, warm_up=("plain/engine", "compute"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    compute = medians.pop("compute")
    rows = {case: {"engine_s": medians[f"{case}/engine"], "dataloader_s": medians[f"{case}/dataloader"]}
            for case in ("plain", "augmented") if f"{case}/engine" in medians}
    result = {"config": BENCH_CONFIG.to_dict(), "repeats": repeats, "provenance": provenance(device),
              "compute_bound_s": compute, "rows": rows}
    print(f"one epoch of {BENCH_CONFIG.label()} (50k images), median of {repeats}, {torch.get_num_threads()} threads, {device}")
    print(f"{'case':<10} {'engine s':>9} {'DataLoader s':>13} {'speedup':>8}")
    for name, row in rows.items():
        print(f"{name:<10} {row['engine_s']:>9.2f} {row['dataloader_s']:>13.2f} {row['dataloader_s'] / row['engine_s']:>7.1f}x")
    print(f"{'compute':<10} {compute:>9.2f}   (forward/backward/step on pre-sliced batches)")
    if save:
        _save(path, result)
        print(f"saved {path}")
    plain = rows["plain"]
    print(f"speedup vs DataLoader pipeline: {plain['dataloader_s'] / plain['engine_s']:.1f}x "
          f"(engine/compute-bound: {plain['engine_s'] / compute:.2f}x)")
    return result


# ---- retraining at scale: measured throughput, projected wall time -----------------------------------
# Runs per hour of 2 worker processes x 1 thread over 1 process x 2 threads on a 2-core machine,
# measured by `fmnist-lab bench --retrain 01_dataset --profile full` on an otherwise idle machine
# (2026-11-29, AMD EPYC with AVX-512): 18 runs in 87.2 s with one process, 66.1 s with two workers
# (the small matrix products of these MLPs use two threads poorly). Measure again on other hardware.
MEASURED_SPEEDUP = 1.32
MEASURED_ON = "87.2 s for its 18 runs in one process × 2 threads, 66.1 s on 2 workers × 1 thread"


def retrain_throughput(chapter: str, workers: int = 2) -> dict[str, dict[str, float]]:
    """Retrain `chapter`'s runs (current profile) into two fresh temporary stores, first in this
    process with all its threads, then on `workers` worker processes (at most one per core, as `run
    --workers` caps them) with cores/`workers` threads each; print and return the seconds and runs
    per hour of each. Saves nothing.

    The dataset is read once before timing; each worker process reads its own copy, and that
    start-up (a few seconds) is counted, as it is in a real `run --workers`.
    """
    workers = usable_workers(workers)
    cfgs = studies.chapter_configs(chapter)
    checkpoint_keys = [c.key() for c in studies.checkpointed_configs(chapter)]
    load()
    threads = torch.get_num_threads()
    settings = {f"1 process x {threads} thread(s)": lambda: nullcontext(),
                f"{workers} processes x {max(1, available_cores() // workers)} thread(s)": lambda: LocalWorkers(workers)}
    print(f"retraining {chapter} ({current_profile().name} profile, {len(cfgs)} runs) twice on {available_cores()} cores")
    rows = {}
    for name, executor in settings.items():
        root = tempfile.mkdtemp(prefix="fmnist_lab-retrain-")
        try:
            start = time.perf_counter()
            with executor() as pool:
                ensure(cfgs, Store(root), checkpoint_keys, progress=show_progress(), quiet=True, executor=pool)
            seconds = time.perf_counter() - start
        finally:
            shutil.rmtree(root, ignore_errors=True)
        rows[name] = {"seconds": seconds, "runs_per_hour": 3600 * len(cfgs) / seconds}
        print(f"  {name:<26} {seconds:>8.1f} s  {rows[name]['runs_per_hour']:>8.0f} runs/hour")
    first, second = rows.values()
    print(f"  speedup of {list(rows)[1]}: {second['runs_per_hour'] / first['runs_per_hour']:.2f}x")
    return rows


def projected_retrain(speedup: float = MEASURED_SPEEDUP, cores: tuple[int, ...] = (2, 8, 32),
                      store=None) -> dict[str, Any]:
    """Projected wall-clock hours of retraining every run the book needs (full profile) from
    nothing on `cores` cores, with `fmnist-lab run --workers` (or a cluster of that many cores).

    From each stored run's measured cost (provenance `wall_seconds`, trained in one process with
    two threads on two cores). Assumptions: the runs are independent and each keeps its measured
    cost; a single-thread worker trains a run in `2 / speedup` times its recorded seconds (the
    parallel efficiency `bench --retrain` measures on two cores: two single-thread workers
    deliver `speedup` times the runs per hour of one two-thread process), and each added core
    adds one such worker without slowing the others. As `run` does with workers, every run goes,
    in the book's order, to the first free worker, except that runs taught by a checkpoint wait
    until all others are done (their teacher is among them). Returns the runs counted, the hours
    they took as recorded ("recorded_hours"), of which "single_thread_hours" by the
    "single_thread_runs" already trained on one thread (they keep their time, so the projection
    is not simply recorded hours / speedup), the needed runs not stored, and {cores: hours}.
    """

    store = store or Store()
    seen: set[str] = set()
    batches: list[list[float]] = [[], []]  # single-thread seconds: untaught runs, then taught ones
    missing, recorded, single_recorded, single_runs = 0, 0.0, 0.0, 0
    for chapter in studies.book_chapters():
        for study in studies.studies_of(chapter):
            if study.kind is not RunConfig:  # chapter 2's scikit-learn fits: not networks a retrain trains
                continue
            for cfgs in study.configs(PROFILES["full"]).values():
                for cfg in cfgs:
                    if cfg.key() in seen:
                        continue
                    seen.add(cfg.key())
                    result = store.load(cfg)
                    if result is None:
                        missing += 1
                        continue
                    seconds = result["provenance"]["wall_seconds"]
                    recorded += seconds
                    one_thread = result["provenance"].get("threads") == 1
                    single_recorded, single_runs = single_recorded + seconds * one_thread, single_runs + one_thread
                    single = seconds if one_thread else seconds * 2 / speedup
                    batches[cfg.teacher is not None].append(single)
    return {"runs": sum(map(len, batches)), "missing": missing, "speedup": speedup, "recorded_hours": recorded / 3600,
            "single_thread_hours": single_recorded / 3600, "single_thread_runs": single_runs,
            "longest_run_hours": max((c for b in batches for c in b), default=0.0) / 3600,
            "hours": {n: list_schedule_seconds(batches, n) / 3600 for n in cores}}


def list_schedule_seconds(batches: list[list[float]], workers: int) -> float:
    """Wall seconds of running batches of runs (their costs, in order) on `workers` workers, each
    run going to the first worker free, each batch starting when the one before has finished."""
    total = 0.0
    for costs in batches:
        free = [0.0] * workers  # when each worker is next free
        for cost in costs:
            heapq.heappush(free, heapq.heappop(free) + cost)
        total += max(free)
    return total


def projection_text(projection: dict[str, Any]) -> str:
    """One line per core count, e.g. for the appendix."""
    lines = [f"{projection['runs']} runs took {projection['recorded_hours']:.1f} h in one process x 2 threads "
             f"(2 cores); with single-thread workers ({projection['speedup']:.2f}x the throughput on 2 cores):"]
    lines += [f"  {n:>3} cores: {hours:5.1f} h" for n, hours in projection["hours"].items()]
    lines.append(f"  (no number of cores beats the longest run: {projection['longest_run_hours']:.1f} h on one thread)")
    if projection["missing"]:
        lines.append(f"  ({projection['missing']} runs the book needs are not stored and are not counted)")
    return "\n".join(lines)
