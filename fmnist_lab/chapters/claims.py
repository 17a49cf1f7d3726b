"""The claims a page's prose makes in words, checked against the stored results. `claim(holds, sentence)`
fails with the sentence it guards, so a retrain that turns a direction round names the sentence to rewrite."""
from __future__ import annotations

from ..runs.experiments import current_profile


class ClaimFailed(AssertionError):
    """The stored results no longer support a sentence a page states."""


def checked() -> bool:
    """Whether claims about directions are checked: on the full profile only (smoke numbers are noise)."""
    return current_profile().name == "full"


def claim(holds: bool, sentence: str) -> None:
    """Raise `ClaimFailed` quoting `sentence` (the page's words, or their gist) unless `holds`."""
    if not holds:
        raise ClaimFailed(f"the page says “{sentence}”, and the stored results no longer support it: "
                          "rewrite the sentence, or find what changed in the runs")
