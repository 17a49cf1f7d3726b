"""Fault injection, kind "data" (fmnist_lab.engine.data): a wrong FMNIST_DATA_DIR, missing,
truncated, foreign, empty, altered and unreadable dataset files, a damaged cached copy beside a good
one, a failed download. Each ends in one `error:` line that names the file and the fix (or, for the
damaged cache, one warning and the good copy). Also: every single-byte flip of a compressed file (a
zlib error included, in this process and on workers), and data folders that cannot be searched."""
import errno
import gzip
import os
import struct
import sys
import types
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pytest

from fault_helpers import clean_environment, committed_store_unchanged  # noqa: F401  (autouse fixtures)
from fault_helpers import leftovers, one_error, run_cli, seeds, TINY

from fmnist_lab import cli
from fmnist_lab.engine import data as fdata
from fmnist_lab.engine.models import build_model
from fmnist_lab.runs import studies
from fmnist_lab.runs.store import Store


GOOD = fdata.locate(allow_download=False)  # the real files (the Debian package or the cache)


@pytest.fixture
def folder(tmp_path):
    """A data folder linking to the real files: a test replaces the one it damages."""
    for name in fdata.FILES.values():
        (tmp_path / name).symlink_to(GOOD / name)
    return tmp_path


def _replace(folder, key, data: bytes):
    path = folder / fdata.FILES[key]
    path.unlink()
    path.write_bytes(data)
    return path


def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def evaluate_needs_data(tmp_path, capsys):
    """`fmnist-lab evaluate` of a good checkpoint: a command that must read the whole dataset."""
    path = Store(tmp_path / "store").save_checkpoint(TINY, build_model(TINY))
    return lambda: run_cli(capsys, "evaluate", str(path))


# ---- FMNIST_DATA_DIR itself ---------------------------------------------------------------------
def test_a_data_dir_that_does_not_exist(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "nope"))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, f"{tmp_path / 'nope'} (from FMNIST_DATA_DIR) does not exist", "apt-get install -y dataset-fashion-mnist")


def test_a_data_dir_that_is_a_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "data").write_text("")
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path / "data"))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, "is a file, not a folder")


def test_a_data_dir_lacking_a_file(folder, monkeypatch, capsys):
    (folder / fdata.FILES["test_labels"]).unlink()
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, "lacks t10k-labels-idx1-ubyte.gz", "FMNIST_DATA_DIR")


