"""Today's consultations: list, search, open, and the new-consultation dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.types import Patient
from desktop.services.db import DbCall, DbWorker
from desktop.services.ports import ConsultationInfo, PatientMatch, UserInfo, filter_consultations
from desktop.ui.common import heading, show_error
from desktop.ui.patient_search import PatientLookup

STATUS_COLOURS = {
    "recording": "#c62828",
    "recorded": "#1565c0",
    "draft": "#ef6c00",
    "signed": "#2e7d32",
    "new": "#555555",
    "cancelled": "#9e9e9e",
}


def status_label(status: str) -> str:
    labels = {
        "new": QCoreApplication.translate("Status", "new"),
        "recording": QCoreApplication.translate("Status", "recording"),
        "recorded": QCoreApplication.translate("Status", "recorded"),
        "draft": QCoreApplication.translate("Status", "draft"),
        "signed": QCoreApplication.translate("Status", "signed"),
        "cancelled": QCoreApplication.translate("Status", "cancelled"),
    }
    return labels.get(status, status)


class NewConsultationDialog(QDialog):
    """Patient header and the consent to record (the answer is written to the audit log)."""

    def __init__(self, parent: QWidget | None = None, db: DbWorker | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newConsultationDialog")
        self.setWindowTitle(self.tr("New consultation"))
        self.patient_id = ""  # a patient found by the look-up: their record is reused
        form = QFormLayout(self)
        self.lookup: PatientLookup | None = None
        if db is not None:
            self.lookup = PatientLookup(db)
            self.lookup.chosen.connect(self.use_patient)
            form.addRow(self.lookup)
        self.chosen_note = QLabel("")
        self.chosen_note.setObjectName("chosenPatient")
        self.chosen_note.setWordWrap(True)
        self.other_patient = QPushButton(self.tr("Different patient"))
        self.other_patient.setObjectName("differentPatient")
        self.other_patient.setVisible(False)
        self.other_patient.clicked.connect(self.new_patient)
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen_note, 1)
        chosen_row.addWidget(self.other_patient)
        form.addRow(chosen_row)
        self.name = QLineEdit()
        self.name.setObjectName("patientName")
        self.name_zh = QLineEdit()
        self.name_zh.setObjectName("patientNameZh")
        self.dob = QLineEdit()
        self.dob.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.dob.setObjectName("patientDob")
        self.age = QSpinBox()
        self.age.setRange(-1, 130)
        self.age.setSpecialValueText(self.tr("(from date of birth)"))
        self.age.setValue(-1)
        self.age.setObjectName("patientAge")
        self.sex = QComboBox()
        self.sex.setObjectName("patientSex")
        for value, text in (
            ("", "—"),
            ("F", self.tr("Female")),
            ("M", self.tr("Male")),
            ("X", self.tr("Other")),
        ):
            self.sex.addItem(text, value)
        self.mrn = QLineEdit()
        self.mrn.setObjectName("patientMrn")
        self.complaint = QLineEdit()
        self.complaint.setObjectName("chiefComplaint")
        self.consent = QCheckBox(self.tr("The patient agrees to this consultation being recorded."))
        self.consent.setObjectName("consent")
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Chinese name"), self.name_zh)
        form.addRow(self.tr("Date of birth"), self.dob)
        form.addRow(self.tr("Age"), self.age)
        form.addRow(self.tr("Sex"), self.sex)
        form.addRow(self.tr("MRN"), self.mrn)
        form.addRow(self.tr("Chief complaint"), self.complaint)
        form.addRow(self.consent)
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create"))
        self.buttons.accepted.connect(self._validate)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.resize(560, 420)

    def _identity_fields(self) -> list[QWidget]:
        return [self.name, self.name_zh, self.dob, self.age, self.sex, self.mrn]

    def use_patient(self, match: PatientMatch) -> None:
        """A patient seen before: their details, read-only; the consultation joins their record."""
        p = match.patient
        self.patient_id = match.id
        self.name.setText(p.name)
        self.name_zh.setText(p.name_zh)
        self.dob.setText(p.date_of_birth)
        self.age.setValue(p.age if p.age is not None else -1)
        self.sex.setCurrentIndex(max(0, self.sex.findData(p.sex)))
        self.mrn.setText(p.mrn)
        for w in self._identity_fields():
            w.setEnabled(False)
        self.chosen_note.setText(self.tr("Patient on record: %1").replace("%1", p.display_name()))
        self.other_patient.setVisible(True)
        self.complaint.setFocus()

    def new_patient(self) -> None:
        """Back to typing a new patient's details."""
        self.patient_id = ""
        for w in self._identity_fields():
            w.setEnabled(True)
        self.chosen_note.setText("")
        self.other_patient.setVisible(False)

    def _validate(self) -> None:
        if not (self.name.text().strip() or self.name_zh.text().strip()):
            self.message.setText(self.tr("Enter the patient's name."))
            return
        dob = self.dob.text().strip()
        if dob:
            try:
                date.fromisoformat(dob)
            except ValueError:
                self.message.setText(self.tr("Write the date of birth as YYYY-MM-DD, or leave it empty."))
                return
        self.accept()

    def patient(self) -> Patient:
        return Patient(
            name=self.name.text().strip(),
            name_zh=self.name_zh.text().strip(),
            sex=str(self.sex.currentData() or ""),
            date_of_birth=self.dob.text().strip(),
            mrn=self.mrn.text().strip(),
            age=self.age.value() if self.age.value() >= 0 else None,
        )


