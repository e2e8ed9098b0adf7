"""Guards of the architecture (issue 17): a static scan of litdesk's source, no app imports.

What each guard holds:
- no import cycle between litdesk modules, imports inside functions counted too. Imports under
  ``if TYPE_CHECKING:`` are exempt: they never run, so they cannot make a module half-imported
  or tie two modules' start-up together; a type annotation naming a class of the module that
  calls it (the window and its action modules, a store module and ``Library``) is no runtime
  dependency;
- ``litdesk/ui`` reaches the store only through its facade: ``store.library`` (the ``Library``
  and its sub-facades), ``store.errors`` (what a caller catches) and ``store.location`` (the
  parsed location the open-library flow starts from: a value, like an error, that the facade
  takes and gives back, and which the UI must show in its safe form before any library exists);
- migration scripts are frozen: none imports a litdesk module (each holds its own DDL as of
  when it was written), and Alembic's environment imports only the schema it compares with;
- the engine modules (``litdesk/store/engines``: what only SQLite or only PostgreSQL has) are
  imported only inside the store, so the rest of litdesk never depends on one engine;
- ``litdesk/core`` and ``litdesk/store`` never import PySide6 (also checked in a fresh
  interpreter, the one check that imports the packages);
- SQL statements are written only in ``litdesk/store``;
- no module past 400 lines, but for the listed exceptions, whose ceilings may only go down.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "litdesk"

MAX_LINES = 400
#: Modules over MAX_LINES today, with their line count as a ceiling that may only go down:
#: lower it when a module shrinks, and drop the entry once the module is split below the limit.
LINE_CEILINGS = {
    "litdesk/core/ris_reader.py": 444,
    "litdesk/cli/commands.py": 402,
    "litdesk/store/importer.py": 432,
}

UI_MAY_IMPORT = frozenset({
    "litdesk.store.library", "litdesk.store.errors", "litdesk.store.location",
})



@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a litdesk module where it names one."""

    importer: str
    target: str
    line: int
    type_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of every node under an ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    inside.update(id(n) for n in ast.walk(statement))
    return inside


def _resolve(name: str) -> str | None:
    """The litdesk module ``name`` is in (``a.b.func`` -> ``a.b``), or None outside litdesk."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str, path: Path) -> Iterator[Import]:
    """Every import in the module, at any depth (functions, classes, branches)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    type_only = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # "from litdesk.store import coders" imports the module litdesk.store.coders
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source
                       for a in node.names]
        for target in targets:
            yield Import(name, target, node.lineno, id(node) in type_only)


def import_graph() -> dict[str, dict[str, Import]]:
    """Each litdesk module's runtime imports of other litdesk modules (type-only ones left out)."""
    graph: dict[str, dict[str, Import]] = {name: {} for name in MODULES}
    for name, path in MODULES.items():
        for imp in imports_of(name, path):
            target = _resolve(imp.target)
            if target and target != name and not imp.type_only:
                graph[name].setdefault(target, imp)
    return graph


def cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each a cycle or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def _describe(group: list[str], graph: dict[str, dict[str, Import]]) -> str:
    members = set(group)
    edges = [f"  {a} -> {b} (line {imp.line})"
             for a in group for b, imp in sorted(graph[a].items()) if b in members]
    return " <-> ".join(group) + "\n" + "\n".join(edges)


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(_describe(g, graph) for g in found)


def test_cycle_finder_sees_imports_inside_functions() -> None:
    graph = {"a": {"b": Import("a", "b", 1, False)}, "b": {"a": Import("b", "a", 9, False)},
             "c": {}}
    assert cycles(graph) == [["a", "b"]]


def ui_store_imports() -> dict[str, set[str]]:
    """For each ui module, the store modules it imports (type-only imports count too)."""
    found: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        if not name.startswith("litdesk.ui"):
            continue
        for imp in imports_of(name, path):
            target = _resolve(imp.target)
            if target and (target == "litdesk.store" or target.startswith("litdesk.store.")):
                found.setdefault(name, set()).add(target)
    return found


