"""Fault injection, kind "checkpoints" (fmnist_lab.engine.checkpoints): missing, empty, truncated,
random, malicious, edited, swapped, wrong-architecture and wrong-engine checkpoint files, for
`evaluate` and for a taught run's teacher. Every one is refused in one line; none is loaded with
weights_only=False."""
import io
import os
import pickle

import pytest
import torch

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import one_error, run_cli, TINY, tiny_book

from fmnist_lab.engine.checkpoints import CheckpointError, load_checkpoint
from fmnist_lab.engine.models import build_model
from fmnist_lab.runs.store import DEFAULT_ROOT, Store


@pytest.fixture
def saved(tmp_path):
    """A good checkpoint of TINY in a temporary store: (path, its payload)."""
    torch.manual_seed(0)
    path = Store(tmp_path).save_checkpoint(TINY, build_model(TINY))
    return path, torch.load(path, weights_only=True)


def _refused(capsys, path, *fragments):
    code, out, err = run_cli(capsys, "evaluate", str(path))
    assert code == 2 and "test accuracy" not in out
    line = one_error(err, str(path), *fragments)
    assert "weights_only=False" not in line and "weights_only` set to `False" not in line
    return line


def test_a_missing_checkpoint(tmp_path, capsys):
    _refused(capsys, tmp_path / "0123456789abcdef.pt", "no checkpoint at", "fmnist-lab run")


def test_a_folder_given_as_checkpoint(tmp_path, capsys):
    _refused(capsys, tmp_path, "is a folder")


def test_an_empty_checkpoint(saved, capsys):
    path, _ = saved
    path.write_bytes(b"")
    _refused(capsys, path, "is empty", f"--key {TINY.key()}")


def test_a_truncated_checkpoint(saved, capsys):
    path, _ = saved
    path.write_bytes(path.read_bytes()[:300])
    _refused(capsys, path, "truncated or corrupt", f"fmnist-lab run --force --key {TINY.key()}")


def test_random_bytes(saved, capsys):
    path, _ = saved
    path.write_bytes(os.urandom(4000))
    _refused(capsys, path)


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("container", ["torch.save", "pickle"])
def test_a_malicious_checkpoint_is_refused_and_never_run(saved, tmp_path, capsys, container):
    path, payload = saved
    marker = tmp_path / "code-ran"
    evil = dict(payload, config=_RunsCode(marker))
    if container == "torch.save":
        buffer = io.BytesIO()
        torch.save(evil, buffer)
        path.write_bytes(buffer.getvalue())
    else:
        path.write_bytes(pickle.dumps(evil))
    _refused(capsys, path)
    assert not marker.exists()


def test_a_file_that_is_not_a_checkpoint_of_this_project(saved, capsys):
    path, payload = saved
    torch.save(list(payload["state_dict"].values()), path)
    _refused(capsys, path, "not a checkpoint of this project")


def test_an_edited_configuration_is_refused(saved, capsys):
    path, payload = saved
    payload["config"]["lr"] = 0.5  # same shapes, a different run
    torch.save(payload, path)
    _refused(capsys, path, f"run {TINY.key()}", f"stored configuration is run {TINY.replace(lr=0.5).key()}",
             "edited or swapped")


def test_an_edited_configuration_with_the_key_removed_is_refused_by_its_name(saved, capsys):
    path, payload = saved
    payload["config"]["lr"] = 0.5
    del payload["key"]  # as in the committed checkpoints, which predate the stored key
    torch.save(payload, path)
    _refused(capsys, path, "its file name says run", "edited or swapped")


def test_an_edited_configuration_in_a_copy_filed_under_its_key_is_refused(saved, capsys):
    path, payload = saved
    payload["config"]["lr"] = 0.5
    del payload["key"]
    copy = path.with_name(f"{path.name}.bak")  # `<key>.pt.bak`: still filed under the run's key
    torch.save(payload, copy)
    _refused(capsys, copy, f"its file name says run {TINY.key()}", "edited or swapped")


def test_an_edited_configuration_reached_through_a_link_is_refused(saved, capsys):
    path, payload = saved
    payload["config"]["lr"] = 0.5
    del payload["key"]  # as in the committed checkpoints: only the name it is filed under can tell
    torch.save(payload, path)
    link = path.with_name("best.pt")
    link.symlink_to(path.name)
    line = _refused(capsys, link, f"the name of the file it links to ({path}) says run {TINY.key()}",
                    f"stored configuration is run {TINY.replace(lr=0.5).key()}", "edited or swapped")
    assert f"git checkout -- {path}," in line


