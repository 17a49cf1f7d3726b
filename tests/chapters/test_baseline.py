"""Chapter 2's findings (fmnist_lab.chapters.baseline): comparisons with the benchmark's listed numbers;
the committed runs support every claim, and a claim that no longer holds fails with its sentence."""
from __future__ import annotations

import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)
from fakes import seed_run

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
    within = {"gain": 0.3, "ci": 0.5, "clear": False}
    with pytest.raises(ClaimFailed, match="Only the SVM beats the networks"):
        baseline_page.check(broken(facts, versus={**facts.versus, ("svm", "base"): within}))
    with pytest.raises(ClaimFailed, match="Only the SVM beats the networks"):  # another classifier clearly ahead too
        baseline_page.check(broken(facts, versus={**facts.versus, ("mlp", "ref"): {**within, "clear": True}}))
    with pytest.raises(ClaimFailed, match="score below both networks, every gap beyond seed noise"):
        baseline_page.check(broken(facts, versus={**facts.versus, ("knn", "base"): {**within, "gain": -0.3}}))
    with pytest.raises(ClaimFailed, match="the forest .* scores below the reference MLP"):
        baseline_page.check(broken(facts, versus={**facts.versus, ("forest", "ref"): {**within, "gain": -0.3}}))
    with pytest.raises(ClaimFailed, match="The two linear models agree"):
        baseline_page.check(broken(facts, versus={**facts.versus, ("logistic", "soft"): {**within, "clear": True}}))


def test_against_networks_gives_a_deterministic_fit_the_networks_interval_alone():
    runs = [seed_run(seed, 0.9, test) for seed, test in enumerate((0.880, 0.882, 0.884))]
    once = [seed_run(0, 0.9, 0.892)]
    out = baseline_page.against_networks(once, runs)
    assert out["gain"] == pytest.approx(1.0) and out["ci"] == pytest.approx(4.303 * 0.2 / 3 ** 0.5, rel=1e-3)
    assert out["clear"] and out["verdict"].startswith("beyond seed noise")


def test_the_checkpoint_is_claimed_to_reproduce_its_run_on_every_profile(facts, monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    baseline_page.check(broken(facts, stop={**facts.stop, "loss_epoch": facts.stop["acc_epoch"] + 1}))  # directions unchecked
    with pytest.raises(ClaimFailed, match="recomputes a test accuracy"):
        baseline_page.check(broken(facts, reproduced=facts.reproduced + 0.001))
