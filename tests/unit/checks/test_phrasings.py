"""Phrasings found by the second development set: each one was missed or falsely flagged before."""

from __future__ import annotations

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.checks.engine import Checker
from desktop.checks.model import DOSE, FREQUENCY, NEGATION, CheckResult
from desktop.core.types import NoteStatement, SoapNote


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _check(checker: Checker, transcript: str, **sections: list[str]) -> CheckResult:
    note = SoapNote()
    for name, texts in sections.items():
        setattr(note, name, [NoteStatement(t, ["s1"]) for t in texts])
    return checker.check(parse_transcript_text(transcript), note)


def _contradictions(result: CheckResult) -> set[str]:
    return {f.type for f in result.contradictions}


def _omitted(result: CheckResult) -> set[str]:
    return {f.type for f in result.omissions}


def test_a_chinese_frequency_with_the_verb_inside_is_read(checker: Checker) -> None:
    said = "P|我膝頭痛，每日食兩次 naproxen，每次五百毫克。"
    assert FREQUENCY not in _contradictions(_check(checker, said, subjective=["Naproxen 500 mg BD."]))
    assert FREQUENCY in _contradictions(_check(checker, said, subjective=["Naproxen 500 mg 每日一次。"]))
    cream = "D|betamethasone 0.1% cream，一日搽一次，搽一個禮拜。"
    assert FREQUENCY in _contradictions(_check(checker, cream, plan=["Betamethasone 0.1% cream TDS."]))


def test_hours_said_in_words_are_a_frequency(checker: Checker) -> None:
    said = "D|Take two tablets of paracetamol every six hours."
    assert FREQUENCY in _contradictions(_check(checker, said, plan=["Paracetamol 2 tabs every 4 hours."]))
    assert not _contradictions(_check(checker, said, plan=["Paracetamol 2 tabs every 6 hours."]))


def test_an_amount_joined_by_of_before_the_drug_is_its_dose(checker: Checker) -> None:
    said = "D|Let's go up to one hundred milligrams of sertraline each morning."
    assert DOSE not in _contradictions(_check(checker, said, plan=["Increase sertraline to 100 mg mane."]))
    assert DOSE in _contradictions(_check(checker, said, plan=["Increase sertraline to 150 mg mane."]))


def test_an_allergy_the_doctor_asks_about_and_the_patient_confirms_is_an_allergy(checker: Checker) -> None:
    said = "D|你對 sulfa 藥物敏感，係咪？\nP|係呀，食完會出紅疹。"
    assert "allergy" in _omitted(_check(checker, said, subjective=["DM review."]))
    assert "allergy" not in _omitted(_check(checker, said, subjective=["Allergy: sulfa drugs (rash)."]))
    denied = "D|你對 sulfa 藥物敏感，係咪？\nP|唔係，我冇敏感。"
    flags = _check(checker, denied, subjective=["DM review."]).omissions
    assert not any("sulfa" in f.message for f in flags), flags


def test_a_note_that_names_the_reaction_carries_the_allergy(checker: Checker) -> None:
    said = "D|有冇藥物敏感？\nP|我食 aspirin 會氣喘。"
    assert "allergy" not in _omitted(_check(checker, said, subjective=["Aspirin causes wheeze."]))
    assert "allergy" in _omitted(_check(checker, said, subjective=["Eczema for two weeks."]))


def test_ring_us_and_call_if_are_safety_net_advice(checker: Checker) -> None:
    said = "D|If you get short of breath at night, ring us straight away."
    assert "safety_net" in _omitted(_check(checker, said, plan=["Increase furosemide."]))
    assert "safety_net" not in _omitted(
        _check(checker, said, patient_instructions=["Call if breathless at night."])
    )


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("D|Have you had a temperature?\nP|No, I haven't had a temperature at all.", "Fever."),
        ("D|Any blood in the phlegm?\nP|No.", "Haemoptysis."),
        ("D|有冇黑色大便或者嘔血？\nP|冇，兩樣都冇。", "有黑便。"),
        ("D|Could you be pregnant?\nP|No, I'm not pregnant.", "Pregnant."),
        ("D|Any neck stiffness?\nP|My neck isn't stiff.", "Neck stiffness."),
        ("D|Are you drinking alcohol?\nP|I don't drink at all.", "Drinks alcohol."),
        ("D|你有冇食煙？\nP|冇食煙，我從來都唔食。", "有吸煙。"),
        ("D|Any kidney problems in the past?\nP|No kidney problems.", "Renal disease."),
        ("D|The toe is hot and swollen. Temperature is normal.", "Febrile."),
        ("D|Does it hurt when you pass urine?\nP|No, it doesn't.", "Dysuria."),
        ("D|Any weight loss?\nP|My weight has been stable.", "Weight loss."),
        ("D|Any chest pain or breathlessness when you lie flat?\nP|No, none of that.", "Chest pain."),
    ],
)
def test_a_finding_said_to_be_absent_and_written_present_is_red(
    checker: Checker, said: str, written: str
) -> None:
    assert NEGATION in _contradictions(_check(checker, said, subjective=[written]))


@pytest.mark.parametrize(
    ("said", "written"),
    [
        # "not sleeping well" is poor sleep: the term that says "absent", negated, says present
        ("P|Still low, and I'm not sleeping well.", "Poor sleep."),
        ("D|Have you been sleeping OK?\nP|Yes, sleeping fine.", "Sleeping well."),
        ("D|Drink plenty of water.\nP|I don't drink alcohol.", "Advised to drink plenty of fluids."),
    ],
)
def test_no_red_flag_where_the_note_agrees(checker: Checker, said: str, written: str) -> None:
    assert NEGATION not in _contradictions(_check(checker, said, subjective=[written]))


