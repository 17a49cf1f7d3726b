"""The package's shape: layers that import only downward, no import cycle, and no import inside a
function except a heavy optional dependency with its reason on the line.

Read with `ast`, so it sees the imports written inside functions too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "fmnist_lab"
# Lowest first; a module may import its own layer and the layers before it.
LAYERS = ("engine", "runs", "analysis", "report", "chapters", "cli")
# Imports that may stay inside a function: heavy (seconds to import) and needed by few callers.
LAZY_ALLOWED = {"sklearn", "distributed", "torchvision", "myst_nb", "IPython"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """A module's floor: `fmnist_lab.runs.store` -> runs; the package root (its version) sits below all."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else len(LAYERS)  # __main__ sits above the CLI


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    """The package modules an `ImportFrom` names (a `from . import x` may name submodules)."""
    if node.level == 0:
        base = node.module or ""
        if not base.startswith("fmnist_lab"):
            return []
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    names = [f"{base}.{alias.name}" for alias in node.names]
    found = [n for n in names if _exists(n)]
    return found if found and len(found) == len(names) else [base]


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported package module or third-party root, line, inside a function?, source line) per import."""
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    me = module_name(path)
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(n) for n in ast.walk(fn) if n is not fn}
    found = []
    for node in ast.walk(tree):
        local = id(node) in inside
        if isinstance(node, ast.ImportFrom):
            targets = resolve(me, node, path.name == "__init__.py") if (node.level or (node.module or "").startswith("fmnist_lab")) \
                else [(node.module or "").split(".")[0]]
        elif isinstance(node, ast.Import):
            targets = [alias.name.split(".")[0] for alias in node.names]
        else:
            continue
        for target in targets:
            found.append((target, node.lineno, local, lines[node.lineno - 1]))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))
GRAPH = {module_name(p): [(t, line, local, src) for t, line, local, src in imports(p)] for p in MODULES}


def upward_imports(graph=GRAPH) -> list[str]:
    return [f"{me}:{line} imports {target} ({LAYERS[layer_of(target)]} sits above {LAYERS[layer_of(me)]})"
            for me, found in graph.items() for target, line, _, _ in found
            if target.startswith("fmnist_lab") and 0 <= layer_of(me) < len(LAYERS) and layer_of(target) > layer_of(me)]


def cycles(graph=GRAPH) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), imports inside functions counted."""
    edges = {m: sorted({t for t, *_ in found if t in graph and t != m}) for m, found in graph.items()}
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def unexplained_local_imports(graph=GRAPH) -> list[str]:
    """Imports inside functions that are not a heavy optional dependency with a `#` reason."""
    return [f"{me}:{line}: {src.strip()}" for me, found in graph.items() for target, line, local, src in found
            if local and (target.startswith("fmnist_lab") or target not in LAZY_ALLOWED or "#" not in src)
            and target not in ("__future__",)]


def test_no_upward_import():
    assert upward_imports() == []


def test_no_import_cycle():
    assert cycles() == []


def test_imports_inside_functions_are_heavy_optional_dependencies_with_a_reason():
    assert unexplained_local_imports() == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small_and_says_what_it_owns(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: {len(text.splitlines())} lines; split it by job"
    if path.name != "__main__.py":
        assert ast.get_docstring(ast.parse(text)), f"{path.name}: the first line should say what the module owns"


def test_the_checks_catch_an_upward_import_and_a_cycle():
    graph = {"fmnist_lab.engine.train": [("fmnist_lab.runs.store", 3, False, "from ..runs.store import Store")],
             "fmnist_lab.runs.store": [("fmnist_lab.engine.train", 4, True, "    from ..engine.train import train")]}
    assert upward_imports(graph) == ["fmnist_lab.engine.train:3 imports fmnist_lab.runs.store (runs sits above engine)"]
    assert cycles(graph) == [["fmnist_lab.engine.train", "fmnist_lab.runs.store"]]
    assert unexplained_local_imports(graph) == ["fmnist_lab.runs.store:4: from ..engine.train import train"]
