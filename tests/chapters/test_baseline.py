"""Chapter 2's findings (fmnist_lab.chapters.baseline): comparisons with the benchmark's listed numbers;
the committed runs support every claim, and a claim that no longer holds fails with its sentence."""
from __future__ import annotations

import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import baseline as baseline_page
from fmnist_lab.chapters.claims import ClaimFailed


def test_against_benchmark_compares_at_the_benchmarks_one_decimal():
    assert baseline_page.against_benchmark(0.8969, "svm") == "matches the 89.7%"  # 89.69% is listed as 89.7%
    assert baseline_page.against_benchmark(0.8870, "mlp") == "1.6 points above the 87.1%"
    assert baseline_page.against_benchmark(0.8650, "mlp") == "0.6 points below the 87.1%"


facts = facts_of(baseline_page, "02_baseline")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    baseline_page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="the validation loss turns upward before validation accuracy stops improving"):
        baseline_page.check(broken(facts, stop={**facts.stop, "loss_epoch": facts.stop["acc_epoch"] + 1}))
    per_class = facts.mean.copy()
    per_class[facts.names.index("Trouser")] = 0.5  # the worst class no longer an upper-body garment
    with pytest.raises(ClaimFailed, match="Its errors are concentrated in the upper-body garments"):
        baseline_page.check(broken(facts, mean=per_class))
    svm = {**facts.pick["svm"], "test_mean": facts.RR["test_mean"] - 0.001}
    with pytest.raises(ClaimFailed, match="Only the SVM beats the networks"):
        baseline_page.check(broken(facts, pick={**facts.pick, "svm": svm}))


def test_the_checkpoint_is_claimed_to_reproduce_its_run_on_every_profile(facts, monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    baseline_page.check(broken(facts, stop={**facts.stop, "loss_epoch": facts.stop["acc_epoch"] + 1}))  # directions unchecked
    with pytest.raises(ClaimFailed, match="recomputes a test accuracy"):
        baseline_page.check(broken(facts, reproduced=facts.reproduced + 0.001))
