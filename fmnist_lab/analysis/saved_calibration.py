"""Calibration of saved networks and of a seed ensemble (chapter 12), as one stored analysis.

Scoring every saved network on the validation and test images takes minutes on 2 CPU cores; the
numbers it yields are small. `analysis` keys them by the weights' checksums, so a build reads them
from the store and a changed checkpoint is scored again."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..runs.derived import Analysis, weights_checksum
from ..runs.store import Store
from . import calibration
from . import predictions as predict


def analysis(groups: dict[str, list[str]], members_of: str, ensemble: str, store: Store) -> Analysis:
    """Calibration (`calibration.assess_members`) of each group's saved checkpoints (name -> run keys),
    reliability curves of each group's first seed, and the probability average of `members_of`'s
    seeds, named `ensemble`: its calibration, its accuracy beside its members' and how often the
    members agree."""
    keys = sorted({key for group in groups.values() for key in group})
    inputs = tuple(f"{key}={weights_checksum(store.checkpoint_path(key))}" for key in keys)
    params = {"groups": groups, "members_of": members_of, "ensemble": ensemble, "bins": calibration.BINS}
    return Analysis("saved_calibration", 1, params, inputs, lambda: _compute(groups, members_of, ensemble, store),
                    chapter="12_beyond_accuracy")


def _compute(groups: dict[str, list[str]], members_of: str, ensemble: str, store: Store) -> dict[str, Any]:
    root = str(store.root)
    y_val, y_test = predict.labels("val"), predict.labels("test")
    probs = {name: [predict.val_and_test(key, store_root=root) for key in keys] for name, keys in groups.items()}
    probs[ensemble] = [tuple(predict.ensemble(groups[members_of], split, store_root=root) for split in predict.SPLITS)]
    assessed = {name: calibration.assess_members(pairs, y_val, y_test) for name, pairs in probs.items()}
    curves = calibration.reliability_curves({name: pairs[0] for name, pairs in probs.items() if name in groups}, y_val, y_test)
    members = probs[members_of]
    seeds_val, seeds_test = ([predict.accuracy(pair[i], split) for pair in members] for i, split in enumerate(predict.SPLITS))
    answers = np.stack([pair[1].argmax(1) for pair in members])  # each seed's test predictions
    ens_val, ens_test = (predict.accuracy(p, split) for p, split in zip(probs[ensemble][0], predict.SPLITS))
    return {"assessed": assessed, "curves": curves.to_dict(orient="list"),
            "ensemble": {"seeds_val": seeds_val, "seeds_test": seeds_test, "val": ens_val, "test": ens_test,
                         "agree": float((answers == answers[0]).all(0).mean()), "members": len(members)}}
