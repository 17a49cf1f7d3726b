"""Batched augmentation (fmnist_lab.engine.augment): each op on a real batch, and determinism given the generator."""
import torch

from fmnist_lab.engine import augment
from fmnist_lab.engine.data import load


def batch(n=64):
    return load().train_images[:n].unsqueeze(1).float() / 255


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_hflip_flips_about_half_exactly():
    x = batch()
    y = augment.hflip(x, gen())
    flipped = [torch.equal(y[i], x[i].flip(-1)) and not torch.equal(y[i], x[i]) for i in range(len(x))]
    unchanged = [torch.equal(y[i], x[i]) for i in range(len(x))]
    assert all(f or u for f, u in zip(flipped, unchanged))
    assert 16 < sum(flipped) < 48


def test_rotation_by_zero_is_identity_and_small_rotation_keeps_ink():
    x = batch()
    assert torch.allclose(augment.rotate(x, gen(), degrees=0.0), x, atol=1e-5)
    y = augment.rotate(x, gen(), degrees=10.0)
    assert y.shape == x.shape and not torch.allclose(y, x)
    assert torch.allclose(y.sum((1, 2, 3)), x.sum((1, 2, 3)), rtol=0.1)


def test_shift_moves_whole_pixels_without_changing_values():
    x = batch()
    y = augment.shift(x, gen())
    for i in range(8):
        matches = [torch.equal(torch.roll(torch.nn.functional.pad(x[i], (2, 2, 2, 2)), (dy, dx), (1, 2))[:, 2:30, 2:30], y[i])
                   for dy in range(-2, 3) for dx in range(-2, 3)]
        assert any(matches)


def test_erase_only_blanks_a_rectangle():
    x = batch() + 0.5  # no zero pixels, so every erased pixel is visible
    y = augment.erase(x, gen(), p=1.0)
    for i in range(len(x)):
        erased = (y[i, 0] == 0)
        rows, cols = erased.any(1).nonzero().flatten(), erased.any(0).nonzero().flatten()
        assert erased.sum() == len(rows) * len(cols) > 0  # a filled rectangle
        assert torch.equal(y[i][~erased[None]], x[i][~erased[None]])


def test_augmentation_is_deterministic_given_the_generator():
    x = batch()
    names = ("hflip", "rotate", "shift", "erase")
    assert torch.equal(augment.augment(x, names, gen(3)), augment.augment(x, names, gen(3)))
    assert not torch.equal(augment.augment(x, names, gen(3)), augment.augment(x, names, gen(4)))
