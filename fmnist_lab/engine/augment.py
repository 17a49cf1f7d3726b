"""Batched augmentation: every op transforms a whole (B, 1, H, W) float batch at once.

No per-sample Python and no PIL: one random draw per sample, applied with tensor ops, so
augmentation costs a few milliseconds per batch instead of dominating the epoch.
Images are in [0, 1] with a black (0) background, which is also the fill value.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

ROTATE_DEGREES = 10.0  # Report A's RandomRotation(10)
SHIFT_PIXELS = 2
ERASE_SCALE = (0.02, 0.2)  # erased area as a fraction of the image
ERASE_RATIO = (0.3, 3.3)


def _rand(n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.rand(n, generator=generator, device=device)


def hflip(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the batch left-right."""
    return _apply_flip(x, _draw_flip(len(x), g, x.device))


def _draw_flip(b: int, g: torch.Generator, device: torch.device) -> torch.Tensor:
    return (_rand(b, g, device) < 0.5).long()


def _apply_flip(x: torch.Tensor, choice: torch.Tensor) -> torch.Tensor:
    return torch.where(choice.bool()[:, None, None, None], x.flip(-1), x)


def rotate(x: torch.Tensor, g: torch.Generator, degrees: float = ROTATE_DEGREES) -> torch.Tensor:
    """Rotate each image by its own angle in [-degrees, degrees] (bilinear, black fill)."""
    angle = (_rand(len(x), g, x.device) * 2 - 1) * math.radians(degrees)
    cos, sin = torch.cos(angle), torch.sin(angle)
    zero = torch.zeros_like(cos)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def shift(x: torch.Tensor, g: torch.Generator, pixels: int = SHIFT_PIXELS) -> torch.Tensor:
    """Translate each image by whole pixels in [-pixels, pixels] (pad-and-crop, black fill)."""
    return _apply_shift(x, _draw_shift(len(x), g, x.device, pixels), pixels)


def _draw_shift(b: int, g: torch.Generator, device: torch.device, pixels: int = SHIFT_PIXELS) -> torch.Tensor:
    """One of the (2 pixels + 1)^2 offsets per image, numbered row offset first."""
    dy = (_rand(b, g, device) * (2 * pixels + 1)).long()
    dx = (_rand(b, g, device) * (2 * pixels + 1)).long()
    return dy * (2 * pixels + 1) + dx


def _apply_shift(x: torch.Tensor, choice: torch.Tensor, pixels: int = SHIFT_PIXELS) -> torch.Tensor:
    b, _, h, w = x.shape
    padded = F.pad(x, (pixels,) * 4)
    dy, dx = choice // (2 * pixels + 1), choice % (2 * pixels + 1)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, :]  # (B, 1, W)
    return padded[torch.arange(b, device=x.device)[:, None, None], 0, rows, cols].unsqueeze(1)


def erase(x: torch.Tensor, g: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """Random erasing (Zhong et al.): with probability p blank a random rectangle per image."""
    b, _, h, w = x.shape
    area = (ERASE_SCALE[0] + _rand(b, g, x.device) * (ERASE_SCALE[1] - ERASE_SCALE[0])) * h * w
    log_ratio = math.log(ERASE_RATIO[0]) + _rand(b, g, x.device) * (math.log(ERASE_RATIO[1]) - math.log(ERASE_RATIO[0]))
    ratio = torch.exp(log_ratio)
    eh = torch.sqrt(area * ratio).round().clamp(1, h).long()
    ew = torch.sqrt(area / ratio).round().clamp(1, w).long()
    top = (_rand(b, g, x.device) * (h - eh + 1)).long()
    left = (_rand(b, g, x.device) * (w - ew + 1)).long()
    rows = torch.arange(h, device=x.device)[None, :]
    cols = torch.arange(w, device=x.device)[None, :]
    in_rows = (rows >= top[:, None]) & (rows < (top + eh)[:, None])  # (B, H)
    in_cols = (cols >= left[:, None]) & (cols < (left + ew)[:, None])  # (B, W)
    apply = (_rand(b, g, x.device) < p)[:, None, None]
    mask = in_rows[:, :, None] & in_cols[:, None, :] & apply
    return x.masked_fill(mask[:, None], 0.0)


AUGMENTATIONS = {"hflip": hflip, "rotate": rotate, "shift": shift, "erase": erase}


def augment(x: torch.Tensor, names: tuple[str, ...], generator: torch.Generator) -> torch.Tensor:
    """Apply the named augmentations in order."""
    for name in names:
        x = AUGMENTATIONS[name](x, generator)
    return x


# ---- Ops with a few outcomes (a flip, a shift by whole pixels): each image gets one of a few views.
# `augment_views` draws exactly as `augment` does and also numbers each image's view, so a teacher
# can score every view of every image once (`engine.train.teacher_scores`) instead of every batch.
@dataclass(frozen=True)
class Discrete:
    outcomes: int
    draw: Callable[[int, torch.Generator, torch.device], torch.Tensor]  # (batch size, generator, device) -> choices
    apply: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (batch, choices) -> batch


DISCRETE = {"hflip": Discrete(2, _draw_flip, _apply_flip), "shift": Discrete((2 * SHIFT_PIXELS + 1) ** 2, _draw_shift, _apply_shift)}


def n_views(names: tuple[str, ...]) -> int | None:
    """How many views of one image the named ops can make, or None if any op has endless outcomes."""
    if not names or any(name not in DISCRETE for name in names):
        return None
    return math.prod(DISCRETE[name].outcomes for name in names)


def augment_views(x: torch.Tensor, names: tuple[str, ...], generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`augment(x, names, generator)` for ops with few outcomes (the same draws, the same images),
    and each image's view number in [0, n_views(names))."""
    view = torch.zeros(len(x), dtype=torch.long, device=x.device)
    for name in names:
        op = DISCRETE[name]
        choice = op.draw(len(x), generator, x.device)
        x, view = op.apply(x, choice), view * op.outcomes + choice
    return x, view


def as_view(x: torch.Tensor, names: tuple[str, ...], view: int) -> torch.Tensor:
    """Every image of `x` as view number `view` (numbered as `augment_views` numbers them)."""
    choices = []
    for name in reversed(names):
        view, choice = divmod(view, DISCRETE[name].outcomes)
        choices.insert(0, choice)
    for name, choice in zip(names, choices):
        x = DISCRETE[name].apply(x, torch.full((len(x),), choice, dtype=torch.long, device=x.device))
    return x
