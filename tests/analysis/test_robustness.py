"""Chapter 9's "why the gap" helpers (fmnist_lab.analysis.robustness): moving images, scoring models on
them, and the facts the prose quotes about training-set size and network size."""
import math

import pytest
import torch
from torch import nn

from fakes import chapter_run, size_run

from fmnist_lab.analysis import robustness
from fmnist_lab.engine.config import RunConfig
from fmnist_lab.engine.data import load
from fmnist_lab.runs.study import Study


def images(n=16):
    return load().test_images[:n].unsqueeze(1).float() / 255


def test_translate_moves_whole_pixels_and_fills_with_black():
    x = images()
    assert torch.equal(robustness.translate(x, 0, 0), x)
    y = robustness.translate(x, 2, -3)  # down 2, left 3
    assert torch.equal(y[..., 2:, :-3], x[..., :-2, 3:])
    assert y[..., :2, :].abs().sum() == 0 and y[..., :, -3:].abs().sum() == 0
    assert robustness.translate(x, 28, 0).abs().sum() == 0  # moved out of the frame entirely


def test_rotation_by_zero_is_identity_and_a_small_turn_keeps_the_ink():
    x = images()
    assert torch.allclose(robustness.rotate(x, 0), x, atol=1e-5)
    y = robustness.rotate(x, 10)
    assert not torch.allclose(y, x) and torch.allclose(y.sum((1, 2, 3)), x.sum((1, 2, 3)), rtol=0.1)
    assert torch.allclose(robustness.rotate(robustness.rotate(x, 10), -10).sum(), x.sum(), rtol=0.05)


def test_the_test_subset_is_fixed_and_sized():
    data = load()
    (x1, y1), (x2, y2) = robustness.test_subset(data, 300), robustness.test_subset(data, 300)
    assert x1.shape == (300, 1, 28, 28) and torch.equal(x1, x2) and torch.equal(y1, y2)
    assert 0 <= x1.min() and x1.max() <= 1
    assert len(robustness.test_subset(data, 10**6)[1]) == len(data.test_labels)


class Constant(nn.Module):
    """Always answers class 0: its accuracy cannot depend on how the image moved."""

    def forward(self, x):
        return torch.tensor([1.0] + [0.0] * 9).expand(len(x), 10)


class Ink(nn.Module):
    """Answers class 1 where the image has more than a little ink, class 0 where it is (nearly) black."""

    def forward(self, x):
        ink = x.flatten(1).sum(1, keepdim=True)
        return torch.cat([torch.zeros_like(ink), ink, torch.zeros(len(x), 8)], 1)


def test_robustness_scores_every_shift_and_angle_and_a_blind_model_is_unmoved():
    data = load()
    cfg = RunConfig(normalization="unit")
    curves = robustness.robustness({"constant": (Constant(), cfg)}, data, n=200, shifts=(0, 2), angles=(0, 10))
    _, y = robustness.test_subset(data, 200)
    share = (y == 0).float().mean().item()
    assert set(curves["constant"]) == {"shift", "rotation"}
    assert curves["constant"]["shift"] == pytest.approx({0: share, 2: share})
    assert curves["constant"]["rotation"] == pytest.approx({0: share, 10: share})


def test_a_shift_that_moves_every_image_out_of_the_frame_leaves_nothing_to_see():
    data = load()
    curves = robustness.robustness({"ink": (Ink(), RunConfig(normalization="unit"))}, data, n=100, shifts=(0, 28), angles=(0,))
    _, y = robustness.test_subset(data, 100)
    assert curves["ink"]["shift"][0] == pytest.approx((y == 1).float().mean().item())  # every image has ink
    assert curves["ink"]["shift"][28] == pytest.approx((y == 0).float().mean().item())  # every image is black


def test_robustness_facts_measure_drops_in_points():
    curves = {"m": {"shift": {0: 0.9, 2: 0.6, 4: 0.4}, "rotation": {0: 0.9, 15: 0.5}},
              "c": {"shift": {0: 0.94, 2: 0.93, 4: 0.9}, "rotation": {0: 0.94, 15: 0.86}},
              "s": {"shift": {0: 0.89, 2: 0.85, 4: 0.6}, "rotation": {0: 0.89, 15: 0.6}}}
    f = robustness.robustness_facts(curves, "m", "c", "s")
    assert f["mlp_drop"] == pytest.approx(30) and f["cnn_drop"] == pytest.approx(1) and f["shifted_drop_far"] == pytest.approx(29)
    assert f["cnn_rot_drop"] == pytest.approx(8) and f["cnn_avoids"] == pytest.approx(1 - 1 / 30)
    assert f["cnn_at"] == 0.93 and f["mlp_far"] == 0.4


