"""Application assembly: build the engines from settings and open the window."""

from __future__ import annotations


def run_app(demo: bool = False, smoke_test: bool = False) -> int:
    from desktop.ui.main import run  # Qt is imported only when the app opens

    return run(demo=demo, smoke_test=smoke_test)
