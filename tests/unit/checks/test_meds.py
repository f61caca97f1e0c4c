"""Medicines in text: what was decided about each, its dose and its frequency (English and Cantonese)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from desktop.checks.amounts import doses_in, frequency_in
from desktop.checks.concepts import Concepts
from desktop.checks.meds import (
    ALLERGY,
    AVOID,
    CHANGE,
    CONTINUE,
    START,
    STOP,
    TAKING,
    MedFinder,
    drug_uses,
)
from desktop.checks.text import numbers, zh_number


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    surface: str
    canonical: str


class ClinicListFinder:
    """A drug finder over a short list, each name its own canonical (the tests do not depend on
    the shared lexicon's contents)."""

    def __init__(self, names: list[str]) -> None:
        self._names = {n.lower() for n in names}
        alternatives = "|".join(re.escape(n) for n in sorted(self._names, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![A-Za-z])({alternatives})(?![A-Za-z])", re.IGNORECASE)

    def find(self, text: str) -> list[_Mention]:
        return [
            _Mention(m.start(), m.end(), m.group(0), m.group(0).lower()) for m in self._pattern.finditer(text)
        ]

    def canonical(self, phrase: str) -> str | None:
        return phrase.lower() if phrase.lower() in self._names else None


NAMES = [
    "amlodipine",
    "metformin",
    "ibuprofen",
    "paracetamol",
    "warfarin",
    "losartan",
    "lisinopril",
    "cetirizine",
]
NAMES += ["amoxicillin", "azithromycin", "penicillin", "aspirin", "omeprazole", "atorvastatin"]


@pytest.fixture(scope="module")
def finder() -> MedFinder:
    return MedFinder(ClinicListFinder(NAMES), Concepts.default())


def _decisions(finder: MedFinder, text: str) -> dict[str, str]:
    return {u.med.key: u.decision for u in drug_uses(text, finder.find(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amlodipine 你停咗先，唔好再食。metformin 照食。", {"amlodipine": STOP, "metformin": CONTINUE}),
        ("aspirin 唔好停，繼續食。", {"aspirin": CONTINUE}),  # a negated stop is a continue
        ("Continue warfarin, so don't stop it.", {"warfarin": CONTINUE}),
        ("Stop lisinopril and start losartan 50 mg daily.", {"lisinopril": STOP, "losartan": START}),
        ("lisinopril 停咗佢，轉食 losartan 五十毫克。", {"lisinopril": STOP, "losartan": START}),
        ("Please avoid ibuprofen with warfarin.", {"ibuprofen": AVOID, "warfarin": TAKING}),
        ("我對 penicillin 敏感，食完會出疹。", {"penicillin": ALLERGY}),
        (
            "Because of the amoxicillin allergy I'll give azithromycin.",
            {"amoxicillin": ALLERGY, "azithromycin": START},
        ),
        ("我將 atorvastatin 加到四十毫克。", {"atorvastatin": CHANGE}),
        ("我食緊 metformin 五百毫克。", {"metformin": TAKING}),
        ("唔好俾佢食 ibuprofen。", {"ibuprofen": AVOID}),
    ],
)
def test_decisions(finder: MedFinder, text: str, expected: dict[str, str]) -> None:
    assert _decisions(finder, text) == expected


def test_a_stop_inside_a_condition_is_not_a_decision(finder: MedFinder) -> None:
    text = "如果有肌肉痛，就停 atorvastatin 返嚟睇。"
    (use,) = drug_uses(text, finder.find(text))
    assert use.conditional and use.decision == TAKING


def test_chinese_drug_names(finder: MedFinder) -> None:
    assert [m.key for m in finder.find("我對盤尼西林敏感，食必理痛冇問題")] == ["penicillin", "paracetamol"]


def test_allergy_class(finder: MedFinder) -> None:
    assert "amoxicillin" in finder.related("penicillin")
    assert "azithromycin" not in finder.related("penicillin")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("五百", 500),
        ("零點五", 0.5),
        ("三十六點八", 36.8),
        ("百分之八點一", 8.1),
        ("一百零五", 105),
        ("九九九", 999),
    ],
)
def test_chinese_numbers(text: str, value: float) -> None:
    assert zh_number(text) == pytest.approx(value)


def test_numbers_skip_words_that_are_not_quantities() -> None:
    assert [n.value for n in numbers("一直咳，咳咗三日")] == [3.0]
    assert [n.value for n in numbers("two puffs twenty five")] == [2.0, 25.0]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (" 五百毫克，一日兩次", [(500.0, "mg")]),
        (" 1 g four times a day", [(1000.0, "mg")]),
        (" 50 micrograms", [(0.05, "mg")]),
        (" 零點五毫克", [(0.5, "mg")]),
        (" 10 mg per kilo once daily", [(10.0, "mg/kg")]),
        (" 2 puffs twice daily", [(2.0, "puff")]),
        (" 十四個單位", [(14.0, "unit")]),
        (" 40 in the morning", [(40.0, "")]),  # a bare number right after the name
        (" x5/7", []),
    ],
)
def test_doses(window: str, expected: list[tuple[float, str]]) -> None:
    assert doses_in(window, right_after_name=True) == expected


