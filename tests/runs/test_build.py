"""When training is refused (fmnist_lab.runs.build): a book build of the full profile never trains
in silence; it stops with one line naming the run, its estimated time and the command to train it."""
import os
from types import SimpleNamespace

import pytest

from book_extensions import book_extension
from fakes import result  # noqa: F401  (fixtures)

from fmnist_lab.engine.config import RunConfig
from fmnist_lab.runs import build, derived, experiments
from fmnist_lab.runs.experiments import NotTrained
from fmnist_lab.runs.store import Store

TINY = RunConfig(hidden=(32,), train_size=300, val_size=300, epochs=1)


@pytest.fixture
def in_build(monkeypatch):
    monkeypatch.setenv("FMNIST_BUILD", "1")
    monkeypatch.delenv("FMNIST_PROFILE", raising=False)  # the full profile
    for name in ("FMNIST_NO_TRAIN", "FMNIST_TRAIN_IN_BUILD"):
        monkeypatch.delenv(name, raising=False)


def test_a_build_stops_at_a_missing_run_naming_it_its_time_and_the_command(in_build, tmp_path, result):
    store = Store(tmp_path)
    store.save(result)  # a stored run like the missing one: its seconds per epoch give the estimate
    missing = RunConfig.from_dict(result["config"]).replace(seed=7, epochs=30)
    with pytest.raises(NotTrained) as refused:
        experiments.ensure([missing], store, progress=False)
    line = str(refused.value)
    assert missing.key() in line and "`fmnist-lab run` trains them first" in line and "FMNIST_TRAIN_IN_BUILD=1" in line
    assert f"about {result['seconds_per_epoch'] * 30 / 60:.0f} minutes" in line and "\n" not in line
    assert store.load(missing) is None  # nothing trained, nothing written


def test_a_build_may_train_when_asked_and_outside_a_build_or_in_smoke_it_trains(in_build, monkeypatch, tmp_path):
    assert build.refusal([TINY], Store(tmp_path), "full") is not None
    assert "time unknown" in build.refusal([TINY], Store(tmp_path), "full")  # nothing like it is stored
    assert build.refusal([TINY], Store(tmp_path), "smoke") is None  # seconds of training, in a temporary store
    monkeypatch.setenv("FMNIST_TRAIN_IN_BUILD", "1")
    assert build.refusal([TINY], Store(tmp_path), "full") is None
    monkeypatch.delenv("FMNIST_TRAIN_IN_BUILD")
    monkeypatch.delenv("FMNIST_BUILD")
    assert build.refusal([TINY], Store(tmp_path), "full") is None  # a notebook opened in Jupyter trains on the spot


def test_a_build_computes_no_missing_analysis(in_build, tmp_path):
    calls = []
    demo = derived.Analysis("demo", 1, {}, ("run=abc",), lambda: calls.append(1) or {"x": 1}, chapter="99_demo")
    with pytest.raises(NotTrained, match="book build"):
        derived.ensure(Store(tmp_path), demo)
    assert calls == []


def test_the_book_build_tells_its_pages_they_are_in_a_build(monkeypatch):
    monkeypatch.setenv("FMNIST_BUILD", "0")  # restored (unset) after the test, whatever the extension sets
    extension = book_extension("build_env")
    handlers = {}
    app = SimpleNamespace(parallel=1, connect=lambda event, handler: handlers.update({event: handler}))
    extension.setup(app)
    assert os.environ["FMNIST_BUILD"] == "1"  # every page's kernel inherits it
    assert app.parallel == (os.cpu_count() or 1)  # one page per core at once
    monkeypatch.setenv("FMNIST_BUILD_JOBS", "1")
    extension.setup(app)
    assert app.parallel == 1  # the serial build, on request
    # jupyter-book's own section numbering says nothing about parallel reading; once every extension
    # is loaded it is declared safe, so Sphinx does not fall back to a serial read with a warning
    silent, unknown = SimpleNamespace(parallel_read_safe=None), SimpleNamespace(parallel_read_safe=None)
    app.extensions = {"sphinx_multitoc_numbering": silent, "someone_elses": unknown}
    handlers["builder-inited"](app)
    assert silent.parallel_read_safe is True and unknown.parallel_read_safe is None  # only the ones we have read
