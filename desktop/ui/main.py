"""Main window entry point."""

from __future__ import annotations


def run(demo: bool = False, smoke_test: bool = False) -> int:
    import os

    if smoke_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])
    label = QLabel("ConsultScribe")
    if smoke_test:
        return 0
    label.show()
    return int(app.exec())
