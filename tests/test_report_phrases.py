"""The phrase and table builders a page's prose and tables are glued from: numbers as the book
writes them (thin-space thousands, whole epochs, U+2212, powers of ten), processors in a reader's
words, gains paired seed by seed, and seconds per epoch that never mix machines."""
import math

import pytest

from fmnist_lab import report
from fmnist_lab.chapters import appendix as appendix_page
from fmnist_lab.runs import classical
from fmnist_lab.engine import estimators

MINUS, THIN = "\u2212", "\u202f"


@pytest.mark.parametrize("value, text", [(50_000, f"50{THIN}000"), (999, "999"), (7850, f"7{THIN}850"),
                                         (1_234_567, f"1{THIN}234{THIN}567"), (-1200, f"{MINUS}1{THIN}200"),
                                         (172_109.4, f"172{THIN}109")])
def test_thousands_uses_a_thin_space_never_a_comma(value, text):
    assert report.thousands(value) == text


@pytest.mark.parametrize("value, digits, text", [(10.0, 1, "10"), (13.0, 1, "13"), (12.99999, 1, "13"), (13.333, 1, "13.3"),
                                                 (9.3, 1, "9.3"), (-0.004, 2, "0"), (-0.5, 2, f"{MINUS}0.50"), (0.04, 1, "0")])
def test_number_drops_the_decimals_of_a_whole_number_and_uses_a_true_minus(value, digits, text):
    assert report.number(value, digits) == text


def test_signed_plural_and_span_edge_cases():
    assert report.signed(0.37) == "+0.37" and report.signed(-0.37) == f"{MINUS}0.37"
    assert report.signed(-0.001) == "0.00" and report.signed(0) == "0.00"  # no '−0.00', no '+0.00'
    assert report.plural(1, "run") == "1 run" and report.plural(1000, "image") == f"1{THIN}000 images"
    assert report.plural(0, "run") == "0 runs" and report.plural(2, "class", "classes") == "2 classes"
    assert report.span(5, 5, "epochs") == "5 epochs" and report.span(5, 5.004, "epochs") == "5 epochs"  # equal as shown
    assert report.span(5, 10, "epochs") == "between 5 and 10 epochs"
    assert report.span(-1, 2) == f"between {MINUS}1 and 2"


@pytest.mark.parametrize("value, text", [(1.9e-7, f"1.9 × 10⁻⁷"), (6.0e-8, "6.0 × 10⁻⁸"), (0.5, "0.5"), (3.3e6, "3.3 × 10⁶")])
def test_scientific_never_shows_e_notation(value, text):
    assert report.scientific(value) == text and "e" not in report.scientific(value)


@pytest.mark.parametrize("name, title", [("Intel(R) Xeon(R) Processor", "Intel Xeon"), ("AMD EPYC", "AMD EPYC"),
                                         ("AMD EPYC 7B13 64-Core Processor", "AMD EPYC 7B13"),
                                         ("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700 CPU"),
                                         ("x86_64", "unnamed x86-64 CPU"), ("", "unnamed x86-64 CPU")])
def test_cpu_title_reads_as_a_reader_names_a_processor(name, title):
    assert report.cpu_title(name) == title


def test_devices_and_machine_titles_use_the_readers_cpu_name():
    def run(key, name, threads=2, device="cpu"):
        return {"key": key, "provenance": {"device": device, "device_name": name, "threads": threads}}

    mixed = [run("a", "Intel(R) Xeon(R) Processor"), run("b", "Intel(R) Xeon(R) Processor"), run("c", "AMD EPYC", 1)]
    assert report.devices(mixed) == "2 threads of an Intel Xeon (2 runs) and 1 thread of an AMD EPYC (1 run)"
    assert report.machine_title(run("g", "NVIDIA H200", device="cuda")["provenance"]) == "NVIDIA H200 (GPU)"


@pytest.mark.parametrize("ahead, seeds, text", [(3, 3, "on all 3 seeds"), (2, 2, "on both seeds"), (2, 3, "on 2 of 3 seeds"),
                                                (0, 3, "on none of the 3 seeds"), (1, 1, "on its one seed")])
def test_seeds_ahead(ahead, seeds, text):
    assert report.seeds_ahead(ahead, seeds) == text


def test_noise_verdict_says_whether_the_interval_excludes_zero():
    assert report.noise_verdict(0.50, 0.62) == f"within seed noise (95% interval {MINUS}0.12 to +1.12)"
    assert report.noise_verdict(0.80, 0.27) == "beyond seed noise (95% interval +0.53 to +1.07)"
    assert report.noise_verdict(-0.80, 0.27).startswith("beyond seed noise (95% interval " + MINUS + "1.07 to")
    assert report.noise_verdict(0.5, math.nan) == "with too few seeds for an interval"


