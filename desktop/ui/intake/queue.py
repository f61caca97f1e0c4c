"""Today's intake queue on the consultations page: who is waiting, how urgent, for how long, and
what they said; reception's codes and the nurse's category change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.db import DbCall, DbWorker
from desktop.services.intake import IntakePort, IntakeRow, IssuedIntake
from desktop.services.ports import UserInfo
from desktop.ui.common import show_error
from desktop.ui.intake.codes import IntakeCodeDialog

CATEGORY_COLOURS = {1: "#b71c1c", 2: "#e65100", 3: "#2e7d32"}


def category_label(category: int | None) -> str:
    labels = {
        1: QCoreApplication.translate("Intake", "1 critical"),
        2: QCoreApplication.translate("Intake", "2 urgent"),
        3: QCoreApplication.translate("Intake", "3 non-urgent"),
    }
    return labels.get(category or 0, "—")


def state_label(state: str) -> str:
    labels = {
        "issued": QCoreApplication.translate("Intake", "code given"),
        "open": QCoreApplication.translate("Intake", "answering"),
        "confirmed": QCoreApplication.translate("Intake", "summary confirmed"),
        "cancelled": QCoreApplication.translate("Intake", "closed"),
        "expired": QCoreApplication.translate("Intake", "code expired"),
    }
    return labels.get(state, state)


class CategoryDialog(QDialog):
    """A nurse's or doctor's category, with the reason (both kept and audited)."""

    def __init__(self, row: IntakeRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("categoryDialog")
        self.setWindowTitle(self.tr("Change the category of patient %1").replace("%1", row.label))
        form = QFormLayout(self)
        now = QLabel(
            self.tr("Now: %1 (%2)")
            .replace("%1", category_label(row.category))
            .replace("%2", row.category_reason or "—")
        )
        now.setWordWrap(True)
        self.category = QComboBox()
        self.category.setObjectName("newCategory")
        for value in (1, 2, 3):
            self.category.addItem(category_label(value), value)
        self.category.setCurrentIndex(max(0, (row.category or 3) - 1))
        self.reason = QLineEdit()
        self.reason.setObjectName("categoryReason")
        self.reason.setPlaceholderText(self.tr("What you saw or were told"))
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        form.addRow(now)
        form.addRow(self.tr("New category"), self.category)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._validate)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(460, 200)

    def _validate(self) -> None:
        if not self.reason.text().strip():
            self.message.setText(self.tr("Say why the category changes."))
            return
        self.accept()

    def value(self) -> int:
        return int(self.category.currentData())


class IntakeQueuePanel(QGroupBox):
    """The queue as the monitor last read it, most urgent first.

    Signals (main thread): ``start_requested(IntakeRow)`` to start (or open) its consultation;
    ``changed()`` after a change that the queue should show at once (a code, a category).
    """

    start_requested = Signal(object)
    changed = Signal()

    COLUMNS = 6

    def __init__(self, db: DbWorker, intake: IntakePort, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeQueue")
        self.setTitle(self.tr("Intake queue (today)"))
        self._db = db
        self.intake = intake
        self.user: UserInfo | None = None
        self.rows: list[IntakeRow] = []
        self.last_code: IntakeCodeDialog | None = None
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setObjectName("intakeTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Category"),
                self.tr("Waiting"),
                self.tr("Status"),
                self.tr("What the patient said"),
                self.tr("Triage reason"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.empty = QLabel("")
        self.new_code_button = QPushButton(self.tr("New patient code…"))
        self.new_code_button.setObjectName("newIntakeCode")
        self.reissue_button = QPushButton(self.tr("New code for this patient"))
        self.reissue_button.setObjectName("reissueIntakeCode")
        self.category_button = QPushButton(self.tr("Change category…"))
        self.category_button.setObjectName("changeCategory")
        self.close_button = QPushButton(self.tr("Close intake"))
        self.close_button.setObjectName("closeIntake")
        self.start_button = QPushButton(self.tr("Start consultation"))
        self.start_button.setObjectName("startFromIntake")
        row.addWidget(self.empty, 1)
        for b in (
            self.new_code_button,
            self.reissue_button,
            self.category_button,
            self.close_button,
            self.start_button,
        ):
            row.addWidget(b)
        layout.addLayout(row)
        self.new_code_button.clicked.connect(lambda: self.new_code())
        self.reissue_button.clicked.connect(lambda: self.reissue_selected())
        self.category_button.clicked.connect(lambda: self.change_category())
        self.close_button.clicked.connect(lambda: self.close_selected())
        self.start_button.clicked.connect(self._start_selected)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self._start_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- showing -------------------------------------------------------------------------------
    def show_rows(self, rows: list[IntakeRow]) -> None:
        selected = self.selected()
        keep = selected.id if selected is not None else ""
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            said = r.complaint or r.summary.split("\n", 1)[0]
            values = [
                r.label,
                category_label(r.category),
                self.tr("%1 min").replace("%1", str(r.waiting_minutes)),
                state_label(r.state) + (" · " + self.tr("in a consultation") if r.consultation_id else ""),
                said,
                r.category_reason,
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 1 and r.category:
                    item.setForeground(QBrush(QColor("white")))
                    item.setBackground(QBrush(QColor(CATEGORY_COLOURS[r.category])))
                if col == 4:
                    item.setToolTip(r.summary)
                self.table.setItem(i, col, item)
            if r.id == keep:
                self.table.selectRow(i)
        if not keep and self.rows:
            self.table.selectRow(0)  # the most urgent, ready for the next step
        self.empty.setText(self.tr("No intakes yet today.") if not self.rows else "")
        self._update_buttons()

    def selected(self) -> IntakeRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        index = rows[0].row() if rows else -1
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def select(self, intake_id: str) -> None:
        for i, r in enumerate(self.rows):
            if r.id == intake_id:
                self.table.selectRow(i)

    def _update_buttons(self) -> None:
        row = self.selected()
        open_ = row is not None and row.state in ("issued", "open", "expired")
        self.reissue_button.setEnabled(open_)
        self.close_button.setEnabled(row is not None and row.state != "cancelled")
        self.category_button.setEnabled(row is not None and row.state != "cancelled")
        self.start_button.setEnabled(row is not None and row.state != "cancelled")
        self.start_button.setText(
            self.tr("Open consultation")
            if row is not None and row.consultation_id
            else self.tr("Start consultation")
        )

    def _start_selected(self) -> None:
        row = self.selected()
        if row is not None and row.state != "cancelled":
            self.start_requested.emit(row)

    # -- changing ------------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[Any], object]) -> DbCall[Any]:
        call: DbCall[Any] = self._db.call(what, fn)
        return call.then(lambda _r: self.changed.emit(), lambda m, h: show_error(self, m, h))

    def new_code(self, show: bool = True, consultation_id: str = "") -> DbCall[Any] | None:
        """A one-time code for a patient in the waiting room (linked to a consultation when given)."""
        user, intake = self.user, self.intake
        if user is None:
            return None
        call = self._call(self.tr("making a patient code"), lambda _r: intake.issue(user, consultation_id))
        if show:
            call.then(self.show_code)
        return call

    def reissue_selected(self, show: bool = True) -> DbCall[Any] | None:
        row, user, intake = self.selected(), self.user, self.intake
        if row is None or user is None:
            return None
        call = self._call(self.tr("making a new code"), lambda _r: intake.reissue(user, row.id))
        if show:
            call.then(self.show_code)
        return call

    def show_code(self, issued: IssuedIntake) -> IntakeCodeDialog:
        dialog = IntakeCodeDialog(issued, self)
        self.last_code = dialog
        dialog.open()
        return dialog

    def change_category(self, category: int | None = None, reason: str = "") -> DbCall[Any] | None:
        """Change the selected intake's category (asks for it and the reason unless given)."""
        row, user, intake = self.selected(), self.user, self.intake
        if row is None or user is None:
            return None
        if category is None:
            dialog = CategoryDialog(row, self)
            if not dialog.exec():
                return None
            category, reason = dialog.value(), dialog.reason.text().strip()
        chosen, why = category, reason
        return self._call(
            self.tr("changing the category"), lambda _r: intake.set_category(user, row.id, chosen, why)
        )

    def close_selected(self) -> DbCall[Any] | None:
        row, user, intake = self.selected(), self.user, self.intake
        if row is None or user is None:
            return None
        return self._call(self.tr("closing the intake"), lambda _r: intake.close(user, row.id))

    def link(self, intake_id: str, consultation_id: str) -> DbCall[Any] | None:
        user, intake = self.user, self.intake
        if user is None:
            return None
        return self._call(
            self.tr("linking the intake"), lambda _r: intake.link(user, intake_id, consultation_id)
        )
