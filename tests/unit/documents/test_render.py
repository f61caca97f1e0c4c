"""Filling and rendering without the model: data values land in every output format."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.types import NoteStatement, Patient, SoapNote
from desktop.documents.render import (
    MissingValuesError,
    missing_values,
    parse_date,
    render_document,
    write_html,
    write_text,
)
from desktop.documents.templates import KINDS
from desktop.documents.word import write_docx
from tests.unit.documents.fixtures import TODAY, USER_VALUES

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("language", ["en", "zh", "bilingual"])
def test_every_kind_carries_the_data_values(
    language: str, note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    for kind in KINDS:
        doc = render_document(
            kind,
            note,
            patient,
            clinic,
            language=language,
            values=USER_VALUES.get(kind),
            strict=True,
            today=TODAY,
        )
        for text in (doc.text, doc.html):
            for expected in (
                "Chan Tai Man",
                "陳大文",
                "HV-004217",
                "2026-03-02",
                "M12345",
                "Dr Wong Ka Ming",
            ):
                assert expected in text, (kind, language, expected)
        assert "[to be completed" not in doc.text
        latin_labels = "Registration No." in doc.text
        chinese_labels = "註冊編號" in doc.text
        assert (latin_labels, chinese_labels) == {
            "en": (True, False),
            "zh": (False, True),
            "bilingual": (True, True),
        }[language], (kind, language)


def test_medication_lines_come_from_the_plan(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    doc = render_document("prescription", note, patient, clinic, today=TODAY)
    assert "Continue amlodipine 5 mg daily." in doc.text
    assert "Refer to cardiology" not in doc.text  # not a medication line
    assert doc.values["medications"] == ["Continue amlodipine 5 mg daily."]


def test_defaults_from_today_and_the_plan(note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    doc = render_document("sick_leave", note, patient, clinic, today=TODAY)
    assert doc.values["leave_from"] == "2026-03-02"
    assert doc.values["leave_to"] == "2026-03-04"  # "Rest for 3 days" in the plan
    doc = render_document("follow_up", note, patient, clinic, today=TODAY)
    assert doc.values["appointment_date"] == "2026-03-16"  # "Follow up in 2 weeks"
    doc = render_document("sick_leave", note, patient, clinic, values={"leave_to": "2026-03-09"}, today=TODAY)
    assert doc.values["leave_to"] == "2026-03-09"


def test_missing_required_values_reported_before_generation(patient: Patient, clinic: ClinicSettings) -> None:
    bare = SoapNote(chief_complaint="Cough", plan=[NoteStatement("Fluids.")])
    missing = {f.name for f in missing_values("sick_leave", bare, patient, clinic, today=TODAY)}
    assert missing == {"leave_to"}
    with pytest.raises(MissingValuesError) as err:
        render_document("sick_leave", bare, patient, clinic, strict=True, today=TODAY)
    assert "leave_to" in err.value.message and "--value leave_to=" in err.value.hint
    unsigned = ClinicSettings(name="Clinic")
    names = {f.name for f in missing_values("referral", bare, patient, unsigned, today=TODAY)}
    assert names == {"specialty", "doctor.name", "doctor.registration_no"}
    # a draft (not strict) shows the gap instead of failing
    draft = render_document("sick_leave", bare, patient, clinic, today=TODAY)
    assert "[to be completed: Sick leave to (inclusive)]" in draft.text


def test_bad_user_values_are_clear_errors(note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    with pytest.raises(UserFacingError) as err:
        render_document("sick_leave", note, patient, clinic, values={"leave_to": "next Friday"})
    assert "DD/MM/YYYY" in err.value.hint
    with pytest.raises(UserFacingError) as err:
        render_document("sick_leave", note, patient, clinic, values={"insurer": "X"})
    assert "no field(s) insurer" in err.value.message


def test_placeholder_patient_is_announced(note: SoapNote, clinic: ClinicSettings) -> None:
    doc = render_document("referral", note, Patient.placeholder_header(), clinic, today=TODAY)
    assert "Patient details were not supplied" in doc.text
    assert "patient header is a placeholder" in doc.warnings


def test_script_follows_the_clinic_but_names_do_not_change(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    doc = render_document("referral", note, patient, clinic, language="zh", script="cn", today=TODAY)
    assert "转介信" in doc.text and "轉介信" not in doc.text
    assert "陳大文" in doc.text  # a name is data: never converted
    hk = render_document("referral", note, patient, clinic, language="zh", script="hk", today=TODAY)
    assert "轉介信" in hk.text


def test_prose_is_used_and_chinese_prose_follows_the_script(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    prose = {
        "reason": {
            "en": "Exertional chest tightness; please assess for angina.",
            "zh": "运动时胸口翳闷，请评估。",
        }
    }
    doc = render_document("referral", note, patient, clinic, language="bilingual", prose=prose, today=TODAY)
    assert "please assess for angina" in doc.text
    assert "運動時胸口翳悶，請評估。" in doc.text  # Simplified from the model -> Hong Kong Traditional
    assert "prose from the note for: reason" not in doc.warnings
    assert "prose from the note for: history" in doc.warnings


def test_html_escapes_note_text(patient: Patient, clinic: ClinicSettings) -> None:
    note = SoapNote(chief_complaint="<script>alert(1)</script>", assessment=[NoteStatement("A < B & C")])
    doc = render_document("soap_note", note, patient, clinic, today=TODAY)
    assert "<script>" not in doc.html and "&lt;script&gt;" in doc.html
    assert "A &lt; B &amp; C" in doc.html


def test_writers(tmp_path: Path, note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    doc = render_document("sick_leave", note, patient, clinic, language="bilingual", today=TODAY)
    write_text(doc, tmp_path / "a.txt")
    write_html(doc, tmp_path / "a.html")
    write_docx(doc, tmp_path / "a.docx")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == doc.text
    assert '<meta charset="utf-8">' in (tmp_path / "a.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "a.docx") as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
        body = docx.read("word/document.xml").decode("utf-8")
        footer = "".join(docx.read(n).decode("utf-8") for n in docx.namelist() if "footer" in n)
        header = "".join(docx.read(n).decode("utf-8") for n in docx.namelist() if "header" in n)
    assert 'w:eastAsia="Microsoft JhengHei"' in styles
    assert "陳大文" in body and "M12345" in body
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "Harbour View Clinic" in header
    assert not list(tmp_path.glob("*.part"))


def test_soap_note_document(note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    doc = render_document("soap_note", note, patient, clinic, today=TODAY)
    for statement in [st.text for _, st in note.statements()]:
        assert statement in doc.text
    assert CJK.search(doc.text)  # the Chinese name


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("04/12/2026", "2026-12-04"),  # Hong Kong: day first
        ("4/12/2026", "2026-12-04"),
        ("04.12.2026", "2026-12-04"),
        ("4-12-2026", "2026-12-04"),
        ("2026-12-04", "2026-12-04"),
        ("2026年12月4日", "2026-12-04"),
    ],
)
def test_dates_as_clinics_write_them(written: str, iso: str) -> None:
    assert parse_date(written).isoformat() == iso


@pytest.mark.parametrize("written", ["12/31/2026", "31/02/2026", "next Friday", "2026/13/01"])
def test_dates_that_are_not_dates_are_refused(written: str) -> None:
    with pytest.raises(ValueError):
        parse_date(written)


def test_sick_leave_accepts_day_first_dates(note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    doc = render_document(
        "sick_leave", note, patient, clinic, values={"leave_from": "02/03/2026", "leave_to": "04/03/2026"}
    )
    assert (doc.values["leave_from"], doc.values["leave_to"]) == ("2026-03-02", "2026-03-04")


def test_a_leave_that_ends_before_it_starts_is_refused(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    with pytest.raises(UserFacingError) as err:
        render_document(
            "sick_leave", note, patient, clinic, values={"leave_from": "05/03/2026", "leave_to": "04/03/2026"}
        )
    assert err.value.message == (
        "Sick leave to (inclusive) (04/03/2026) is before sick leave from (05/03/2026)."
    )
