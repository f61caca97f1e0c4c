"""The checks end to end: omissions with their lines, red contradictions, letters, the patient's account."""

from __future__ import annotations

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.checks.engine import Checker
from desktop.checks.model import ALLERGY_DRUG, DOSE, FREQUENCY, NEGATION, STOPPED_DRUG, CheckResult
from desktop.checks.report import markdown, plain_text
from desktop.core.types import NoteStatement, SoapNote

VISIT = """D|你而家食緊咩藥？
P|我食緊 amlodipine 五毫克，每朝一粒，仲有 metformin 五百毫克，一日兩次。
D|有冇藥物敏感？
P|我對 penicillin 敏感，食完會出疹。
D|血壓一百零五除六十五，心跳七十二。
D|你血壓偏低。amlodipine 你停咗先，唔好再食。metformin 照食。
P|知道。我冇發燒。
D|兩個禮拜後返嚟覆診。如果暈到跌低，即刻去急症室。
"""


def _note(**sections: list[str]) -> SoapNote:
    note = SoapNote(chief_complaint="Dizziness")
    for name, texts in sections.items():
        setattr(note, name, [NoteStatement(t) for t in texts])
    return note


GOOD = dict(
    subjective=[
        "On amlodipine 5 mg every morning.",
        "On metformin 500 mg twice daily.",
        "Allergy: penicillin.",
        "No fever.",
    ],
    objective=["BP 105/65, pulse 72."],
    assessment=["Hypotension."],
    plan=["Stop amlodipine.", "Continue metformin 500 mg twice daily.", "Review in 2 weeks."],
    patient_instructions=["If you faint, go to A&E at once."],
)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.fixture(scope="module")
def transcript():  # type: ignore[no-untyped-def]
    return parse_transcript_text(VISIT)


def _types(result: CheckResult) -> set[str]:
    return {f.type for f in result.flags}


