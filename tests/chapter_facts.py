"""What a chapter module glues from the committed store, for its `check` tests."""
from types import SimpleNamespace

import pytest

from fmnist_lab.runs import studies


def stored_facts(page, chapter: str) -> SimpleNamespace:
    """`page.glue(...)` of the committed full-profile store (nothing trains; glue goes nowhere)."""
    import myst_nb

    with pytest.MonkeyPatch.context() as mp:
        for name in ("FMNIST_STORE", "FMNIST_PROFILE"):
            mp.delenv(name, raising=False)
        mp.setenv("FMNIST_NO_TRAIN", "1")
        mp.setattr(myst_nb, "glue", lambda name, value, display=True: None)
        return page.glue(studies.load(chapter, quiet=True))


def broken(facts: SimpleNamespace, **changes) -> SimpleNamespace:
    """The facts with some replaced, as a retrain that turned a direction round would leave them."""
    return SimpleNamespace(**{**vars(facts), **changes})


@pytest.fixture
def full_profile(monkeypatch):
    """Claims are checked on the full profile only."""
    monkeypatch.delenv("FMNIST_PROFILE", raising=False)


def facts_of(page, chapter: str):
    """A module-scoped `facts` fixture for a chapter's test file: `stored_facts(page, chapter)`."""
    return pytest.fixture(scope="module", name="facts")(lambda: stored_facts(page, chapter))