def test_a_good_checkpoint_reached_through_a_link_still_loads(saved):
    path, _ = saved
    link = path.with_name("best.pt")
    link.symlink_to(path.name)
    assert load_checkpoint(link)[1] == TINY


def test_a_checkpoint_copied_under_another_runs_name(saved, capsys):
    path, _ = saved
    other = path.with_name(f"{TINY.replace(seed=1).key()}.pt")
    other.write_bytes(path.read_bytes())
    _refused(capsys, other, f"its file name says run {TINY.replace(seed=1).key()}", f"is run {TINY.key()}")


def test_weights_of_another_architecture(saved, capsys):
    path, payload = saved
    payload["state_dict"] = build_model(TINY.replace(hidden=(16,))).state_dict()
    torch.save(payload, path)
    _refused(capsys, path, "weights do not fit", "1.weight is (16, 784), the configuration builds (8, 784)")


def test_an_architecture_edit_consistent_with_its_name_still_fails_on_shapes(saved, tmp_path, capsys):
    path, payload = saved
    edited = TINY.replace(hidden=(16,))
    payload["config"], payload["key"] = edited.to_dict(), edited.key()
    renamed = path.with_name(f"{edited.key()}.pt")
    torch.save(payload, renamed)
    _refused(capsys, renamed, "weights do not fit", "(8, 784), the configuration builds (16, 784)")


def test_a_checkpoint_of_another_engine_version(saved, capsys):
    path, payload = saved
    payload["engine_version"] = "0"
    torch.save(payload, path)
    _refused(capsys, path, "engine version '0'", "retrain")


def test_an_invalid_configuration(saved, capsys):
    path, payload = saved
    payload["config"]["colour"] = "red"
    torch.save(payload, path)
    _refused(capsys, path, "invalid configuration", "colour")


# ---- a taught run's teacher, checked before anything trains --------------------------------------
def test_a_missing_teacher_stops_the_run_before_training(tmp_path, monkeypatch, capsys):
    student = TINY.replace(teacher="0123456789abcdef")
    trainer = tiny_book(monkeypatch, [TINY, student])
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and trainer.trained == []
    one_error(err, "teacher checkpoint", "0123456789abcdef.pt is missing", "fmnist-lab run --chapter 10_best")


def test_a_corrupt_teacher_stops_the_run_before_training(tmp_path, monkeypatch, capsys):
    teacher = TINY.replace(seed=7)
    path = Store(tmp_path).checkpoint_path(teacher.key())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x04not a checkpoint")
    trainer = tiny_book(monkeypatch, [TINY, TINY.replace(teacher=teacher.key())])
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path))
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and trainer.trained == []
    one_error(err, str(path))


# ---- what must keep working ----------------------------------------------------------------------
def test_the_committed_checkpoints_pass_every_check():
    paths = sorted((DEFAULT_ROOT / "checkpoints").glob("*.pt"))
    assert paths
    for path in paths:
        _, cfg = load_checkpoint(path)
        assert cfg.key() == path.stem


def test_a_good_checkpoint_still_evaluates(saved, capsys):
    path, _ = saved
    code, out, err = run_cli(capsys, "evaluate", str(path))
    assert code == 0 and out.strip().splitlines()[-1].startswith("test accuracy: ") and err == ""


def test_a_renamed_good_checkpoint_is_checked_by_its_stored_key(saved, capsys):
    path, _ = saved
    path.rename(path.with_name("best.pt"))
    model, cfg = load_checkpoint(path.with_name("best.pt"))
    assert cfg == TINY
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


@pytest.mark.parametrize("seed", range(12))
def test_any_random_bytes_are_refused_in_one_line(saved, capsys, seed):
    """Random content reaches different corners of the unpickler; every one must end in one line."""
    import random

    path, _ = saved
    path.write_bytes(random.Random(seed).randbytes(4000))
    _refused(capsys, path)


@pytest.mark.parametrize("poison", ["all-nan", "one-inf"])
def test_a_checkpoint_whose_weights_are_not_finite_is_refused(saved, capsys, poison):
    path, payload = saved
    name = next(iter(payload["state_dict"]))
    if poison == "all-nan":
        payload["state_dict"] = {k: torch.full_like(v, float("nan")) for k, v in payload["state_dict"].items()}
    else:
        payload["state_dict"][name].view(-1)[0] = float("inf")
    torch.save(payload, path)
    _refused(capsys, path, "NaN or infinite", name, f"fmnist-lab run --force --key {TINY.key()}")
