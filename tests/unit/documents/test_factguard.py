"""The fact guard flags numbers, doses and drugs the transcript does not contain."""

from __future__ import annotations

import pytest

from desktop.core.types import NoteStatement, SoapNote
from desktop.documents.factguard import FactGuard, chinese_numeral_value, english_number_values

TRANSCRIPT = (
    "Patient: I take metformin five hundred milligrams twice a day.\n"
    "Doctor: Blood pressure 165 over 95, pulse 82.\n"
    "Patient: 我食緊 metformin 五百毫克，一日兩次。\n"
    "Doctor: I will start amlodipine 5 mg once a day."
)


@pytest.fixture(scope="module")
def guard() -> FactGuard:
    return FactGuard.for_transcript(TRANSCRIPT)


@pytest.mark.parametrize(
    "text",
    [
        "Metformin 500 mg twice daily.",
        "Metformin 500mg BD.",
        "BP 165/95, pulse 82.",
        "Start amlodipine 5 mg once daily.",
        "繼續食 metformin 五百毫克。",
        "Takes metformine 500 mg.",  # one-letter ASR slip of a spoken drug
    ],
)
def test_supported_statements_pass(guard: FactGuard, text: str) -> None:
    assert guard.check(text) == []


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Metformin 850 mg twice daily.", "850 mg"),
        ("BP 170/95.", "170/95"),
        ("Start lisinopril.", "lisinopril"),
        ("Increase amlodipine to 10 mg.", "10 mg"),
        ("Paracetamol as needed.", "paracetamol"),
        ("改食 metformin 一千毫克。", "一千"),
        ("Review in three weeks.", "3"),
        ("Start atorvastatin for cholesterol.", "atorvastatin"),
    ],
)
def test_invented_facts_are_flagged(guard: FactGuard, text: str, flag: str) -> None:
    assert flag in guard.check(text)


def test_unknown_drug_by_its_suffix(guard: FactGuard) -> None:
    assert "zorbaprazole" in guard.check("Add zorbaprazole daily.")


def test_guard_note_marks_each_statement(guard: FactGuard) -> None:
    note = SoapNote(
        plan=[NoteStatement("Metformin 500 mg BD."), NoteStatement("Metformin 1000 mg BD.")],
        objective=[NoteStatement("BP 165/95.")],
    )
    assert guard.guard_note(note) == 1
    assert note.plan[0].unsupported == [] and note.plan[1].unsupported == ["1000 mg"]


def test_numeral_readers() -> None:
    assert chinese_numeral_value("五百") == 500
    assert chinese_numeral_value("一千二百五十") == 1250
    assert chinese_numeral_value("十五") == 15
    assert chinese_numeral_value("頭痛") is None
    assert english_number_values("one hundred and sixty five over ninety five") == {165.0, 95.0}


def test_clinic_vocabulary_diseases_are_not_drugs() -> None:
    g = FactGuard.for_transcript(
        "Your blood pressure is high.", vocabulary=["hypertension", "HbA1c", "metformin"]
    )
    assert g.check("Hypertension; check HbA1c.") == []
    assert g.check("Start metformin.") == ["metformin"]


def test_brands_and_synonyms_count_as_the_same_drug() -> None:
    g = FactGuard.for_transcript("Patient: I take Panadol for the headache and my Ventolin inhaler.")
    assert g.check("Paracetamol as needed; salbutamol inhaler.") == []
    assert g.check("Tylenol 500 mg.") == ["500 mg"]
    assert g.check("Start Zestril.") == ["zestril"]  # a brand the transcript never named
