"""Classical classifiers (scikit-learn) on the MLPs' split, stored like training runs.

An `EstimatorConfig` names an estimator from `ESTIMATORS`, its hyperparameters and its inputs (the
training images an MLP sees, standardized the same way, optionally reduced to PCA components). Its
key names it in the store beside the `RunConfig` runs, so `fmnist-lab status` counts it, `run`
fits what is missing and a chapter loads it ("found in store, skipping training"). `fit` returns a
record in the store's format: the numbers, the test predictions, the confusion matrices, provenance
and the seconds the fit took.

`CLASSICAL` declares chapter 2's classifiers, each with a small grid that validation chooses from.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

import numpy as np
import pandas as pd

from .experiments import Profile, current_profile, ensure, select, summarize
from .store import Store

KIND = "estimator"  # how a stored config says it is one of these, not a RunConfig


# ---- the estimators ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimator:
    """One scikit-learn classifier the book can fit: add a line to `ESTIMATORS` for another."""

    title: str  # what a reader calls it
    build: Callable[[dict[str, Any], int], Any]  # (hyperparameters, seed) -> an unfitted estimator
    size: Callable[[Any], int]  # the numbers the fitted model keeps (a record's "params")
    deterministic: bool  # refitting gives the same model, so one seed is enough
    iterations: str | None = None  # the hyperparameter counting its passes or trees: the smoke profile caps it
    probabilities: bool = False  # its predict_proba is a model of the class probabilities (a log loss means something)


def _logistic(h: dict[str, Any], seed: int):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(random_state=seed, **h)


def _knn(h: dict[str, Any], seed: int):
    from sklearn.neighbors import KNeighborsClassifier
    return KNeighborsClassifier(n_jobs=1, **h)


def _forest(h: dict[str, Any], seed: int):
    from sklearn.ensemble import RandomForestClassifier
    return RandomForestClassifier(random_state=seed, n_jobs=1, **h)


def _svm(h: dict[str, Any], seed: int):
    from sklearn.svm import SVC
    return SVC(kernel="rbf", cache_size=1000, **h)  # a larger kernel cache is faster, not different


def _mlp(h: dict[str, Any], seed: int):
    from sklearn.neural_network import MLPClassifier
    return MLPClassifier(random_state=seed, **h)


ESTIMATORS: dict[str, Estimator] = {
    "logistic": Estimator("logistic regression", _logistic, lambda m: m.coef_.size + m.intercept_.size,
                          deterministic=True, iterations="max_iter", probabilities=True),
    # The training images themselves are its parameters.
    "knn": Estimator("k-nearest neighbours", _knn, lambda m: m.n_samples_fit_ * m.n_features_in_, deterministic=True),
    "forest": Estimator("random forest", _forest, lambda m: sum(t.tree_.node_count for t in m.estimators_),
                        deterministic=False, iterations="n_estimators", probabilities=True),
    "svm": Estimator("SVM, RBF kernel", _svm,
                     lambda m: m.support_vectors_.size + m.dual_coef_.size + m.intercept_.size, deterministic=True),
    "mlp": Estimator("scikit-learn MLPClassifier", _mlp,
                     lambda m: sum(w.size for w in m.coefs_) + sum(b.size for b in m.intercepts_),
                     deterministic=False, iterations="max_iter", probabilities=True),
}


# ---- one fit's identity ----------------------------------------------------------------------------
def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class EstimatorConfig:
    """One fit of a scikit-learn classifier: everything that changes its result, nothing else."""

    estimator: str  # a name in ESTIMATORS
    hyperparameters: tuple[tuple[str, Any], ...] = ()  # passed to the estimator (a dict is accepted)
    pca: int | None = None  # fit on this many principal components of the training images (None: all 784 pixels)
    train_size: int | None = None  # the same fixed subset an MLP with this train_size sees (None: all 50 000)
    # Set only by profiles, to shrink a fit: score the first `val_size` validation images, cap the
    # estimator's iterations (`Estimator.iterations`: epochs, trees) at `iteration_cap`.
    val_size: int | None = None
    iteration_cap: int | None = None
    seed: int = 0

    ENGINE_VERSION: ClassVar[str] = "1"  # bump when `fit` changes what a stored fit means
    RECORD_FIELDS: ClassVar[dict[str, type]] = {"fit_seconds": float, "fit_cpu_seconds": float}  # added to the store's schema
    teacher: ClassVar[None] = None  # an estimator learns from the labels alone (read where runs may be taught)

    def __post_init__(self) -> None:
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"EstimatorConfig.estimator={self.estimator!r} is not valid; choose one of "
                             f"{', '.join(map(repr, ESTIMATORS))} (or add it to classical.ESTIMATORS)")
        pairs = self.hyperparameters.items() if isinstance(self.hyperparameters, Mapping) else self.hyperparameters
        object.__setattr__(self, "hyperparameters", tuple(sorted((str(k), _frozen(v)) for k, v in pairs)))
        for name in ("pca", "train_size", "val_size", "iteration_cap"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"EstimatorConfig.{name}={value!r} is not valid; it must be a positive integer or None")
        if self.pca is not None and self.pca > 784:
            raise ValueError(f"EstimatorConfig.pca={self.pca} is not valid; an image has 784 pixels, so at most 784 components")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"EstimatorConfig.seed={self.seed!r} is not valid; it must be a non-negative integer")

    def replace(self, **changes: Any) -> "EstimatorConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with `kind` so a stored record says which configuration it holds."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["hyperparameters"] = {k: _jsonable(v) for k, v in self.hyperparameters}
        return {"kind": KIND, **out}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EstimatorConfig":
        data = dict(data)
        kind = data.pop("kind", KIND)
        if kind != KIND:
            raise ValueError(f"not an estimator configuration (kind {kind!r}, expected {KIND!r})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown EstimatorConfig fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def key(self) -> str:
        """16 hex digits naming this fit. The hashed text holds a `kind` field, which a RunConfig's
        canonical JSON never has, so a fit's key is never a training run's."""
        payload = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")) + "|engine=" + self.ENGINE_VERSION
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def settings(self) -> str:
        """The hyperparameters and inputs in a reader's words, not scikit-learn's names:
        'C = 10, 100 PCA components', '10 neighbours', '28 of 784 pixels per split', 'L2 penalty α = 10⁻⁴'."""
        shown = [_setting(name, value, self.pca) for name, value in self.hyperparameters]
        if self.pca:
            shown.append(f"{self.pca} PCA components")
        if self.train_size:
            shown.append(f"{self.train_size:,} training images".replace(",", "\u2009"))
        return ", ".join(shown) or "defaults"

    def label(self) -> str:
        """Short description for logs: 'svm C=10 pca=100 seed=0'."""
        parts = [self.estimator, *(f"{k}={_jsonable(v)}" for k, v in self.hyperparameters)]
        parts += [f"{name}={getattr(self, name)}" for name in ("pca", "train_size", "val_size", "iteration_cap")
                  if getattr(self, name) is not None]
        return " ".join([*parts, f"seed={self.seed}"])


def _setting(name: str, value: Any, pca: int | None) -> str:
    """One hyperparameter in a reader's words (`settings`); one without words of its own keeps its name."""
    from .studies import small

    if name == "n_neighbors":
        return f"{value} neighbour{'s' if value != 1 else ''}"
    if name == "max_features" and value in ("sqrt", "log2"):  # scikit-learn's rules, applied to the inputs
        inputs = pca or 784
        drawn = max(1, int(math.sqrt(inputs) if value == "sqrt" else math.log2(inputs)))
        return f"{drawn} of {inputs} {'components' if pca else 'pixels'} per split"
    if name == "alpha":
        return f"L2 penalty α = {small(value)}"
    return f"{name} = {_shown(value)}"


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return " × ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}".replace("-", "\u2212")
    return str(value)


