"""Chapter 1's findings (fmnist_lab.chapters.dataset): the committed runs support every claim, and a
claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import dataset as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "01_dataset")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="a couple of points with Adam"):
        page.check(broken(facts, gap={**facts.gap, ("raw", "adam"): -0.5}))
    with pytest.raises(ClaimFailed, match=r"points of validation accuracy \(beyond seed noise\)"):
        page.check(broken(facts, cost_adam={**facts.cost_adam, "clear": False}))
    unit_ahead = {**facts.behind, ("unit", "adam"): {"gain": 0.5, "ci": 0.2, "clear": True}}
    with pytest.raises(ClaimFailed, match="no other scaling validates higher beyond seed noise"):
        page.check(broken(facts, behind=unit_ahead))
    raw_sgd = facts.summary["raw", "sgd"]
    with pytest.raises(ClaimFailed, match="The loss stays finite"):
        page.check(broken(facts, summary={**facts.summary, ("raw", "sgd"): {**raw_sgd, "diverged": 1}}))


def test_the_data_are_claimed_balanced_on_every_profile(facts, monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    page.check(broken(facts, gap={**facts.gap, ("raw", "adam"): -0.5}))  # smoke numbers are noise: directions unchecked
    with pytest.raises(ClaimFailed, match="The classes are exactly balanced"):
        page.check(broken(facts, imbalance=1))
