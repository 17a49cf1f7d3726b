"""The stored analyses the pages read (fmnist_lab.chapters.analyses): listed from the store without
training, none while their weights are missing, and every one the committed book needs is committed."""
import pytest

from fmnist_lab.chapters import analyses
from fmnist_lab.runs import derived
from fmnist_lab.runs.store import Store


def test_an_empty_store_needs_no_analysis_yet_and_nothing_is_trained(tmp_path, monkeypatch):
    monkeypatch.setenv("FMNIST_NO_TRAIN", "1")  # listing must never train: this would raise if it tried
    assert all(analyses.needed(chapter, Store(tmp_path)) == [] for chapter in analyses.NEEDED if chapter != "10_best")


def test_every_analysis_the_committed_book_reads_is_committed(monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "full")
    monkeypatch.delenv("FMNIST_STORE", raising=False)
    store = Store()
    wanted = [a for chapter in analyses.NEEDED for a in analyses.needed(chapter, store)]
    assert len(wanted) == 7 and derived.missing(store, wanted) == []  # chapter 11 reads two flip analyses: the recipe's and the published recipe's
    assert {a.chapter for a in wanted} <= set(analyses.NEEDED)


@pytest.mark.parametrize("chapter", sorted(analyses.NEEDED))
def test_each_listed_analysis_has_a_distinct_key(chapter, monkeypatch):
    monkeypatch.setenv("FMNIST_PROFILE", "full")
    monkeypatch.delenv("FMNIST_STORE", raising=False)
    keys = [a.key() for a in analyses.needed(chapter, Store())]
    assert len(keys) == len(set(keys)) > 0
