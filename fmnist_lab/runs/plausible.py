"""Whether a run record's values are possible (accuracies in [0, 1], epochs within the run, no
negative seconds, a history of equal columns): what `store.validate` checks beyond structure and
checksum, and `CorruptResult`, which every refused record raises."""
from __future__ import annotations

from typing import Any


class CorruptResult(ValueError):
    """A stored result that must not be used."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_values(result: dict[str, Any]) -> None:
    """CorruptResult naming the field whose value no run can have (a checksum proves only that
    nobody edited the file since it was written, not that what was written is possible)."""
    history = result["history"]
    if not history:
        raise CorruptResult("field 'history' is empty: a run records at least one epoch")
    for name, column in history.items():
        if not isinstance(column, list):
            raise CorruptResult(f"field 'history.{name}' is a {type(column).__name__}, expected a list")
    lengths = {name: len(column) for name, column in history.items()}
    if len(set(lengths.values())) != 1:
        raise CorruptResult(f"the history columns have unequal lengths ({', '.join(f'{k} {v}' for k, v in lengths.items())})")
    epochs = result["epochs_run"]
    if epochs < 1 or set(lengths.values()) != {epochs}:
        raise CorruptResult(f"field 'epochs_run' is {epochs}, but the history holds {next(iter(lengths.values()))} epoch(s)")
    lowest = 0 if result["diverged"] else 1  # a run that diverged at once reports epoch 0
    if not lowest <= result["final_epoch"] <= epochs:
        raise CorruptResult(f"field 'final_epoch' is {result['final_epoch']}, outside {lowest}..{epochs} (epochs_run)")
    if result["params"] < 0:
        raise CorruptResult(f"field 'params' is {result['params']}, a negative number of parameters")
    seconds = [("seconds_per_epoch", result["seconds_per_epoch"]),
               ("provenance.wall_seconds", result["provenance"].get("wall_seconds", 0.0))]
    seconds += [(f"history.seconds[{n}]", v) for n, v in enumerate(history.get("seconds", []))]
    for name, value in seconds:
        if not _number(value) or not value >= 0:
            raise CorruptResult(f"field {name!r} is {value!r}, not a number of seconds (0 or more)")
    fractions = [(f"{split}.acc", result[split].get("acc")) for split in ("val", "test")]
    fractions += [(f"history.{name}[{n}]", v) for name, column in history.items() if name.endswith("_acc")
                  for n, v in enumerate(column)]
    for name, value in fractions:
        if not _number(value) or not 0 <= value <= 1:
            raise CorruptResult(f"field {name!r} is {value!r}, but an accuracy lies between 0 and 1")