class ConsultationsPage(QWidget):
    """The day's consultations with search.

    Signals (main thread): ``open_requested(ConsultationInfo)``; ``refreshed()`` when the list
    from the store has arrived and is shown.
    """

    open_requested = Signal(object)
    refreshed = Signal()

    COLUMNS = ("time", "patient", "mrn", "complaint", "status")

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user: UserInfo | None = None
        self._items: list[ConsultationInfo] = []
        self._all: list[ConsultationInfo] = []
        self.setObjectName("consultationsPage")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = heading(self.tr("Today's consultations"), 16)
        top.addWidget(self.title)
        top.addStretch(1)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search patient, MRN or complaint"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setObjectName("day")
        self.day.setCalendarPopup(True)
        self.all_days = QCheckBox(self.tr("All days"))
        self.all_days.setObjectName("allDays")
        self.new_button = QPushButton(self.tr("New consultation"))
        self.new_button.setObjectName("newConsultation")
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.setToolTip(self.tr("Start a new consultation (Ctrl+N)"))
        top.addWidget(self.search)
        top.addWidget(self.day)
        top.addWidget(self.all_days)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("consultationTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Patient"),
                self.tr("MRN"),
                self.tr("Chief complaint"),
                self.tr("Status"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 3)
        bottom = QHBoxLayout()
        self.count = QLabel("")
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setObjectName("openConsultation")
        self.cancel_button = QPushButton(self.tr("Cancel consultation…"))
        self.cancel_button.setObjectName("cancelConsultation")
        self.cancel_button.setToolTip(
            self.tr("Keep it as it is, read-only (the patient left, or it was for the wrong patient)")
        )
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteConsultation")
        self.delete_button.setToolTip(self.tr("Remove a consultation started by mistake"))
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.delete_button)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)
        self.sections = layout  # the intake queue is added below when the clinic uses it
        self.search.textChanged.connect(self.apply_filter)
        self.day.dateChanged.connect(self.apply_filter)
        self.all_days.toggled.connect(self.apply_filter)
        self.all_days.toggled.connect(lambda on: self.day.setEnabled(not on))
        self.table.cellDoubleClicked.connect(lambda row, _col: self._open_row(row))
        self.open_button.clicked.connect(lambda: self._open_row(self.table.currentRow()))
        self.new_button.clicked.connect(lambda: self.new_consultation())
        self.cancel_button.clicked.connect(lambda: self.cancel_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)

    def set_user(self, user: UserInfo) -> None:
        self._user = user
        self.refresh()

    def refresh(self) -> DbCall[list[ConsultationInfo]]:
        """Reload the list from the store (searching filters the loaded list)."""
        call = self._db.call(self.tr("reading the consultations"), lambda r: r.consultations("", None))
        return call.then(self._arrived, self._error)

    def _arrived(self, items: list[ConsultationInfo]) -> None:
        self._all = items
        self.apply_filter()
        self.refreshed.emit()

    def _error(self, message: str, hint: str) -> None:
        show_error(self, message, hint)

    def apply_filter(self) -> None:
        day = (
            None
            if self.all_days.isChecked()
            else datetime.combine(_as_date(self.day.date().toPython()), datetime.min.time())
        )
        self._items = filter_consultations(self._all, self.search.text(), day)
        self.table.setRowCount(len(self._items))
        for row, c in enumerate(self._items):
            age = c.patient.computed_age()
            who = c.patient.display_name()
            if c.patient.sex or age is not None:
                who += f" ({c.patient.sex or '-'}/{age if age is not None else '-'})"
            values = [
                c.created_at.strftime("%H:%M" if day else "%Y-%m-%d %H:%M"),
                who,
                c.patient.mrn,
                c.chief_complaint,
                status_label(c.status),
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 4:
                    item.setForeground(_colour(STATUS_COLOURS.get(c.status, "#000000")))
                self.table.setItem(row, col, item)
        self.count.setText(self.tr("%n consultation(s)", "", len(self._items)))
        self.open_button.setEnabled(bool(self._items))
        if self._items and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> ConsultationInfo | None:
        row = self.table.currentRow()
        return self._items[row] if 0 <= row < len(self._items) else None

    def _selection_changed(self) -> None:
        info = self.selected()
        cancelled = info is not None and info.status == "cancelled"
        self.cancel_button.setText(self.tr("Reopen") if cancelled else self.tr("Cancel consultation…"))
        self.cancel_button.setEnabled(info is not None and info.status != "recording")
        self.delete_button.setEnabled(info is not None and info.status not in ("signed", "recording"))

    def items(self) -> list[ConsultationInfo]:
        return list(self._items)

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self._items):
            self.open_requested.emit(self._items[row])

    def new_consultation(
        self, complaint: str = "", then: Callable[[ConsultationInfo], object] | None = None
    ) -> DbCall[ConsultationInfo] | None:
        """Ask for the patient (look-up or new) and create the consultation; ``then(info)`` after."""
        dialog = NewConsultationDialog(self, self._db)
        dialog.complaint.setText(complaint)
        if not dialog.exec():
            return None
        call = self.create_consultation(
            dialog.patient(), dialog.complaint.text().strip(), dialog.consent.isChecked(), dialog.patient_id
        )
        if call is not None and then is not None:
            call.then(then)
        return call

    def create_consultation(
        self, patient: Patient, complaint: str, consent: bool, patient_id: str = ""
    ) -> DbCall[ConsultationInfo] | None:
        """Create it in the store, then open it (answered on the main thread)."""
        user = self._user
        if user is None:
            return None
        call = self._db.call(
            self.tr("creating the consultation"),
            lambda r: r.create_consultation(user, patient, complaint, consent, patient_id),
        )
        return call.then(self._created, self._error)

    # -- cancel, reopen, delete ----------------------------------------------------------------
    def cancel_selected(self, reason: str | None = None) -> DbCall[None] | None:
        """Cancel the selected consultation (asking why), or reopen it when it is cancelled."""
        info, user = self.selected(), self._user
        if info is None or user is None:
            return None
        cid = info.id
        if info.status == "cancelled":
            call = self._db.call(
                self.tr("reopening the consultation"), lambda r: r.reopen_consultation(user, cid)
            )
            return call.then(lambda _r: self.refresh(), self._error)
        if reason is None:
            text, ok = QInputDialog.getText(
                self,
                self.tr("Cancel consultation"),
                self.tr(
                    "%1: the consultation is kept as it is, read-only, with everything recorded and "
                    "its audit trail. Why is it cancelled?"
                ).replace("%1", info.patient.display_name()),
            )
            if not ok:
                return None
            reason = text
        why = reason
        call = self._db.call(
            self.tr("cancelling the consultation"), lambda r: r.cancel_consultation(user, cid, why)
        )
        return call.then(lambda _r: self.refresh(), self._error)

    def delete_selected(self, ask: bool = True) -> DbCall[None] | None:
        """Delete a consultation started by mistake, after saying what goes and what stays."""
        info, user = self.selected(), self._user
        if info is None or user is None:
            return None
        if ask:
            answer = QMessageBox.question(
                self,
                self.tr("Delete consultation"),
                self.tr(
                    "Delete the consultation of %1 started at %2?\n\nIts recording is destroyed and its "
                    "transcript and draft notes are removed; this cannot be undone. The audit log keeps a "
                    "record that it existed. A signed note or a document made is never deleted: cancel "
                    "such a consultation instead."
                )
                .replace("%1", info.patient.display_name())
                .replace("%2", f"{info.created_at:%Y-%m-%d %H:%M}"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        cid = info.id
        call = self._db.call(self.tr("deleting the consultation"), lambda r: r.delete_consultation(user, cid))
        return call.then(lambda _r: self.refresh(), self._error)

    def _created(self, info: ConsultationInfo) -> None:
        self.refresh()
        self.open_requested.emit(info)


def _colour(name: str) -> QBrush:
    return QBrush(QColor(name))


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.today()
