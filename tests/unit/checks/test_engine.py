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
    # quoted with its answer, as the draft quotes a question answered in a few words
    note.subjective = [NoteStatement("Are you having any joint swelling now? — No, not now.")]
    assert NEGATION not in _types(checker.check(transcript, note))
    note.subjective = [NoteStatement("Joint swelling in both hands.")]
    assert NEGATION in _types(checker.check(transcript, note))


def _check(checker: Checker, transcript: str, **sections: list[str]) -> CheckResult:
    note = SoapNote(chief_complaint="Review")
    for name, texts in sections.items():
        setattr(note, name, [NoteStatement(t) for t in texts])
    return checker.check(parse_transcript_text(transcript), note)


@pytest.mark.parametrize(
    ("transcript", "plan"),
    [
        # a verb shared by two drugs
        (
            "D|Do not take losartan or metformin until your blood test next week.\n",
            ["Take metformin 500 mg twice daily."],
        ),
        # "it" of the sentence's subject, not of the drug named nearer
        (
            "D|Rifampicin interacts badly with warfarin, so we won't use it.\n",
            ["Rifampicin 600 mg once daily."],
        ),
        # 唔用 X
        (
            "D|Colchicine 同 clarithromycin 有 interaction，所以今次唔用 colchicine。\n",
            ["Colchicine 0.5 mg twice daily."],
        ),
        # the last dose
        ("D|Tonight's Clexane injection is the last one.\n", ["Continue Clexane 40 mg daily."]),
    ],
)
def test_stops_in_other_words_are_red(checker: Checker, transcript: str, plan: list[str]) -> None:
    result = _check(checker, transcript, plan=plan)
    assert {f.type for f in result.contradictions} & {STOPPED_DRUG, "allergy_drug"}, plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # "when to restart" is for later
        (
            "D|Stop the Eliquis two days before. The endoscopy team will tell you when to restart.\n",
            {
                "plan": [
                    "Hold apixaban 2 days before colonoscopy.",
                    "Endoscopy team to advise when to restart apixaban.",
                ]
            },
        ),
        # "give me a rash" is a reaction, not a prescription
        (
            "P|Codeine makes me vomit badly, and sulfa drugs give me a rash.\n",
            {
                "subjective": ["Allergies: codeine (vomiting), sulfa drugs (rash)."],
                "plan": ["Avoid codeine."],
            },
        ),
        # 唔好食多過兩日 is a limit, not "avoid"
        ("D|Panadol 一個禮拜唔好食多過兩日。\n", {"plan": ["Panadol 每星期服用不多於兩日。"]}),
        # a blood test named after a drug is not the drug
        (
            "D|Ibuprofen 會令 lithium level 升，好危險，唔好再食。\n",
            {"plan": ["Avoid ibuprofen.", "Lithium level in 3 months."]},
        ),
        # history tells the patient nothing
        (
            "D|咁唔好食，Septrin 同 methotrexate 一齊食好危險。我改開 nitrofurantoin 一百毫克，一日兩次。\n",
            {
                "subjective": ["Prescribed Septrin for a UTI last week, not yet taken."],
                "plan": ["Avoid Septrin with methotrexate.", "Nitrofurantoin 100 mg twice daily."],
            },
        ),
        # 兩三粒 is two or three, not 23
        (
            "P|佢自己買咗 Brufen 食，一日兩三粒。\nD|Brufen 唔好再食。\n",
            {
                "subjective": ["Self-medicating with Brufen two to three tablets a day."],
                "plan": ["Stop Brufen."],
            },
        ),
        # halving a tablet is half the count
        (
            "D|Zopiclone 七點五毫克，瞓前一粒。\nD|Zopiclone 減一半，即係三點七五毫克，瞓前食。\n",
            {"plan": ["Zopiclone 減至 3.75 毫克（半粒），睡前服。"]},
        ),
    ],
)
def test_what_only_looks_like_a_contradiction_is_not_red(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert not result.contradictions, plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "finding"),
    [
        (
            "D|Any cough, fevers or night sweats?\nP|No cough. Night sweats, not that I know of.\n",
            "Night sweats for weeks.",
        ),
        ("D|有冇手震？\nP|手震就冇。\n", "Fine tremor of both hands."),
        ("D|有冇見到啲唔存在嘅嘢，即係 hallucination？\nP|冇見過。\n", "Visual hallucinations."),
        ("D|Temperature 36.8. Calves soft and non-tender.\n", "Right calf swollen and tender."),
        ("D|肺部清，兩邊腳眼有少少腫。\n", "Bibasal crackles."),
        ("D|神經系統檢查正常，眼底正常。\n", "眼底見視乳頭水腫。"),
        ("P|Much better, eating again, no further vomiting.\n", "Ongoing vomiting."),
    ],
)
def test_denials_in_other_words_make_a_flipped_finding_red(
    checker: Checker, transcript: str, finding: str
) -> None:
    result = _check(checker, transcript, objective=[finding])
    assert NEGATION in {f.type for f in result.contradictions}, plain_text(result)


