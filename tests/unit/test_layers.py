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
