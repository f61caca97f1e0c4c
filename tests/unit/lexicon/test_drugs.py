"""The offline drug lexicon: the package dictionary, the clinic's lists, mixed-language text."""

from __future__ import annotations

import pytest

from desktop.lexicon import DrugLexicon, DrugMention
from desktop.lexicon.drugs import looks_like_drug, spoken_key


@pytest.fixture(scope="module")
def lexicon() -> DrugLexicon:
    return DrugLexicon.default()


def test_the_package_dictionary_is_read(lexicon: DrugLexicon) -> None:
    # brands the clinic's own list does not carry come from the package's dictionary
    assert lexicon.canonical("Zestril") == "lisinopril"
    assert lexicon.canonical("zocor") == "simvastatin"
    assert lexicon.canonical("Macrobid") == "nitrofurantoin"
    assert len(lexicon.names()) > 1000


@pytest.mark.parametrize(
    ("phrase", "generic"),
    [
        ("Paracetamol", "paracetamol"),
        ("acetaminophen", "paracetamol"),  # the dictionary's US heading, merged into the clinic's name
        ("Tylenol", "paracetamol"),
        ("Ventolin", "salbutamol"),
        ("Augmentin", "co-amoxiclav"),
        ("Septrin", "co-trimoxazole"),
        ("co trimoxazole", "co-trimoxazole"),
        ("必理痛", "paracetamol"),
        ("二甲雙胍", "metformin"),
        ("METFORMIN", "metformin"),
    ],
)
def test_brands_and_synonyms_resolve_to_the_clinic_name(
    lexicon: DrugLexicon, phrase: str, generic: str
) -> None:
    assert lexicon.canonical(phrase) == generic


@pytest.mark.parametrize(
    "word", ["he", "more", "alcohol", "water", "pain", "blood", "tablet", "acid", "today"]
)
def test_ordinary_words_are_not_drugs(lexicon: DrugLexicon, word: str) -> None:
    assert lexicon.canonical(word) is None


def test_find_in_mixed_cantonese_and_english(lexicon: DrugLexicon) -> None:
    text = "我食緊metformin五百毫克，頭痛就食必理痛同埋 Ventolin。"
    found = lexicon.find(text)
    assert [(m.surface, m.canonical) for m in found] == [
        ("metformin", "metformin"),
        ("必理痛", "paracetamol"),
        ("Ventolin", "salbutamol"),
    ]
    assert all(text[m.start : m.end] == m.surface for m in found)


def test_find_prefers_the_longest_name_and_ignores_plain_words(lexicon: DrugLexicon) -> None:
    text = "He is allergic to penicillin. Start co-trimoxazole and glyceryl trinitrate spray; more water."
    found = lexicon.find(text)
    assert [m.canonical for m in found] == ["penicillin", "co-trimoxazole", "glyceryl trinitrate"]
    assert found[1] == DrugMention(text.index("co-"), text.index(" and"), "co-trimoxazole", "co-trimoxazole")


def test_extra_names_and_synonym_lines(lexicon: DrugLexicon) -> None:
    extended = DrugLexicon.load(["zorbaprazole: zorbex, 蘇巴"])
    assert extended.canonical("Zorbex") == "zorbaprazole"
    assert extended.canonical("蘇巴") == "zorbaprazole"
    assert "zorbaprazole" in extended.names() and "zorbaprazole" in extended.clinic_names()
    assert lexicon.canonical("zorbex") is None  # the shared default is untouched
    assert DrugLexicon.default() is lexicon


def test_helpers() -> None:
    assert spoken_key("Vitamin B12") == "vitamin b 12"
    assert spoken_key("co-Trimoxazole") == "co trimoxazole"
    assert looks_like_drug("zorbaprazole") and looks_like_drug("cefdinir")
    assert not looks_like_drug("hypertension") and not looks_like_drug("person")
