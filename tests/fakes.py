"""What the unit tests build instead of training or loading, shared by several test modules.

Stored-result-shaped runs, each builder with the fields its tests read: `curve_run` (validation
curves), `predicted_run` (stored test predictions), `trick_run` and `chapter_run` (seed, val, test
and timing, as chapters 9 and 11 read them), `gain_run` (a seed's val and test on a named CPU),
`confusion_run` (a test confusion matrix), `grid_run` (an lr history), `timed_run` (seconds per
epoch on a named CPU), `seed_run`, `study_run`, `summary_run` and `size_run`. Loaded studies as
fixtures (`grid`, `init`, `dropout`, `width_runs`), synthetic `images`, a tiny classical study
(`tiny_study`, `KNN`) and one small real training result (`result`). A test module imports the
fixtures it uses by name."""
import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch

from fmnist_lab.analysis import ceiling, leaderboard
from fmnist_lab.analysis.leaderboard import Entry
from fmnist_lab.engine.config import REFERENCE, RunConfig
from fmnist_lab.engine.estimators import EstimatorConfig
from fmnist_lab.engine.train import train
from fmnist_lab.runs import studies
from fmnist_lab.runs.study import Study, StudyResults
from fmnist_lab.runs.summary import summarize


def curve_run(val_acc, val_loss, train_eval_acc=None, seed=0, diverged=False):
    """A stored-result-shaped dict with just the fields the helpers read."""
    n = len(val_acc)
    train_eval_acc = train_eval_acc or [a + 0.05 for a in val_acc]
    return {"key": f"k{seed}", "params": 1000, "seconds_per_epoch": 1.0, "diverged": diverged,
            "provenance": {"wall_seconds": float(n)},
            "final_epoch": n, "val": {"acc": val_acc[-1]}, "test": {"acc": 0.8},
            "history": {"val_acc": val_acc, "val_loss": val_loss, "train_eval_acc": train_eval_acc}}


def trick_run(seed, val, test, minutes=1.0, threads=2):
    return {"config": {"seed": seed}, "val": {"acc": val}, "test": {"acc": test},
            "provenance": {"wall_seconds": 60 * minutes / threads, "threads": threads}}


def chapter_run(seed, val, test, minutes=1.0, threads=2, name="AMD EPYC 7B13"):
    return {"config": {"seed": seed}, "val": {"acc": val}, "test": {"acc": test}, "params": 100, "seconds_per_epoch": 1.0,
            "diverged": False, "final_epoch": 1, "history": {"val_acc": [val] * 12, "train_eval_acc": [test] * 12},
            "provenance": {"wall_seconds": 60 * minutes, "threads": threads, "device": "cpu", "device_name": name}}


def frontier_mlps():
    tests = [0.80, 0.85, 0.86, 0.87, 0.88, 0.89, 0.895, 0.90, 0.905]
    frame = pd.DataFrame({"label": [f"net {i}" for i in range(len(tests))], "study": "internal title", "chapter": 7,
                          "family": ["MLP"] * (len(tests) - 1) + ["MLP taught by a CNN"], "test": tests,
                          "val": [t + 0.01 for t in tests], "cpu_minutes": [1 + i for i in range(len(tests))]})
    frame.loc[6, ["label", "chapter"]] = [f"{studies.STACKED_MLP_LABEL}, no augmentation", 10]
    frame["frontier"] = ceiling.pareto(frame, cost="cpu_minutes")
    return frame


TINY_FIT = dict(train_size=300, val_size=200)  # a fit in well under a second
KNN = EstimatorConfig("knn", {"n_neighbors": 3}, pca=10, **TINY_FIT)


@pytest.fixture
def tiny_study(monkeypatch):
    """Chapter 2 reduced to its classical study, and that to two kNN fits on a few hundred images."""
    study = Study("classical", "02_baseline", "baselines",
                  {f"k-nearest neighbours, k = {k}": KNN.replace(hyperparameters={"n_neighbors": k}) for k in (1, 5)})
    monkeypatch.setattr(studies, "STUDIES", tuple(study if s is studies.CLASSICAL else s for s in studies.STUDIES))
    monkeypatch.setitem(studies.CHAPTERS, "02_baseline", [study])
    monkeypatch.setattr(studies, "CLASSICAL", study)
    return study


