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
    with pytest.raises(ClaimFailed, match="none of the six sets beats no augmentation beyond seed noise"):
        page.check(broken(facts, best_paired={**facts.best_paired, "clear": True}))
    with pytest.raises(ClaimFailed, match="No set beats no augmentation beyond seed noise"):
        page.check(broken(facts, best_test={**facts.best_test, "clear": True}))
    with pytest.raises(ClaimFailed, match="the set with the highest mean after 60 epochs"):
        page.check(broken(facts, best="flip"))
    with pytest.raises(ClaimFailed, match="the CNN repeats what the MLP did at 20"):
        page.check(broken(facts, stats={**facts.stats, "cnn_aug": {**facts.stats["cnn_aug"], "gain": 0.002}}))
    with pytest.raises(ClaimFailed, match="mostly a training-length effect"):
        page.check(broken(facts, clear_below={**facts.clear_below, facts.LONG: facts.clear_below[facts.SHORT]}))
    with pytest.raises(ClaimFailed, match="the augmented runs keep learning"):
        page.check(broken(facts, longer={**facts.longer, facts.NONE: {**facts.longer[facts.NONE], "clear": True}}))
    with pytest.raises(ClaimFailed, match="Augmentation narrows the train–validation gap"):
        page.check(broken(facts, narrower=[]))
    with pytest.raises(ClaimFailed, match="Shifts cost the MLP the most after 20 epochs"):
        page.check(broken(facts, shift_worst={**facts.shift_worst, facts.SHORT: {**facts.shift_worst[facts.SHORT], "clear": False}}))
