"""Triage rules: red flags in three languages, negation, rules over the model, the frozen sets."""

from __future__ import annotations

import pytest

from desktop.intake.triage import evaluate, load_vignettes, triage


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Pain in my chest and I'm sweating", "chest_pain_sweating"),
        ("心口痛，出咗好多冷汗", "chest_pain_sweating"),
        ("胸口痛，一直出冷汗", "chest_pain_sweating"),
        ("I'm breathless even when resting", "breathless_at_rest"),
        ("躺着也喘不过气", "breathless_at_rest"),
        ("slurred speech since lunch", "stroke_speech"),
        ("佢半邊面歪咗", "stroke_face"),
        ("左手突然没力", "stroke_weakness"),
        ("the cut won't stop bleeding", "severe_bleeding"),
        ("流血不止", "severe_bleeding"),
        ("my tongue is swelling after the injection", "anaphylaxis_airway"),
        ("喉咙发紧", "anaphylaxis_airway"),
        ("I want to end my life", "suicidal"),
        ("我想自殺", "suicidal"),
        ("有轻生的念头", "suicidal"),
    ],
)
def test_red_flags_are_category_1_with_their_reason(text: str, rule: str) -> None:
    result = triage(text)
    assert result.category == 1
    assert result.source == "rules"
    assert rule in result.rule_ids
    assert result.reasons and result.reasons_zh


@pytest.mark.parametrize(
    "text",
    [
        "No chest pain, no sweating, just a check-up",
        "冇心口痛，冇出汗",
        "没有胸痛，也没有出汗",
        "I have never thought of harming myself",
        "但係冇諗過傷害自己",
        "没有想过伤害自己",
    ],
)
def test_negated_red_flags_do_not_fire(text: str) -> None:
    assert triage(text).category == 3


def test_negation_stays_in_its_clause() -> None:
    # "no fever" does not cancel the chest pain and sweating that follow it.
    assert triage("No fever. Chest pain and sweating since an hour").category == 1


def test_urgent_and_default() -> None:
    assert triage("temperature 39.4 since yesterday").category == 2
    assert triage("發燒三十九度").category == 2
    result = triage("I would like a repeat prescription")
    assert (result.category, result.source) == (3, "default")


def test_rules_win_over_the_model() -> None:
    calls: list[str] = []

    def model(text: str) -> tuple[int, str]:
        calls.append(text)
        return 3, "looks fine"

    assert triage("crushing chest pain with sweating", model).category == 1
    assert calls == []  # never asked when a rule fired


def test_model_decides_only_when_no_rule_fired() -> None:
    result = triage("my ear feels odd", lambda text: (2, "ear pain with discharge"))
    assert (result.category, result.source) == (2, "model")
    assert "ear pain" in result.reason


def test_a_failing_model_falls_back_to_the_default() -> None:
    def broken(text: str) -> tuple[int, str]:
        raise RuntimeError("model crashed")

    assert triage("my ear feels odd", broken).source == "default"


def test_sets_cover_three_languages_and_categories() -> None:
    test = load_vignettes("test")
    assert len(test) >= 60
    assert {v["lang"] for v in test} == {"en", "zh-Hant", "zh-Hans"}
    assert {(v["lang"], v["category"]) for v in test} == {
        (lang, c) for lang in ("en", "zh-Hant", "zh-Hans") for c in (1, 2, 3)
    }
    assert not {v["text"] for v in test} & {v["text"] for v in load_vignettes("dev")}


@pytest.mark.parametrize("set_name", ["dev", "test", "holdout"])
def test_category_1_recall_is_complete(set_name: str) -> None:
    report = evaluate(set_name)
    assert report.recall(1) == 1.0, report.misses