def test_a_yes_to_sleeping_ok_means_no_poor_sleep(checker: Checker) -> None:
    said = "D|Have you been sleeping OK?\nP|Yes, sleeping fine."
    assert NEGATION in _contradictions(_check(checker, said, subjective=["Poor sleep."]))


def test_combination_inhaler_brands_are_drugs(checker: Checker) -> None:
    said = "P|Seretide 二百五十，早晚各噴一下。\nD|Seretide 改為早晚各噴兩下。"
    result = _check(checker, said, plan=["Seretide 每日噴一下。"])
    assert FREQUENCY in _contradictions(result)


# Found by the third development set (written blind by another author).


def test_decimals_said_in_words_and_digits_after_chinese_are_read() -> None:
    from desktop.checks.text import numbers

    def values(text: str) -> list[float]:
        return [n.value for n in numbers(text)]

    assert values("temperature thirty-eight point nine") == [38.9]
    assert values("bisoprolol two point five milligrams") == [2.5]
    assert values("two five-hundred milligram tablets") == [2.0, 500.0]
    assert values("體重12公斤，血壓110/70") == [12.0, 110.0, 70.0]
    assert values("半粒") == [0.5] and values("一粒半") == [1.5]
    assert values("每日十 mg") == [10.0]


def test_a_count_of_tablets_times_their_strength_is_the_dose(checker: Checker) -> None:
    said = "D|Paracetamol is fine, two five-hundred milligram tablets every eight hours if you need it."
    assert not _contradictions(_check(checker, said, plan=["Paracetamol 1 g every 8 hours PRN."]))
    assert DOSE in _contradictions(_check(checker, said, plan=["Paracetamol 2 g every 8 hours PRN."]))


def test_stop_it_is_the_drug_named_before(checker: Checker) -> None:
    said = "D|The ibuprofen is likely making this worse, so please stop it and use paracetamol instead."
    assert not _contradictions(_check(checker, said, plan=["Use paracetamol instead."]))
    asked = "D|Are you still taking the St John's wort?\nP|Yes.\nD|Please stop that, it doesn't mix with sertraline."
    result = _check(checker, asked, plan=["Carry on taking St John's wort.", "Continue sertraline."])
    assert {f.type for f in result.contradictions} == {"stopped_drug"}, result.contradictions


def test_advice_for_later_is_not_a_stop(checker: Checker) -> None:
    said = "D|Take colchicine 500 micrograms twice a day. Stop the colchicine if you get diarrhoea."
    assert not _contradictions(_check(checker, said, plan=["Colchicine 500 mcg BD."]))
    limit = "D|Paracetamol liquid 7.5 ml every six hours, no more than four doses in a day."
    assert not _contradictions(_check(checker, limit, plan=["Give paracetamol 7.5 ml every 6 hours."]))


def test_a_conditional_instruction_to_take_an_allergen_is_red(checker: Checker) -> None:
    said = "D|Any allergies?\nP|Trimethoprim gave me a rash a few years ago."
    result = _check(checker, said, patient_instructions=["If it comes back, take trimethoprim 200 mg BD."])
    assert "allergy_drug" in _contradictions(result)


def test_avoiding_a_drug_does_not_record_the_allergy(checker: Checker) -> None:
    said = "D|有冇 drug allergy？\nP|有，sulfasalazine，食完全身出 rash。"
    result = _check(checker, said, plan=["Avoid Septrin and trimethoprim."])
    assert "allergy" in _omitted(result)


def test_times_a_week_and_every_other_day(checker: Checker) -> None:
    said = "D|我開 Evorel 五十 patch，一個禮拜貼兩次。"
    assert not _contradictions(_check(checker, said, plan=["Evorel 50 patch twice weekly."]))
    assert FREQUENCY in _contradictions(_check(checker, said, plan=["Evorel 50 patch once a week."]))


def test_a_risk_explained_is_not_a_finding(checker: Checker) -> None:
    said = "D|以前有冇血栓？\nP|全部都冇。\nD|有少少血栓同乳癌風險，我哋已經傾過。"
    assert NEGATION in _contradictions(_check(checker, said, subjective=["History of VTE."]))


@pytest.mark.parametrize(
    ("said", "written", "flagged"),
    [
        # denied in words the concept list does not know
        ("P|I haven't noticed any hair loss.", "Hair loss.", True),
        ("P|冇耳鳴。", "有耳鳴。", True),
        ("D|有冇夜尿？\nP|冇。", "夜尿兩次。", True),
        ("D|Any night sweats or weight loss?\nP|No, nothing like that.", "Night sweats.", True),
        ("D|There is no lymphadenopathy.", "Cervical lymphadenopathy.", True),
        # and where the note is right
        ("P|I have no appetite at all.", "Poor appetite.", False),
        ("P|No, the hair loss is still going on.", "Hair loss.", False),
        ("D|No swelling in the right leg.\nD|The left calf is swollen.", "Left calf swelling.", False),
    ],
)
def test_a_finding_the_concept_list_lacks_is_held_to_its_denial(
    checker: Checker, said: str, written: str, flagged: bool
) -> None:
    assert (NEGATION in _contradictions(_check(checker, said, subjective=[written]))) is flagged


def test_a_denial_is_not_held_against_the_plan(checker: Checker) -> None:
    said = "D|Do you drink?\nP|No, I don't drink alcohol at all."
    assert not _contradictions(_check(checker, said, plan=["Keep alcohol to a minimum."]))
