"""Finding a patient who has been here before: by name, Chinese name or MRN, while typing.

The search runs in the store on the database worker (never on the GUI thread); a short pause
after the last key starts it, and only the answer to the latest search is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.services.db import DbCall, DbWorker
from desktop.services.ports import PatientMatch

SEARCH_DELAY_MS = 250


class PatientLookup(QWidget):
    """A search field and the patients it finds.

    Signals (main thread): ``chosen(PatientMatch)`` when a result is picked (click or Enter);
    ``searched(int)`` with the number of results shown, after each answer.
    """

    chosen = Signal(object)
    searched = Signal(int)

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._latest = 0
        self.matches: list[PatientMatch] = []
        self.pending: DbCall[list[PatientMatch]] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit()
        self.query.setObjectName("patientSearch")
        self.query.setPlaceholderText(self.tr("Find a patient seen before: name, Chinese name or MRN"))
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("patientResults")
        self.results.setMaximumHeight(120)
        self.results.setVisible(False)
        self.note = QLabel("")
        self.note.setObjectName("patientSearchNote")
        self.note.setStyleSheet("color:#555;")
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        layout.addWidget(self.note)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search)
        self.query.textChanged.connect(lambda _t: self.timer.start())
        self.query.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(lambda item: self._pick(self.results.row(item)))
        self.results.itemClicked.connect(lambda item: self._pick(self.results.row(item)))

    def search(self) -> DbCall[list[PatientMatch]] | None:
        """Ask the store now (the pause after typing calls this)."""
        self.timer.stop()
        text = self.query.text().strip()
        self._latest += 1
        ticket = self._latest
        if not text:
            self._show([], ticket)
            return None
        call = self._db.call(self.tr("finding the patient"), lambda r: r.search_patients(text))
        call.then(lambda found: self._show(found, ticket), self._failed)
        self.pending = call
        return call

    def _failed(self, message: str, hint: str) -> None:
        self.note.setText(f"{message} {hint}".strip())

    def _show(self, found: list[PatientMatch], ticket: int) -> None:
        if ticket != self._latest:
            return  # an older search answered after a newer one was made
        self.matches = list(found)
        self.results.clear()
        for m in self.matches:
            self.results.addItem(QListWidgetItem(self.describe(m)))
        self.results.setVisible(bool(self.matches))
        if self.query.text().strip() and not self.matches:
            self.note.setText(self.tr("No patient found: fill in the details below for a new patient."))
        else:
            self.note.setText("")
        self.searched.emit(len(self.matches))

    def describe(self, m: PatientMatch) -> str:
        p = m.patient
        age = p.computed_age()
        parts = [p.display_name() or "—"]
        if p.sex or age is not None:
            parts.append(f"{p.sex or '-'}/{age if age is not None else '-'}")
        parts.append(self.tr("MRN %1").replace("%1", p.mrn or "—"))
        if m.last_visit is not None:
            parts.append(
                self.tr("last seen %1 (%n visit(s))", "", m.visits).replace("%1", f"{m.last_visit:%Y-%m-%d}")
            )
        return " · ".join(parts)

    def _enter(self) -> None:
        if self.timer.isActive():
            self.search()
        elif len(self.matches) >= 1:
            self._pick(max(0, self.results.currentRow()))

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.matches):
            self.chosen.emit(self.matches[row])
