"""The registry of named settings (fmnist_lab.engine.choices): titles as the prose and the terminal write them."""
from __future__ import annotations

from fmnist_lab.engine import choices


def test_a_normal_initialization_is_written_as_the_prose_writes_it_and_others_unchanged():


    assert choices.INITS["normal1"].math_title == r"$\mathcal{N}$(0, 1)"  # a legend (mathtext) and a page (MathJax) show 𝒩
    assert choices.INITS["normal1"].title == "N(0, 1)"  # the terminal keeps plain text
    assert all(c.math_title == c.title for c in choices.INITS.values() if "N(" not in c.title)
