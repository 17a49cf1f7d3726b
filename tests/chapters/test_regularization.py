"""Chapter 4's findings (fmnist_lab.chapters.regularization): the committed runs support every claim,
and a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import regularization as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "04_regularization")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="Label smoothing is the regularizer that validation selects"):
        page.check(broken(facts, winner="dropout 0.5"))
    with pytest.raises(ClaimFailed, match="only roughly"):
        page.check(broken(facts, ls_val={**facts.ls_val, "clear": True}))


def test_a_replication_that_reproduced_the_gain_fails_the_sentence_that_says_it_did_not(facts, full_profile):
    reproduced = {**facts.replication, "smooth_replication": facts.ls_test["gain"]}
    with pytest.raises(ClaimFailed, match="does not reproduce the gain"):
        page.check(broken(facts, replication=reproduced))
