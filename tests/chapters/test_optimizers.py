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
    near_report_b = facts.bl.label(batch_size=128, lr=0.03)  # a cell beside Report B's plain SGD, translated to momentum
    with pytest.raises(ClaimFailed, match="where no cell stalls or diverges"):
        page.check(broken(facts, B={**facts.B, near_report_b: {**facts.B[near_report_b], "diverged": 1}}))
    clear = lambda c: {**c, "clear": True}
    with pytest.raises(ClaimFailed, match="On Adam's own row, 10⁻³ and 10⁻⁴ are tied"):
        page.check(broken(facts, adam_tie=clear(facts.adam_tie)))
    with pytest.raises(ClaimFailed, match="even the widest of those gaps"):
        page.check(broken(facts, widest=clear(facts.widest)))
    with pytest.raises(ClaimFailed, match="gives nothing measurable away"):
        page.check(broken(facts, beats_adam3=["RMSProp, lr 10⁻³"]))
    with pytest.raises(ClaimFailed, match="not measurably jumpier than either SGD variant"):
        page.check(broken(facts, jit={**facts.jit, "sgd_adam3": clear(facts.jit["sgd_adam3"])}))
    with pytest.raises(ClaimFailed, match="smoother than both SGD variants"):
        page.check(broken(facts, jit={**facts.jit, "mom_adam4": {**facts.jit["mom_adam4"], "clear": False}}))
    cosine = next(label for label in facts.gains if "cosine" in label)
    with pytest.raises(ClaimFailed, match="Every schedule that lowers the rate beats the constant one"):
        page.check(broken(facts, gains={**facts.gains, cosine: {**facts.gains[cosine], "clear": False}}))
    with pytest.raises(ClaimFailed, match="Whether the protocol is worth anything by itself is open"):
        page.check(broken(facts, protocol=clear(facts.protocol)))
    with pytest.raises(ClaimFailed, match="lr 0.1 is as good as 10⁻²"):
        page.check(broken(facts, bl_512_gain=clear(facts.bl_512_gain)))
