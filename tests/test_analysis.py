import math
"""Helpers that turn stored histories into the numbers chapters 4 and 07 report."""
import pytest

from fmnist_lab.analysis import metrics
from fmnist_lab.runs import summary
from fmnist_lab import report
from fmnist_lab.runs import studies
from fmnist_lab.runs import experiments
from fmnist_lab.engine.config import REFERENCE


def fake_run(val_acc, val_loss, train_eval_acc=None, seed=0, diverged=False):
    """A stored-result-shaped dict with just the fields the helpers read."""
    n = len(val_acc)
    train_eval_acc = train_eval_acc or [a + 0.05 for a in val_acc]
    return {"key": f"k{seed}", "params": 1000, "seconds_per_epoch": 1.0, "diverged": diverged,
            "provenance": {"wall_seconds": float(n)},
            "final_epoch": n, "val": {"acc": val_acc[-1]}, "test": {"acc": 0.8},
            "history": {"val_acc": val_acc, "val_loss": val_loss, "train_eval_acc": train_eval_acc}}


def test_stopping_epochs_pick_each_criterion_and_prefer_the_earlier_tie():
    run = fake_run(val_acc=[0.80, 0.85, 0.87, 0.86, 0.87], val_loss=[0.6, 0.4, 0.45, 0.5, 0.55])
    stop = metrics.stopping_epochs(run)
    assert stop == {"acc_epoch": 3, "loss_epoch": 2, "val_acc_at_acc": 0.87, "val_acc_at_loss": 0.85}


def test_stopping_epochs_skip_epochs_lost_to_divergence():
    run = fake_run(val_acc=[0.5, 0.7, None], val_loss=[1.0, 0.8, None], train_eval_acc=[0.5, 0.7, None])
    assert metrics.stopping_epochs(run)["acc_epoch"] == 2
    assert metrics.stopping_epochs(run)["loss_epoch"] == 2


def test_roughness_measures_jitter_not_trend():
    rising = fake_run(val_acc=[0.8] * 7, val_loss=[2.0, 1.0, 0.5, 0.40, 0.45, 0.50, 0.55])  # overfitting, smoothly
    jumpy = fake_run(val_acc=[0.8] * 7, val_loss=[2.0, 1.0, 0.5, 0.40, 0.50, 0.40, 0.50])
    assert metrics.roughness(rising) == pytest.approx(0.0)
    assert metrics.roughness(jumpy) == pytest.approx(0.2)


def test_summary_reports_gap_and_peak_over_seeds():
    runs = [fake_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], train_eval_acc=[0.8, 0.9, 0.95], seed=s) for s in (0, 1)]
    s = summary.summarize(runs)
    assert s["peak_val_mean"] == pytest.approx(0.90)
    assert s["gap"] == pytest.approx(0.95 - 0.85)  # at the reported (last) epoch, not the peak


def test_gap_table_shows_peak_epoch_instead_of_best_epoch_and_flags_divergence():
    runs = [fake_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], seed=0),
            fake_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], seed=1, diverged=True)]
    row = report.summary_table({"x": runs}, gap=True).iloc[0]
    assert row["peak epoch"] == "2" and "best epoch" not in row.index  # an integer mean reads as one
    assert row["gap (points)"] == "5.00"
    assert "diverged 1/2" in row["val acc %"] and row["val acc %"].startswith("85.00\u00a0±\u00a00.00")


def test_regularization_study_varies_one_factor_and_trains_adam_without_decay_once():
    groups = studies.L2.configs()
    assert groups["AdamW, λ = 0"] == groups["Adam + L2, λ = 0"]
    base = groups["Adam + L2, λ = 0"][0]
    assert base.hidden == (512, 512) and base.early_stopping == "none"
    assert base.replace(weight_decay=1e-3) == groups["Adam + L2, λ = 10⁻³"][0]
    assert groups["AdamW, λ = 0.1"][0].optimizer == "adamw"
    assert studies.L2.labels(optimizer="adamw") == ["AdamW, λ = 10⁻⁵", "AdamW, λ = 10⁻⁴", "AdamW, λ = 10⁻³",
                                                     "AdamW, λ = 10⁻²", "AdamW, λ = 0.1"]


def test_optimizer_grid_gives_adamw_a_decay_so_it_is_not_adam():
    groups = studies.OPTIMIZER.configs()
    adamw, sgd = studies.OPTIMIZER.label(optimizer="adamw", lr=1e-3), studies.OPTIMIZER.label(optimizer="sgd", lr=1e-3)
    assert groups[adamw][0].weight_decay > 0 and groups[sgd][0].weight_decay == 0
    # the Adam 1e-3 cell is the very reference run the other chapters use
    adam = groups[studies.OPTIMIZER.label(optimizer="adam", lr=1e-3)][0]
    assert adam == experiments.shrink(REFERENCE.replace(seed=adam.seed))


