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
    with pytest.raises(ClaimFailed, match="highest at the largest width tried"):
        page.check(broken(facts, width={**facts.width, 1024: facts.width[32]}))
    jitter = dict(zip(sorted(r["config"]["seed"] for r in facts.width[256]), (3e-3, -2e-3, 1e-3)))  # +0.07 points on average
    hair_ahead = [{**r, "val": {**r["val"], "acc": r["val"]["acc"] + jitter[r["config"]["seed"]]},
                   "test": {**r["test"], "acc": r["test"]["acc"] + jitter[r["config"]["seed"]]}}
                  for r in facts.width[256]]  # still the best width, but no clear gain on test
    with pytest.raises(ClaimFailed, match="Width is the lever that works"):
        page.check(broken(facts, width={256: facts.width[256], 1024: hair_ahead}))
    with pytest.raises(ClaimFailed, match="no step down beyond seed noise on the way"):  # the widest still best, but a step down on the way
        page.check(broken(facts, width={**facts.width, 512: facts.width[32]}))


def shifted(runs, points):
    """The runs with every seed's validation accuracy moved by `points` (a clear, paired shift)."""
    return [{**r, "val": {**r["val"], "acc": r["val"]["acc"] + points / 100}} for r in runs]


def test_depth_and_budget_claims_fail_when_a_gap_is_beyond_seed_noise(facts, full_profile):
    clear = {"gain": 0.5, "ci": 0.2, "clear": True}
    with pytest.raises(ClaimFailed, match="no depth validates above one hidden layer beyond seed noise"):
        page.check(broken(facts, vs_one={**facts.vs_one, 3: clear}))
    with pytest.raises(ClaimFailed, match="differs from one hidden layer beyond seed noise"):
        page.check(broken(facts, vs_one={**facts.vs_one, 6: {**clear, "gain": -0.5}}))
    with pytest.raises(ClaimFailed, match="six layers do not hurt beyond seed noise"):
        page.check(broken(facts, depth={**facts.depth, 6: shifted(facts.depth[1], -1.0)}))
    with pytest.raises(ClaimFailed, match="makes no difference beyond seed noise"):
        page.check(broken(facts, budget_gap=clear))
    with pytest.raises(ClaimFailed, match="real, but small"):  # the widest gap between depths back within seed noise
        page.check(broken(facts, depth={**facts.depth, 3: facts.depth[2]}))


def test_width_claims_fail_when_the_validation_gain_is_within_seed_noise(facts, full_profile):
    within = {**facts.narrow, "width1024": {**facts.narrow["width1024"], "clear": False}}
    with pytest.raises(ClaimFailed, match="but not all of it"):
        page.check(broken(facts, narrow=within))