def test_an_unreadable_data_dir_is_not_called_empty(folder, monkeypatch, capsys):
    real_listdir = os.listdir

    def listdir(path="."):
        if str(path) == str(folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_listdir(path)
    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    line = one_error(err, str(folder), "permission denied", "chmod a+rx")
    assert "lacks" not in line


# ---- damaged files (found when the data is read) --------------------------------------------------
@pytest.mark.parametrize("key, data, words", [
    ("train_images", None, "truncated"),  # None: the real file cut in half
    ("test_images", b"<html>404 Not Found</html>", "not a gzip file"),
    ("test_labels", b"", "too short to be an IDX file"),
    ("test_labels", gzip.compress(b"\x00\x00\x0c\x01" + bytes(20)), "bad magic number"),
    ("test_images", "fewer", "has shape (100, 28, 28), expected (10000, 28, 28)"),
    ("test_labels", "altered", "content checksum does not match"),
], ids=["truncated", "html", "empty", "bad-magic", "wrong-shape", "one-label-changed"])
def test_a_damaged_data_file(folder, monkeypatch, evaluate_needs_data, key, data, words):
    if data is None:
        data = (GOOD / fdata.FILES[key]).read_bytes()
        data = data[:len(data) // 2]
    elif data == "fewer":
        data = _idx(np.zeros((100, 28, 28)))
    elif data == "altered":
        labels = fdata.read_idx(GOOD / fdata.FILES[key]).copy()
        labels[0] = (labels[0] + 1) % 10
        data = _idx(labels)
    path = _replace(folder, key, data)
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, out, err = evaluate_needs_data()
    assert code == 2 and "test accuracy" not in out
    one_error(err, str(path), words, "apt-get install -y dataset-fashion-mnist")


def test_an_unreadable_data_file_gets_the_permission_remedy(folder, monkeypatch, evaluate_needs_data):
    target = folder / fdata.FILES["train_labels"]
    real_open = gzip.open

    def gzip_open(filename, *args, **kwargs):
        if str(filename) == str(target):
            raise PermissionError(errno.EACCES, "Permission denied", str(filename))
        return real_open(filename, *args, **kwargs)
    monkeypatch.setattr(gzip, "open", gzip_open)
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, _, err = evaluate_needs_data()
    assert code == 2
    line = one_error(err, str(target), "cannot be read (permission denied)", f"chmod a+r {target}")
    assert "truncated" not in line


def test_a_folder_in_place_of_a_data_file(folder, monkeypatch, evaluate_needs_data):
    target = folder / fdata.FILES["train_images"]
    target.unlink()
    target.mkdir()
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, _, err = evaluate_needs_data()
    assert code == 2
    one_error(err, str(target), "is a folder")


# ---- the default search: cache, Debian package, download ------------------------------------------
@pytest.fixture
def search(tmp_path, monkeypatch):
    """The default search order pointed at temporary folders: (cache raw folder, Debian folder)."""
    cache = tmp_path / "cache"
    raw = cache / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    debian = tmp_path / "debian"
    debian.mkdir()
    monkeypatch.setattr(fdata, "CACHE_DIR", cache)
    monkeypatch.setattr(fdata, "DEBIAN_DIR", debian)
    monkeypatch.setattr(fdata, "_DAMAGED", {})
    monkeypatch.setattr(fdata, "_WARNED", set())
    return raw, debian


def _link_all(target):
    for name in fdata.FILES.values():
        (target / name).symlink_to(GOOD / name)


def test_a_damaged_cached_copy_gives_way_to_a_good_one(search, monkeypatch, evaluate_needs_data):
    raw, _ = search
    _link_all(raw)
    _replace(raw, "train_images", b"\x1f\x8b damaged")
    debian = GOOD  # a good copy (already decoded in this process)
    monkeypatch.setattr(fdata, "DEBIAN_DIR", debian)
    code, out, err = evaluate_needs_data()
    assert code == 0 and "test accuracy" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: ignoring the damaged copy of Fashion-MNIST in {raw}")
    assert f"using {debian} instead" in lines[0] and f"delete {raw}" in lines[0]
    code, _, err = evaluate_needs_data()  # later loads in the same process stay quiet
    assert code == 0 and err == ""


def test_a_damaged_cached_copy_alone_is_an_error_that_names_it(search, evaluate_needs_data):
    raw, _ = search
    _link_all(raw)
    _replace(raw, "test_labels", b"")
    code, _, err = evaluate_needs_data()
    assert code == 2
    one_error(err, f"the copy of Fashion-MNIST in {raw} is damaged", "too short", "let torchvision download it again")


def test_a_failed_download_is_one_line(search, monkeypatch, evaluate_needs_data):
    class Offline:  # torchvision's dataset class, as it fails without a network
        def __init__(self, *args, **kwargs):
            raise RuntimeError("Error downloading train-images-idx3-ubyte.gz:\nTried http://...\nURLError")
    fake = types.ModuleType("torchvision.datasets")
    fake.FashionMNIST = Offline
    monkeypatch.setitem(sys.modules, "torchvision", types.ModuleType("torchvision"))
    monkeypatch.setitem(sys.modules, "torchvision.datasets", fake)
    code, _, err = evaluate_needs_data()
    assert code == 2
    one_error(err, "the torchvision download failed", "Error downloading train-images-idx3-ubyte.gz",
              "apt-get install -y dataset-fashion-mnist")


def test_a_data_error_while_training_is_one_line_and_trains_nothing(folder, monkeypatch, capsys, tmp_path):

    monkeypatch.setattr(studies, "book_chapters", lambda: ["02_baseline"])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: seeds(1))
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: [])
    path = _replace(folder, "train_labels", b"")
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    (tmp_path / "store").mkdir()
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and Store(tmp_path / "store").keys() == set()
    one_error(err, str(path), "too short")