def run(seed, val, test=0.8, seconds=1.0, cpu="AMD EPYC", epochs=3, params=269_322):
    """A stored-result-shaped dict with the fields the table and pairing helpers read."""
    return {"key": f"{cpu}-{seed}-{val}", "config": {"seed": seed}, "params": params, "seconds_per_epoch": seconds,
            "diverged": False, "final_epoch": epochs, "val": {"acc": val}, "test": {"acc": test},
            "history": {"val_acc": [val] * epochs, "val_loss": [0.4] * epochs, "train_eval_acc": [val + 0.05] * epochs},
            "provenance": {"wall_seconds": 10.0, "device": "cpu", "device_name": cpu, "threads": 2}}


def test_paired_gain_pairs_seeds_and_its_phrases(glued):
    control = [run(s, 0.90 + 0.01 * s) for s in range(3)]  # a large spread between seeds ...
    better = [run(s, 0.902 + 0.01 * s + 0.0001 * s) for s in range(3)]  # ... that pairing cancels
    p = report.glue_paired("g", better, control, split="val")
    assert p["seeds"] == 3 and p["ahead"] == 3 and p["gain"] == pytest.approx(0.21) and p["clear"]
    assert glued["g"] == "+0.21" and glued["g_ahead"] == "on all 3 seeds" and glued["g_verdict"].startswith("beyond")
    mixed = [run(0, 0.905), run(1, 0.905), run(2, 0.925)]  # ahead, behind, ahead: within the noise
    q = report.paired(mixed, control, split="val")
    assert q["ahead"] == 2 and not q["clear"]


def test_summary_table_times_one_machine_and_writes_numbers_as_prose_does():
    groups = {"a": [run(0, 0.9, seconds=1.0), run(1, 0.9, seconds=1.2), run(2, 0.9, seconds=9.0, cpu="Intel Xeon")],
              "b": [run(0, 0.8, seconds=2.0, cpu="Intel Xeon", epochs=2)]}
    table = report.summary_table(groups)
    assert table["s/epoch"].tolist() == ["1.10", "–"]  # only the machine that trained most runs; none of b's there
    assert table["params"].tolist() == [f"269{THIN}322"] * 2 and table["best epoch"].tolist() == ["3", "2"]
    one_machine = report.summary_table({"a": groups["a"][:2]})
    assert one_machine["s/epoch"].tolist() == ["1.10"]
    narrow = report.summary_table(groups, label="model", test=True, gap=True, columns=("val acc %", "gap (points)", "test acc %"))
    assert list(narrow.columns) == ["model", "val acc %", "gap (points)", "test acc %"]
    assert list(report.summary_table(groups, test=True, compact=True).columns) == [
        "configuration", "params", "train acc %", "val acc %", "test acc %"]


def test_glue_stats_glues_mean_epochs_as_prose_writes_them(glued):
    report.glue_stats(x=[run(s, 0.9, epochs=4) for s in range(3)])
    assert glued["x_epochs_text"] == "4" and glued["x_peak_epoch_text"] == "1"  # a flat curve peaks at its first epoch


def test_projection_table_has_one_row_per_core_count():
    frame = appendix_page.projection_table({"hours": {2: 7.63, 8: 2.0, 32: 1.04}})
    assert frame.to_dict("list") == {"cores": [2, 8, 32], "projected hours": ["7.6", "2.0", "1.0"]}


def test_classical_settings_are_in_a_readers_words_not_scikit_learns():
    labels = [label for grid in classical.CLASSICAL.grids.values() for label in grid]
    assert not any(name in label for label in labels for name in ("n_neighbors", "max_features", "alpha", "sqrt", "log2"))
    knn = estimators.EstimatorConfig("knn", {"n_neighbors": 10}, pca=50)
    assert knn.settings() == "10 neighbours, 50 PCA components"
    assert estimators.EstimatorConfig("knn", {"n_neighbors": 1}).settings() == "1 neighbour"
    assert estimators.EstimatorConfig("forest", {"max_features": "sqrt"}).settings() == "28 of 784 pixels per split"
    assert estimators.EstimatorConfig("forest", {"max_features": "log2"}, pca=100).settings() == "6 of 100 components per split, 100 PCA components"
    assert estimators.EstimatorConfig("mlp", {"alpha": 1e-4}).settings() == "L2 penalty α = 10⁻⁴"
    assert estimators.EstimatorConfig("svm", {"C": 10.0}, pca=100).settings() == "C = 10, 100 PCA components"


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
    groups = {"a": [run(s, 0.9) for s in range(3)]}
    assert "seeds" in report.summary_table(groups).columns
    assert list(report.summary_table(groups, test=True).columns) == [
        "configuration", "params", "s/epoch", "best epoch", "train acc %", "val acc %", "test acc %"]


def test_seeds_ahead_counts_other_things_too():
    assert report.seeds_ahead(15, 15, "pair") == "on all 15 pairs" and report.seeds_ahead(14, 15, "pair") == "on 14 of 15 pairs"
