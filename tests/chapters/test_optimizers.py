"""Chapter 7's findings (fmnist_lab.chapters.optimizers): the committed runs support every claim, and
a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import optimizers as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "07_optimizers")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="No run's loss became infinite or NaN"):
        page.check(broken(facts, diverged=["Adam at 10⁻¹"]))
    with pytest.raises(ClaimFailed, match="its own best rate on validation"):
        page.check(broken(facts, best={**facts.best, "adam": facts.cell("adam", 1e-3)}))
