"""The leaderboard: each chapter's configuration selected on validation, beside earlier claims.

Selection is per chapter and per family (MLP, MLP taught by a CNN, CNN) on mean validation
accuracy; test accuracy is reported for the selected configurations only. A distilled MLP is its
own family: it needs a trained CNN, so it does not compete for "best MLP". Refit runs (trained on
the validation images too) are left out. Chapters whose runs are not all stored are skipped. A model
is listed once, under the first chapter that selects it (`same_model`): chapter 11 tries its tricks
against chapter 10's recipe, and chapter 12 trains chapter 4's label-smoothing pair again to keep
their weights; where such a chapter's pick is that earlier model, it adds no row.

The book's best MLP, the model every page calls so, is the MLP rows' validation pick: `best_mlp`
states the rule, what is not a candidate, and how a near tie is reported.

`all_entries` (what `fmnist-lab leaderboard` prints) adds two families that never compete for
"best MLP" or "best CNN": each classical classifier's choice on validation (scikit-learn, chapter
02), and the probability average of the best MLP's seeds, with its calibration.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from ..engine.config import RunConfig
from ..engine.labels import described
from ..runs import derived, studies
from ..runs.derived import Analysis, weights_checksum
from ..runs.experiments import current_store, seeded
from ..runs.store import Store
from ..runs.study import Study, StudyResults
from ..runs.summary import select, summarize
from . import calibration
from . import predictions as predict
from .statistics import paired_gain, printed_gain, shown_points

# Numbers other reports published (test accuracy). Theirs, not ours: quoted for comparison only.
REPORT_CLAIMS = (
    ("Report A", "MLP 512-512-256-128, StepLR", 0.891), ("Report A", "PyTorch CNN", 0.932),
    ("Report B", "NumPy MLP, 2 hidden layers", 0.8775), ("Report B", "Keras CNN", 0.9079),
    ("Report C", "MLP, 2 hidden layers", 0.8832), ("Report C", "LeNet-style CNN", 0.8966),
    ("Report D", "NumPy MLP, leaky ReLU", 0.8007), ("Report E", "MLP 2 × 400, Adam, lr 10⁻³", 0.8901),
)
# The best pure MLPs on Fashion-MNIST documented elsewhere (test accuracy; theirs, quoted only):
KAN_MLP = 0.895  # one hidden layer of 1 024 units, "KAN or MLP: A Fairer Comparison" (Yu et al. 2024), about
BENCHMARK_MLP = 0.8833  # the best MLP in the Fashion-MNIST benchmark table (zalandoresearch/fashion-mnist)
NOKLAND_MLP = 0.9163  # 3 x 1024, backprop ("global loss" column), Nokland & Eidnes 2019 (anokland/local-loss README):
#                       the highest we know of; one run, its test accuracy read after every epoch
PUBLISHED = (
    ("scikit-learn MLPClassifier, Fashion-MNIST benchmark", studies.BENCHMARK["mlp"][1]),
    ("best MLP in the Fashion-MNIST benchmark table", BENCHMARK_MLP),
    ("Nøkland & Eidnes's 3 × 1024 MLP, one run, test read every epoch", NOKLAND_MLP),
    ("human, Fashion-MNIST README", 0.835),
)


@dataclass(frozen=True)
class Entry:
    chapter: str
    family: str  # one of FAMILIES, CLASSICAL_FAMILY or ENSEMBLE_FAMILY
    study: Study
    label: str  # the group's label in its study
    summary: dict[str, Any]  # `experiments.summarize` of its runs (an ensemble: see `ensemble_entry`)

    @property
    def name(self) -> str:
        return f"{self.study.title}: {self.label}"

    def twin(self) -> tuple[str, str] | None:
        """(chapter, label) of the same runs under another label in a later chapter, or None: one run
        set that two chapters list (chapter 8's CNN without augmentation is chapter 9's without dropout)."""
        cfg = getattr(self.study, "groups", {}).get(self.label)
        return next(((chapter, label) for chapter, chapter_studies in studies.CHAPTERS.items() if chapter > self.chapter
                     for study in chapter_studies for label, other in study.groups.items()
                     if other == cfg and label != self.label), None) if cfg is not None else None

    def saved(self, store: Store) -> bool:
        """Whether the weights of any of its seeds are in `store` (a page can then re-evaluate it)."""
        return any(store.checkpoint_path(c.key()).is_file() for c in self.study.configs()[self.label])


FAMILIES = ("MLP", "MLP taught by a CNN", "CNN")
CLASSICAL_FAMILY, ENSEMBLE_FAMILY = "classical (scikit-learn)", "MLP ensemble"
ENSEMBLE_CHAPTER = "12_beyond_accuracy"  # where the seed ensemble is measured


def family(cfg: RunConfig) -> str:
    if cfg.model != "mlp":
        return "CNN"
    return "MLP taught by a CNN" if cfg.teacher else "MLP"


def chapter_groups(chapter: str, store: Store) -> dict[tuple[Study, str], list[dict[str, Any]]] | None:
    """All selectable groups of a chapter, by (study, label), or None if any run is missing."""
    groups = {}
    for study in studies.CHAPTERS[chapter]:
        if study.kind is not RunConfig:  # classical classifiers: `classical_entries`
            continue
        for label, cfgs in study.configs().items():
            if cfgs[0].refit:  # trained on the validation images: nothing to select it by
                continue
            results = [store.load(cfg) for cfg in cfgs]
            if any(r is None for r in results):
                return None
            groups[study, label] = results
    return groups


KEPT_EPOCH = ("early_stopping", "patience")  # which epoch a run keeps, not how its network trains


def same_model(a: RunConfig, b: RunConfig) -> bool:
    """Whether two groups train the same network: one configuration (one set of runs), or one trained
    again for all its epochs and keeping another of them (chapter 12's label-smoothing pair is chapter
    4's, trained again with its best validation epoch restored instead of its last kept)."""
    def whole(cfg: RunConfig) -> bool:  # no epoch cut short: the same training, whichever epoch is kept
        return cfg.early_stopping == "none" or cfg.patience >= cfg.epochs

    def recipe(cfg: RunConfig) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(cfg).items() if k not in KEPT_EPOCH}

    return a == b or (whole(a) and whole(b) and recipe(a) == recipe(b))


