"""Chapter 2's classical classifiers as a study: `EstimatorStudy` declares each classifier's small grid
(validation picks from it), `load` fits what the store lacks. The fits themselves are
`engine.estimators`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..engine.estimators import ESTIMATORS, EstimatorConfig
from .experiments import Profile, current_profile, ensure
from .store import Store
from .summary import select, summarize


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


def chapter_configs(chapter: str, profile: Profile | None = None) -> list[EstimatorConfig]:
    """Every estimator fit a chapter needs in the profile (none for most chapters)."""
    return [cfg for study in STUDIES if study.chapter == chapter for cfg in study.all_configs(profile)]
