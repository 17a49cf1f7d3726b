"""How configurations are named for a reader: the few words study labels and estimator settings share."""
from __future__ import annotations

import math

from .config import REFERENCE, RunConfig


def small(value: float) -> str:
    """'10⁻⁵', '10⁻²' for powers of ten up to 0.01 (one notation along a sweep of λ), else
    '0.1', '0.0005', '0'."""
    exponent = round(math.log10(value)) if value > 0 else 0
    if value > 0 and value < 0.05 and math.isclose(value, 10.0 ** exponent):
        return "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{value:g}"


def layers(depth: int) -> str:
    """'2 layers', '1 layer', 'softmax regression' (no hidden layer)."""
    return "softmax regression" if depth == 0 else f"{depth} layer{'s' if depth != 1 else ''}"


def described(cfg: RunConfig, reference: RunConfig = REFERENCE) -> str:
    """A control's network and training length in words, next to the reference MLP's: 'the reference
    MLP', 'a 2 × 512 MLP, 20 epochs, last epoch kept', 'the reference MLP, all 60 epochs, best epoch restored'."""
    if cfg.model == reference.model and cfg.hidden == reference.hidden:
        net = "the reference MLP"
    elif cfg.model == "mlp" and len(set(cfg.hidden)) == 1:
        net = f"a {len(cfg.hidden)} × {cfg.hidden[0]} MLP"
    else:
        net = f"a {cfg.model} ({'–'.join(map(str, cfg.hidden or cfg.channels))})"
    if cfg.early_stopping == "none":
        return f"{net}, {cfg.epochs} epochs, last epoch kept"
    if cfg.patience >= cfg.epochs:
        return f"{net}, all {cfg.epochs} epochs, best epoch restored"
    if (cfg.epochs, cfg.patience, cfg.early_stopping) != (reference.epochs, reference.patience, reference.early_stopping):
        return f"{net}, up to {cfg.epochs} epochs, patience {cfg.patience}"
    return net