def test_mcnemar_counts_only_discordant_images_and_matches_the_binomial_tail():
    import numpy as np

    y = np.zeros(100, dtype=int)
    a = y.copy()
    b = y.copy()
    b[:10] = 1  # B wrong on ten images A gets right
    a[50:52] = 1  # both wrong on these -> concordant, must not count
    b[50:52] = 1
    result = metrics.mcnemar(y, a, b)
    assert (result["a_only"], result["b_only"]) == (10, 0)
    assert result["p_value"] == pytest.approx(2 / 2 ** 10)
    # Swapping the classifiers swaps the counts and keeps the p-value.
    swapped = metrics.mcnemar(y, b, a)
    assert (swapped["a_only"], swapped["b_only"]) == (0, 10) and swapped["p_value"] == result["p_value"]
    # Equal discordance is no evidence at all.
    c = y.copy()
    c[10:20] = 1
    c[50:52] = 1  # the same concordant errors as b
    assert metrics.mcnemar(y, b, c)["p_value"] == 1.0


def test_cnn_studies_share_the_unaugmented_cnn_and_checkpoint_the_headline_models():
    cnn = studies.CNN.configs()
    plain = studies.CNN_AUGMENTATION_STUDY.configs()["small CNN, no augmentation"]
    assert [c.key() for c in plain] == [c.key() for c in cnn["small CNN, dropout 0"]]
    assert {c.model for cfgs in cnn.values() for c in cfgs} == {"lenet", "cnn"}
    best = studies.BEST.configs()
    checkpointed = {c.key() for c in studies.checkpointed_configs("10_best")}
    every_seed = {c.key() for label in ("best MLP", "best CNN") for c in best[label]}
    assert len(every_seed) == 2 * len(best["best MLP"]) and checkpointed == every_seed  # every seed (ensembles); no ablation


def test_the_distilled_mlp_is_taught_by_the_committed_best_cnn_in_every_profile(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    student = studies.BEST.configs()[studies.DISTILLED][0]
    assert student.teacher == studies.BEST_CNN.replace(seed=0).key()  # the full-profile CNN, not its smoke copy
    assert student.replace(teacher=None, train_size=None, val_size=None, epochs=30) == studies.BEST_MLP_SHORT_PLAIN
    from fmnist_lab.runs.store import Store
    assert Store().checkpoint_path(student.teacher).is_file()


def test_config_changes_lists_the_teachers_settings_only_for_a_taught_model():
    plain = studies.BEST_MLP_SHORT_PLAIN
    assert not any("teacher" in row for row in report.config_changes(plain)["setting"])
    table = report.config_changes(studies.DISTILLED_MLP, base=plain, base_name="untaught")
    assert list(table["setting"]) == ["teacher", "weight of the teacher's loss", "distillation temperature"]
    assert list(table["untaught"]) == ["—", "—", "—"]
    assert table["this model"][0] == "the best CNN, seed 0"  # named as the reader knows it, not by run key


def test_recipe_tables_read_as_words_not_field_names():
    table = report.config_changes(studies.BEST_CNN)
    rows = dict(zip(table["setting"], zip(table["reference MLP"], table["this model"])))
    assert rows["network"] == ("MLP", "small CNN") and rows["hidden layers"] == ("256 × 256", "—")
    assert rows["augmentation"] == ("none", "flip + shift + erasing") and rows["optimizer"] == ("Adam", "AdamW")
    assert not any("_" in name for name in table["setting"])  # no raw RunConfig field names


def test_training_waits_while_the_pause_file_exists(tmp_path, monkeypatch):
    import threading
    import time

    pause = tmp_path / "pause"
    pause.touch()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(pause))
    waiter = threading.Thread(target=experiments.wait_while_paused, kwargs={"poll_seconds": 0.01})
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive()  # still held
    pause.unlink()
    waiter.join(timeout=2)
    assert not waiter.is_alive()


def test_target_verdict_reads_the_goal_and_the_minimum_correctly():
    assert report.target_verdict(0.9201, goal=0.92, floor=0.915) == "reaches the 92% goal"
    assert report.target_verdict(0.9150, goal=0.92, floor=0.915).startswith("clears the 91.5% minimum but not")
    assert report.target_verdict(0.9149, goal=0.92, floor=0.915).startswith("falls short of both")


def test_against_spread_compares_with_the_larger_std():
    assert report.against_spread(-0.003, 0.001, 0.002) == "more than the spread between seeds"
    assert report.against_spread(0.0015, 0.001, 0.002) == "less than the spread between seeds"


