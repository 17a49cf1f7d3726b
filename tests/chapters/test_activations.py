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
    with pytest.raises(ClaimFailed, match="With six layers the saturating ones fall behind"):
        page.check(broken(facts, S={**facts.S, (6, "tanh"): {**tanh6, "val_mean": 0.99}}))
    with pytest.raises(ClaimFailed, match="not a win that three seeds can tell from noise"):
        page.check(broken(facts, lead=[{**g, "clear": True} for g in facts.lead]))
