"""Chapter 9's findings (fmnist_lab.chapters.cnn): the efficiency facts and figure; the committed runs
support every claim, and a claim that no longer holds fails with its sentence."""
import math

import matplotlib
import pandas as pd
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)
from fakes import chapter_run, network_table

from fmnist_lab.chapters import cnn as cnn_page
from fmnist_lab.chapters.claims import ClaimFailed

matplotlib.use("Agg")


def networks():
    def row(label, fam, params, val, test, minutes=1.0, chapter=3, threads=2):
        return {"label": label, "study": "title", "chapter": chapter, "family": fam, "params": params, "minutes": minutes,
                "val": val, "test": test, "runs": [chapter_run(0, val, test, minutes, threads) | {"params": params}]}
    return pd.DataFrame([row("2 × 64", "MLP", 55_050, 0.88, 0.884), row("stacked MLP", "MLP", 1_865_738, 0.9154, 0.9069, 7.2, 10),
                         row("stacked MLP + weight averaging", "MLP", 1_865_738, 0.9155, 0.9068, 13.0, 11, threads=1),
                         row("broken", "MLP", 1000, 0.1, 0.1), row("small CNN, dropout 0", "CNN", 77_786, 0.92, 0.917, 5.4, 9),
                         row("best CNN", "CNN", 298_410, 0.95, 0.943, 29.0, 10),
                         row("taught", "MLP taught by a CNN", 1_865_738, 0.93, 0.906, 30.0, 10)])


def test_efficiency_compares_with_the_named_mlp_and_its_counts_add_up():
    nets = networks()
    f = cnn_page.efficiency_facts(nets, 0.8, mlp="stacked MLP", cnn="best CNN")
    assert f["best_mlp"] == "stacked MLP" and f["best_mlp_minutes"] == pytest.approx(7.2)  # not the validation pick's 13.0
    assert cnn_page.efficiency_facts(nets, 0.8)["best_mlp"] == "stacked MLP + weight averaging"  # the default: validation
    assert f["n_trained"] == f["n_mlp"] + f["n_cnn"] + f["n_taught"] + f["n_failed"] == 7
    assert (f["n_mlp"], f["n_cnn"], f["n_taught"], f["n_failed"]) == (3, 2, 1, 1)
    assert f["best_mlp_params_text"] == "1\u202f865\u202f738" and "," not in f["lean_cnn_params_text"]
    assert f["best_mlp_minutes_text"] == "7.2 minutes per seed (2 threads of an AMD EPYC 7B13)"
    assert f["lean_cnn_name"] == "chapter 9's small CNN, dropout 0" and f["rival_mlp_name"] == "chapter 3's 2 × 64 MLP"
    assert f["lean_ratio"] == pytest.approx(1_865_738 / 77_786)
    assert (f["top_mlp"], f["top_mlp_name"]) == ("stacked MLP", "chapter 10's MLP recipe")  # a test maximum, by a reader's name


def test_efficiency_figure_names_the_ringed_networks():
    nets = networks()
    f = cnn_page.efficiency_facts(nets, 0.8, mlp="stacked MLP", cnn="best CNN")
    fig = cnn_page.efficiency_figure(nets, f, ringed="chapter 10's stacked MLP and best CNN", line="stacked MLP test")
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "chapter 10's stacked MLP and best CNN" in texts and "best of its family on validation" not in texts


def test_efficiency_facts_find_the_smallest_cnn_above_every_mlp():
    nets = network_table([("tiny MLP", "MLP", 10_000, 0.85, 0.84), ("big MLP", "MLP", 1_000_000, 0.90, 0.89),
                     ("odd MLP", "MLP", 500_000, 0.89, 0.895), ("broken MLP", "MLP", 200_000, 0.10, 0.10),
                     ("lenet", "CNN", 60_000, 0.88, 0.88), ("small CNN", "CNN", 80_000, 0.92, 0.91),
                     ("big CNN", "CNN", 300_000, 0.95, 0.94), ("taught", "MLP taught by a CNN", 1_000_000, 0.93, 0.92)])
    f = cnn_page.efficiency_facts(nets, floor=0.8)
    assert f["floor"] == 0.8
    assert (f["n_mlp"], f["n_cnn"], f["n_failed"]) == (3, 3, 1)
    assert (f["best_mlp"], f["best_cnn"]) == ("big MLP", "big CNN")
    assert f["top_mlp_test"] == 0.895  # the best test score of any MLP, not the validation pick's
    assert f["lean_cnn"] == "small CNN" and f["lean_cnn_params"] == 80_000 and f["lean_ratio"] == pytest.approx(6.25)  # against the MLP it outscores: "odd MLP", the top on test
    assert f["rival_mlp"] == "tiny MLP" and f["rival_mlp_test"] == 0.84
    none = cnn_page.efficiency_facts(nets[nets["label"] != "small CNN"].assign(test=lambda d: d["test"].where(d["family"] != "CNN", 0.5)), 0.8)
    assert none["lean_cnn"] == "none" and math.isnan(none["lean_ratio"])


facts = facts_of(cnn_page, "09_cnn")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    cnn_page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="McNemar's test leaves no doubt"):
        cnn_page.check(broken(facts, mc={**facts.mc, "p_max": 0.04}))
    with pytest.raises(ClaimFailed, match="buys the MLP most of that back"):
        cnn_page.check(broken(facts, rob={**facts.rob, "shifted_drop": 0.6 * facts.rob["mlp_drop"]}))
    with pytest.raises(ClaimFailed, match="a gap that widens as the data shrinks"):
        cnn_page.check(broken(facts, de={**facts.de, "gap_small": facts.de["gap_large"] + 1}))
    with pytest.raises(ClaimFailed, match="from more than one kind of machine"):
        cnn_page.check(broken(facts, eff={**facts.eff, "timing": "all timed on one machine"}))
    with pytest.raises(ClaimFailed, match="its seeds disagree there"):
        first = facts.class_rank["1"]
        cnn_page.check(broken(facts, per_class={**facts.per_class, first: {**facts.per_class[first], "clear": True}}))
    with pytest.raises(ClaimFailed, match="beyond seed noise at each"):
        cnn_page.check(broken(facts, size_gain={**facts.size_gain, 1000: {**facts.size_gain[1000], "clear": False}}))
    with pytest.raises(ClaimFailed, match="A LeNet-style CNN does not beat that MLP"):
        cnn_page.check(broken(facts, lenet_vs={**facts.lenet_vs, "test": {**facts.lenet_vs["test"], "clear": False}}))
    with pytest.raises(ClaimFailed, match="In the range anyone uses, it does not"):
        cnn_page.check(broken(facts, drop_gain={p: {**g, "gain": -abs(g["gain"]), "clear": True} for p, g in facts.drop_gain.items()}))


def test_the_book_headline_claim_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="still trails its best CNN"):
        cnn_page.check(broken(facts, book={**facts.book, "book_gap": 0.0}))
