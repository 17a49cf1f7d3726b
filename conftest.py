"""Let `pytest --nbval` execute the book's MyST chapters (book/*.md) directly.

nbval collects only .ipynb files; here each chapter is converted in memory with jupytext and
handed to nbval's collector, so there is one source file per chapter and nothing on disk.
Notebooks run in the smoke profile unless FMNIST_PROFILE says otherwise.
"""
import os
from pathlib import Path

import jupytext
import pytest

BOOK = Path(__file__).parent / "book"


def _is_chapter(path: Path) -> bool:
    if path.suffix != ".md" or path.parent != BOOK:
        return False
    head = path.read_text(encoding="utf-8")[:400]
    return head.startswith("---") and "format_name: myst" in head


def pytest_configure(config):
    if getattr(config.option, "nbval", False) or getattr(config.option, "nbval_lax", False):
        os.environ.setdefault("FMNIST_PROFILE", "smoke")
        os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)) and _is_chapter(file_path):
        return MystChapter.from_parent(parent, path=file_path)
    return None


try:
    from nbval import plugin as _nbval
except ImportError:  # nbval not installed: unit tests still run
    _nbval = None

if _nbval is not None:
    class MystChapter(_nbval.IPyNbFile):
        """nbval's notebook collector, reading the notebook with jupytext instead of nbformat."""

        def collect(self):
            read = _nbval.nbformat.read
            _nbval.nbformat.read = lambda path, as_version: jupytext.read(path)
            try:
                yield from super().collect()
            finally:
                _nbval.nbformat.read = read