def entries(store: Store | None = None) -> list[Entry]:
    """Per chapter and family, the group with the best mean validation accuracy; a pick that is an
    earlier chapter's entry (`same_model`) is listed there only."""
    store = store or current_store()
    rows: list[Entry] = []
    for chapter in studies.CHAPTERS:
        groups = chapter_groups(chapter, store) or {}
        for fam in FAMILIES:
            mine = {k: v for k, v in groups.items() if family(k[0].groups[k[1]]) == fam}
            if mine:
                study, label = select(mine)
                if any(same_model(study.groups[label], e.study.groups[e.label]) for e in rows):
                    continue  # the chapter picked a model already listed: one row per model
                rows.append(Entry(chapter, fam, study, label, summarize(mine[study, label])))
    return rows


def classical_entries(store: Store | None = None) -> list[Entry]:
    """Each classical classifier's configuration chosen on validation, for the studies whose fits are
    all stored (nothing is fitted here)."""
    store = store or current_store()
    rows = []
    for study in studies.STUDIES:
        if study.kind is RunConfig:
            continue
        runs = {label: [store.load(cfg) for cfg in cfgs] for label, cfgs in study.configs().items()}
        if any(r is None for results in runs.values() for r in results):
            continue
        loaded = StudyResults(study, runs)
        rows += [Entry(study.chapter, CLASSICAL_FAMILY, study, label, loaded.summaries[label])
                 for label in loaded.picks("estimator").values()]
    return rows


