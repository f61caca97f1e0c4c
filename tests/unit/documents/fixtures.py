"""A fixture consultation shared by the document tests (unit and integration)."""

from __future__ import annotations

from datetime import date

from desktop.config import ClinicSettings
from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment

TODAY = date(2026, 3, 2)
TRANSCRIPT_TEXT = (
    "Doctor: What brings you in today? "
    "Patient: I have had chest tightness when climbing stairs for two weeks. "
    "Patient: I take amlodipine 5 mg every morning for blood pressure. "
    "Doctor: Blood pressure is 165 over 95, heart sounds regular. "
    "Doctor: I will refer you to cardiology for an exercise stress test. "
    "Doctor: Rest at home for 3 days. Let's do a lipid profile and HbA1c, and a chest X-ray. "
    "Doctor: Follow up in 2 weeks. Call 999 if the pain lasts more than 15 minutes."
)


def make_note() -> SoapNote:
    s = NoteStatement
    return SoapNote(
        chief_complaint="Chest tightness on exertion for two weeks",
        subjective=[
            s("Chest tightness when climbing stairs for two weeks.", ["s2"]),
            s("Takes amlodipine 5 mg every morning for hypertension.", ["s3"]),
        ],
        objective=[s("BP 165/95, heart sounds regular.", ["s4"])],
        assessment=[s("Suspected stable angina.", ["s5"])],
        plan=[
            s("Continue amlodipine 5 mg daily.", ["s3"]),
            s("Refer to cardiology for exercise stress test.", ["s5"]),
            s("Rest for 3 days.", ["s6"]),
            s("Blood tests: lipid profile and HbA1c.", ["s6"]),
            s("Chest X-ray.", ["s6"]),
            s("Follow up in 2 weeks.", ["s7"]),
        ],
        patient_instructions=[s("Call 999 if chest pain lasts more than 15 minutes.", ["s7"])],
    )


def make_transcript() -> Transcript:
    parts = [p.strip() for p in TRANSCRIPT_TEXT.split("Doctor:") if p.strip()]
    segments = [
        TranscriptSegment(
            id=f"s{i + 1}", start=float(i * 5), end=float(i * 5 + 4), text=text, speaker="doctor"
        )
        for i, text in enumerate(parts)
    ]
    return Transcript(language="en", segments=segments)


def make_patient() -> Patient:
    return Patient(
        name="Chan Tai Man", name_zh="陳大文", sex="M", date_of_birth="1960-03-04", mrn="HV-004217"
    )


def make_clinic(**overrides: str) -> ClinicSettings:
    clinic = ClinicSettings(
        name="Harbour View Clinic",
        name_zh="海景診所",
        address="Room 1203, 88 Nathan Road, Tsim Sha Tsui, Kowloon",
        phone="2345 6789",
        doctor_name="Dr Wong Ka Ming",
        registration_no="M12345",
    )
    for key, value in overrides.items():
        setattr(clinic, key, value)
    return clinic


# Values the note cannot supply, per kind (what a doctor types in the form).
USER_VALUES: dict[str, dict[str, str]] = {
    "reply": {"referring_doctor": "Dr Lee Siu Ming"},
    "pre_approval": {"insurer": "Harbour Mutual", "policy_no": "HM-556677"},
    "insurance_claim": {"insurer": "Harbour Mutual", "policy_no": "HM-556677"},
}
