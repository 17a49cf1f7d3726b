"""The book's Sphinx extensions (book/_ext/*.py) loaded as modules for their tests: they are not a package."""
import importlib.util
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / "book"


def book_extension(name: str):
    """book/_ext/<name>.py, freshly imported."""
    spec = importlib.util.spec_from_file_location(name, BOOK / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