def ensemble_analysis(store: Store, recipe: RunConfig | None = None) -> Analysis:
    """The probability average of `recipe`'s seeds (default: the best MLP) as one model, as a stored
    analysis keyed by the seeds' weights: `val_mean` and `test_mean` (the ensemble's accuracy; no
    spread: it is one model), `test_ece` (its expected calibration error on test, `calibration.BINS`
    bins) and, for comparison, the seeds' own mean `members_test_mean` and `members_test_ece`. Raises
    FileNotFoundError unless every seed's run and checkpoint is stored."""
    cfgs = seeded(recipe or studies.BEST_MLP)
    runs = [store.load(cfg) for cfg in cfgs]
    if any(r is None for r in runs) or not all(store.checkpoint_path(cfg.key()).is_file() for cfg in cfgs):
        raise FileNotFoundError("the ensemble's seeds are not all stored with their weights")
    keys, root = [cfg.key() for cfg in cfgs], str(store.root)

    def measure() -> dict[str, Any]:
        val, test = (predict.ensemble(keys, split, store_root=root) for split in ("val", "test"))
        test_labels = predict.labels("test")
        members = [predict.probabilities(key, "test", store_root=root) for key in keys]
        return {"seeds": len(cfgs), "val_mean": predict.accuracy(val, "val"), "val_std": math.nan,
                "test_mean": predict.accuracy(test, "test"), "test_std": math.nan,
                "test_ece": calibration.ece(test, test_labels), "members_test_mean": summarize(runs)["test_mean"],
                "members_test_ece": sum(calibration.ece(p, test_labels) for p in members) / len(members)}

    inputs = tuple(f"{key}={weights_checksum(store.checkpoint_path(key))}" for key in keys)
    return Analysis("seed_ensemble", 1, {"bins": calibration.BINS}, inputs, measure, chapter=ENSEMBLE_CHAPTER)


def ensemble_entry(store: Store | None = None, recipe: RunConfig | None = None, study: Study | None = None,
                   label: str = studies.STACKED_MLP_LABEL) -> Entry | None:
    """`ensemble_analysis` as a leaderboard entry (read from the store, measured first if missing),
    or None unless every seed's run and checkpoint is stored."""
    store = store or current_store()
    try:
        analysis = ensemble_analysis(store, recipe)
    except FileNotFoundError:
        return None
    summary = derived.ensure(store, analysis)
    # Listed under chapter 12, which measures it (its members are the study's saved seeds).
    return Entry(ENSEMBLE_CHAPTER, ENSEMBLE_FAMILY, study or studies.BEST, f"{label}, probability average of {summary['seeds']} seeds", summary)


def all_entries(store: Store | None = None) -> list[Entry]:
    """`entries`, then the classical classifiers' and the best MLP's seed ensemble (where stored)."""
    store = store or current_store()
    ensemble = ensemble_entry(store)
    return [*entries(store), *classical_entries(store), *([ensemble] if ensemble else [])]


@dataclass(frozen=True)
class Gain:
    """What a chapter's selected MLP adds over its control (the same run with the varied setting at
    its default), in accuracy points."""
    label: str
    val: float
    val_err: float
    test: float
    test_err: float
    cost: float  # training time per seed, relative to the control's
    # Filled by `gains` (optional, so a Gain can still be built from the six numbers above):
    study: Study | None = None
    pick: str = ""  # the selected group's label in its study
    control: str = ""  # its control's label
    against: str = ""  # what the gain is measured against, in words (`described`)
    # Given the runs: the test gain seed by seed (pick minus control, same seed; points), the
    # half-width of its paired 95% t-interval, and whether pick and control ran on one machine.
    test_seeds: tuple[float, ...] = ()
    test_ci: float = math.nan
    same_machine: bool | None = None
    val_ci: float = math.nan  # the same paired half-width for the validation gain

    def interval(self, split: str) -> float:
        """The error bar a figure draws: the paired 95% half-width where the runs were paired,
        else the two seed standard deviations combined."""
        paired, combined = (self.val_ci, self.val_err) if split == "val" else (self.test_ci, self.test_err)
        return combined if math.isnan(paired) else paired

    @property
    def name(self) -> str:
        """'<study title>: <pick>', as `Entry.name` ('width: 2 × 1024')."""
        return f"{self.study.title}: {self.pick}" if self.study is not None else self.label

    @property
    def phrase(self) -> str:
        """The pick as a sentence names it: "chapter 3's 2 × 1024" (a table's 'width: 2 × 1024' reads
        as a label, not as words)."""
        return f"chapter {int(self.study.chapter.split('_')[0])}'s {self.pick}" if self.study is not None else self.label

    @property
    def clear(self) -> bool:
        """Whether the paired 95% interval of the test gain excludes zero (False when unknown)."""
        return abs(self.test) > self.test_ci

    @property
    def seeds_better(self) -> int:
        """On how many seeds the pick beat its control on test."""
        return sum(d > 0 for d in self.test_seeds)

    def adopted_by(self, recipe: RunConfig) -> bool:
        """Whether `recipe` has the pick's varied settings (augmentations: contains them)."""
        cfg = self.study.groups[self.pick]
        return all(set(getattr(cfg, f)) <= set(getattr(recipe, f)) if f == "augment" else getattr(cfg, f) == getattr(recipe, f)
                   for f in self.study.varies)


