"""Documents from an unsigned note: DRAFT on every page (PDF, DOCX, text, preview) and no diagnosis
taken from a suggestion the doctor has not accepted."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from desktop.config import ClinicSettings
from desktop.core.types import NoteStatement, Patient, SoapNote
from desktop.documents.word import write_docx
from desktop.llm.letters import accepted_statements, generate_document
from desktop.services.pdf import write_pdf
from tests.unit.documents.fixtures import TODAY

VALUES = {"leave_from": "2026-03-02", "leave_to": "2026-03-04"}


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _certificate(note: SoapNote, patient: Patient, clinic: ClinicSettings, draft: bool):  # type: ignore[no-untyped-def]
    return generate_document(
        "sick_leave",
        note,
        patient,
        clinic,
        runtime=None,
        values=VALUES,
        language="bilingual",
        today=TODAY,
        draft=draft,
    ).document


def test_unaccepted_assessment_stays_out_of_a_draft_certificate(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    assert not note.assessment[0].accepted  # "Suspected stable angina." is still a suggestion
    draft = _certificate(note, patient, clinic, draft=True)
    assert "angina" not in draft.text.lower()
    assert "DRAFT" in draft.text and "草稿" in draft.text
    note.assessment[0].accepted = True
    accepted = _certificate(note, patient, clinic, draft=True)
    assert "Suspected stable angina" in accepted.text  # accepted by the doctor: it may be stated


def test_a_signed_note_makes_a_document_without_the_mark(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    for st in note.assessment + note.plan:
        st.accepted = True
    doc = _certificate(note, patient, clinic, draft=False)
    assert "DRAFT" not in doc.text and "DRAFT" not in doc.html and "Suspected stable angina" in doc.text


def test_accepted_statements_keeps_what_is_fact() -> None:
    note = SoapNote(
        chief_complaint="Cough",
        subjective=[NoteStatement("Cough for 3 days.")],
        assessment=[NoteStatement("Bronchitis.", accepted=False), NoteStatement("URTI.", accepted=True)],
        plan=[NoteStatement("Rest.", accepted=False)],
    )
    kept = accepted_statements(note)
    assert [s.text for s in kept.assessment] == ["URTI."] and kept.plan == []
    assert [s.text for s in kept.subjective] == ["Cough for 3 days."] and kept.chief_complaint == "Cough"
    assert [s.text for s in note.assessment] == ["Bronchitis.", "URTI."]  # the note itself is untouched


@pytest.mark.parametrize("draft", [True, False])
def test_pdf_and_docx_carry_the_mark_on_every_page(
    tmp_path: Path, note: SoapNote, patient: Patient, clinic: ClinicSettings, draft: bool
) -> None:
    doc = _certificate(note, patient, clinic, draft=draft)
    pdf = write_pdf(doc, tmp_path / "cert.pdf")
    text = _pdf_text(pdf)
    assert ("DRAFT" in text) is draft
    pages = text.split("\f")
    assert all("DRAFT" in page for page in pages if page.strip()) is draft  # the footer of each page
    docx = write_docx(doc, tmp_path / "cert.docx")
    with zipfile.ZipFile(docx) as zf:
        body = zf.read("word/document.xml").decode("utf-8")
        headers = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("word/header"))
    assert ("DRAFT" in body) is draft and ("DRAFT" in headers) is draft
