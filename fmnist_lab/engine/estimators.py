"""scikit-learn classifiers on the MLPs' split: `EstimatorConfig` names one fit (its key sits beside the
`RunConfig` runs in the store) and `fit` returns a record in the store's format.

scikit-learn is imported inside the functions that need it: it takes seconds to import and only
chapter 2 and the workers fitting it use it."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from ..engine.config import RunConfig
from ..engine.data import load
from ..engine.records import confusion, encode_predictions, provenance
from ..engine.train import TRAIN_EVAL_SIZE, input_scaling, training_images
from .labels import small

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
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    return LogisticRegression(random_state=seed, **h)


def _knn(h: dict[str, Any], seed: int):
    from sklearn.neighbors import KNeighborsClassifier  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    return KNeighborsClassifier(n_jobs=1, **h)


def _forest(h: dict[str, Any], seed: int):
    from sklearn.ensemble import RandomForestClassifier  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    return RandomForestClassifier(random_state=seed, n_jobs=1, **h)


def _svm(h: dict[str, Any], seed: int):
    from sklearn.svm import SVC  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    return SVC(kernel="rbf", cache_size=1000, **h)  # a larger kernel cache is faster, not different


def _mlp(h: dict[str, Any], seed: int):
    from sklearn.neural_network import MLPClassifier  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
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
                             f"{', '.join(map(repr, ESTIMATORS))} (or add it to engine.estimators.ESTIMATORS)")
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
    from sklearn.decomposition import PCA  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    from sklearn.pipeline import make_pipeline  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it

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
    import sklearn  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    from sklearn.exceptions import ConvergenceWarning  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it
    from sklearn.metrics import log_loss  # lazy: scikit-learn takes seconds to import and only chapter 2 fits it

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