def test_gains_compare_each_pick_with_its_own_control_and_rank_by_test():
    from fmnist_lab.analysis.leaderboard import Entry, gains

    def summary(val, test, std=0.003, wall=60.0):
        return {"val_mean": val, "val_std": std, "test_mean": test, "test_std": std, "wall_seconds": wall}

    W, S, A = studies.WIDTH, studies.SMOOTHING, studies.AUGMENTATION
    picks = [(W, "2 × 1024", summary(0.901, 0.894)), (S, "label smoothing 0.1", summary(0.905, 0.898)),
             (A, "erasing, 60 epochs", summary(0.902, 0.891))]
    summaries = {(W, "2 × 256"): summary(0.894, 0.886, std=0.004, wall=20.0),
                 # chapter 4's control is its own 2 x 512 network without smoothing, not the reference MLP
                 (S, "label smoothing 0"): summary(0.899, 0.895),
                 (A, "no augmentation, 60 epochs"): summary(0.900, 0.893), (A, "no augmentation, 20 epochs"): summary(0.8, 0.8)}
    rows = [Entry(study.chapter, "MLP", study, label, s) for study, label, s in picks]
    rows += [Entry("08_augmentation", "CNN", studies.CNN_AUGMENTATION_STUDY, "small CNN, flip + shift + erasing",
                   summary(0.925, 0.917)),  # not an MLP
             Entry("10_best", "MLP", studies.BEST, "best MLP", summary(0.915, 0.906))]  # not a one-factor study
    ranked = gains(rows, summaries)
    assert [g.label for g in ranked] == ["2 × 1024 vs 2 × 256", "label smoothing 0.1 vs label smoothing 0",
                                         "erasing, 60 epochs vs no augmentation, 60 epochs"]
    assert ranked[0].val == pytest.approx(0.7) and ranked[0].test == pytest.approx(0.8)
    assert ranked[0].test_err == pytest.approx(0.5)  # hypot(0.3, 0.4) points
    assert ranked[0].cost == pytest.approx(3.0)  # 60 s per seed against the control's 20 s
    assert ranked[1].test == pytest.approx(0.3)  # against 0.895, not against the width-256 network
    assert ranked[-1].test == pytest.approx(-0.2)  # a loss stays a loss; the 60-epoch control, not 20


def test_every_group_of_a_study_with_a_control_has_one_that_it_contains():
    controlled = [s for s in studies.STUDIES if s.control is not None]
    assert {s.chapter for s in controlled} >= {"03_depth_width", "04_regularization", "05_activations",
                                                 "06_init_batchnorm", "07_optimizers", "08_augmentation"}
    for study in controlled:
        for label in study.groups:
            control = study.control_of(label)
            assert control in study.groups
            differs = {f for f in study.varies if getattr(study.groups[label], f) != getattr(study.groups[control], f)}
            assert study.groups[label].replace(**{f: getattr(study.groups[control], f) for f in differs}) == study.groups[control]
    assert studies.INIT.control_of("6 layers, Kaiming normal, batch norm") == "6 layers, PyTorch default"
    assert studies.BATCH_LR.control_of("batch 512, lr 0.1") == "batch 128, lr 0.1"
    assert studies.BATCH_LR.control_of("batch 512, lr 10⁻²") == "batch 128, lr 10⁻²"
    with pytest.raises(ValueError, match="no control"):
        studies.CNN.control_of("LeNet-style CNN")


def test_labels_are_words_and_unique_within_each_study():
    for study in studies.STUDIES:
        assert len(set(study.groups)) == len(study.groups)
        for label in study.groups:
            assert "/" not in label and "_" not in label, label


def test_study_lookup_by_settings_and_derived_registries():
    assert studies.INIT.labels(hidden=studies.DEEP, batchnorm=True)[0] == "6 layers, N(0, 1), batch norm"
    assert studies.ranked_chapters()[0] == "03_depth_width"
    chapter_order = [s.chapter for s in studies.STUDIES]
    assert chapter_order == sorted(chapter_order)  # declared in book order
    with pytest.raises(ValueError, match="not a RunConfig field"):
        studies.INIT.labels(depth=6)


def test_phrases_read_as_written_at_the_edges():
    assert report.number(10.0) == "10" and report.number(-0.375) == "\u22120.38"
    assert report.signed(-0.37) == "\u22120.37" and report.signed(0.37) == "+0.37" and report.signed(-0.001) == "0.00"
    assert report.plural(1, "run") == "1 run" and report.plural(3, "run") == "3 runs"
    assert report.plural(5000, "image") == "5\u202f000 images" and report.plural(2, "class", "classes") == "2 classes"
    assert report.span(5000, 5000, "images") == "5\u202f000 images" and report.span(1, 2.5) == "between 1 and 2.50"
    assert report.join(["a"]) == "a" and report.join(["a", "b", "a", "c"]) == "a, b and c" and report.join([]) == ""


def test_devices_names_each_machine_once():
    def run(key, name, threads=2, device="cpu"):
        return {"key": key, "provenance": {"device": device, "device_name": name, "threads": threads, "wall_seconds": 1.0}}

    same = [run("a", "AMD EPYC"), run("b", "AMD EPYC")]
    assert report.devices(same) == "2 threads of an AMD EPYC"
    mixed = same + [run("c", "x86_64"), run("d", "H200", device="cuda")]
    assert report.devices(mixed) == ("2 threads of an AMD EPYC (2 runs), 2 threads of an unnamed x86-64 CPU (1 run) "
                                     "and a GPU (H200) (1 run)")


def test_ci95_uses_the_t_quantile_for_every_sample_size():


    assert summary.t95(6) == pytest.approx(2.447) and summary.t95(8) == pytest.approx(2.306)  # n = 7 and 9
    assert 1.96 < summary.t95(200) < summary.t95(30)
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert summary.ci95(values) == pytest.approx(2.447 * 0.216025 / 7 ** 0.5, rel=1e-4)
    assert math.isnan(summary.ci95([0.5]))
