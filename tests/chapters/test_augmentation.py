"""Chapter 8's findings (fmnist_lab.chapters.augmentation): the committed runs support every claim,
and a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import augmentation as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "08_augmentation")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="within what three seeds can resolve"):
        page.check(broken(facts, best_paired={**facts.best_paired, "clear": True}))
    with pytest.raises(ClaimFailed, match="erasing, the best set on validation"):
        page.check(broken(facts, best="flip"))
    with pytest.raises(ClaimFailed, match="the CNN repeats what the MLP did at 20"):
        page.check(broken(facts, stats={**facts.stats, "cnn_aug": {**facts.stats["cnn_aug"], "gain": 0.002}}))
