"""Chapter 3's findings (fmnist_lab.chapters.depth_width): the committed runs support every claim, and
a claim that no longer holds fails with its sentence."""
import pytest

from chapter_facts import broken, full_profile, facts_of  # noqa: F401  (full_profile: a fixture)

from fmnist_lab.chapters import depth_width as page
from fmnist_lab.chapters.claims import ClaimFailed


facts = facts_of(page, "03_depth_width")  # a module-scoped fixture: the page's glue of the committed store


def test_the_committed_runs_support_every_claim(facts, full_profile):
    page.check(facts)


def test_a_claim_that_no_longer_holds_names_its_sentence(facts, full_profile):
    with pytest.raises(ClaimFailed, match="up to the largest network tried"):
        page.check(broken(facts, width={**facts.width, 1024: facts.width[32]}))
    jitter = dict(zip(sorted(r["config"]["seed"] for r in facts.width[256]), (3e-3, -2e-3, 1e-3)))  # +0.07 points on average
    hair_ahead = [{**r, "val": {**r["val"], "acc": r["val"]["acc"] + jitter[r["config"]["seed"]]},
                   "test": {**r["test"], "acc": r["test"]["acc"] + jitter[r["config"]["seed"]]}}
                  for r in facts.width[256]]  # still the best width, but no clear gain on test
    with pytest.raises(ClaimFailed, match="Width is the lever that works"):
        page.check(broken(facts, width={256: facts.width[256], 1024: hair_ahead}))
    with pytest.raises(ClaimFailed, match="up to the largest network tried"):  # the widest still best, but a step down on the way
        page.check(broken(facts, width={**facts.width, 512: facts.width[32]}))