@pytest.mark.parametrize(
    ("window", "per_day", "as_needed"),
    [
        ("500 mg twice daily", {2.0}, False),
        ("一日兩次", {2.0}, False),
        ("早晚各一粒", {2.0}, False),
        ("three times a day", {3.0}, False),
        ("every 8 hours with food", {3.0}, False),
        ("每十二個鐘一粒", {2.0}, False),
        ("每晚瞓前食一粒", {1.0}, False),
        ("15 mg every Monday", {round(1 / 7, 3)}, False),
        ("as needed, up to four times a day", {4.0}, True),
        ("有需要先食，一日最多四次", {4.0}, True),
        ("1000mg BD", {2.0}, False),
    ],
)
def test_frequency(window: str, per_day: set[float], as_needed: bool) -> None:
    assert frequency_in(window) == (per_day, as_needed)


def test_frequency_said_before_the_drug(finder: MedFinder) -> None:
    text = "瞓覺前食一粒 cetirizine 十毫克止痕。"
    (use,) = drug_uses(text, finder.find(text))
    assert use.per_day == {1.0}
    assert use.doses == [(10.0, "mg")]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Review in 2 weeks", {14.0}),
        ("兩個禮拜後返嚟覆診", {14.0}),
        ("F/U 4/52", {28.0}),
        ("Repeat HbA1c 3/12", {90.0}),
        ("Prednisolone x5/7", {5.0}),
        ("Review 48h", {2.0}),
        ("a 62-year-old man", set()),
    ],
)
def test_intervals(text: str, days: set[float]) -> None:
    from desktop.checks.when import intervals

    assert intervals(text) == days


def test_on_is_a_frequency_only_in_capitals() -> None:
    assert frequency_in("Simvastatin 40mg ON") == ({1.0}, False)
    assert frequency_in("folic acid on Fridays") == ({round(1 / 7, 3)}, False)
    assert frequency_in("chest infection on methotrexate") == (set(), False)


def test_a_drug_named_twice_in_a_clause_has_one_decision(finder: MedFinder) -> None:
    text = "Stop amlodipine (amlodipine besylate tablets)."
    assert {u.decision for u in drug_uses(text, finder.find(text))} == {STOP}


# Speech recognised without punctuation: a whole plan in one "sentence" (ACI-Bench's dialogues
# are written this way), where a cue far from a drug is about something else.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "for your hypertension i'm gon na keep you on that twenty of lisinopril okay because you are "
            "taking it and you're doing pretty good with it i also want to get you a referral to nutrition "
            "just to try to help you with that diet",
            {"lisinopril": CONTINUE},
        ),
        (
            "i'm just gon na keep you on the five hundred of metformin okay i think you're doing well with "
            "that but i do want you to start checking your blood sugars before every meal",
            {"metformin": CONTINUE},
        ),
        ("my pcp just started me on metformin i just got diagnosed", {"metformin": TAKING}),
        (
            "you seem to be doing well on the amlodipine so we are not gonna make any changes to that",
            {"amlodipine": CONTINUE},
        ),
        (
            "we'll brace your arm and i wanna put you on fifty milligrams of ibuprofen every six hours",
            {"ibuprofen": START},
        ),
        ("i want you to take ibuprofen 600 milligrams with food for a full week", {"ibuprofen": START}),
        ("i want you to take your lisinopril every day", {"lisinopril": TAKING}),
        (
            "Come off the ibuprofen and take omeprazole 20 mg instead.",
            {"ibuprofen": STOP, "omeprazole": START},
        ),
        ("Take paracetamol instead of ibuprofen.", {"paracetamol": TAKING, "ibuprofen": TAKING}),
        (
            "we are gonna go ahead if it's okay with you and start your physical exam your oxygen looks good "
            "your heart sounds fine your lungs have some crackles from the radiation so for that what i'm "
            "gonna do is prescribe you a low dose of omeprazole",
            {"omeprazole": START},
        ),
    ],
)
def test_decisions_in_unpunctuated_speech(finder: MedFinder, text: str, expected: dict[str, str]) -> None:
    assert _decisions(finder, text) == expected