def test_a_negation_ends_where_a_new_thought_starts(checker: Checker) -> None:
    # speech recognised without punctuation: "so" ends the denial of murmurs
    line = (
        "D|no murmurs rubs or gallops so that's good as i listen i'm gonna look in your eyes "
        "the funduscopic exam shows papilledema\n"
    )
    result = _check(checker, line, objective=["Fundoscopy: papilledema."])
    assert not result.contradictions, plain_text(result)


def test_allergies_told_in_other_words_must_be_carried(checker: Checker) -> None:
    peeled = (
        "P|Just folic acid. And I can't have Tegretol. I had a bad skin reaction, my whole body peeled.\n"
    )
    assert "allergy" in {f.type for f in _check(checker, peeled, plan=["Folic acid 5 mg daily."]).omissions}
    kept = _check(
        checker,
        peeled,
        subjective=["Allergy: carbamazepine (skin peeling)."],
        plan=["Folic acid 5 mg daily."],
    )
    assert not any(f.type == "allergy" for f in kept.omissions), plain_text(kept)
    contrast = "D|有冇藥物敏感？\nP|上次照 CT 打顯影劑出過風癩。\n"
    assert "allergy" in {f.type for f in _check(checker, contrast).omissions}
    # each of two allergens must be written
    two = "D|Any allergies?\nP|Codeine makes me vomit, and sulfa drugs give me a rash.\n"
    one = _check(checker, two, subjective=["Allergy: codeine (vomiting)."])
    assert "allergy" in {f.type for f in one.omissions}, plain_text(one)


def test_frequencies_said_by_meal_and_brands(checker: Checker) -> None:
    meal = "D|我開 metformin 五百 mg，晚飯同食一粒。\n"
    result = _check(checker, meal, plan=["Start metformin 500 mg three times daily with meals."])
    assert FREQUENCY in {f.type for f in result.contradictions}, plain_text(result)
    assert not _check(checker, meal, plan=["Start metformin 500 mg once daily with dinner."]).contradictions
    priadel = "D|Priadel 四百 mg，每晚一粒。\nD|Priadel 照食。\n"
    result = _check(checker, priadel, plan=["Continue Priadel 400 mg twice daily."])
    assert FREQUENCY in {f.type for f in result.contradictions}, plain_text(result)


def test_an_amount_after_a_misheard_name_is_not_the_drug_befores(checker: Checker) -> None:
    # a recogniser wrote allopurinol as "allopro": its 500 mg is not atorvastatin's
    garbled = "D|Keep taking atorvastatin.\nD|Please start an allopro 500 milligrams once a day.\n"
    assert not _check(checker, garbled, plan=["Continue atorvastatin."]).omissions
    said = "D|Last time we started sertraline.\nD|You're on fifty milligrams once a day?\nP|Yes.\n"
    result = _check(checker, said, plan=["Continue sertraline."])
    assert any(f.type == "medication" and "50 mg" in f.message for f in result.omissions), plain_text(result)
