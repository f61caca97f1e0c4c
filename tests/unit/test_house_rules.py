"""Rooms a person can hold in mind: no module in the package over 800 lines, no function over 100."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop"
MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 100


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function or method longer than ``limit`` lines."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = (child.end_lineno or child.lineno) - child.lineno + 1
                    if length > limit:
                        found.append((name, length))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def test_no_module_is_over_800_lines() -> None:
    long = [
        f"{p.relative_to(PACKAGE)} ({n})"
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    ]
    assert long == [], "split by responsibility: " + ", ".join(long)


def test_no_function_is_over_100_lines() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}:{name} ({n})"
        for p in _modules()
        for name, n in long_functions(p.read_text(encoding="utf-8"))
    ]
    assert long == [], "split these functions: " + ", ".join(long)


def test_the_function_measure_sees_a_long_method() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(120))
    source = f"class A:\n    def f(self) -> None:\n{body}\n"
    assert long_functions(source) == [("A.f", 121)]
    assert long_functions(source, limit=200) == []
