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
    with pytest.raises(ClaimFailed, match="within seed noise on validation and on test"):
        page.check(broken(facts, ls_val={**facts.ls_val, "clear": True}))
    with pytest.raises(ClaimFailed, match="not because it is shown to help"):
        page.check(broken(facts, ls_test={**facts.ls_test, "clear": True}))


def test_the_evidence_claims_fail_when_a_verdict_turns(facts, full_profile):
    clear, within = {"gain": -1.0, "ci": 0.5, "clear": True}, {"gain": -0.2, "ci": 0.5, "clear": False}
    with pytest.raises(ClaimFailed, match="do not raise validation accuracy beyond seed noise"):
        page.check(broken(facts, drop_val={**facts.drop_val, 0.2: {**clear, "gain": 1.0}}))
    with pytest.raises(ClaimFailed, match="from λ = 10⁻³ on it costs validation accuracy beyond seed noise"):
        page.check(broken(facts, l2c_val={**facts.l2c_val, 1e-3: within}))
    with pytest.raises(ClaimFailed, match="smaller λ stay within it"):
        page.check(broken(facts, l2c_val={**facts.l2c_val, 1e-4: clear}))
    with pytest.raises(ClaimFailed, match="no λ of the grid moves the train − validation gap"):
        page.check(broken(facts, gaps={**facts.gaps, "l2d_0.001": clear}))
    with pytest.raises(ClaimFailed, match="does decoupled decay narrow the gap"):
        page.check(broken(facts, gaps={**facts.gaps, "adamw_extra": within}))
    with pytest.raises(ClaimFailed, match="validation accuracy barely moves"):
        page.check(broken(facts, drop_val={**facts.drop_val, 0.5: clear}))
    with pytest.raises(ClaimFailed, match="admits both Report E's finding and Report A's loss"):  # an interval that excludes Report A's loss
        page.check(broken(facts, drop_val={**facts.drop_val, 0.5: {**within, "gain": -0.1, "ci": 0.3}}))
    with pytest.raises(ClaimFailed, match="It leaves the accuracy gap where it was"):
        page.check(broken(facts, gaps={**facts.gaps, "ls": clear}))
    none = {**facts.stats["none"], "loss_epoch": facts.stats["none"]["peak_epoch"] - 1}
    with pytest.raises(ClaimFailed, match="turns upward long before validation accuracy peaks"):
        page.check(broken(facts, stats={**facts.stats, "none": none}))


def test_a_replication_that_reproduced_the_gain_fails_the_sentence_that_says_it_did_not(facts, full_profile):
    reproduced = {**facts.replication, "smooth_replication": facts.ls_test["gain"]}
    with pytest.raises(ClaimFailed, match="does not reproduce the gain"):
        page.check(broken(facts, replication=reproduced))