# ---- fitting -------------------------------------------------------------------------------------------
_SCALING: dict[str, tuple[float, float]] = {}  # dataset folder -> (shift, scale) of standardization


def inputs(cfg: EstimatorConfig, data) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Flattened, standardized images and labels per split, as an MLP with `cfg.train_size` sees them:
    'train' (the training images it fits), 'train_eval' (the first of them, re-scored like an MLP's
    training accuracy), 'val' (the first `cfg.val_size`) and 'test'."""
    from .config import RunConfig
    from .train import TRAIN_EVAL_SIZE, input_scaling, training_images

    mlp = RunConfig(normalization="standardize", train_size=cfg.train_size)
    if data.source not in _SCALING:  # the training split's pixel statistics: a second per call otherwise
        _SCALING[data.source] = input_scaling(mlp, data)
    shift, scale = _SCALING[data.source]
    x, y = training_images(mlp, data)

    def flat(images):
        return ((images.reshape(len(images), -1).float().div(255) - shift) / scale).numpy()

    train = (flat(x), y.numpy())
    return {"train": train, "train_eval": (train[0][:TRAIN_EVAL_SIZE], train[1][:TRAIN_EVAL_SIZE]),
            "val": (flat(data.val_images[:cfg.val_size]), data.val_labels[:cfg.val_size].numpy()),
            "test": (flat(data.test_images), data.test_labels.numpy())}


def build(cfg: EstimatorConfig):
    """The unfitted model: the estimator, after a PCA of the inputs if `cfg.pca`."""
    spec = ESTIMATORS[cfg.estimator]
    estimator = spec.build(dict(cfg.hyperparameters), cfg.seed)
    if cfg.iteration_cap is not None and spec.iterations is not None:
        estimator.set_params(**{spec.iterations: min(estimator.get_params()[spec.iterations], cfg.iteration_cap)})
    if cfg.pca is None:
        return estimator
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline

    # covariance_eigh: exact and deterministic (no random projection), and fast for 784 columns
    return make_pipeline(PCA(cfg.pca, svd_solver="covariance_eigh"), estimator)


def model_size(cfg: EstimatorConfig, model) -> int:
    size = ESTIMATORS[cfg.estimator].size(model[-1] if cfg.pca else model)
    return int(size + (model[0].components_.size + model[0].mean_.size if cfg.pca else 0))


def fit(cfg: EstimatorConfig, data=None) -> dict[str, Any]:
    """Fit one configuration on one thread and score it: a record in the store's format.

    One thread, so that the fit time compares between estimators and does not take a core from
    another job. `fit_seconds` is the fit alone (with its PCA), on the clock; `fit_cpu_seconds` the
    processor time it used, which other jobs on a shared machine do not inflate (on one thread,
    what the fit costs on an idle core); `provenance.wall_seconds` adds scoring the four splits.
    A fit is one "epoch" of the record's history.
    """
    import sklearn
    import torch
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from threadpoolctl import threadpool_limits

    from .data import load
    from .records import confusion, encode_predictions, provenance

    data = data or load()
    info = {**provenance(torch.device("cpu")), "threads": 1, "sklearn_version": sklearn.__version__}
    wall_start = time.perf_counter()
    splits = inputs(cfg, data)
    model = build(cfg)
    spec = ESTIMATORS[cfg.estimator]
    with threadpool_limits(1), warnings.catch_warnings():
        # A capped or short fit may stop before its tolerance: that is part of the configuration.
        warnings.simplefilter("ignore", ConvergenceWarning)
        start, cpu_start = time.perf_counter(), time.process_time()
        model.fit(*splits["train"])
        fit_seconds, fit_cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        predicted = {name: model.predict(x) for name, (x, _) in splits.items() if name != "train"}
        losses = {name: float(log_loss(splits[name][1], model.predict_proba(splits[name][0]), labels=range(10)))
                  if spec.probabilities else None for name in ("val", "test")}
    info["wall_seconds"] = round(time.perf_counter() - wall_start, 3)

    def scored(name: str) -> dict[str, Any]:
        truth, guess = splits[name][1], predicted[name]
        return {"acc": float((guess == truth).mean()),
                "confusion": confusion(torch.from_numpy(truth).long(), torch.from_numpy(guess).long())}

    estimator = model[-1] if cfg.pca else model
    iterations = getattr(estimator, "n_iter_", None)
    train_eval_acc = scored("train_eval")["acc"]
    return {
        "key": cfg.key(),
        "engine_version": cfg.ENGINE_VERSION,
        "config": cfg.to_dict(),
        "provenance": info,
        "params": model_size(cfg, model),
        "epochs_run": 1,
        "final_epoch": 1,
        "diverged": False,
        "seconds_per_epoch": fit_seconds,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
        "iterations": None if iterations is None else int(np.max(iterations)),  # passes the solver made (the most over its sub-problems)
        "history": {"epoch": [1], "seconds": [fit_seconds], "train_eval_acc": [train_eval_acc],
                    "val_loss": [losses["val"]], "val_acc": [scored("val")["acc"]]},
        "val": {"loss": losses["val"], **scored("val")},
        "test": {"loss": losses["test"], **scored("test"), "predictions": encode_predictions(torch.from_numpy(predicted["test"]))},
    }


# ---- what a chapter declares ------------------------------------------------------------------------
def shrink(cfg: EstimatorConfig, profile: Profile | None = None) -> EstimatorConfig:
    """`cfg` under a profile: training and validation images and the estimator's iterations capped
    (as `experiments.shrink` caps a training run's images and epochs)."""
    profile = profile or current_profile()
    changes: dict[str, Any] = {}
    if profile.train_size is not None and (cfg.train_size or math.inf) > profile.train_size:
        changes["train_size"] = profile.train_size
    if profile.val_size is not None and (cfg.val_size or math.inf) > profile.val_size:
        changes["val_size"] = profile.val_size
    if profile.max_epochs is not None and ESTIMATORS[cfg.estimator].iterations is not None:
        changes["iteration_cap"] = min(cfg.iteration_cap or math.inf, profile.max_epochs)
    return cfg.replace(**changes) if changes else cfg


def seeded(cfg: EstimatorConfig, profile: Profile | None = None) -> list[EstimatorConfig]:
    """The profile's seeds for a randomized estimator, its first seed for a deterministic one."""
    profile = profile or current_profile()
    seeds = profile.seeds[:1] if ESTIMATORS[cfg.estimator].deterministic else profile.seeds
    return [shrink(cfg.replace(seed=s), profile) for s in seeds]


@dataclass(frozen=True)
class EstimatorStudy:
    """A chapter's classical classifiers: per classifier, a small grid of settings (a reader's label
    for each -> its configuration, seed 0, full profile) that validation chooses from."""

    name: str
    chapter: str
    title: str
    grids: Mapping[str, Mapping[str, EstimatorConfig]] = field(hash=False)  # classifier -> settings label -> config

    def __post_init__(self) -> None:
        for classifier, grid in self.grids.items():
            kinds = {cfg.estimator for cfg in grid.values()}
            if len(kinds) != 1:
                raise ValueError(f"study {self.name!r}: the grid of {classifier!r} mixes estimators {sorted(kinds)}; "
                                 "give each estimator its own grid")

    def configs(self, profile: Profile | None = None) -> dict[tuple[str, str], list[EstimatorConfig]]:
        """(classifier, settings label) -> its configurations over the seeds it needs (shrunk to the profile)."""
        return {(classifier, label): seeded(cfg, profile) for classifier, grid in self.grids.items()
                for label, cfg in grid.items()}

    def all_configs(self, profile: Profile | None = None) -> list[EstimatorConfig]:
        return [cfg for cfgs in self.configs(profile).values() for cfg in cfgs]


@dataclass
class EstimatorResults:
    """A loaded `EstimatorStudy`: runs and seed summaries by (classifier, settings label), and each
    classifier's choice on validation (`picks`: classifier -> settings label)."""

    study: EstimatorStudy
    runs: dict[tuple[str, str], list[dict[str, Any]]]
    summaries: dict[tuple[str, str], dict[str, Any]] = field(init=False)
    picks: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.summaries = {k: summarize(v) for k, v in self.runs.items()}
        self.picks = {classifier: select({label: self.runs[classifier, label] for label in grid})
                      for classifier, grid in self.study.grids.items()}

    def picked(self, classifier: str) -> list[dict[str, Any]]:
        """The runs of the configuration validation chose for `classifier`."""
        return self.runs[classifier, self.picks[classifier]]

    def by_estimator(self) -> dict[str, tuple[str, str, list[dict[str, Any]]]]:
        """Estimator name (`ESTIMATORS` key) -> (classifier, chosen settings, its runs)."""
        return {self.study.grids[classifier][label].estimator: (classifier, label, self.picked(classifier))
                for classifier, label in self.picks.items()}

    def all_runs(self) -> list[dict[str, Any]]:
        return [r for results in self.runs.values() for r in results]


def load(study: EstimatorStudy | None = None, store: Store | None = None, quiet: bool = False,
         profile: Profile | None = None) -> EstimatorResults:
    """Load (or fit what is missing of) a study's classifiers: a chapter's one setup call."""
    study = study or CLASSICAL
    configs = study.configs(profile)
    flat = [cfg for cfgs in configs.values() for cfg in cfgs]
    results = dict(zip((c.key() for c in flat), ensure(flat, store, quiet=quiet)))
    return EstimatorResults(study, {k: [results[c.key()] for c in cfgs] for k, cfgs in configs.items()})


def stored(study: EstimatorStudy, store: Store) -> EstimatorResults | None:
    """The study's results if every fit is in `store` (nothing is fitted), else None."""
    configs = study.configs()
    runs = {k: [store.load(c) for c in cfgs] for k, cfgs in configs.items()}
    if any(r is None for results in runs.values() for r in results):
        return None
    return EstimatorResults(study, runs)


# ---- chapter 2: where an MLP stands among classical classifiers -------------------------------------
# Pixels standardized as for the MLPs. kNN and the SVM work on principal components: their cost grows
# with the length of the vectors they compare, and 50 or 100 components keep an RBF SVM on all 50 000
# images under a processor-minute per fit. Logistic regression and the forest see every pixel.
def _grid(estimator: str, settings: list[dict[str, Any]], pca: int | None = None, **fixed: Any) -> dict[str, EstimatorConfig]:
    """A classifier's grid: each settings dict (with "pca" to vary the components) over the `fixed`
    hyperparameters, labelled by what varies (the chapter names the fixed ones once)."""
    grid = {}
    for varied in settings:
        varied = dict(varied)
        components = varied.pop("pca", pca)
        label = EstimatorConfig(estimator, varied, pca=components).settings()
        grid[label] = EstimatorConfig(estimator, {**fixed, **varied}, pca=components)
    return grid


CLASSICAL = EstimatorStudy("classical", "02_baseline", "baselines", {
    ESTIMATORS["logistic"].title: _grid("logistic", [{"C": c} for c in (1e-3, 1e-2, 1e-1, 1.0)], max_iter=1000),
    ESTIMATORS["knn"].title: _grid("knn", [{"n_neighbors": k} for k in (1, 5, 10, 20)], pca=50),
    ESTIMATORS["forest"].title: _grid("forest", [{"max_features": m} for m in ("log2", "sqrt")], n_estimators=100),
    ESTIMATORS["svm"].title: _grid("svm", [{"C": c, "pca": p} for p in (50, 100) for c in (1.0, 10.0)]),
    # The reference MLP's network and optimizer (2 x 256 ReLU, Adam 1e-3, batch 128) for 20 epochs,
    # without early stopping; the grid is its L2 penalty.
    ESTIMATORS["mlp"].title: _grid("mlp", [{"alpha": a} for a in (1e-4, 1e-2)], hidden_layer_sizes=(256, 256),
                                   learning_rate_init=1e-3, batch_size=128, max_iter=20),
})
STUDIES = (CLASSICAL,)


# The Fashion-MNIST benchmark's test accuracy (zalando2017benchmark in references.bib) for two of
# chapter 2's estimators: its best classical entry, an RBF SVC on all pixels, and its MLPClassifier
# with the default single layer of 100 ReLU units. Theirs, not ours: quoted for comparison.
BENCHMARK = {"svm": ("SVC, RBF kernel, C = 10", 0.897), "mlp": ("MLPClassifier, 1 × 100 ReLU", 0.871)}


def fit_seconds(results: list[dict[str, Any]]) -> float:
    """Mean processor seconds a fit took (one per seed, on one thread), its PCA included, its
    scoring not: the time on the clock would count the other jobs of a shared machine too."""
    return sum(r["fit_cpu_seconds"] for r in results) / len(results)


def comparison_table(results: EstimatorResults, networks: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """One row per classifier at its configuration chosen on validation (accuracy in %, mean ± std over
    seeds where there are several; seconds to fit, per seed), then the book's `networks` (a reader's
    label -> runs), whose seconds are a whole training run, validation after each epoch included."""
    from .report import pct, pm, thousands

    def accuracy(runs: list[dict[str, Any]], split: str) -> str:
        s = summarize(runs)
        return pm(s[f"{split}_mean"], s[f"{split}_std"]) if len(runs) > 1 else pct(s[f"{split}_mean"])

    def row(name: str, chosen: str, runs: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
        return {"classifier": name, "chosen on validation": chosen, "seeds": len(runs),
                "val acc %": accuracy(runs, "val"), "test acc %": accuracy(runs, "test"),
                "seconds": thousands(seconds) if seconds >= 10 else f"{seconds:.1f}"}

    rows = [row(classifier, label, runs, fit_seconds(runs)) for classifier, label, runs in results.by_estimator().values()]
    rows += [row(name, "", runs, summarize(runs)["wall_seconds"]) for name, runs in networks.items()]
    return pd.DataFrame(rows)


def glue(prefix: str, results: EstimatorResults) -> None:
    """Glue, per estimator name (`ESTIMATORS` key) at its configuration chosen on validation,
    `<prefix>_<name>_val`, `_test` (mean over seeds), `_fit` (seconds per seed), `_seeds` (numbers)
    and `_chosen` (its settings, Markdown); and `<prefix>_<name>_benchmark` where the benchmark
    lists it (`BENCHMARK`)."""
    from .report import glue_markdown, glue_numbers

    for name, (_, label, runs) in results.by_estimator().items():
        s = summarize(runs)
        glue_numbers(**{f"{prefix}_{name}_val": s["val_mean"], f"{prefix}_{name}_test": s["test_mean"],
                        f"{prefix}_{name}_fit": fit_seconds(runs), f"{prefix}_{name}_seeds": len(runs)})
        glue_markdown(**{f"{prefix}_{name}_chosen": label})
    glue_numbers(**{f"{prefix}_{name}_benchmark": accuracy for name, (_, accuracy) in BENCHMARK.items()})


def against_benchmark(accuracy: float, name: str) -> str:
    """How a test accuracy (fraction) stands against the benchmark's figure for `name`
    (`BENCHMARK`), at the benchmark's one decimal: 'matches the 89.7%', or '0.4 points above the
    87.1%' (a 89.69% that the benchmark would list as 89.7% matches it)."""
    listed = BENCHMARK[name][1]
    if f"{100 * accuracy:.1f}" == f"{100 * listed:.1f}":
        return f"matches the {100 * listed:.1f}%"
    from .report import above

    return f"{above(accuracy, listed, 1)} the {100 * listed:.1f}%"


def chapter_configs(chapter: str, profile: Profile | None = None) -> list[EstimatorConfig]:
    """Every estimator fit a chapter needs in the profile (none for most chapters)."""
    return [cfg for study in STUDIES if study.chapter == chapter for cfg in study.all_configs(profile)]
