"""Chapter 6's findings (fmnist_lab.chapters.init_batchnorm): the committed runs support every claim,
and a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import init_batchnorm as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "06_init_batchnorm")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="for each sensible initialization alone its gain is within seed noise"):
        page.check(broken(facts, bn_gain={**facts.bn_gain, "kaiming": {**facts.bn_gain["kaiming"], "clear": True}}))
    with pytest.raises(ClaimFailed, match="most of their six-layer runs were still improving"):
        page.check(broken(facts, capped=len(facts.normal6) // 2))
    worse = {**facts.S, (2, "default", "plain"): {**facts.S[2, "default", "plain"], "gap": facts.S[2, "normal1", "plain"]["gap"] + 1}}
    with pytest.raises(ClaimFailed, match="the reduced overfitting is not"):
        page.check(broken(facts, S=worse))
    with pytest.raises(ClaimFailed, match="interchangeable within seed noise"):
        page.check(broken(facts, good_clear={**facts.good_clear, 6: True}))
    with pytest.raises(ClaimFailed, match="but the best of them is only … points above the best network without it"):
        page.check(broken(facts, best_vs_plain={**facts.best_vs_plain, "clear": True}))
    with pytest.raises(ClaimFailed, match="it clears the noise only for the two badly scaled starts"):
        page.check(broken(facts, bn_gain={**facts.bn_gain, "normal001": {**facts.bn_gain["normal001"], "clear": False}}))
