"""Fault injection, kind "CLI" (fmnist_lab.cli): bad arguments and environment values. Each is an
`error:` line with exit status 2 that says what to do, and nothing runs; --help says what
everything does. Also: empty values refused rather than taken as unset, a pause file that is a
folder, and the retry command printed after a failure keeping --profile, --workers, --scheduler."""
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import CHAPTER, ctrl_c, ENVIRONMENT, fake_task, one_error, run_cli, seeds, TINY, tiny_book, Trainer

from fmnist_lab import cli
from fmnist_lab.engine import pause
from fmnist_lab.runs import executors, experiments, studies


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A tiny book (three runs) and an empty store for it; returns the trainer."""
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    return tiny_book(monkeypatch, seeds(3))


# ---- `run --key` and `--chapter` ------------------------------------------------------------------
def test_a_key_no_chapter_has_is_an_error_not_a_silent_success(book, capsys):
    code, out, err = run_cli(capsys, "run", "--key", "0123456789abcdef")
    assert code == 2 and book.trained == []
    one_error(err, "no run with key 0123456789abcdef", "full profile", "fmnist-lab status -v")


def test_a_malformed_key(book, capsys):
    code, _, err = run_cli(capsys, "run", "--key", "abc")
    assert code == 2 and book.trained == []
    one_error(err, "'abc' is not a run key", "16 hex digits", "fmnist-lab run --help")


def test_a_key_from_another_chapter(book, monkeypatch, capsys):
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: seeds(3) if chapter == CHAPTER else [TINY.replace(lr=0.5)])
    code, _, err = run_cli(capsys, "run", "--chapter", "03_depth_width", "--key", seeds(3)[1].key())
    assert code == 2 and book.trained == []
    one_error(err, f"no run with key {seeds(3)[1].key()} in chapter 03_depth_width")


def test_a_known_key_trains_only_that_run(book, capsys):
    code, _, _ = run_cli(capsys, "run", "--key", seeds(3)[2].key())
    assert code == 0 and book.trained == [seeds(3)[2].key()]


@pytest.mark.parametrize("command", ["status", "run"])
def test_an_unknown_chapter(book, capsys, command):
    code, _, err = run_cli(capsys, command, "--chapter", "99_x")
    assert code == 2
    one_error(err, "unknown chapter '99_x'", "choose from 01_dataset")


# ---- environment variables ------------------------------------------------------------------------
@pytest.mark.parametrize("name, value, words", [
    ("FMNIST_PROFILE", "huge", "FMNIST_PROFILE='huge' is not a profile"),
    ("FMNIST_PROGRESS", "yes", "FMNIST_PROGRESS='yes' is not understood"),
    ("FMNIST_PROGRESS", "False", "FMNIST_PROGRESS='False' is not understood"),  # was read as "on"
    ("FMNIST_NO_TRAIN", "false", "FMNIST_NO_TRAIN='false' is not understood"),  # was read as "set"
    ("FMNIST_PAUSE_FILE", "/no/such/folder/pause", "its folder does not exist"),
])
def test_an_invalid_environment_value(book, monkeypatch, capsys, name, value, words):
    monkeypatch.setenv(name, value)
    for command in ("status", "run"):
        code, _, err = run_cli(capsys, command)
        assert code == 2
        one_error(err, words)
    assert book.trained == []


def test_no_train_with_runs_missing_is_an_error_line(book, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_NO_TRAIN", "1")
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and book.trained == []
    one_error(err, "3 run(s) are not in the store", "FMNIST_NO_TRAIN is set", "unset FMNIST_NO_TRAIN")


def test_profile_option_lasts_for_the_command_only(book, capsys):
    assert run_cli(capsys, "status", "--profile", "smoke")[0] == 1
    assert "FMNIST_PROFILE" not in os.environ


# ---- argument syntax ------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, words", [
    ([], "the following arguments are required: COMMAND"),
    (["train"], "invalid choice: 'train'"),
    (["status", "--loud"], "unrecognized arguments: --loud"),
    (["evaluate"], "the following arguments are required: checkpoint"),
    (["evaluate", "x.pt", "--profile", "smoke"], "unrecognized arguments: --profile smoke"),  # it does nothing there
    (["bench", "--repeats", "0"], "--repeats: '0' is not a positive whole number"),  # was a traceback after timing
    (["bench", "--repeats", "many"], "--repeats: 'many' is not a positive whole number"),
    (["run", "--profile", "fast"], "argument --profile: invalid choice: 'fast'"),
], ids=["no-command", "unknown-command", "unknown-option", "missing-path", "profile-on-evaluate",
        "zero-repeats", "word-repeats", "unknown-profile"])
def test_bad_arguments_are_one_line(book, capsys, argv, words):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and book.trained == []
    one_error(err, words, "--help")


# ---- help -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["status", "run", "evaluate", "leaderboard", "bench"])
def test_help_says_what_everything_does(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    parser = cli.build_parser()._subparsers._group_actions[0].choices[command]
    for action in parser._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help text"
    for name in ENVIRONMENT:
        assert name in text
    assert "exit status:" in text and all(f"  {code} " in text for code in (0, 2, 130))
    has_chapters = command in ("status", "run")
    assert all(chapter in text for chapter in studies.CHAPTERS) == has_chapters
    offers_profile = any("--profile" in action.option_strings for action in parser._actions)
    assert offers_profile == (command != "evaluate")  # evaluate reads neither profile nor store


# ---- empty values are not "unset"; a pause file that is a folder ---------------------------------
@pytest.mark.parametrize("name", ["FMNIST_STORE", "FMNIST_DATA_DIR", "FMNIST_PAUSE_FILE"])
def test_an_empty_environment_value_is_refused_not_taken_as_unset(book, monkeypatch, capsys, name):
    monkeypatch.setenv(name, "")
    for command in ("status", "run", "leaderboard"):
        code, _, err = run_cli(capsys, command)
        assert code == 2, err
        one_error(err, f"{name} is set but empty", f"unset {name}")
    assert book.trained == []


def test_an_empty_store_variable_never_falls_back_to_the_committed_store(monkeypatch):
    monkeypatch.setenv("FMNIST_STORE", "")
    with pytest.raises(experiments.SettingError, match="FMNIST_STORE is set but empty"):
        experiments.current_store()


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_is_refused_not_trained_here(book, capsys, address):
    code, _, err = run_cli(capsys, "run", "--scheduler", address)
    assert code == 2 and book.trained == []
    one_error(err, "argument --scheduler", "an empty address", "tcp://HOST:8786")


def test_a_pause_file_that_is_a_folder_is_an_error_not_an_endless_pause(book, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "pause"
    folder.mkdir()
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(folder))
    monkeypatch.setattr(pause.time, "sleep", lambda seconds: pytest.fail("paused for a folder"))
    code, out, err = run_cli(capsys, "run")
    assert code == 2 and book.trained == [] and "paused" not in out
    one_error(err, f"FMNIST_PAUSE_FILE={folder} is a folder", f"rmdir {folder}")


def test_a_pause_file_made_a_folder_while_running_is_an_error(book, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "pause"
    monkeypatch.setenv("FMNIST_PAUSE_FILE", str(folder))
    real_wait = experiments.wait_between_runs

    def made_a_folder():  # after the checks at start, before the first run
        folder.mkdir(exist_ok=True)
        real_wait()
    monkeypatch.setattr(experiments, "wait_between_runs", made_a_folder)
    monkeypatch.setattr(pause.time, "sleep", lambda seconds: pytest.fail("paused for a folder"))
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and book.trained == []
    one_error(err, f"FMNIST_PAUSE_FILE={folder} is a folder")


# ---- the command printed after a failure keeps the options that say where and how to train -------
@contextmanager
def _thread_pool(workers=None, scheduler=None):
    with ThreadPoolExecutor(2) as pool:
        yield pool


@pytest.mark.parametrize("options", [["--profile", "smoke", "--workers", "2"], ["--scheduler", "tcp://127.0.0.1:1"]])
def test_the_retry_command_after_a_forced_failure_keeps_profile_and_workers(book, monkeypatch, capsys, options):
    cfgs = seeds(3)
    monkeypatch.setattr(cli, "open_executor", _thread_pool)
    monkeypatch.setattr(executors, "train_task", fake_task({cfgs[1].key(): ValueError("bad")}))
    code, _, err = run_cli(capsys, "run", "--force", *options)
    assert code == 3, err
    kept = " ".join(options)
    assert err.strip().splitlines()[-1] == f"fix the cause, then `fmnist-lab run --force {kept} --key {cfgs[1].key()}` retrains them"


def test_the_resume_command_after_an_interrupted_forced_retrain_keeps_the_profile(book, monkeypatch, capsys):
    cfgs = seeds(3)
    tiny_book(monkeypatch, cfgs, trainer=Trainer(fault_at=1, fault=ctrl_c))
    code, _, err = run_cli(capsys, "run", "--force", "--profile", "smoke")
    assert code == 130
    assert f"`fmnist-lab run --force --profile smoke --key {cfgs[1].key()} --key {cfgs[2].key()}` retrains" in err
