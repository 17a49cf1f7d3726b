"""`fmnist-lab bench`: one training epoch in this engine vs the classic DataLoader pipeline.

Same process, same threads, same model (784-256-256-10), batch 128, Adam; medians of repeats.
The classic pipeline is what the seed reports used: `torchvision.datasets.FashionMNIST` with
`ToTensor` + `Normalize` (plus `RandomRotation(10)` + `RandomHorizontalFlip` when augmented)
and a `DataLoader`. "compute-bound" is forward/backward/step alone on pre-sliced batches.
"""
from __future__ import annotations

import gzip
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .config import REFERENCE
from .data import FILES, load, locate
from .models import build_model
from .store import DEFAULT_ROOT, _atomic_write
from .records import provenance
from .train import Batches, as_unit_float, default_device, input_scaling, make_optimizer, make_schedule, run_epoch

BENCH_CONFIG = REFERENCE.replace(epochs=1)
AUGMENTED_CONFIG = BENCH_CONFIG.replace(augment=("rotate", "hflip"))
RESULT_PATH = DEFAULT_ROOT / "bench.json"


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
    from torchvision import datasets, transforms

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


def run_bench(repeats: int = 3, augmented: bool = False, save: bool = True) -> dict:
    """Time the pipelines, print a table, and save it (with provenance) to book/results/bench.json."""
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
        _atomic_write(RESULT_PATH, lambda fh: fh.write(json.dumps(result, indent=1).encode()))
        print(f"saved {RESULT_PATH}")
    plain = rows["plain"]
    print(f"speedup vs DataLoader pipeline: {plain['dataloader_s'] / plain['engine_s']:.1f}x "
          f"(engine/compute-bound: {plain['engine_s'] / compute:.2f}x)")
    return result