def _paired(runs: list[dict[str, Any]], control: list[dict[str, Any]]) -> dict[str, Any]:
    """Test gain seed by seed (points), its paired 95% half-width (and validation's) and whether all
    ran on one machine."""

    val, test = paired_gain(runs, control, "val"), paired_gain(runs, control, "test")
    machines = {(r["provenance"]["device"], r["provenance"]["device_name"]) for r in [*runs, *control]}
    return {"test_seeds": tuple(test["seeds"]), "test_ci": test["ci"], "val_ci": val["ci"], "same_machine": len(machines) == 1}


def _points(summary: dict[str, Any], control: dict[str, Any], split: str) -> tuple[float, float]:
    # the gain as the pages print it (the difference of the printed means), and the two stds combined
    return shown_points(summary[f"{split}_mean"], control[f"{split}_mean"]), 100 * math.hypot(summary[f"{split}_std"], control[f"{split}_std"])


def gains(rows: list[Entry], summaries: dict[tuple[Study, str], dict[str, Any]],
          chapters: tuple[str, ...] | None = None,
          runs: dict[tuple[Study, str], list[dict[str, Any]]] | None = None) -> list[Gain]:
    """Per chapter, its selected MLP minus its study's control group (`Study.control_of`; error: both
    seed stds combined), largest test gain first. `summaries`: (study, label) -> seed summary.
    The validation gain carries the winner's curse of the pick; the test gain does not.
    With `runs` ((study, label) -> results), each gain is also paired seed by seed (`Gain.test_seeds`,
    `Gain.test_ci`): the ranking is only as firm as those intervals."""
    chapters = studies.ranked_chapters() if chapters is None else chapters
    out = []
    for e in rows:
        if e.family == "MLP" and e.chapter in chapters and e.study.control is not None:
            base = e.study.control_of(e.label)
            control = summaries[e.study, base]
            (val, val_err), (test, test_err) = (_points(e.summary, control, split) for split in ("val", "test"))
            paired = _paired(runs[e.study, e.label], runs[e.study, base]) if runs is not None else {}
            out.append(Gain(f"{e.label} vs {base}", val, val_err, test, test_err,
                            e.summary["wall_seconds"] / control["wall_seconds"], e.study, e.label, base,
                            f"{base}: {described(e.study.groups[base])}", **paired))
    return sorted(out, key=lambda g: g.test, reverse=True)


def ranked_gains(rows: list[Entry], store: Store | None = None, chapters: tuple[str, ...] | None = None) -> list[Gain]:
    """`gains` of the ranked chapters whose runs are all stored (none trained), paired seed by seed."""
    store = store or current_store()
    chapters = studies.ranked_chapters() if chapters is None else chapters
    runs = {key: results for chapter in chapters for key, results in (chapter_groups(chapter, store) or {}).items()}
    summaries = {key: summarize(results) for key, results in runs.items()}
    return gains([e for e in rows if (e.study, e.label) in runs], summaries, chapters, runs=runs)


def best_claim(family: str) -> tuple[str, str, float]:
    """The highest test accuracy an earlier report claimed for an MLP or a CNN: (report, model, accuracy)."""
    mine = [c for c in REPORT_CLAIMS if ("CNN" in c[1]) == (family == "CNN")]
    return max(mine, key=lambda c: c[2])


def val_test_gaps(rows: list[Entry]) -> dict[str, float]:
    """How far validation accuracy runs above test accuracy over the entries, in points: `rows`,
    `test_lower` (entries whose test accuracy is lower), `gap_mean`, `gap_min`, `gap_max`. One run
    set that two chapters list (`Entry.twin`) counts once, under the later chapter."""
    gaps = [100 * (e.summary["val_mean"] - e.summary["test_mean"]) for e in rows if e.twin() is None]
    if not gaps:
        return {"rows": 0, "test_lower": 0, "gap_mean": math.nan, "gap_min": math.nan, "gap_max": math.nan}
    return {"rows": len(gaps), "test_lower": sum(g > 0 for g in gaps), "gap_mean": sum(gaps) / len(gaps),
            "gap_min": min(gaps), "gap_max": max(gaps)}


