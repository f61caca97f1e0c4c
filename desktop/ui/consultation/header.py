"""The consultation's header: back to the list, the patient line, the status badge."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.core.types import Patient
from desktop.ui.consultations import STATUS_COLOURS, status_label


def patient_line(p: Patient, complaint: str) -> str:
    """Name, sex / age, MRN and date of birth on one line; the chief complaint below it."""
    age = p.computed_age()
    sex = {
        "F": QCoreApplication.translate("ConsultationHeader", "F"),
        "M": QCoreApplication.translate("ConsultationHeader", "M"),
        "X": QCoreApplication.translate("ConsultationHeader", "X"),
    }.get(p.sex, p.sex)
    parts = [f"<b>{p.display_name() or '—'}</b>"]
    parts.append(f"{sex or '—'} / {age if age is not None else '—'}")
    parts.append(QCoreApplication.translate("ConsultationHeader", "MRN %1").replace("%1", p.mrn or "—"))
    if p.date_of_birth:
        parts.append(p.date_of_birth)
    line = " · ".join(parts)
    if complaint:
        line += f"<br><span style='color:#555'>{complaint}</span>"
    return line


class ConsultationHeader(QWidget):
    """Back button, patient line and status badge of the open consultation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        head = QHBoxLayout(self)
        head.setContentsMargins(0, 0, 0, 0)
        self.back_button = QPushButton(self.tr("◀ Consultations"))
        self.back_button.setObjectName("backButton")
        self.patient = QLabel("")
        self.patient.setObjectName("patientHeader")
        self.patient.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("")
        self.status.setObjectName("consultationStatus")
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.patient, 1)
        head.addWidget(self.status)

    def show_patient(self, patient: Patient, complaint: str) -> None:
        self.patient.setText(patient_line(patient, complaint))

    def show_status(self, status: str) -> None:
        self.status.setText(status_label(status))
        self.status.setStyleSheet(
            f"color:white;background:{STATUS_COLOURS.get(status, '#555')};padding:3px 8px;border-radius:3px;"
        )
