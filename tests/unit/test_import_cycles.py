"""No import circle among the product's modules (issue 11, item 1).

The graph is read from the source with `ast`: every `import` and `from … import` anywhere in a module
(also inside functions and under TYPE_CHECKING, where a circle hides best) between modules of `bot`,
`handlers` and `storage`. `from package import name` counts as an import of `package.name` when that is a
module, otherwise of `package`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

PACKAGES = ("bot", "handlers", "storage")


def module_files(root: Path = ROOT) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:  # relative: from the module's package, one level up per extra dot
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    found: set[str] = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in known:
            found.add(f"{base}.{alias.name}")
        elif base in known:
            found.add(base)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(node, module, path.name == "__init__.py", known)
        graph[module] = edges - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as one circle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(_circle(graph, set(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One concrete circle inside a strongly connected group, from its first module back to it."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                frontier.append(nxt)
    raise AssertionError(f"{sorted(group)} is not a circle")


def test_no_import_cycle_among_the_products_modules() -> None:
    graph = import_graph(module_files())
    assert {"bot.app", "bot.context", "handlers", "handlers.common", "storage.db"} <= set(graph)
    found = cycles(graph)
    assert not found, "import circles:\n" + "\n".join("  " + " -> ".join(c) for c in found)


def test_the_app_imports_handlers_at_the_top() -> None:
    tree = ast.parse((ROOT / "bot" / "app.py").read_text(encoding="utf-8"))
    top = {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "handlers"
        for alias in node.names
    }
    assert "register" in top


def test_the_cycle_finder_sees_a_circle_hidden_in_a_function(tmp_path: Path) -> None:
    """The checker itself: a function-level import that closes a circle is found and named."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "bot" / "app.py").write_text("def build():\n    from handlers import register\n")
    (tmp_path / "handlers" / "__init__.py").write_text("from handlers import common\n")
    (tmp_path / "handlers" / "common.py").write_text("from bot.app import Context\n")
    (tmp_path / "storage" / "db.py").write_text("from . import people\n")
    (tmp_path / "storage" / "people.py").write_text("import storage.db\n")
    found = cycles(import_graph(module_files(tmp_path)))
    assert sorted(map(tuple, found)) == [
        ("bot.app", "handlers", "handlers.common", "bot.app"),
        ("storage.db", "storage.people", "storage.db"),
    ]
