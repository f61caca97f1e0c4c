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
    assert extract.extract("diagnosis", note, TODAY) == "Suspected stable angina."


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