def test_a_complete_note_is_clean(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    result = checker.check(transcript, _note(**GOOD))
    assert result.clean, plain_text(result)
    assert result.facts >= 8


def test_stopped_drug_told_to_take_is_red(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    sections = {
        **GOOD,
        "patient_instructions": ["Take amlodipine 5 mg daily.", *GOOD["patient_instructions"]],
    }
    result = checker.check(transcript, _note(**sections))
    (flag,) = result.contradictions
    assert flag.type == STOPPED_DRUG and flag.red
    assert flag.lines == ["s6"] and flag.where == ["patient_instructions[0]"]
    assert "amlodipine" in flag.message


def test_allergic_drug_of_the_same_class_is_red(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    sections = {**GOOD, "plan": [*GOOD["plan"], "Amoxicillin 500 mg three times a day."]}
    result = checker.check(transcript, _note(**sections))
    assert [f.type for f in result.contradictions] == [ALLERGY_DRUG]
    assert result.contradictions[0].lines == ["s3", "s4"]


def test_negated_finding_written_as_present(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    sections = {**GOOD, "subjective": [*GOOD["subjective"][:3], "發燒。"]}
    result = checker.check(transcript, _note(**sections))
    assert [(f.type, f.lines) for f in result.contradictions] == [(NEGATION, ["s7"])]


def test_dose_and_frequency_changed(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    sections = {
        **GOOD,
        "plan": ["Stop amlodipine.", "Continue metformin 850 mg three times daily.", "Review in 2 weeks."],
    }
    result = checker.check(transcript, _note(**sections))
    assert _types(result) == {DOSE, FREQUENCY}


def test_omissions_name_their_lines(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    sections = {**GOOD, "subjective": GOOD["subjective"][:2], "patient_instructions": []}
    result = checker.check(transcript, _note(**sections))
    found = {f.type: f.lines for f in result.omissions}
    assert found == {"allergy": ["s3", "s4"], "safety_net": ["s8"]}
    text = plain_text(result)
    assert "Allergy to penicillin." in text and "Said at line s8" in text  # no transcript given: the id
    assert "Left out" in markdown(result)


def test_a_letter_that_continues_a_stopped_drug(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    letter = "Dear colleague, he takes amlodipine 5 mg daily and metformin 500 mg twice daily."
    result = checker.check(transcript, _note(**GOOD), letters={"referral": letter})
    assert [(f.type, f.where) for f in result.contradictions] == [(STOPPED_DRUG, ["letter:referral"])]


def test_the_patients_intake_account_is_evidence(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    result = checker.check(transcript, _note(**GOOD), extra_evidence=[("intake1", "I am allergic to latex.")])
    assert [(f.type, f.lines) for f in result.omissions] == [("allergy", ["intake1"])]


def test_result_round_trips(checker: Checker, transcript) -> None:  # type: ignore[no-untyped-def]
    result = checker.check(transcript, _note(**{**GOOD, "plan": ["Continue amlodipine."]}))
    again = CheckResult.from_dict(result.to_dict())
    assert again.to_dict() == result.to_dict()
    assert [f.red for f in again.contradictions] == [True]


def test_english_consultation_with_question_and_answer(checker: Checker) -> None:
    transcript = parse_transcript_text(
        "D|Are you still taking the methotrexate?\nP|Yes, 15 mg every Monday.\n"
        "D|Any chest pain or fever?\nP|No, none at all.\nD|Any allergies?\nP|Doxycycline, it gave me a rash.\n"
    )
    note = _note(subjective=["Methotrexate 15 mg daily.", "Fever.", "Allergy: doxycycline (rash)."])
    result = checker.check(transcript, note)
    assert {(f.type, tuple(f.lines)) for f in result.contradictions} == {
        (FREQUENCY, ("s1", "s2")),
        (NEGATION, ("s3", "s4")),
    }
    assert result.omissions == []


@pytest.mark.parametrize(
    ("said", "right", "wrong"),
    [
        (
            "D|Two puffs of salbutamol when you are wheezy.",
            "Salbutamol 2 puffs when wheezy.",
            "Salbutamol 4 puffs when wheezy.",
        ),
        ("D|瞓覺前食一粒 cetirizine。", "Cetirizine 1 tablet at night.", "Cetirizine 2 tablets at night."),
    ],
)
def test_a_count_said_before_the_drug_is_its_dose(
    checker: Checker, said: str, right: str, wrong: str
) -> None:
    transcript = parse_transcript_text(said)
    assert not checker.check(transcript, _note(plan=[right])).contradictions
    assert _types(checker.check(transcript, _note(plan=[wrong]))) == {DOSE}


def test_a_cantonese_test_order_with_a_measure_word_is_a_test_to_carry(checker: Checker) -> None:
    """驗個HbA1c ("test an HbA1c"): 個 between the verb and the test; 驗咗 is a test already done."""
    ordered = parse_transcript_text("D|今日幫你驗個HbA1c。")
    left_out = checker.check(ordered, _note(plan=["Review in 2 weeks."]))
    assert [(f.type, f.lines) for f in left_out.omissions] == [("test", ["s1"])]
    assert not checker.check(ordered, _note(plan=["HbA1c today."])).omissions
    done = parse_transcript_text("D|上個月驗咗HbA1c。")
    assert not checker.check(done, _note(plan=["Review in 2 weeks."])).omissions


RHEUMATOLOGY = """D|It looks like you're only taking Alavert 10 milligrams a day and have no drug allergies. Is that correct?
P|Yes, that's right.
D|We'll stop your prednisone today and continue with the methotrexate, 15 mg once a week.
D|Are you having any joint swelling now?
P|No, none.
"""


def _meds(*entries: tuple[str, str]) -> list[NoteStatement]:
    return [NoteStatement(text, status=status) for status, text in entries]


def test_the_medications_part_is_read_by_its_status(checker: Checker) -> None:
    transcript = parse_transcript_text(RHEUMATOLOGY)
    faithful = SoapNote(chief_complaint="Rheumatoid arthritis review")
    faithful.medications = _meds(
        ("taking", "Alavert 10 mg daily"), ("stopped", "Prednisone"), ("taking", "Methotrexate 15 mg weekly")
    )
    faithful.subjective = [NoteStatement("No known drug allergies."), NoteStatement("No joint swelling.")]
    assert not checker.check(transcript, faithful).contradictions, plain_text(
        checker.check(transcript, faithful)
    )

    # the drafter marked the wrong drug stopped: the doctor sees it in red
    wrong = SoapNote.from_dict(faithful.to_dict())
    wrong.medications = _meds(
        ("taking", "Alavert 10 mg daily"), ("stopped", "Prednisone"), ("stopped", "Methotrexate")
    )
    result = checker.check(transcript, wrong)
    assert [(f.type, f.where) for f in result.contradictions] == [("drug_stopped", ["medications[2]"])]
    assert result.contradictions[0].lines == ["s3"]

    # a stopped drug listed as still taken is red too
    taken = SoapNote.from_dict(faithful.to_dict())
    taken.medications = _meds(("taking", "Prednisone 5 mg daily"), ("taking", "Methotrexate 15 mg weekly"))
    assert STOPPED_DRUG in _types(checker.check(transcript, taken))


def test_an_allergy_listed_in_the_medications_part_is_an_allergy_not_an_instruction(checker: Checker) -> None:
    transcript = parse_transcript_text(
        "D|Any allergies to medicines?\nP|Penicillin, it gives me a rash.\n"
        "D|Then I'll give you clarithromycin 500 mg twice a day for a week.\n"
    )
    note = SoapNote(chief_complaint="Sore throat")
    note.medications = _meds(
        ("allergy", "Penicillin (rash)"), ("started", "Clarithromycin 500 mg twice daily")
    )
    result = checker.check(transcript, note)
    assert result.clean, plain_text(result)
    note.medications = note.medications[1:]
    assert "allergy" in _types(checker.check(transcript, note))


def test_no_drug_allergies_said_beside_a_drug_makes_it_no_allergen(checker: Checker) -> None:
    transcript = parse_transcript_text(RHEUMATOLOGY)
    note = SoapNote(chief_complaint="Rheumatoid arthritis review")
    note.plan = [NoteStatement("Continue Alavert 10 mg daily."), NoteStatement("Stop prednisone.")]
    note.medications = _meds(("taking", "Methotrexate 15 mg weekly"))
    note.subjective = [NoteStatement("No joint swelling.")]
    result = checker.check(transcript, note)
    assert ALLERGY_DRUG not in _types(result), plain_text(result)
    # it is a drug the patient takes, and their answer records no known allergies
    assert not any(f.type == "medication" for f in result.omissions), plain_text(result)
    assert any(f.type == "allergy" for f in result.omissions), plain_text(result)


def test_a_question_copied_into_the_note_states_no_finding(checker: Checker) -> None:
    transcript = parse_transcript_text(RHEUMATOLOGY)
    note = SoapNote(chief_complaint="Rheumatoid arthritis review")
    note.subjective = [NoteStatement("Are you having any joint swelling now?")]
    assert NEGATION not in _types(checker.check(transcript, note))
    note.subjective = [NoteStatement("Joint swelling in both hands.")]
    assert NEGATION in _types(checker.check(transcript, note))
