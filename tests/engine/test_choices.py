"""The registry of named settings (fmnist_lab.engine.choices): titles as the prose, the legends and the terminal write them."""
from __future__ import annotations

from fmnist_lab.engine import choices


def test_a_normal_initialization_is_written_as_the_prose_writes_it_and_others_unchanged():
    assert choices.INITS["normal1"].prose_title == "*N*(0, 1)"  # a page (Markdown) shows an italic N, no math renderer
    assert choices.INITS["normal001"].prose_title == "*N*(0, 0.01²)"
    assert choices.INITS["normal1"].title == "N(0, 1)"  # the terminal keeps plain text
    assert all(c.prose_title == c.title for c in choices.INITS.values() if "N(" not in c.title)
