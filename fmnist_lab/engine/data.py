"""The real Fashion-MNIST, found, decoded, verified and split.

Search order for the four original IDX `.gz` files: an explicit directory (argument or
`FMNIST_DATA_DIR`), the local cache, Debian's `dataset-fashion-mnist` package, and last a
torchvision download into the cache. Decoded arrays are checked against known content
checksums, so a truncated or altered file can never silently become "the dataset".
"""
from __future__ import annotations

import gzip
import hashlib
import os
import struct
import warnings
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import torch

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
SHAPES = {"train_images": (60000, 28, 28), "train_labels": (60000,),
          "test_images": (10000, 28, 28), "test_labels": (10000,)}
# sha256 of the decoded uint8 content (not of the .gz, which depends on the compressor).
CONTENT_SHA256 = {
    "train_images": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    "train_labels": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    "test_images": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    "test_labels": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fmnist_lab"
VAL_PER_CLASS = 1000  # 10k validation images, stratified: 1000 of each class
SPLIT_SEED = 20240611  # fixed forever: every run sees the same train/validation split

REMEDIES = (
    "fix: install the Debian package (apt-get install -y dataset-fashion-mnist), or point FMNIST_DATA_DIR at a "
    "folder holding the four original .gz files (" + ", ".join(FILES.values()) + "), or, with internet, "
    f"delete {CACHE_DIR} and let torchvision download it again"
)


class DatasetError(RuntimeError):
    """The dataset could not be found or failed its integrity check (one line: what, where, the fix)."""

    def __init__(self, problem: str, remedy: str = REMEDIES):
        super().__init__(f"{problem}; {remedy}")
        self.problem, self.remedy = problem, remedy

    def __reduce__(self):  # as it was made: a worker's error arrives whole in the submitting process
        return type(self), (self.problem, self.remedy)


# Default folders whose copy failed its check in this process: the search skips them.
_DAMAGED: dict[Path, str] = {}
_WARNED: set[Path] = set()


def read_idx(path: Path) -> np.ndarray:
    """Decode one gzipped IDX file into a uint8 array, with errors that name the file."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise DatasetError(f"{path} does not exist") from None
    except PermissionError:
        raise DatasetError(f"{path} cannot be read (permission denied)",
                           f"make it readable (chmod a+r {path}) or point FMNIST_DATA_DIR at a readable copy") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder, not a .gz file") from None
    except (OSError, EOFError, zlib.error) as exc:  # zlib.error: a damaged byte inside the compressed data
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DatasetError(f"{path} is truncated, corrupt or not a gzip file ({reason})") from None
    if len(raw) < 8:
        raise DatasetError(f"{path} is too short to be an IDX file")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
        raise DatasetError(f"{path} is not a uint8 IDX file (bad magic number)")
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    body = raw[4 + 4 * ndim:]
    if len(body) != int(np.prod(dims)):
        raise DatasetError(f"{path} holds {len(body)} bytes of data, expected {int(np.prod(dims))}: "
                           "it is truncated or corrupt")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _verify(name: str, array: np.ndarray, path: Path) -> None:
    if array.shape != SHAPES[name]:
        raise DatasetError(f"{path} has shape {array.shape}, expected {SHAPES[name]}")
    digest = hashlib.sha256(array.tobytes()).hexdigest()
    if digest != CONTENT_SHA256[name]:
        raise DatasetError(f"{path} decodes but its content checksum does not match Fashion-MNIST "
                           f"(got {digest[:12]}…, expected {CONTENT_SHA256[name][:12]}…); "
                           "the file is corrupt or a different dataset")


def _has_all(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FILES.values())


def _torchvision_download() -> Path:
    """Last resort for users with internet: torchvision's mirror list, into our cache."""
    from torchvision.datasets import FashionMNIST  # lazy: torchvision is needed only for this fallback

    try:
        FashionMNIST(root=str(CACHE_DIR), train=True, download=True)
        FashionMNIST(root=str(CACHE_DIR), train=False, download=True)
    except Exception as exc:  # network errors come in many types
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatasetError(f"Fashion-MNIST was not found locally and the torchvision download failed ({reason})") from None
    return CACHE_DIR / "FashionMNIST" / "raw"


def _unsearchable(folder: Path, where: str, exc: OSError) -> DatasetError:
    blocked = exc.filename or folder
    return DatasetError(f"{where} cannot be searched ({blocked}: permission denied)",
                        f"make it searchable (chmod a+rx {blocked}) or point FMNIST_DATA_DIR at a readable copy")


def _explicit_folder(folder: Path, origin: str) -> Path:
    """`folder` if it holds the four files, else a DatasetError that says exactly what is wrong."""
    where = f"{folder} (from {origin})"
    try:
        if not folder.exists():
            raise DatasetError(f"{where} does not exist")
        if not folder.is_dir():
            raise DatasetError(f"{where} is a file, not a folder")
    except PermissionError as exc:  # a folder above it may not be entered
        raise _unsearchable(folder, where, exc) from None
    try:
        present = set(os.listdir(folder))
    except PermissionError:
        raise DatasetError(f"{where} cannot be read (permission denied)",
                           f"make it readable (chmod a+rx {folder}) or point FMNIST_DATA_DIR at a readable copy") from None
    missing = [f for f in FILES.values() if f not in present]
    if missing:
        raise DatasetError(f"{where} lacks {', '.join(missing)}")
    try:
        for name in FILES.values():
            os.stat(folder / name)  # names listed, but a folder without search permission opens none of them
    except PermissionError as exc:
        raise _unsearchable(folder, where, exc) from None
    except OSError:
        pass  # a dangling link, say: reading the file says what is wrong with it
    return folder


def locate(data_dir: str | Path | None = None, allow_download: bool = True) -> Path:
    """The folder holding the four .gz files, by the documented search order.

    An explicit folder is used as it is (a damaged file there is an error). Of the default
    folders, one whose copy fails its check is skipped with a warning, so that a corrupt cached
    copy does not hide a good one in the Debian package.
    """
    explicit = data_dir or os.environ.get("FMNIST_DATA_DIR")
    if explicit:
        return _explicit_folder(Path(explicit), "argument" if data_dir else "FMNIST_DATA_DIR")
    for folder in (CACHE_DIR / "FashionMNIST" / "raw", DEBIAN_DIR):
        try:
            if not _has_all(folder) or folder in _DAMAGED:
                continue
        except PermissionError as exc:
            _DAMAGED[folder] = f"{exc.filename or folder} cannot be searched (permission denied: chmod a+rx it)"
            continue
        try:
            _load_folder(str(folder))
        except DatasetError as exc:
            _DAMAGED[folder] = exc.problem
            continue
        for damaged in set(_DAMAGED) - _WARNED:
            warnings.warn(f"ignoring the damaged copy of Fashion-MNIST in {damaged} ({_DAMAGED[damaged]}); using "
                          f"{folder} instead: delete {damaged} to stop this warning", stacklevel=2)
            _WARNED.add(damaged)
        return folder
    if _DAMAGED:
        damaged, problem = next(iter(_DAMAGED.items()))
        raise DatasetError(f"the copy of Fashion-MNIST in {damaged} is damaged ({problem})")
    if not allow_download:
        raise DatasetError(f"Fashion-MNIST was not found in {CACHE_DIR} or {DEBIAN_DIR}")
    return _torchvision_download()


@dataclass(frozen=True)
class FashionMNIST:
    """The whole dataset as uint8 tensors: images (N, 28, 28), labels (N,)."""

    train_images: torch.Tensor  # the 50k training split
    train_labels: torch.Tensor
    val_images: torch.Tensor  # the 10k validation split (for model selection)
    val_labels: torch.Tensor
    test_images: torch.Tensor  # the official 10k test set (for selected models only)
    test_labels: torch.Tensor
    source: str

    @cached_property  # read by every evaluation's input scaling: computed once per loaded dataset
    def pixel_mean(self) -> float:
        """Mean pixel in [0, 1], computed from the training split only."""
        return float(self.train_images.double().mean() / 255)

    @cached_property
    def pixel_std(self) -> float:
        return float((self.train_images.double() / 255).std())


def stratified_split(labels: torch.Tensor, per_class: int, seed: int = SPLIT_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, val): `per_class` random images of every class go to validation."""
    generator = torch.Generator().manual_seed(seed)
    val_parts = []
    for c in range(int(labels.max()) + 1):
        members = torch.nonzero(labels == c).flatten()
        val_parts.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    val = torch.cat(val_parts).sort().values
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[val] = False
    return torch.nonzero(mask).flatten(), val


def test_subset(data: FashionMNIST, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random subset of `n` test images (uint8, N × 28 × 28, in test-set order; the whole
    test set if `n` is at least its size) and their labels: the same images on every call."""
    keep = torch.arange(len(data.test_labels))
    if n < len(keep):
        keep = torch.randperm(len(keep), generator=torch.Generator().manual_seed(seed))[:n].sort().values
    return data.test_images[keep], data.test_labels[keep]


def load(data_dir: str | None = None, allow_download: bool = True) -> FashionMNIST:
    """Load, verify and split Fashion-MNIST (cached per process and folder)."""
    return _load_folder(str(locate(data_dir, allow_download)))


@lru_cache(maxsize=4)
def _load_folder(folder_name: str) -> FashionMNIST:
    folder = Path(folder_name)
    arrays = {}
    for name, filename in FILES.items():
        array = read_idx(folder / filename)
        _verify(name, array, folder / filename)
        arrays[name] = torch.from_numpy(array.copy())
    train_idx, val_idx = stratified_split(arrays["train_labels"], VAL_PER_CLASS)
    return FashionMNIST(
        train_images=arrays["train_images"][train_idx], train_labels=arrays["train_labels"][train_idx].long(),
        val_images=arrays["train_images"][val_idx], val_labels=arrays["train_labels"][val_idx].long(),
        test_images=arrays["test_images"], test_labels=arrays["test_labels"].long(),
        source=str(folder),
    )


def nearest_distance(queries: torch.Tensor, references: torch.Tensor, chunk: int = 500) -> torch.Tensor:
    """For each query image, the Euclidean distance (pixels in [0, 1]) to its closest reference.

    Near-duplicates shared by two splits show up as small distances; if validation images had
    many more close twins in the training split than test images, validation would flatter.
    """
    flat = lambda images: images.reshape(len(images), -1).float().div_(255)  # noqa: E731
    refs = flat(references)
    ref_sq = (refs * refs).sum(1)
    out = []
    for start in range(0, len(queries), chunk):
        q = flat(queries[start:start + chunk])
        squared = (q * q).sum(1, keepdim=True) - 2 * q @ refs.T + ref_sq  # |q - r|^2, all pairs at once
        out.append(squared.min(1).values.clamp_min(0).sqrt())
    return torch.cat(out)
