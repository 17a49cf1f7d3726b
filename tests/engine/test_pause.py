"""Holding a job from outside (fmnist_lab.engine.pause): only an existing file pauses; a pause
returns the seconds it held (the training loop's accounting of them is in test_train.py)."""
import threading

from fmnist_lab.engine import pause


def test_only_an_existing_file_requests_a_pause(tmp_path, monkeypatch):
    monkeypatch.delenv("FMNIST_PAUSE_FILE", raising=False)
    assert pause.pause_file() is None and not pause.pause_requested()
    path = tmp_path / "pause"
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(path))
    assert pause.pause_file() == path and not pause.pause_requested()
    path.mkdir()
    assert not pause.pause_requested()  # a folder is no pause (the runner refuses it in one line)
    path.rmdir()
    path.touch()
    assert pause.pause_requested()


def test_a_pause_holds_until_the_file_goes_and_says_how_long(tmp_path, monkeypatch, capsys):
    path = tmp_path / "pause"
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(path))
    assert pause.wait_between_epochs(3, poll_seconds=0.01) == 0.0
    path.touch()
    threading.Timer(0.3, path.unlink).start()
    waited = pause.wait_between_epochs(3, poll_seconds=0.01)
    assert 0.25 < waited < 5 and not path.exists()
    assert f"paused after epoch 3: remove {path} to continue" in "".join(capsys.readouterr())


def test_the_runner_waits_between_runs_while_the_pause_file_exists(tmp_path, monkeypatch):
    import time

    path = tmp_path / "pause"
    path.touch()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(path))
    waiter = threading.Thread(target=pause.wait_between_runs, kwargs={"poll_seconds": 0.01})
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive()  # still held
    path.unlink()
    waiter.join(timeout=2)
    assert not waiter.is_alive()
