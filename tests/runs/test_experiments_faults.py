"""Fault injection, kinds "pause" and "temporary stores" (fmnist_lab.runs.experiments, the root
conftest.py): a process held by FMNIST_PAUSE_FILE at a run boundary holds no claim on a run it has
not started, so another process sharing the store trains it instead of waiting; the smoke profile's
temporary store (`fmnist_lab-smoke-*`) and the nbval session's (`fmnist_lab-nbval-*`) are removed
when their process ends, also after an error or SIGTERM, and a store FMNIST_STORE names never is."""
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import ENVIRONMENT, fake_task, leftovers, seeds, Trainer

from fmnist_lab.runs import executors, experiments
from fmnist_lab.runs.store import REPO_ROOT, Store


# ---- a paused process holds no claim on a run it has not started ---------------------------------
@pytest.mark.parametrize("where", ["here", "on workers"])
def test_a_paused_process_holds_no_claim_on_a_run_it_has_not_started(tmp_path, monkeypatch, where):
    cfgs = seeds(2)
    trainer = Trainer()
    monkeypatch.setattr("fmnist_lab.runs.executors.train", trainer)
    monkeypatch.setattr(executors, "train_task", fake_task())
    pause = tmp_path / "pause"
    pause.touch()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(pause))
    store, claimable = Store(tmp_path / "store"), []

    def sleep(seconds):  # while paused: could another process claim these runs (flock, as it would)?
        for cfg in cfgs:
            claim = Store(tmp_path / "store").claim(cfg.key())
            claimable.append(claim is not None)
            if claim is not None:
                claim.release()
        pause.unlink()  # then go on
    monkeypatch.setattr(experiments.time, "sleep", sleep)
    with ThreadPoolExecutor(2) as pool:
        results = experiments.ensure(cfgs, store, progress=False, quiet=True, executor=pool if where != "here" else None)
    assert claimable == [True, True], "the paused process held a claim on a run it had not started"
    assert [r["key"] for r in results] == [c.key() for c in cfgs] and leftovers(store.root) == []


# ---- temporary stores are removed when their process ends -----------------------------------------
SMOKE_PROCESS = """
import os, sys
from fmnist_lab.runs import experiments
root = experiments.current_store().root
(root / "runs").mkdir(exist_ok=True)
(root / "runs" / "result.json").write_text("{}")
print(root, flush=True)
if sys.argv[1] == "error":
    raise RuntimeError("the process ends in an error")
"""


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    """This process's environment without FMNIST_* settings, temporary folders under tmp_path."""
    env = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT}
    return {**env, "TMPDIR": str(tmp_path), **values}


@pytest.mark.parametrize("ending", ["done", "error"])
def test_a_smoke_store_is_removed_when_its_process_ends(tmp_path, ending):
    done = subprocess.run([sys.executable, "-c", SMOKE_PROCESS, ending], env=_environment(tmp_path, FMNIST_PROFILE="smoke"),
                          capture_output=True, text=True, timeout=120)
    root = Path(done.stdout.strip())
    assert root.parent == tmp_path and root.name.startswith("fmnist_lab-smoke-"), done.stderr
    assert (done.returncode == 0) == (ending == "done")
    assert not root.exists() and list(tmp_path.glob("fmnist_lab-*")) == [], "the smoke store was left behind"


def test_the_smoke_store_of_a_command_is_removed_when_it_ends(tmp_path):
    done = subprocess.run([sys.executable, "-m", "fmnist_lab", "status", "--profile", "smoke", "--chapter", "01_dataset"],
                          env=_environment(tmp_path), cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "profile: smoke   store: " + str(tmp_path) in done.stdout, done.stderr
    assert list(tmp_path.glob("fmnist_lab-*")) == [], "the smoke store was left behind"


def test_a_store_fmnist_store_names_is_never_removed(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    done = subprocess.run([sys.executable, "-c", SMOKE_PROCESS, "done"], capture_output=True, text=True, timeout=120,
                          env=_environment(tmp_path, FMNIST_PROFILE="smoke", FMNIST_STORE=str(mine)))
    assert done.stdout.strip() == str(mine), done.stderr
    assert (mine / "runs" / "result.json").is_file() and list(tmp_path.glob("fmnist_lab-*")) == []


NBVAL_SESSION = """
import importlib.util, os, sys, types
spec = importlib.util.spec_from_file_location("root_conftest", sys.argv[1])
conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conftest)
config = types.SimpleNamespace(option=types.SimpleNamespace(nbval=True, nbval_lax=False, numprocesses=None))
conftest.pytest_configure(config)  # as `pytest --nbval` starts; pytest_unconfigure is never reached
print(os.path.isdir(os.environ["FMNIST_STORE"]), os.environ["FMNIST_STORE"], flush=True)
if sys.argv[2] == "sigterm":
    sys.stdin.readline()  # until `kill PID`
"""


@pytest.mark.parametrize("ending", ["without-unconfigure", "sigterm"])
def test_the_nbval_session_store_is_removed_when_its_process_ends(tmp_path, ending):
    session = subprocess.Popen([sys.executable, "-c", NBVAL_SESSION, str(REPO_ROOT / "conftest.py"), ending],
                               env=_environment(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        made, root = session.stdout.readline().split()
        root = Path(root)
        assert made == "True" and root.parent == tmp_path and root.name.startswith("fmnist_lab-nbval-")
        if ending == "sigterm":
            session.send_signal(signal.SIGTERM)
        session.wait(timeout=60)
    finally:
        if session.poll() is None:
            session.kill()
        session.communicate(timeout=30)
    assert not root.exists() and list(tmp_path.glob("fmnist_lab-*")) == [], "the nbval store was left behind"
