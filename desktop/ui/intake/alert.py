"""The Category 1 alert: a red band across the top of the window, on every page, until someone
acknowledges it (the acknowledgement is audited and clears it on every desk)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.intake import IntakeRow

STYLE = (
    "QFrame#intakeAlert { background: #b71c1c; border-bottom: 3px solid #7f0000; }"
    "QFrame#intakeAlert QLabel { color: white; font-size: 15px; font-weight: bold; }"
    "QFrame#intakeAlert QPushButton { background: white; color: #b71c1c; font-weight: bold; padding: 4px 12px; }"
)


class AlertBanner(QFrame):
    """One line per Category 1 intake nobody has acknowledged yet; hidden when there is none.

    Signals (main thread): ``acknowledge(IntakeRow)`` when its button is pressed.
    """

    acknowledge = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeAlert")
        self.setStyleSheet(STYLE)
        self.rows: list[IntakeRow] = []
        self.locked = False
        self.buttons: dict[str, QPushButton] = {}
        self.labels: dict[str, QLabel] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 12, 6)
        self.setVisible(False)

    def show_alerts(self, rows: list[IntakeRow]) -> None:
        self.rows = list(rows)
        self._rebuild()

    def set_locked(self, locked: bool) -> None:
        """While the screen is locked the band stays, without the patient's details."""
        self.locked = locked
        self._rebuild()

    def text_for(self, row: IntakeRow) -> str:
        if self.locked:
            return self.tr("CATEGORY 1 (critical): a patient is waiting. Unlock to see who.")
        reason = row.category_reason or self.tr("warning signs in the intake")
        return (
            self.tr("CATEGORY 1 (critical): patient %1 — %2 — waiting %3 min. Tell a nurse or doctor now.")
            .replace("%1", row.label)
            .replace("%2", reason)
            .replace("%3", str(row.waiting_minutes))
        )

    def _rebuild(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        self.labels.clear()
        for row in self.rows:
            line = QWidget()
            box = QHBoxLayout(line)
            box.setContentsMargins(0, 0, 0, 0)
            label = QLabel(self.text_for(row))
            label.setObjectName("intakeAlertText")
            label.setWordWrap(True)
            button = QPushButton(self.tr("Acknowledge"))
            button.setObjectName("acknowledgeAlert")
            button.setEnabled(not self.locked)
            button.clicked.connect(lambda _c=False, r=row: self.acknowledge.emit(r))
            box.addWidget(label, 1)
            box.addWidget(button)
            self._layout.addWidget(line)
            self.buttons[row.id] = button
            self.labels[row.id] = label
        self.setVisible(bool(self.rows))
