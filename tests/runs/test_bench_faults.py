"""Faults of `fmnist-lab bench` (fmnist_lab.runs.bench): where it saves, what it refuses before timing
(rows a chapter reads, an unwritable target), and a Ctrl-C that saves nothing."""
import errno
import json

import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import ctrl_c, fail_writes_under, leftovers, one_error, one_interrupt_line, run_cli

from fmnist_lab.runs import bench, experiments
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