# ---- one damaged byte inside the compressed data; folders that cannot be searched -----------------
def _flipped(key: str, offset: int) -> bytes:
    data = bytearray((GOOD / fdata.FILES[key]).read_bytes())
    data[offset] ^= 0xFF
    return bytes(data)


def _zlib_error_offset(key: str) -> int:
    """The first offset past the gzip header where a flipped byte makes zlib itself fail."""
    for offset in range(20, 400):
        try:
            zlib.decompress(_flipped(key, offset)[10:], wbits=-15)
        except zlib.error:
            return offset
    raise AssertionError("no flip breaks the deflate stream")


def test_every_single_byte_flip_is_a_data_error_that_names_the_file(folder):
    path = _replace(folder, "test_labels", (GOOD / fdata.FILES["test_labels"]).read_bytes())
    data = path.read_bytes()
    size = len(data)
    # bytes 4-9 (time stamp, flags for the compressor, OS) and the stored file name change nothing
    harmless = {*range(4, 10), *(range(10, data.index(b"\0", 10) + 1) if data[3] & 0x08 else [])}
    for offset in [*range(0, 64), *range(64, size, max(1, size // 64)), size - 8, size - 1]:
        if offset in harmless:
            continue
        path.write_bytes(_flipped("test_labels", offset))
        try:
            fdata.read_idx(path)
            fdata._verify("test_labels", fdata.read_idx(path), path)
        except fdata.DatasetError as exc:
            assert str(path) in str(exc) and "apt-get install" in str(exc), exc
        else:
            pytest.fail(f"a flip at byte {offset} went unnoticed")


def test_a_corrupt_byte_in_the_deflate_stream_is_one_error_line(folder, monkeypatch, evaluate_needs_data):
    path = _replace(folder, "test_labels", _flipped("test_labels", _zlib_error_offset("test_labels")))
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, out, err = evaluate_needs_data()
    assert code == 2 and "test accuracy" not in out
    one_error(err, str(path), "corrupt", "apt-get install -y dataset-fashion-mnist")
    assert "zlib" not in err


def test_a_corrupt_data_file_under_workers_names_the_file(folder, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(studies, "book_chapters", lambda: ["02_baseline"])
    monkeypatch.setattr(studies, "chapter_configs", lambda chapter: seeds(2))
    monkeypatch.setattr(studies, "checkpointed_configs", lambda chapter: [])
    monkeypatch.setattr(cli, "open_executor", lambda workers=None, scheduler=None: _threads())
    path = _replace(folder, "train_labels", _flipped("train_labels", _zlib_error_offset("train_labels")))
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    monkeypatch.setenv("FMNIST_STORE", str(tmp_path / "store"))
    (tmp_path / "store").mkdir()
    code, _, err = run_cli(capsys, "run", "--workers", "2")
    assert code == 2 and Store(tmp_path / "store").keys() == set()
    line = one_error(err, str(path), "corrupt", "(on worker ", "apt-get install -y dataset-fashion-mnist")
    assert line.count("apt-get") == 1 and "failed:" not in err and leftovers(tmp_path / "store") == []


@contextmanager
def _threads():
    with ThreadPoolExecutor(2) as pool:
        yield pool


def _deny_stat_under(monkeypatch, blocked):
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(blocked) + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)
    monkeypatch.setattr(os, "stat", stat)


def test_a_data_dir_without_search_permission(folder, monkeypatch, capsys):
    _deny_stat_under(monkeypatch, folder)  # as `chmod a-x` does for anyone but root: names listed, none opened
    monkeypatch.setenv("FMNIST_DATA_DIR", str(folder))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, str(folder), "cannot be searched", f"chmod a+rx {folder}")


def test_a_data_dir_inside_a_folder_without_search_permission(tmp_path, monkeypatch, capsys):
    inner = tmp_path / "locked" / "data"
    inner.mkdir(parents=True)
    _deny_stat_under(monkeypatch, tmp_path / "locked")
    monkeypatch.setenv("FMNIST_DATA_DIR", str(inner))
    code, _, err = run_cli(capsys, "status")
    assert code == 2
    one_error(err, str(inner), "cannot be searched", "chmod a+rx")