def best(rows: list[Entry], family: str) -> Entry | None:
    """The family's entry with the best validation accuracy across chapters."""
    mine = [e for e in rows if e.family == family]
    return max(mine, key=lambda e: e.summary["val_mean"]) if mine else None


@dataclass(frozen=True)
class BestMLP:
    """The book's best MLP (`best_mlp`) and how firmly validation chose it over the next MLP."""
    pick: Entry
    runner_up: Entry | None  # the MLP row with the next-best mean validation accuracy (other runs than the pick's)
    lead: float  # the pick's validation accuracy minus the runner-up's, seed by seed, mean in points (nan: none)
    lead_ci: float  # the half-width of its paired 95% t-interval, points (nan: fewer than two seeds pair)

    @property
    def tied(self) -> bool:
        """Whether validation cannot tell the pick from its runner-up: the paired 95% interval of the
        lead includes zero (or cannot be formed). Pages then say the two are tied on validation."""
        return self.runner_up is not None and not abs(self.lead) > self.lead_ci


def _keys(e: Entry) -> tuple[str, ...]:
    return tuple(cfg.key() for cfg in e.study.configs()[e.label])


def best_mlp(rows: list[Entry], store: Store | None = None,
             runs: dict[tuple[Study, str], list[dict[str, Any]]] | None = None) -> BestMLP | None:
    """The book's best MLP: the one model that every page calls so, and the rule that picks it.

    The rule: among the leaderboard's MLP rows (`entries`: each chapter's validation pick in the family
    "MLP", single networks trained on the training images alone, taught by no CNN), the one with the
    highest mean validation accuracy (`best(rows, "MLP")`). Test accuracy is reported for it, never
    used to choose it. Not candidates: an MLP taught by a CNN (it needs a trained CNN first: a family
    of its own), the refit (trained on the validation images too: nothing is left to select it by),
    the seed ensemble and the test-time flip (ways of scoring networks several times per image,
    measured beside them), and whichever MLP happens to score highest on test (a test-set maximum
    is a measurement, not a choice; pages name it as such).

    A near tie does not change the pick; it is reported. The runner-up is the MLP row with the next
    best validation mean among rows with other runs than the pick's; the pick's validation lead over it
    is paired seed by seed (`statistics.paired_gain`). When the lead's 95% interval includes zero
    (`BestMLP.tied`), the pages say the two are tied on validation and name the pick by this rule.
    `runs` ((study, label) -> results) spares loading the two rows' runs from `store`.
    None when no MLP row is stored."""
    pick = best(rows, "MLP")
    if pick is None:
        return None
    others = [e for e in rows if e.family == "MLP" and _keys(e) != _keys(pick)]
    runner = max(others, key=lambda e: e.summary["val_mean"]) if others else None
    if runner is None:
        return BestMLP(pick, None, math.nan, math.nan)

    def results(e: Entry) -> list[dict[str, Any]]:
        if runs is not None and (e.study, e.label) in runs:
            return runs[e.study, e.label]
        return [(store or current_store()).load(cfg) for cfg in e.study.configs()[e.label]]

    mine, theirs = results(pick), results(runner)
    if all(r is not None for r in mine + theirs) and {r["config"]["seed"] for r in mine} & {r["config"]["seed"] for r in theirs}:
        lead = printed_gain(mine, theirs, "val")  # the lead as the pages print it, its interval paired by seed
        return BestMLP(pick, runner, lead["gain"], lead["ci"])
    # Runs not stored, or no seed in common: the difference of the two means, and no interval (read as a tie).
    return BestMLP(pick, runner, 100 * (pick.summary["val_mean"] - runner.summary["val_mean"]), math.nan)


def claim(report: str, model: str) -> float:
    """The test accuracy `report` published for `model` (both as in `REPORT_CLAIMS`)."""
    found = [acc for source, what, acc in REPORT_CLAIMS if (source, what) == (report, model)]
    if len(found) != 1:
        raise KeyError(f"REPORT_CLAIMS has {len(found)} entries for {report!r}, {model!r}")
    return found[0]
