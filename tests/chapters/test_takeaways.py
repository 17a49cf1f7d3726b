"""Each chapter's takeaway on the first page (fmnist_lab.chapters.takeaways), computed from fake results
of the real study declarations."""
import pytest

from fmnist_lab.chapters import takeaways
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs import studies
from fmnist_lab.runs.store import Store
from fmnist_lab.runs.study import ChapterResults, StudyResults


def fake_run(val, test=None, seed=0, params=1000):
    """A stored-result-shaped dict with the fields `summarize` reads."""
    return {"key": f"k{seed}-{val}", "config": {"seed": seed}, "params": params, "seconds_per_epoch": 1.0, "diverged": False,
            "provenance": {"wall_seconds": 10.0}, "final_epoch": 1, "val": {"acc": val},
            "test": {"acc": val - 0.01 if test is None else test},
            "history": {"val_acc": [val], "train_eval_acc": [val + 0.05]}}


def loaded(*study_list, acc):
    """A chapter's results where every seed of a group scores `acc(cfg)` (seed 1 a hair higher)."""
    return ChapterResults({s.name: StudyResults(s, {label: [fake_run(acc(cfg) + 0.0002 * seed, seed=seed) for seed in (0, 1)]
                                                    for label, cfg in s.groups.items()}) for s in study_list})


def test_input_scaling_compares_standardized_with_raw_bytes():
    def acc(cfg):
        return {("raw", "sgd"): 0.10, ("raw", "adam"): 0.85, ("standardize", "adam"): 0.90}.get(
            (cfg.normalization, cfg.optimizer), 0.88)
    n = takeaways.input_scaling(loaded(studies.NORMALIZATION, acc=acc))
    assert n["scale_adam_gain"] == pytest.approx(5.0)
    assert n["scale_raw_sgd_val"] == pytest.approx(0.1001)


def test_differences_are_taken_from_the_values_as_printed():
    assert takeaways.shown_points(0.90054, 0.90006) == pytest.approx(0.04)  # 90.05 − 90.01, not 0.048 → "0.05"
    assert takeaways.shown_points(0.9194, 0.8857) == pytest.approx(3.37)


def test_depth_width_ignores_softmax_regression_and_measures_the_pick_against_its_control():
    def acc(cfg):
        if not cfg.hidden:
            return 0.80  # softmax regression: far below, must not widen the depth range
        return 0.89 + 0.001 * len(cfg.hidden) + 0.00001 * cfg.hidden[0]
    n = takeaways.depth_width(loaded(studies.DEPTH, studies.WIDTH, acc=acc))
    assert n["depth_range"] == pytest.approx(100 * 0.005, abs=1e-6)  # 1 to 6 layers of 256
    assert n["depth1_gain"] == pytest.approx(100 * (0.891 + 0.00256 - 0.80), abs=0.01)  # softmax regression to one layer
    assert n["width_verdict"].startswith("beyond seed noise")  # the same lead on both seeds: paired, no spread
    assert n["width_units"] == max(studies.WIDTHS)
    assert n["width_gain"] == pytest.approx(100 * 0.00001 * (max(studies.WIDTHS) - REFERENCE.hidden[0]), abs=0.01)  # as printed


def test_regularization_reports_smoothing_and_the_best_other_setting():
    def acc(cfg):
        if cfg.label_smoothing:
            return 0.905
        return 0.90 - 0.01 * cfg.dropout - cfg.weight_decay  # every L2 / dropout setting at most equal
    n = takeaways.regularization(loaded(studies.L2, studies.DROPOUT, studies.SMOOTHING, acc=acc))
    assert n["smooth_gain"] == pytest.approx(0.5) and n["smooth_gain_val"] == pytest.approx(0.5)
    assert n["reg_other_gain"] == pytest.approx(-100 * 1e-5, abs=0.006)  # the control itself is not an "other" setting
    others = [cfg for study in (studies.L2, studies.DROPOUT) for cfg in study.groups.values() if cfg != study.control]
    assert n["reg_clear_gains"] == 0 and n["reg_settings"] == len(others)  # AdamW at λ = 0 is the control itself
    assert n["smooth_verdict"].startswith("beyond seed noise, 95% interval +0.50 to +0.50")  # +0.5 on both seeds


