"""Chapter 10's findings (fmnist_lab.chapters.best): the committed runs support every claim, and a
claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import best as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "10_best")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="beats the tuned MLP"):
        page.check(broken(facts, C9={**facts.C9, "test_mean": facts.M["test_mean"] - 0.01}))
    with pytest.raises(ClaimFailed, match="makes the same mistake"):
        page.check(broken(facts, imitation={**facts.imitation, "copied_taught": facts.imitation["copied_plain"]}))
    with pytest.raises(ClaimFailed, match="as few have a near twin"):
        page.check(broken(facts, near={**facts.near, "twins_test": facts.near["twins_val"] + 0.05}))


def test_the_book_headline_claims_name_their_sentences(facts, full_profile):
    with pytest.raises(ClaimFailed, match="points below the best CNN"):
        page.check(broken(facts, book={**facts.book, "book_gap": -0.5}))
