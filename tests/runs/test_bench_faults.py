"""Faults of `fmnist-lab bench` (fmnist_lab.runs.bench): where it saves, what it refuses before timing
(rows a chapter reads, an unwritable target, an option that belongs to the other bench), far more
workers than cores capped with one warning, and a Ctrl-C that saves nothing."""
import errno
import json
from contextlib import nullcontext

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import CHAPTER, ctrl_c, fail_writes_under, leftovers, one_error, one_interrupt_line, run_cli

from fmnist_lab import cli
from fmnist_lab.runs import bench, executors, experiments
from fmnist_lab.runs.store import DEFAULT_ROOT


def test_ctrl_c_during_the_bench_saves_nothing(tmp_path, monkeypatch, capsys):

    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    monkeypatch.setattr(bench, "_torchvision_root", lambda: ctrl_c())
    code, _, err = run_cli(capsys, "bench", "--repeats", "1")
    assert code == 130 and not (tmp_path / "bench.json").exists() and leftovers(tmp_path) == []
    one_interrupt_line(err)


@pytest.fixture
def instant_bench(monkeypatch, tmp_path):
    """The bench's pipelines replaced by no-ops: only what it saves, and where, is under test."""
    timed = []
    monkeypatch.setattr(bench, "_torchvision_root", lambda: tmp_path / "tv")
    monkeypatch.setattr(bench, "_engine_epoch", lambda cfg, device: lambda: timed.append("engine"))
    monkeypatch.setattr(bench, "_classic_epoch", lambda root, augmented, device: lambda: timed.append("classic"))
    monkeypatch.setattr(bench, "_compute_epoch", lambda device: lambda: timed.append("compute"))
    return timed


def test_a_smoke_bench_saves_into_the_smoke_store(monkeypatch, capsys, tmp_path, instant_bench):
    monkeypatch.setattr(experiments, "_smoke_root", lambda: str(tmp_path / "smoke"))
    (tmp_path / "smoke").mkdir()
    code, out, _ = run_cli(capsys, "bench", "--profile", "smoke", "--repeats", "1")
    assert code == 0 and f"saved {tmp_path / 'smoke' / 'bench.json'}" in out
    assert set(json.loads((tmp_path / "smoke" / "bench.json").read_text())["rows"]) == {"plain"}


def test_a_bench_with_fmnist_store_saves_there(monkeypatch, capsys, tmp_path, instant_bench):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, out, _ = run_cli(capsys, "bench", "--repeats", "1", "--augmented")
    assert code == 0 and (tmp_path / "bench.json").is_file()


def test_a_bench_never_drops_rows_a_chapter_reads(monkeypatch, capsys, tmp_path, instant_bench):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    committed = (DEFAULT_ROOT / "bench.json").read_bytes()
    (tmp_path / "bench.json").write_bytes(committed)
    code, _, err = run_cli(capsys, "bench", "--repeats", "1")  # no --augmented: would lose those rows
    assert code == 2 and instant_bench == []  # refused before any timing
    one_error(err, str(tmp_path / "bench.json"), "augmented rows", "--augmented", "nothing was timed")
    assert (tmp_path / "bench.json").read_bytes() == committed


def test_an_unwritable_bench_target_is_refused_before_timing(monkeypatch, capsys, tmp_path, instant_bench):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    fail_writes_under(monkeypatch, tmp_path, errno.EROFS)
    code, _, err = run_cli(capsys, "bench", "--repeats", "1")
    assert code == 2 and instant_bench == []
    one_error(err, str(tmp_path / "bench.json"), "EROFS", "nothing was timed")


# ---- an option of the other bench is refused, not ignored -------------------------------------------
@pytest.fixture
def retrained(monkeypatch):
    """`bench --retrain` replaced by a recorder: (chapter, workers) of each call."""
    calls = []
    monkeypatch.setattr(cli, "retrain_throughput", lambda chapter, workers=2: calls.append((chapter, workers)))
    return calls


@pytest.mark.parametrize("argv, words", [
    (["--workers", "4"], "--workers applies only to `bench --retrain CHAPTER`"),
    (["--retrain", CHAPTER, "--repeats", "2"], "--repeats does not apply to `bench --retrain`"),
    (["--retrain", CHAPTER, "--augmented"], "--augmented does not apply to `bench --retrain`"),
], ids=["workers-without-retrain", "repeats-with-retrain", "augmented-with-retrain"])
def test_an_option_the_bench_asked_for_does_not_use_is_refused(monkeypatch, capsys, tmp_path, instant_bench, retrained,
                                                                 argv, words):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, out, err = run_cli(capsys, "bench", *argv)
    assert code == 2 and out == "" and instant_bench == [] and retrained == []
    one_error(err, words, "drop")
    assert not (tmp_path / "bench.json").exists()


def test_each_bench_still_takes_its_own_options(monkeypatch, capsys, tmp_path, instant_bench, retrained):
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    assert run_cli(capsys, "bench", "--retrain", CHAPTER, "--workers", "3", "--profile", "smoke")[0] == 0
    assert run_cli(capsys, "bench", "--retrain", CHAPTER)[0] == 0
    assert retrained == [(CHAPTER, 3), (CHAPTER, 2)]
    assert run_cli(capsys, "bench", "--repeats", "1", "--augmented")[0] == 0 and (tmp_path / "bench.json").is_file()


# ---- far more workers than cores ------------------------------------------------------------------
def test_bench_retrain_caps_far_more_workers_than_cores_with_one_warning(monkeypatch, capsys):
    made, handed = [], []
    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    monkeypatch.setattr(bench, "available_cores", lambda: 2)
    monkeypatch.setattr(bench, "LocalWorkers", lambda workers: made.append(workers) or nullcontext("pool"))
    monkeypatch.setattr(bench, "load", lambda: None)
    monkeypatch.setattr(bench, "ensure", lambda *args, executor=None, **kwargs: handed.append(executor))
    code, out, err = run_cli(capsys, "bench", "--retrain", "01_dataset", "--workers", "64", "--profile", "smoke")
    assert code == 0 and made == [2] and handed == [None, "pool"], err
    (line,) = err.strip().splitlines()
    assert line.startswith("warning: --workers 64 is more than the 2 core(s)") and "2 are used" in line, line
    assert "2 processes x 1 thread(s)" in out