def test_hold_it_in_place_stops_no_drug() -> None:
    from desktop.checks.extract import Line, read_consultation

    concepts = Concepts.default()
    meds = MedFinder(ClinicListFinder(NAMES), concepts)
    said = read_consultation(
        [
            Line("s1", "doctor", "I'm going to start ibuprofen 400 mg three times a day."),
            Line("s2", "doctor", "Then we put screws in to hold it in place so it heals straight."),
        ],
        meds,
        concepts,
    )
    assert said.drugs["ibuprofen"].final == (START, "s1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "and i'm also gonna order you some ibuprofen 400 milligrams as needed for pain.",
            {"ibuprofen": START},
        ),
        ("I'll order an x-ray and we'll continue the lisinopril.", {"lisinopril": CONTINUE}),
        ("i'll write you for metformin 500 milligrams twice a day", {"metformin": START}),
        ("She used to take aspirin but she gets nosebleeds.", {"aspirin": STOP}),
        (
            "the medications i'm gonna give you are gonna be ibuprofen 400 milligrams three times a day",
            {"ibuprofen": START},
        ),
        (
            "we will continue to monitor that and you will tolerate the lisinopril well",
            {"lisinopril": TAKING},
        ),
    ],
)
def test_decisions_by_their_object(finder: MedFinder, text: str, expected: dict[str, str]) -> None:
    assert _decisions(finder, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "then finally stop taking any nonsteroidal medicines such as your ibuprofen the only thing i want "
            "you taking is paracetamol for any pain",
            {"ibuprofen": STOP, "paracetamol": TAKING},
        ),
        (
            "now before surgery we'll have to get you off your aspirin for a week beforehand.",
            {"aspirin": STOP},
        ),
        ("with their help we can eventually get you off that lisinopril", {"lisinopril": TAKING}),
        ("it started a month or two after i started the amlodipine", {"amlodipine": TAKING}),
        (
            "i'm gonna go ahead and stop the amlodipine and we'll put you on some losartan fifty milligrams "
            "once a day and i'll order some blood work and if",
            {"amlodipine": STOP, "losartan": START},
        ),
        ("Stop the ibuprofen if you get any stomach pain.", {"ibuprofen": TAKING}),
    ],
)
def test_decisions_far_from_their_words(finder: MedFinder, text: str, expected: dict[str, str]) -> None:
    assert _decisions(finder, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "i'm gonna prescribe you some ibuprofen 400 milligrams once a day along with some paracetamol, "
            "one gram every six hours as needed",
            {"ibuprofen": START, "paracetamol": START},
        ),
        (
            "i'm gonna put you on some ibuprofen and some omeprazole",
            {"ibuprofen": START, "omeprazole": START},
        ),
        (
            "have you use your aspirin and cetirizine as you did before",
            {"aspirin": TAKING, "cetirizine": TAKING},
        ),
        (
            "we'll go ahead and start you on a different medication, losartan, 50 mg once a day",
            {"losartan": START},
        ),
        (
            "we can then adjust your metformin or add a different medication at that time",
            {"metformin": TAKING},
        ),
        (
            "we switched her from a lisinopril to losartan last spring",
            {"lisinopril": STOP, "losartan": START},
        ),
        ("yes i was also on atorvastatin before but not any more", {"atorvastatin": STOP}),
        ("and order, uh, amoxicillin 500 mg three times a day", {"amoxicillin": START}),
        ("you can take some paracetamol as needed for the pain", {"paracetamol": START}),
        # "reduce salt" changes no drug (the README's sample consultation)
        (
            "Please reduce salt, keep taking the metformin and come back in two weeks.",
            {"metformin": CONTINUE},
        ),
        ("We will reduce the metformin to 500 mg.", {"metformin": CHANGE}),
    ],
)
def test_decisions_in_dictated_plans(finder: MedFinder, text: str, expected: dict[str, str]) -> None:
    assert _decisions(finder, text) == expected
