"""`pip install .` alone gives a package that imports: every third-party module the package imports
is declared in pyproject.toml (module level: a dependency; lazily inside a function: an extra)."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Import names whose distribution is named otherwise.
DISTRIBUTION = {"sklearn": "scikit-learn", "yaml": "PyYAML", "IPython": "IPython", "myst_nb": "myst-nb"}


def third_party_imports() -> dict[str, bool]:
    """Import root -> whether some module imports it at module level (else only inside functions)."""
    found: dict[str, bool] = {}
    for path in (ROOT / "fmnist_lab").rglob("*.py"):
        tree = ast.parse(path.read_text())
        local = {id(n) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(fn) if n is not fn}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                if root not in sys.stdlib_module_names and root != "fmnist_lab":
                    found[root] = found.get(root, False) or id(node) not in local
    return found


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name = lambda spec: re.split(r"[<>=!~\[ ;]", spec, 1)[0].lower()  # noqa: E731
    extras = {name(s) for group in project.get("optional-dependencies", {}).values() for s in group}
    return {name(s) for s in project["dependencies"]}, extras


def test_every_module_level_import_is_a_declared_dependency():
    required, _ = declared()
    missing = [root for root, top in third_party_imports().items() if top and DISTRIBUTION.get(root, root).lower() not in required]
    assert missing == [], f"imported at module level but not in pyproject's dependencies: {missing}"


def test_every_lazy_import_is_declared_somewhere():
    required, extras = declared()
    missing = [root for root in third_party_imports() if DISTRIBUTION.get(root, root).lower() not in required | extras]
    assert missing == [], f"imported but declared nowhere in pyproject.toml: {missing}"