@pytest.fixture
def images():
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(10).repeat(6)  # 6 images per class
    imgs = torch.zeros(60, 28, 28, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        imgs[i, : c + 1] = torch.randint(1, 256, (c + 1, 28), generator=generator, dtype=torch.uint8)  # class c inks c+1 rows
    return imgs, labels


def predicted_run(key, val, test=0.5, predictions="0123456789"):
    return {"key": key, "val": {"acc": val}, "test": {"acc": test, "predictions": predictions},
            "history": {"train_eval_acc": [0.9], "val_acc": [val], "val_loss": [1.0], "train_loss": [1.0]},
            "final_epoch": 1, "params": 10, "seconds_per_epoch": 1.0, "diverged": False,
            "provenance": {"wall_seconds": 1.0, "device": "cpu", "device_name": "x", "threads": 2}}


def gain_run(seed, test, val=None, device="Test CPU", wall=60.0):
    """A stored-result-shaped dict with what summarize and the pairing read."""
    val = test + 0.01 if val is None else val
    return {"key": f"k{seed}-{test}", "config": {"seed": seed}, "params": 1000, "seconds_per_epoch": 1.0,
            "diverged": False, "final_epoch": 1, "val": {"acc": val}, "test": {"acc": test, "predictions": "0"},
            "history": {"val_acc": [val], "val_loss": [0.5], "train_eval_acc": [val + 0.05]},
            "provenance": {"wall_seconds": wall, "device": "cpu", "device_name": device, "threads": 2}}


@pytest.fixture
def width_runs():
    """Chapter 3's width study: the 2 x 1024 pick against the 2 x 256 control, three seeds. Seed by
    seed the pick gains 1.0, 0.5 and 0.0 points (mean 0.5)."""
    W = studies.WIDTH
    pick = [gain_run(0, 0.900), gain_run(1, 0.895), gain_run(2, 0.890, wall=60.0)]
    control = [gain_run(2, 0.890, wall=20.0), gain_run(0, 0.890, wall=20.0), gain_run(1, 0.890, wall=20.0)]  # stored in another order
    return {(W, "2 × 1024"): pick, (W, "2 × 256"): control}


def gains_of(runs):
    (study, label), _ = next(iter(runs.items()))
    rows = [Entry(study.chapter, "MLP", study, label, summarize(runs[study, label]))]
    summaries = {key: summarize(results) for key, results in runs.items()}
    return leaderboard.gains(rows, summaries, runs=runs)


def confusion_run(val, train=None, per_class=None):
    """A stored-result-shaped dict: validation accuracy, training accuracy at the reported epoch and
    a test confusion matrix whose diagonal gives `per_class` accuracy (100 images per class)."""
    per_class = np.full(10, 0.9) if per_class is None else np.asarray(per_class)
    confusion = np.zeros((10, 10), dtype=int)
    for c, acc in enumerate(per_class):
        confusion[c, c] = round(100 * acc)
        confusion[c, (c + 1) % 10] = 100 - confusion[c, c]
    return {"val": {"acc": val}, "final_epoch": 1, "history": {"train_eval_acc": [val + 0.05 if train is None else train]},
            "test": {"confusion": confusion.tolist()}}


def error_spans(ax, axis="y"):
    """The length of every error bar on `ax`, sorted: seaborn draws each as one line (bar and caps,
    NaN-separated); `ax.errorbar` as a line collection."""
    column = 0 if axis == "x" else 1
    spans = [np.nanmax(line.get_xydata()[:, column]) - np.nanmin(line.get_xydata()[:, column]) for line in ax.lines
             if line.get_marker() in ("None", "") and np.isnan(line.get_xydata()).any() and not np.isnan(line.get_xydata()[:, column]).all()]
    spans += [np.ptp(np.asarray(segment)[:, column]) for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)
              for segment in c.get_segments()]
    return sorted(spans)


def grid_run(key, val_acc, test_acc=0.8, device_name="Test CPU", diverged=False, lr=(1e-3, 1e-3)):
    """A stored-result-shaped dict with the fields the helpers read; reported at the last epoch."""
    history = {"val_acc": [val_acc - 0.01, val_acc], "val_loss": [0.5, 0.4], "train_eval_acc": [val_acc, val_acc + 0.05],
               "lr": list(lr)}
    return {"key": key, "params": 1000, "seconds_per_epoch": 1.0, "diverged": diverged, "final_epoch": 2,
            "provenance": {"wall_seconds": 2.0, "device": "cpu", "device_name": device_name, "threads": 2},
            "val": {"acc": val_acc}, "test": {"acc": test_acc}, "history": history}


@pytest.fixture
def grid():
    """Two optimizers at two learning rates; SGD at 0.1 has one diverged seed of two."""
    groups = {f"{opt} {lr}": REFERENCE.replace(optimizer=opt, lr=lr) for opt in ("sgd", "adam") for lr in (0.1, 0.001)}
    accs = {"sgd 0.1": (0.80, 0.10), "sgd 0.001": (0.70, 0.72), "adam 0.1": (0.30, 0.32), "adam 0.001": (0.88, 0.90)}
    runs = {label: [grid_run(f"{label}/{i}", a, diverged=a < 0.2) for i, a in enumerate(pair)] for label, pair in accs.items()}
    return StudyResults(Study("grid", "chapter", "grid", groups, varies=("optimizer", "lr")), runs)


DEEP = (256,) * 6


def timed_run(key, val, seconds=1.0, cpu="CPU A", epoch=2, diverged=False, params=1000):
    return {"key": key, "params": params, "seconds_per_epoch": seconds, "diverged": diverged, "final_epoch": epoch,
            "provenance": {"wall_seconds": 10.0, "device": "cpu", "device_name": cpu, "threads": 2},
            "val": {"acc": val}, "test": {"acc": val - 0.01},
            "history": {"val_acc": [val] * epoch, "val_loss": [0.4] * epoch, "train_eval_acc": [val + 0.05] * epoch}}


