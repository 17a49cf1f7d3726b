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


def test_views_are_drawn_as_augment_draws_and_name_each_image_s_view():
    """`augment_views` must make exactly `augment`'s images from the same draws (a taught run's
    student sees what an untaught one would), and `as_view` must remake each image from its number."""
    x = batch()
    for names in (("shift", "hflip"), ("hflip", "shift"), ("shift",)):
        g, h = gen(3), gen(3)
        y, views = augment.augment_views(x, names, g)
        assert torch.equal(y, augment.augment(x, names, h))
        assert torch.equal(torch.rand(4, generator=g), torch.rand(4, generator=h))  # the same draws, no more
        assert 0 <= int(views.min()) and int(views.max()) < augment.n_views(names)
        assert len(set(views.tolist())) > 10
        for i in range(len(x)):
            assert torch.equal(augment.as_view(x[i:i + 1], names, int(views[i])), y[i:i + 1])


def test_only_ops_with_few_outcomes_have_views():
    assert augment.n_views(("shift", "hflip")) == 50 and augment.n_views(("hflip",)) == 2
    assert augment.n_views(("hflip", "erase")) is None and augment.n_views(("rotate",)) is None and augment.n_views(()) is None
