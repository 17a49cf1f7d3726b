"""What a study is, and what a chapter gets back when it loads one.

A `Study` is declared once (in `studies.py`): its chapter, its groups (a reader's label for each
configuration: a training run's `RunConfig`, or a scikit-learn fit's `EstimatorConfig`), the fields it varies, the control those fields return to, and which groups keep
their weights (seed 0, or every seed). Everything else (the chapter list, the checkpoints, the controls, the
leaderboard's chapters) is derived from the declarations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..engine.config import RunConfig
from ..engine.estimators import EstimatorConfig
from .experiments import Profile, current_profile, ensure, seeded
from .store import Store
from .summary import select, summarize


@dataclass(frozen=True)
class Study:
    """Named groups of configurations that one chapter compares, each trained over the profile's seeds."""

    name: str  # short identifier, e.g. "init"
    chapter: str  # the page that reports it, e.g. "06_init_batchnorm"
    title: str  # what a reader calls it, e.g. "initialization and batch norm"
    groups: Mapping[str, RunConfig | EstimatorConfig] = field(hash=False)  # reader's label -> configuration (seed 0, full profile)
    varies: tuple[str, ...] = ()  # the RunConfig fields the study varies
    # The varied fields' default values: a group's control is the group with those fields set back
    # (same network, same length). None: the study has no control (it varies no single factor).
    control: RunConfig | None = None
    checkpoint: tuple[str, ...] = ()  # labels whose seed-0 model is saved
    all_seeds: bool = False  # save the checkpointed labels' models for every seed, not only seed 0

    def __post_init__(self) -> None:
        kinds = {type(cfg) for cfg in self.groups.values()}
        if len(kinds) > 1:
            raise ValueError(f"study {self.name!r} mixes training runs and scikit-learn fits; declare each kind as its own study")
        for label in self.checkpoint:
            if label not in self.groups:
                raise ValueError(f"study {self.name!r}: checkpoint label {label!r} is not one of its groups")
        for name in self.varies:
            if name not in self.fields:
                raise ValueError(f"study {self.name!r} varies {name!r}, which is not a field of {self.kind.__name__}")

    @property
    def kind(self) -> type:
        """What the groups are: `RunConfig` (networks trained) or `EstimatorConfig` (classifiers fitted)."""
        return next((type(cfg) for cfg in self.groups.values()), RunConfig)

    @property
    def fields(self) -> dict[str, Any]:
        return self.kind.__dataclass_fields__

    def configs(self, profile: Profile | None = None) -> dict[str, list[RunConfig]]:
        """Each group's configurations over the profile's seeds (shrunk to the profile)."""
        return {label: seeded(cfg, profile) for label, cfg in self.groups.items()}

    def checkpoint_configs(self, profile: Profile | None = None) -> list[RunConfig]:
        """The configurations whose trained model is saved with the run."""
        configs = self.configs(profile)
        return [cfg for label in self.checkpoint for cfg in (configs[label] if self.all_seeds else configs[label][:1])]

    def labels(self, **fields: Any) -> list[str]:
        """The groups whose configuration has these field values, in declaration order."""
        for name in fields:
            if name not in self.fields:
                raise ValueError(f"{name!r} is not a field of {self.kind.__name__}")
        return [label for label, cfg in self.groups.items()
                if all(_same(getattr(cfg, name), value) for name, value in fields.items())]

    def label(self, **fields: Any) -> str:
        """The one group with these values, e.g. `label(hidden=DEEP, init="kaiming", batchnorm=True)`."""
        found = self.labels(**fields)
        if len(found) != 1:
            raise KeyError(f"study {self.name!r}: {len(found)} groups have {fields}, expected one")
        return found[0]

    def label_of(self, cfg: RunConfig) -> str:
        """The label of the group declared with `cfg` (seed ignored)."""
        for label, mine in self.groups.items():
            if mine == cfg.replace(seed=mine.seed):
                return label
        raise KeyError(f"study {self.name!r} has no group with {cfg.label()}")

    def control_of(self, label: str) -> str:
        """The label of `label`'s control: the same configuration with the varied fields at their defaults."""
        if self.control is None:
            raise ValueError(f"study {self.name!r} declares no control")
        defaults = {name: getattr(self.control, name) for name in self.varies}
        return self.label_of(self.groups[label].replace(**defaults))


def _same(actual: Any, wanted: Any) -> bool:
    return actual == (tuple(wanted) if isinstance(wanted, list) else wanted)


@dataclass
class StudyResults:
    """A loaded study: its runs and their seed summaries, by the group's label."""

    study: Study
    runs: dict[str, list[dict[str, Any]]]
    summaries: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.summaries = {label: summarize(results) for label, results in self.runs.items()}

    def where(self, **fields: Any) -> dict[str, list[dict[str, Any]]]:
        """Runs of the groups whose configuration has these values, e.g. `where(batchnorm=True)`."""
        return {label: self.runs[label] for label in self.study.labels(**fields)}

    def label(self, **fields: Any) -> str:
        return self.study.label(**fields)

    def summary(self, **fields: Any) -> dict[str, Any]:
        return self.summaries[self.label(**fields)]

    def pick(self, **fields: Any) -> str:
        """The label with the best mean validation accuracy among the groups with these values."""
        return select(self.where(**fields))

    def picks(self, name: str) -> dict[Any, str]:
        """Per value of one field, in declaration order, the group validation picks among those with
        it: `picks("estimator")` -> each classifier's chosen settings."""
        values = dict.fromkeys(getattr(cfg, name) for cfg in self.study.groups.values())
        return {value: self.pick(**{name: value}) for value in values}

    def control(self, label: str) -> str:
        return self.study.control_of(label)

    def all_runs(self) -> list[dict[str, Any]]:
        """Every run once (groups may share runs)."""
        return list({r["key"]: r for results in self.runs.values() for r in results}.values())


class ChapterResults(dict):
    """Study name -> `StudyResults`; also readable as attributes: `chapter.init.summaries`."""

    def __getattr__(self, name: str) -> StudyResults:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"this chapter has no study {name!r}; it has {', '.join(self)}") from None

    def all_runs(self) -> list[dict[str, Any]]:
        return list({r["key"]: r for s in self.values() for r in s.all_runs()}.values())


def load(studies: list[Study], store: Store | None = None, quiet: bool = False,
         profile: Profile | None = None) -> ChapterResults:
    """Load (or train what is missing of) `studies` in one pass: the chapter's one setup call."""
    profile = profile or current_profile()
    configs = {s.name: s.configs(profile) for s in studies}
    unique = {c.key(): c for groups in configs.values() for cfgs in groups.values() for c in cfgs}
    checkpoints = [cfg.key() for s in studies for cfg in s.checkpoint_configs(profile)]
    results = dict(zip(unique, ensure(unique.values(), store, checkpoint_keys=checkpoints, quiet=quiet)))
    return ChapterResults({s.name: StudyResults(s, {label: [results[c.key()] for c in cfgs]
                                                    for label, cfgs in configs[s.name].items()}) for s in studies})