@pytest.fixture
def init():
    """Two inits x two depths x batch norm or not; seconds per epoch from two machines."""
    groups = {f"{len(h)} layers, {i}{', bn' if bn else ''}": REFERENCE.replace(hidden=h, init=i, batchnorm=bn)
              for h in (REFERENCE.hidden, DEEP) for bn in (False, True) for i in ("default", "normal1")}
    study = Study("init", "06", "init", groups, varies=("init", "batchnorm"), control=REFERENCE)
    runs = {}
    for n, (label, cfg) in enumerate(groups.items()):
        val = 0.80 + 0.01 * n - (0.05 if cfg.init == "normal1" else 0.0)
        seconds = 2.0 * len(cfg.hidden) + (1.0 if cfg.batchnorm else 0.0)
        runs[label] = [timed_run(f"{label}/0", val, seconds), timed_run(f"{label}/1", val + 0.002, seconds + 0.2),
                       timed_run(f"{label}/2", val + 0.001, 100.0, cpu="CPU B")]  # another machine: never timed
    return StudyResults(study, runs)


MINUS, THIN = "\u2212", "\u202f"


def seed_run(seed, val, test=0.8, seconds=1.0, cpu="AMD EPYC", epochs=3, params=269_322):
    """A stored-result-shaped dict with the fields the table and pairing helpers read."""
    return {"key": f"{cpu}-{seed}-{val}", "config": {"seed": seed}, "params": params, "seconds_per_epoch": seconds,
            "diverged": False, "final_epoch": epochs, "val": {"acc": val}, "test": {"acc": test},
            "history": {"val_acc": [val] * epochs, "val_loss": [0.4] * epochs, "train_eval_acc": [val + 0.05] * epochs},
            "provenance": {"wall_seconds": 10.0, "device": "cpu", "device_name": cpu, "threads": 2}}


def study_run(key, val_acc, val_loss, train_eval_acc=None, test_acc=0.8, predictions="0123"):
    """A stored-result-shaped dict with the fields the helpers read; reported at the last epoch."""
    n = len(val_acc)
    return {"key": key, "params": 1000, "seconds_per_epoch": 1.0, "diverged": False, "final_epoch": n,
            "provenance": {"wall_seconds": float(n), "device": "cpu", "device_name": "Test CPU", "threads": 2},
            "val": {"acc": val_acc[-1]}, "test": {"acc": test_acc, "predictions": predictions},
            "history": {"val_acc": val_acc, "val_loss": val_loss,
                        "train_eval_acc": train_eval_acc or [a + 0.05 for a in val_acc]}}


def flat(key, acc, **kwargs):
    return study_run(key, [acc - 0.01, acc], [0.5, 0.4], **kwargs)


@pytest.fixture
def dropout():
    """A dropout study whose 0.1 group validates best; 0.0 is the control."""
    study = Study("drop", "chapter", "dropout", {f"p {p}": REFERENCE.replace(dropout=p) for p in (0.0, 0.1, 0.5)},
                  varies=("dropout",), control=REFERENCE)
    accs = {"p 0.0": (0.80, 0.82), "p 0.1": (0.85, 0.85), "p 0.5": (0.70, 0.72)}
    return StudyResults(study, {label: [flat(f"{label}/{i}", a) for i, a in enumerate(pair)] for label, pair in accs.items()})


A = {"val_mean": 0.9151, "val_std": 0.0006, "test_mean": 0.9059, "test_std": 0.0028, "seeds": 3}
B = {"val_mean": 0.9145, "val_std": 0.0009, "test_mean": 0.9096, "test_std": 0.0010, "seeds": 3}


def summary_run(seed, val=0.9, test=0.89, train=0.95, wall=120.0):
    return {"key": f"k{seed}", "params": 1000, "seconds_per_epoch": 2.0, "diverged": False, "final_epoch": 1,
            "val": {"acc": val}, "test": {"acc": test}, "history": {"val_acc": [val], "train_eval_acc": [train]},
            "provenance": {"wall_seconds": wall, "device": "cpu", "device_name": "AMD EPYC", "threads": 2}}


def size_run(test, seed=0, params=1000, epochs=12, final=12, minutes=1.0, batch=128, key=None):
    """A stored-result-shaped dict with the fields `summarize` and the facts read."""
    return {"key": key or f"k{seed}-{test}-{params}", "params": params, "seconds_per_epoch": 1.0, "diverged": False,
            "provenance": {"wall_seconds": 60.0 * minutes, "device": "cpu", "device_name": "CPU A", "threads": 2},
            "final_epoch": final, "config": {"epochs": epochs, "batch_size": batch},
            "val": {"acc": test + 0.01}, "test": {"acc": test}, "history": {"val_acc": [test], "train_eval_acc": [test] * epochs}}


def network_table(rows):
    return pd.DataFrame([{"label": label, "family": fam, "params": params, "minutes": 1.0, "val": val, "test": test,
                          "runs": [size_run(test, params=params) | {"val": {"acc": val}}]}
                         for label, fam, params, val, test in rows])


@pytest.fixture(scope="module")
def result():
    return train(RunConfig(hidden=(32,), train_size=1000, epochs=1), progress=False)[0]
