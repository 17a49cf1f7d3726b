"""Chapter 5's findings (fmnist_lab.chapters.activations): the committed runs support every claim, and
a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import activations as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "05_activations")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    tanh6 = facts.S[6, "tanh"]
    with pytest.raises(ClaimFailed, match="With six layers the saturating activations"):
        page.check(broken(facts, S={**facts.S, (6, "tanh"): {**tanh6, "val_mean": 0.9}}))
    with pytest.raises(ClaimFailed, match="but not a win"):
        page.check(broken(facts, lead=[{**g, "clear": True} for g in facts.lead]))


def test_the_verdict_claims_fail_when_a_verdict_turns(facts, full_profile):
    within = {"gain": -0.5, "ci": 1.0, "clear": False}
    with pytest.raises(ClaimFailed, match="nearly every gap beyond seed noise"):
        page.check(broken(facts, behind={a: {b: within for b in versus} for a, versus in facts.behind.items()}))
    with pytest.raises(ClaimFailed, match="stay within … points of each other, within seed noise"):
        page.check(broken(facts, family_gap={**within, "clear": True}))
    cut_short = [{**r, "epochs_run": 20} for r in facts.runs[6, "sigmoid"][:1]] + facts.runs[6, "sigmoid"][1:]  # one seed stopped early
    with pytest.raises(ClaimFailed, match="Early stopping ended no sigmoid run"):
        page.check(broken(facts, runs={**facts.runs, (6, "sigmoid"): cut_short}))
    two = {**facts.S, **{(2, a): {**facts.S[2, a], "val_mean": 0.85 + 0.01 * i} for i, a in enumerate(["sigmoid", "tanh"])}}
    with pytest.raises(ClaimFailed, match="the activation matters little"):
        page.check(broken(facts, S=two))