def test_smoothing_replication_pairs_chapter_12s_retrained_pair_by_seed():
    n = takeaways.smoothing_replication(loaded(studies.CALIBRATION, acc=lambda cfg: 0.90 + 0.001 * bool(cfg.label_smoothing)))
    assert n["smooth_replication"] == pytest.approx(0.1) and n["smooth_replication_verdict"].startswith("beyond seed noise")


def test_published_smoothing_pairs_chapter_11s_addition_with_its_recipe():
    n = takeaways.published_smoothing(loaded(studies.PUBLISHED, acc=lambda cfg: 0.91 - 0.002 * bool(cfg.label_smoothing)))
    assert n["smooth_published"] == pytest.approx(-0.2) and n["smooth_published_verdict"].startswith("beyond seed noise")
    assert n["smooth_published_clear"] == 1  # a loss is as clear as a gain: the sign is the prose's to read


def test_activations_spread_at_two_layers_and_saturating_gap_at_six():
    def acc(cfg):
        deep = len(cfg.hidden) == len(studies.DEEP)
        return 0.87 if deep and cfg.activation in takeaways.SATURATING else 0.89 + (0.002 if cfg.activation == "gelu" else 0)
    n = takeaways.activations(loaded(studies.ACTIVATION, acc=acc))
    assert n["act_spread2"] == pytest.approx(0.2)
    assert n["act_saturating_gap6"] == pytest.approx(2.0)


def test_initialization_losses_without_and_with_batch_norm():
    def acc(cfg):
        if cfg.init != "normal1":
            return 0.89
        return (0.86 if cfg.batchnorm else 0.83) - (0.01 if len(cfg.hidden) == 6 else 0)
    n = takeaways.initialization(loaded(studies.INIT, acc=acc))
    assert n["init_loss2_plain"] == pytest.approx(6.0) and n["init_loss2_bn"] == pytest.approx(3.0)
    assert n["init_loss6_plain"] == pytest.approx(7.0) and n["init_loss6_bn"] == pytest.approx(4.0)


def test_optimizers_compare_best_rates_across_optimizers_with_rates_within_one():
    def acc(cfg):
        if cfg.schedule != "constant":
            return 0.905 if cfg.schedule == "onecycle" else 0.903
        best = 0.89 + (0.004 if cfg.optimizer == "adam" else 0)
        return best if cfg.lr == 1e-3 else best - 0.05  # every optimizer has one good rate
    n = takeaways.optimizers(loaded(studies.OPTIMIZER, studies.SCHEDULE, acc=acc))
    assert n["opt_spread"] == pytest.approx(0.4)
    assert n["opt_lr_range_min"] == pytest.approx(5.0, abs=0.03)
    assert n["opt_worst_val"] == pytest.approx(0.84, abs=1e-3)
    assert n["sched_min_gain"] == pytest.approx(100 * (0.903 - 0.89 - 0.004), abs=1e-6)
    assert n["sched_n"] == len(studies.SCHEDULE.groups) - 1 and n["sched_clear_val"] == n["sched_clear_test"] == n["sched_n"]
    assert n["opt_verdict"].startswith("beyond seed noise")  # Adam's 0.4 points on both seeds


def test_augmentation_counts_sets_below_no_augmentation_per_length():
    short, long = studies.AUGMENTATION_LENGTHS

    def acc(cfg):
        if not cfg.augment:
            return 0.90
        shortfall = {short: 0.01, long: 0.002}[cfg.epochs]
        return 0.90 + (0.001 if cfg.augment == ("erase",) else -shortfall)
    n = takeaways.augmentation(loaded(studies.AUGMENTATION, acc=acc))
    sets = len(studies.AUGMENTATION_SETS) - 1  # all but "no augmentation"
    assert n["aug_sets"] == sets and n["aug_short_below"] == sets - 1 and n["aug_long_below"] == sets - 1
    assert n["aug_short_epochs"] == short and n["aug_long_epochs"] == long
    assert n["aug_short_trail"] == pytest.approx(1.0)  # averaged over the sets that trail, erasing (ahead) left out
    assert n["aug_short_clear"] == n["aug_long_clear"] == sets - 1  # the same shortfall on both seeds: no spread
    assert n["aug_short_trail"] > n["aug_long_trail"] > 0


def test_every_chapter_s_takeaway_skips_chapters_not_stored_instead_of_training(tmp_path, monkeypatch):
    monkeypatch.setattr(studies, "load", lambda *a, **k: pytest.fail("nothing is stored: nothing may be loaded or trained"))
    assert takeaways.of_every_chapter(Store(tmp_path), stored_only=True) == {}
