"""Tables and glue over a study's groups addressed by configuration values (report.grid_table and
its cells, glue_groups, glue_pick, selected_table, glue_timing) and the timing helpers behind them
(metrics.machine, timing_machine, seconds_per_epoch), as chapters 5 and 06 use them."""
import math

import pytest

from fmnist_lab import report
from fmnist_lab.analysis import metrics
from fmnist_lab.engine.config import REFERENCE
from fmnist_lab.runs.study import ChapterResults, Study, StudyResults

DEEP = (256,) * 6


def run(key, val, seconds=1.0, cpu="CPU A", epoch=2, diverged=False, params=1000):
    return {"key": key, "params": params, "seconds_per_epoch": seconds, "diverged": diverged, "final_epoch": epoch,
            "provenance": {"wall_seconds": 10.0, "device": "cpu", "device_name": cpu, "threads": 2},
            "val": {"acc": val}, "test": {"acc": val - 0.01},
            "history": {"val_acc": [val] * epoch, "val_loss": [0.4] * epoch, "train_eval_acc": [val + 0.05] * epoch}}


@pytest.fixture
def init():
    """Two inits x two depths x batch norm or not; seconds per epoch from two machines."""
    groups = {f"{len(h)} layers, {i}{', bn' if bn else ''}": REFERENCE.replace(hidden=h, init=i, batchnorm=bn)
              for h in (REFERENCE.hidden, DEEP) for bn in (False, True) for i in ("default", "normal1")}
    study = Study("init", "06", "init", groups, varies=("init", "batchnorm"), control=REFERENCE)
    runs = {}
    for n, (label, cfg) in enumerate(groups.items()):
        val = 0.80 + 0.01 * n - (0.05 if cfg.init == "normal1" else 0.0)
        seconds = 2.0 * len(cfg.hidden) + (1.0 if cfg.batchnorm else 0.0)
        runs[label] = [run(f"{label}/0", val, seconds), run(f"{label}/1", val + 0.002, seconds + 0.2),
                       run(f"{label}/2", val + 0.001, 100.0, cpu="CPU B")]  # another machine: never timed
    return StudyResults(study, runs)


def test_timing_machine_is_the_one_with_most_runs_and_seconds_come_only_from_it(init):
    runs = init.all_runs()
    on = metrics.timing_machine(runs)
    assert on == metrics.machine(runs[0]) and "CPU A" in on
    group = init.runs["2 layers, default"]
    assert metrics.seconds_per_epoch(group, on) == pytest.approx(4.1)
    assert metrics.seconds_per_epoch(group) == pytest.approx((4.0 + 4.2 + 100.0) / 3)  # all machines
    assert math.isnan(metrics.seconds_per_epoch(group, "gpu: nowhere, 1 threads"))


def test_grid_table_rows_columns_and_cells_come_from_config_values(init):
    inits = {"PyTorch default": dict(init="default"), "N(0, 1)": dict(init="normal1")}
    nets = {"2 layers": dict(hidden=REFERENCE.hidden, batchnorm=False), "6 layers, bn": dict(hidden=DEEP, batchnorm=True)}
    table = report.grid_table(init, inits, nets, {"val acc %": report.val_cell}, corner="initialization")
    assert list(table.columns) == ["initialization", "2 layers", "6 layers, bn"]
    assert list(table["initialization"]) == ["PyTorch default", "N(0, 1)"]
    assert table.iloc[0, 1] == report.val_cell(init.runs["2 layers, default"])
    assert table.iloc[1, 2] == report.val_cell(init.runs["6 layers, normal1, bn"])


def test_grid_table_pools_the_groups_a_cell_matches_and_names_headers_by_cell(init):
    on = metrics.timing_machine(init.all_runs())
    nets = {"2 layers": dict(hidden=REFERENCE.hidden, batchnorm=False), "6 layers, bn": dict(hidden=DEEP, batchnorm=True)}
    cost = {"params": report.params_cell, "s/epoch": report.seconds_cell(on), "best epoch": report.epochs_cell}
    table = report.grid_table(init, nets, {"": {}}, cost, corner="network")
    assert list(table.columns) == ["network", "params", "s/epoch", "best epoch"]
    assert table["s/epoch"].tolist() == ["4.10", "13.10"]  # both inits pooled, the other machine left out
    assert table["params"].tolist() == ["1\u202f000", "1\u202f000"] and table["best epoch"].tolist() == ["2", "2"]
    two = report.grid_table(init, {"default": dict(init="default")}, nets, {"val": report.val_cell, "s": report.seconds_cell(on)})
    assert list(two.columns) == ["", "2 layers: val", "2 layers: s", "6 layers, bn: val", "6 layers, bn: s"]
    with pytest.raises(KeyError):
        report.grid_table(init, {"none": dict(init="xavier")}, nets, {"val": report.val_cell})


def test_cells_mark_divergence_and_missing_timings():
    runs = [run("a", 0.8), run("b", 0.9, diverged=True)]
    assert report.val_cell(runs).endswith("(diverged 1/2)") and report.val_cell(runs).startswith("85.00\u00a0±\u00a0")
    assert report.seconds_cell("gpu: nowhere, 1 threads")(runs) == "–"


def test_glue_groups_names_each_group_by_its_config_key_and_returns_summaries(init, glued):
    S = report.glue_groups(init, lambda c: (len(c.hidden), c.init, "bn" if c.batchnorm else "plain"),
                           v="val_mean", gap=lambda s: 100 * s["gap"])
    assert S[6, "normal1", "bn"] is init.summaries["6 layers, normal1, bn"]
    assert glued["v2_default_plain"] == init.summaries["2 layers, default"]["val_mean"]
    assert glued["gap6_normal1_bn"] == pytest.approx(5.0)
    assert len(glued) == 2 * len(init.study.groups)
    with pytest.raises(ValueError, match="same key"):
        report.glue_groups(init, lambda c: c.init, v="val_mean")


def test_glue_pick_selects_on_validation_and_names_it(init, glued):
    label = report.glue_pick("best6", init, lambda c: f"init {c.init}", hidden=DEEP)
    assert label == "6 layers, default, bn"  # highest validation among the six-layer groups
    assert glued["best6"] == "init default" and glued["best6_val"] == init.summaries[label]["val_mean"]
    assert report.glue_pick("best", init) == label
    assert glued["best"] == label  # no title: the group's label


def test_selected_table_adds_the_reference_only_when_it_was_not_picked(init):
    ref = init.study.label_of(REFERENCE)
    table = report.selected_table(init, ["6 layers, default, bn"], ref)
    assert list(table["selected on validation"]) == ["6 layers, default, bn", f"{ref} (reference)"]
    assert "test acc %" in table.columns
    assert list(report.selected_table(init, [ref, ref], ref)["selected on validation"]) == [ref]


def test_glue_timing_names_the_machine_and_the_jitter_between_runs_of_a_group(init, glued):
    on = report.glue_timing("ch", ChapterResults({"init": init}))
    assert on == metrics.timing_machine(init.all_runs())
    assert "CPU A" in glued["ch_timing_device"] and "CPU B" not in glued["ch_timing_device"]
    assert glued["ch_timing_jitter"] == pytest.approx(0.2)  # the 100 s run on CPU B does not count
