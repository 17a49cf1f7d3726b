"""Chapter 12's findings (fmnist_lab.chapters.beyond_accuracy): the committed runs support every
claim, and a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import beyond_accuracy as page
from fmnist_lab.chapters.claims import ClaimFailed
from fmnist_lab.runs import studies


facts = facts_of(page, "12_beyond_accuracy")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="It does lower the test loss"):
        page.check(broken(facts, ls1={**facts.ls1, "nll": facts.ls0["nll"] + 0.1}))
    with pytest.raises(ClaimFailed, match="and below the best seed"):
        page.check(broken(facts, ens_test=max(facts.seeds_test) + 0.001))
    with pytest.raises(ClaimFailed, match="the classes separate"):
        page.check(broken(facts, agree={**facts.agree, "mlp": facts.agree["cnn"] + 0.01}))


def test_the_books_best_mlp_is_named_apart_from_the_networks_read_here(facts, full_profile):
    with pytest.raises(ClaimFailed, match="is not among them"):
        page.check(broken(facts, book={**facts.book, "book_mlp_label": studies.STACKED_MLP_LABEL}))  # it is read here