def test_ui_reaches_the_store_only_through_its_facade() -> None:
    leaks = {ui: sorted(t - UI_MAY_IMPORT) for ui, t in ui_store_imports().items()}
    leaks = {ui: t for ui, t in leaks.items() if t}
    assert not leaks, f"ui modules importing store modules other than the facade: {leaks}"


#: What Alembic's environment may import from litdesk (its target metadata).
MIGRATIONS_MAY_IMPORT = {"litdesk.store.migrations.env": {"litdesk.store.schema"}}


def test_migrations_import_no_live_code() -> None:
    found = {name: sorted(targets) for name, path in MODULES.items()
             if name.startswith("litdesk.store.migrations")
             if (targets := {t for imp in imports_of(name, path)
                             if (t := _resolve(imp.target))}
                 - MIGRATIONS_MAY_IMPORT.get(name, set()))}
    assert not found, f"migration modules importing litdesk code: {found}"


def test_engines_are_reached_only_inside_the_store() -> None:
    outside = sorted(f"{imp.importer}:{imp.line} {target}"
                     for name, path in MODULES.items() if not name.startswith("litdesk.store")
                     for imp in imports_of(name, path)
                     if (target := _resolve(imp.target) or "").startswith("litdesk.store.engines"))
    assert not outside, f"modules outside the store importing engine modules: {outside}"


@pytest.mark.parametrize("package", ["core", "store"])
def test_no_qt_in_core_and_store_source(package: str) -> None:
    qt = [f"{imp.importer}:{imp.line} {imp.target}"
          for name, path in MODULES.items() if name.startswith(f"litdesk.{package}")
          for imp in imports_of(name, path)
          if imp.target.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")]
    assert not qt


@pytest.mark.parametrize("package", ["core", "store"])
def test_no_qt_loaded_by_core_and_store(package: str) -> None:
    # Migration scripts run only inside Alembic's context (their source is scanned above).
    names = sorted(n for n in MODULES if n.startswith(f"litdesk.{package}")
                   and not n.startswith("litdesk.store.migrations"))
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout


#: A string that is an SQL statement (keywords in capitals, as the code writes them).
SQL = re.compile(
    r"^\s*(SELECT\s[\s\S]*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b"
    r"|DELETE\s+FROM\b|CREATE\s+(TABLE|(UNIQUE\s+)?INDEX|VIEW|TRIGGER|TEMP)\b"
    r"|DROP\s+(TABLE|INDEX|VIEW|TRIGGER)\b|ALTER\s+TABLE\b|PRAGMA\s+\w+|VACUUM\b"
    r"|WITH\s+\w+\s+AS\s*\(|LISTEN\s|NOTIFY\s|BEGIN\s+(IMMEDIATE|EXCLUSIVE)\b)")


def sql_strings(path: Path) -> Iterator[tuple[int, str]]:
    """String literals (and f-strings' leading text) that read as SQL; docstrings skipped."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    skip |= {id(part) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for part in n.values}
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in skip:
                text = node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
        if text and SQL.match(text):
            yield node.lineno, text.strip().splitlines()[0][:60]


def test_sql_only_in_the_store() -> None:
    found = [f"{path.relative_to(REPO)}:{line} {text!r}"
             for name, path in MODULES.items()
             if not (name == "litdesk.store" or name.startswith("litdesk.store."))
             for line, text in sql_strings(path)]
    assert not found


def test_sql_finder_knows_sql_from_words(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('a = "SELECT id FROM record"\nb = "Select the records from the list"\n'
                     'c = f"UPDATE record SET title = {x}"\nd = "PRAGMA integrity_check"\n')
    assert [line for line, _ in sql_strings(probe)] == [1, 3, 4]


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_past_the_limit() -> None:
    over = {}
    for path in MODULES.values():
        rel = path.relative_to(REPO).as_posix()
        ceiling = LINE_CEILINGS.get(rel, MAX_LINES)
        if _lines(path) > ceiling:
            over[rel] = (_lines(path), ceiling)
    assert not over, f"modules past their limit (lines, limit): {over}"


def test_line_exceptions_are_still_needed() -> None:
    """An exception whose module came under the limit is dropped from LINE_CEILINGS."""
    done = [rel for rel in LINE_CEILINGS if _lines(REPO / rel) <= MAX_LINES]
    assert not done
