"""The book's tables of runs (fmnist_lab.report.tables): summary and grid tables, their cells, and
Markdown that keeps numbers right-aligned and settings on one line."""
import pytest

from fakes import curve_run, DEEP, seed_run, summary_run, THIN, timed_run
from fakes import init  # noqa: F401  (fixtures)

from fmnist_lab import report
from fmnist_lab.analysis import metrics
from fmnist_lab.engine.config import REFERENCE


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
    assert table["params"].tolist() == ["1\u202f000", "1\u202f000"] and table["best epoch"].tolist() == ["2.0", "2.0"]
    two = report.grid_table(init, {"default": dict(init="default")}, nets, {"val": report.val_cell, "s": report.seconds_cell(on)})
    assert list(two.columns) == ["", "2 layers: val", "2 layers: s", "6 layers, bn: val", "6 layers, bn: s"]
    with pytest.raises(KeyError):
        report.grid_table(init, {"none": dict(init="xavier")}, nets, {"val": report.val_cell})


def test_cells_mark_divergence_and_missing_timings():
    runs = [timed_run("a", 0.8), timed_run("b", 0.9, diverged=True)]
    assert report.val_cell(runs).endswith("(diverged 1/2)") and report.val_cell(runs).startswith("85.00\u00a0±\u00a0")
    assert report.seconds_cell("gpu: nowhere, 1 threads")(runs) == "–"


def test_selected_table_adds_the_reference_only_when_it_was_not_picked(init):
    ref = init.study.label_of(REFERENCE)
    table = report.selected_table(init, ["6 layers, default, bn"], ref)
    assert list(table["selected on validation"]) == ["6 layers, default, bn", f"{ref} (reference)"]
    assert "test acc %" in table.columns
    assert list(report.selected_table(init, [ref, ref], ref)["selected on validation"]) == [ref]


def test_gap_table_shows_peak_epoch_instead_of_best_epoch_and_flags_divergence():
    runs = [curve_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], seed=0),
            curve_run([0.80, 0.90, 0.85], [0.5, 0.3, 0.4], seed=1, diverged=True)]
    row = report.summary_table({"x": runs}, gap=True).iloc[0]
    assert row["peak epoch"] == "2.0" and "best epoch" not in row.index  # one decimal always: the column lines up
    assert row["gap (points)"] == "5.00"
    assert "diverged 1/2" in row["val acc %"] and row["val acc %"].startswith("85.00\u00a0±\u00a00.00")


def test_summary_table_times_one_machine_and_writes_numbers_as_prose_does():
    groups = {"a": [seed_run(0, 0.9, seconds=1.0), seed_run(1, 0.9, seconds=1.2), seed_run(2, 0.9, seconds=9.0, cpu="Intel Xeon")],
              "b": [seed_run(0, 0.8, seconds=2.0, cpu="Intel Xeon", epochs=2)]}
    table = report.summary_table(groups)
    assert table["s/epoch"].tolist() == ["1.10", "–"]  # only the machine that trained most runs; none of b's there
    assert table["params"].tolist() == [f"269{THIN}322"] * 2 and table["best epoch"].tolist() == ["3.0", "2.0"]
    one_machine = report.summary_table({"a": groups["a"][:2]})
    assert one_machine["s/epoch"].tolist() == ["1.10"]
    narrow = report.summary_table(groups, label="model", test=True, gap=True, columns=("val acc %", "gap (points)", "test acc %"))
    assert list(narrow.columns) == ["model", "val acc %", "gap (points)", "test acc %"]
    assert list(report.summary_table(groups, test=True, compact=True).columns) == [
        "configuration", "params", "train acc %", "val acc %", "test acc %"]


def test_markdown_table_aligns_words_left_and_numbers_right():
    import pandas as pd

    frame = pd.DataFrame({"classifier": ["SVM", "forest"], "chosen": ["C = 10", "28 of 784 pixels per split"],
                          "val acc %": ["90.44", "88.15\u00a0±\u00a00.22"], "seconds": ["20", "–"]})
    assert report.markdown_table(frame).splitlines()[1] == "|:--|:--|--:|--:|"


def test_markdown_table_keeps_a_setting_on_one_line():
    import pandas as pd

    row = report.markdown_table(pd.DataFrame({"optimizer, λ": ["AdamW, λ = 10⁻⁵"]})).splitlines()[2]
    assert row == "| AdamW, λ\u00a0=\u00a010⁻⁵ |"


def test_a_test_table_trades_the_seed_count_for_the_test_column():
    groups = {"a": [seed_run(s, 0.9) for s in range(3)]}
    assert "seeds" in report.summary_table(groups).columns
    assert list(report.summary_table(groups, test=True).columns) == [
        "configuration", "params", "s/epoch", "best epoch", "train acc %", "val acc %", "test acc %"]


def test_compact_summary_table_keeps_parameters_and_accuracies_unbroken():
    table = report.summary_table({"a long model name": [summary_run(0), summary_run(1, val=0.91)]}, label="model", test=True, compact=True)
    assert list(table.columns) == ["model", "params", "train acc %", "val acc %", "test acc %"]
    assert table.loc[0, "val acc %"] == "90.50\u00a0±\u00a00.71"
    assert list(report.summary_table({"m": [summary_run(0)]}, test=True).columns)[:3] == ["configuration", "params", "s/epoch"]
