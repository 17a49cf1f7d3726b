"""The real Fashion-MNIST (fmnist_lab.engine.data): found, decoded, verified and split."""
import gzip
import shutil
import struct

import numpy as np
import pytest
import torch

from fmnist_lab.engine import data as fdata


@pytest.fixture
def copied(tmp_path):
    """A private copy of the real dataset files that a test may damage."""
    source = fdata.locate(allow_download=False)
    for name in fdata.FILES.values():
        shutil.copy(source / name, tmp_path / name)
    return tmp_path


def test_real_data_shapes_and_balance():
    d = fdata.load(allow_download=False)
    assert d.train_images.shape == (50000, 28, 28) and d.train_images.dtype == torch.uint8
    assert d.val_images.shape == (10000, 28, 28) and d.test_images.shape == (10000, 28, 28)
    assert torch.bincount(d.train_labels).tolist() == [5000] * 10
    assert torch.bincount(d.val_labels).tolist() == [1000] * 10
    assert torch.bincount(d.test_labels).tolist() == [1000] * 10
    assert 0.28 < d.pixel_mean < 0.29 and 0.35 < d.pixel_std < 0.36


def test_split_is_disjoint_stratified_and_fixed():
    labels = torch.from_numpy(fdata.read_idx(fdata.locate(allow_download=False) / fdata.FILES["train_labels"]).copy()).long()
    train, val = fdata.stratified_split(labels, fdata.VAL_PER_CLASS)
    assert len(set(train.tolist()) & set(val.tolist())) == 0
    assert len(train) + len(val) == 60000
    assert torch.bincount(labels[val]).tolist() == [1000] * 10
    again_train, again_val = fdata.stratified_split(labels, fdata.VAL_PER_CLASS)
    assert torch.equal(val, again_val) and torch.equal(train, again_train)


def test_explicit_directory_is_used(copied, monkeypatch):
    monkeypatch.setenv("FMNIST_DATA_DIR", str(copied))
    assert fdata.locate() == copied


def test_missing_file_names_it_and_the_remedies(copied, monkeypatch):
    (copied / fdata.FILES["test_labels"]).unlink()
    monkeypatch.setenv("FMNIST_DATA_DIR", str(copied))
    with pytest.raises(fdata.DatasetError) as err:
        fdata.locate()
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert "apt-get install -y dataset-fashion-mnist" in message and "FMNIST_DATA_DIR" in message


def test_truncated_file_gives_clear_error(copied):
    path = copied / fdata.FILES["train_images"]
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(fdata.DatasetError, match="train-images-idx3-ubyte.gz.*truncated"):
        fdata.load(str(copied), allow_download=False)


def test_not_gzip_gives_clear_error(copied):
    (copied / fdata.FILES["test_images"]).write_bytes(b"<html>404 not found</html>")
    with pytest.raises(fdata.DatasetError, match="t10k-images-idx3-ubyte.gz"):
        fdata.load(str(copied), allow_download=False)


def test_altered_content_fails_the_checksum(copied):
    path = copied / fdata.FILES["test_labels"]
    labels = fdata.read_idx(path).copy()
    labels[0] = (labels[0] + 1) % 10  # one wrong label, file otherwise perfectly valid
    with gzip.open(path, "wb") as fh:
        fh.write(struct.pack(">HBBI", 0, 8, 1, len(labels)) + labels.tobytes())
    with pytest.raises(fdata.DatasetError, match="checksum"):
        fdata.load(str(copied), allow_download=False)


def test_read_idx_rejects_wrong_length(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(struct.pack(">HBBI", 0, 8, 1, 10) + np.zeros(9, np.uint8).tobytes())
    with pytest.raises(fdata.DatasetError, match="expected 10"):
        fdata.read_idx(path)


def test_nothing_found_without_download_explains(monkeypatch, tmp_path):
    monkeypatch.delenv("FMNIST_DATA_DIR", raising=False)
    monkeypatch.setattr(fdata, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(fdata, "DEBIAN_DIR", tmp_path / "none")
    with pytest.raises(fdata.DatasetError, match="not found"):
        fdata.locate(allow_download=False)


def test_nearest_distance_matches_brute_force_and_finds_twins():
    from fmnist_lab.engine.data import nearest_distance
    generator = torch.Generator().manual_seed(0)
    refs = torch.randint(0, 256, (300, 28, 28), dtype=torch.uint8, generator=generator)
    queries = torch.cat([refs[:5], torch.randint(0, 256, (40, 28, 28), dtype=torch.uint8, generator=generator)])
    expected = torch.cdist(queries.reshape(45, -1).double() / 255, refs.reshape(300, -1).double() / 255).min(1).values
    got = nearest_distance(queries, refs, chunk=7)
    assert torch.allclose(got.double(), expected, atol=2e-2)  # float32 |q|^2 - 2qr + |r|^2 cancels near 0
    assert torch.all(got[:5] < 2e-2) and torch.all(got[5:] > 5)  # exact twins vs unrelated noise
