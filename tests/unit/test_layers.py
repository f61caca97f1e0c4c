"""Architecture guard: Qt only in services/ and ui/; widgets never touch engines directly."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop"
QT_ALLOWED = {"services", "ui"}
UI_FORBIDDEN = ("sounddevice", "faster_whisper", "llama_cpp", "sqlcipher3", "sqlite_utils", "desktop.storage")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_package_has_modules() -> None:
    assert len(_modules()) > 10


def test_qt_only_in_services_and_ui() -> None:
    offenders = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        top = rel.parts[0] if len(rel.parts) > 1 else ""
        if top in QT_ALLOWED:
            continue
        if rel.as_posix() in ("app.py",):  # app assembly imports the UI lazily inside a function only
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                offenders.append(f"{rel}: {name}")
    assert offenders == [], "PySide6 imported below services/: " + "; ".join(offenders)


def test_ui_never_imports_engines() -> None:
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        for name in _imports(path):
            if name.startswith(UI_FORBIDDEN):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == [], "ui/ imports an engine directly: " + "; ".join(offenders)


def test_guard_detects_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert "PySide6.QtCore" in _imports(bad)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _desktop_graph() -> dict[str, set[str]]:
    """Module → the desktop modules it imports (at any level, lazy imports included)."""
    known = {_module_name(p) for p in _modules()}
    graph: dict[str, set[str]] = {}
    for path in _modules():
        targets = set()
        for name in _imports(path):
            # "from desktop.storage import crypto" names a module too: take the longest known prefix
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("desktop.") and name != _module_name(path):
                targets.add(name)
        graph[_module_name(path)] = targets
    return graph


def test_core_imports_nothing_above_it() -> None:
    offenders = [
        f"{mod}: {target}"
        for mod, targets in _desktop_graph().items()
        if mod.startswith("desktop.core")
        for target in targets
        if not target.startswith("desktop.core")
    ]
    assert offenders == [], "desktop.core must stay the bottom layer: " + "; ".join(offenders)


# Bottom-layer packages beside core: shared word lists every engine may use. Each imports only
# core, paths (a leaf) and itself.
BOTTOM_PACKAGES = ("desktop.lexicon",)


def test_bottom_packages_import_only_core() -> None:
    allowed = ("desktop.core", "desktop.paths", *BOTTOM_PACKAGES)
    offenders = [
        f"{mod}: {target}"
        for mod, targets in _desktop_graph().items()
        if mod.startswith(BOTTOM_PACKAGES)
        for target in targets
        if not target.startswith(allowed)
    ]
    assert offenders == [], "a bottom-layer package imports above core: " + "; ".join(offenders)


def test_the_app_never_imports_the_evaluation_wing() -> None:
    offenders = [
        f"{mod}: {target}"
        for mod, targets in _desktop_graph().items()
        if not mod.startswith(("desktop.eval", "desktop.commands"))
        for target in targets
        if target.startswith("desktop.eval")
    ]
    assert offenders == [], "only commands may reach desktop.eval: " + "; ".join(offenders)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles between two or more modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_between_modules() -> None:
    # A package's __init__ re-exporting its modules is not a circle of the code itself.
    graph = {
        mod: {t for t in targets if not mod.startswith(t + ".")} for mod, targets in _desktop_graph().items()
    }
    assert _cycles(graph) == []


def test_circle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
