"""The claims a page makes in words (fmnist_lab.chapters.claims): checked on the full profile only,
and a claim that fails quotes its sentence."""
import pytest

from fmnist_lab.chapters import claims


def test_a_failed_claim_quotes_its_sentence_and_says_what_to_do():
    claims.claim(True, "Width is the lever that works")
    with pytest.raises(claims.ClaimFailed, match="“Width is the lever that works”.*rewrite the sentence"):
        claims.claim(False, "Width is the lever that works")
    assert issubclass(claims.ClaimFailed, AssertionError)  # pytest and nbval report it as a failed check


def test_directions_are_checked_on_the_full_profile_only(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "smoke")
    assert not claims.checked()
    monkeypatch.delenv("FMNIST_PROFILE")
    assert claims.checked()
