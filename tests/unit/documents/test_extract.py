"""Values taken from the note by name, never from the model."""

from __future__ import annotations

from datetime import date

from desktop.core.types import NoteStatement, SoapNote
from desktop.documents import extract
from tests.unit.documents.fixtures import TODAY, make_note


def _plan(*lines: str) -> SoapNote:
    return SoapNote(plan=[NoteStatement(line) for line in lines])


def test_fixture_note_values() -> None:
    note = make_note()
    assert extract.extract("medications", note, TODAY) == ["Continue amlodipine 5 mg daily."]
    assert extract.extract("specialty", note, TODAY) == "cardiology"
    assert extract.extract("rest_days", note, TODAY) == "3"
    assert extract.extract("leave_to", note, TODAY) == "2026-03-04"  # 3 days from 2 March, inclusive
    assert extract.extract("follow_up_date", note, TODAY) == "2026-03-16"
    assert extract.extract("lab_tests", note, TODAY) == ["Blood tests: lipid profile and HbA1c."]
    assert extract.extract("imaging", note, TODAY) == ["Chest X-ray."]
    assert extract.extract("diagnosis", note, TODAY) == "Suspected stable angina"


def test_rest_days_phrasings() -> None:
    day = date(2026, 1, 10)
    assert extract.rest_days(_plan("Sick leave: two days of rest.")) == 2
    assert extract.rest_days(_plan("5-day sick leave given")) == 5
    assert extract.rest_days(_plan("Off work for 7 days")) == 7
    assert extract.rest_days(_plan("病假三日")) == 3
    assert extract.rest_days(_plan("休息兩天")) == 2
    assert extract.rest_days(_plan("Paracetamol 500 mg qid")) is None
    assert extract.extract("leave_to", _plan("Paracetamol 500 mg qid"), day) is None


def test_follow_up_intervals() -> None:
    assert extract.follow_up_days(_plan("Review in 3 days")) == 3
    assert extract.follow_up_days(_plan("Follow-up after one month")) == 30
    assert extract.follow_up_days(_plan("兩星期後覆診")) == 14
    assert extract.follow_up_days(_plan("Repeat HbA1c in 3 months")) is None  # not a follow-up visit


def test_medication_lines() -> None:
    note = _plan(
        "Metformin 500 mg bd with meals.",
        "Diet advice.",
        "Salbutamol inhaler 2 puffs prn.",
        "必要時服用止痛藥",
    )
    assert extract.extract("medications", note, TODAY) == [
        "Metformin 500 mg bd with meals.",
        "Salbutamol inhaler 2 puffs prn.",
        "必要時服用止痛藥",
    ]


def test_unsupported_flags_follow_copied_lines() -> None:
    note = _plan("Amoxicillin 875 mg bd")
    note.plan[0].unsupported = ["875 mg"]
    assert extract.unsupported_in(note, ["Amoxicillin 875 mg bd"]) == ["875 mg"]


def _assessment(*lines: str, complaint: str = "") -> SoapNote:
    return SoapNote(chief_complaint=complaint, assessment=[NoteStatement(line) for line in lines])


def test_the_diagnosis_field_takes_a_phrase_not_a_plan_sentence() -> None:
    cases = {
        "Likely viral URTI; start paracetamol 500 mg qid and rest 2 days.": "Likely viral URTI",
        "Impression: community-acquired pneumonia, CURB-65 score 1, plan oral amoxicillin": (
            "Community-acquired pneumonia"
        ),
        "The patient has a viral upper respiratory tract infection and advised rest for 3 days.": (
            "Viral upper respiratory tract infection"
        ),
        "Acute gastroenteritis. Advise oral rehydration.": "Acute gastroenteritis",
        "Type 2 diabetes with HbA1c 7.5% - suboptimal control": "Type 2 diabetes with HbA1c 7.5%",
        "Asthma exacerbation due to viral infection, treated with salbutamol": (
            "Asthma exacerbation due to viral infection"
        ),
        "Hypertension on amlodipine": "Hypertension on amlodipine",
        "急性腸胃炎，建議多喝水及休息兩天。": "急性腸胃炎",
        "診斷：濕疹；處方類固醇藥膏": "濕疹",
    }
    for line, phrase in cases.items():
        assert extract.extract("diagnosis", _assessment(line), TODAY) == phrase, line


def test_a_plan_line_in_the_assessment_is_passed_over() -> None:
    note = _assessment("Start amlodipine 5 mg daily.", "Essential hypertension, newly diagnosed.")
    assert extract.extract("diagnosis", note, TODAY) == "Essential hypertension"
    assert extract.diagnosis_phrase("Paracetamol 500 mg qid") == ""
    # Nothing in the assessment names one: the chief complaint's first clause, else nothing.
    only_plan = _assessment("Continue metformin 500 mg bd.", complaint="Cough for five days, worse at night")
    assert extract.extract("diagnosis", only_plan, TODAY) == "Cough for five days"
    assert extract.extract("diagnosis", _assessment("Refer to ENT."), TODAY) is None


def test_a_long_single_clause_is_cut_before_what_is_joined_on() -> None:
    line = (
        "Sore throat for 3 days with fever to 38.5 and the patient is worried about tonsillitis coming back"
    )
    phrase = extract.diagnosis_phrase(line)
    assert phrase == "Sore throat for 3 days"
    assert len(extract.diagnosis_phrase("x" * 200)) == extract.MAX_DIAGNOSIS_CHARS


def test_the_sick_leave_form_starts_with_the_phrase() -> None:
    from desktop.config import ClinicSettings
    from desktop.core.types import Patient
    from desktop.documents.render import resolve_values
    from desktop.documents.templates import load_all

    note = _assessment("Likely viral URTI; rest 3 days and paracetamol 500 mg qid.")
    values, _missing = resolve_values(load_all()["sick_leave"], note, Patient(name="A"), ClinicSettings(), {})
    assert values["diagnosis"] == "Likely viral URTI"