def test_size_facts_find_the_gaps_and_where_the_cnn_matches_the_full_data_mlp():
    mlp = {1000: [size_run(0.80), size_run(0.81, 1)], 5000: [size_run(0.84), size_run(0.84, 1)], 50_000: [size_run(0.88), size_run(0.88, 1)]}
    cnn = {1000: [size_run(0.82, final=12), size_run(0.83, 1, final=9)], 5000: [size_run(0.885), size_run(0.885, 1)], 50_000: [size_run(0.91), size_run(0.91, 1)]}
    f = robustness.size_facts(mlp, cnn)
    assert (f["small"], f["large"]) == (1000, 50_000)
    assert f["gap_small"] == pytest.approx(2.0) and f["gap_large"] == pytest.approx(3.0)
    assert f["gap_min"] == pytest.approx(2.0) and f["gap_max"] == pytest.approx(4.5)
    assert f["cnn_match"] == 5000 and f["match_factor"] == pytest.approx(10)
    assert f["cnn_last_best"] == 1 and f["small_steps"] == 8
    never = robustness.size_facts(mlp, {n: [size_run(0.5)] for n in mlp})
    assert math.isnan(never["cnn_match"])


def test_images_of_counts_the_whole_split_when_no_subset_is_asked():
    assert robustness.images_of(RunConfig()) == 50_000 and robustness.images_of(RunConfig(train_size=1000)) == 1000


class FakeStore:
    def __init__(self, acc):
        self.acc = acc

    def load(self, cfg):
        return size_run(self.acc(cfg), cfg.seed, params=cfg.hidden[0] if cfg.model == "mlp" else 50, key=cfg.key())


def test_trained_networks_counts_shared_runs_once_and_skips_refits_and_subsets():
    base = RunConfig(hidden=(100,), epochs=2)
    a = Study("a", "03_x", "first", {"hundred": base, "two hundred": base.replace(hidden=(200,)),
                                  "refit": base.replace(refit=True, early_stopping="none"), "subset": base.replace(train_size=1000)})
    b = Study("b", "09_y", "second", {"same hundred": base, "cnn": base.replace(model="cnn", channels=(4, 8, 8))})
    nets = robustness.trained_networks([a, b], FakeStore(lambda cfg: 0.9))
    assert list(nets["label"]) == ["hundred", "two hundred", "cnn"]
    assert list(nets["family"]) == ["MLP", "MLP", "CNN"] and list(nets["params"]) == [100, 200, 50]
    assert list(nets["chapter"]) == [3, 3, 9]  # the chapter that reports each, for a reader's name


def test_the_last_best_seeds_read_as_a_phrase():
    from fmnist_lab.report import seeds_ahead

    mlp = {1000: [chapter_run(s, 0.8, 0.8) | {"config": {"seed": s, "epochs": 12, "batch_size": 128}, "final_epoch": 12} for s in range(3)]}
    cnn = {1000: [chapter_run(s, 0.8, 0.82) | {"config": {"seed": s, "epochs": 12, "batch_size": 128}, "final_epoch": 12 - s} for s in range(3)]}
    f = robustness.size_facts(mlp, cnn)
    assert (f["cnn_last_best"], f["small_seeds"]) == (1, 3)
    assert seeds_ahead(f["cnn_last_best"], f["small_seeds"]) == "on 1 of 3 seeds"
    assert not math.isnan(f["gap_small"])




def test_size_gaps_are_the_differences_of_the_printed_accuracies():
    """82.24% and 80.36% print as 82.2% and 80.4%: a reader subtracts 1.8, and so must the text (raw: 1.88, printed 1.9)."""
    mlp = {1000: [size_run(0.8036)], 50_000: [size_run(0.88)]}
    cnn = {1000: [size_run(0.8224)], 50_000: [size_run(0.91)]}
    assert robustness.size_facts(mlp, cnn)["gap_small"] == pytest.approx(1.8)
