"""Negation in English and Cantonese: triggers, their reach, words that only look negative."""

from __future__ import annotations

import pytest

from desktop.checks.concepts import Concepts
from desktop.checks.negation import bare_no, bare_yes, is_negated, negated_ranges


def _polarity(text: str) -> dict[str, bool]:
    mentions = Concepts.default().find(text, ("finding",))
    ranges = negated_ranges(text, [(m.start, m.end) for m in mentions])
    return {m.concept: m.negated_inside or is_negated(ranges, m.start) for m in mentions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No fever, no chest pain.", {"fever": True, "chest pain": True}),
        ("Has fever; no shortness of breath.", {"fever": False, "shortness of breath": True}),
        ("Denies chest pain or syncope.", {"chest pain": True, "syncope": True}),
        ("I haven't had any hypos.", {"hypoglycaemia": True}),
        (
            "Nil weakness, numbness or slurred speech.",
            {"weakness": True, "numbness": True, "speech disturbance": True},
        ),
        ("No fever, she has a cough since Monday.", {"fever": True, "cough": False}),
        (
            "The patient denies nausea, vomiting, diarrhea.",
            {"nausea": True, "vomiting": True, "diarrhoea": True},
        ),
        ("否認嘔血、黑便。", {"haematemesis": True, "melaena": True}),
        ("Fever but no rash.", {"fever": False, "rash": True}),
        ("冇發燒，都冇胸口痛。", {"fever": True, "chest pain": True}),
        ("冇發燒，但係咳得好厲害。", {"fever": True, "cough": False}),
        ("頭就唔痛，心口都冇痛。", {"headache": True, "chest pain": True}),  # negation inside the phrase
        ("大便冇血。", {"blood in stool": True}),
        ("唔覺氣促。", {"shortness of breath": True}),
        ("冇試過低血糖。", {"hypoglycaemia": True}),
        ("否認嘔血及黑便。", {"haematemesis": True, "melaena": True}),
        ("有黑便，否認嘔血。", {"melaena": False, "haematemesis": True}),
        ("無發燒。", {"fever": True}),
        ("沒有发烧。", {"fever": True}),
    ],
)
def test_negated_findings(text: str, expected: dict[str, bool]) -> None:
    assert _polarity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有冇發燒？", {"fever": False}),  # 有冇 asks; it does not negate
        ("唔該你話我知有冇咳。", {"cough": False}),  # 唔該 is "please"
        ("手腳無力。", {"weakness": False}),  # 無力 is the finding itself
        ("膝頭痛。", {"joint pain": False}),  # knee pain is joint pain, not a headache
        ("No change in the cough.", {"cough": False}),
    ],
)
def test_words_that_only_look_negative(text: str, expected: dict[str, bool]) -> None:
    assert _polarity(text) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "No.",
        "Nope",
        "No, none at all.",
        "Nothing like that.",
        "Not anymore.",
        "冇喎，兩樣都冇。",
        "冇呀",
        "未試過",
    ],
)
def test_bare_no(answer: str) -> None:
    assert bare_no(answer)
    assert not bare_yes(answer)


@pytest.mark.parametrize("answer", ["No blood.", "冇發燒", "I have a cough", "Yes", "有呀"])
def test_not_bare_no(answer: str) -> None:
    assert not bare_no(answer)


def test_bare_yes() -> None:
    assert bare_yes("Yes, 15 mg every Monday.")
    assert bare_yes("係，十毫克")
    assert not bare_yes("Yesterday it started")
