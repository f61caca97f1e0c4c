from __future__ import annotations

import pytest

from desktop.asr.filters import boilerplate_reason, rejection_reason, repetition_reason, too_fast
from desktop.asr.script import ScriptConverter, cjk_characters
from desktop.asr.vocabulary import load_vocabulary, vocabulary_prompt


@pytest.mark.parametrize(
    ("script", "expected"),
    [("hk", "我食緊藥，醫生説血壓高"), ("tw", "我食緊藥，醫生說血壓高"), ("cn", "我食紧药，医生说血压高")],
)
def test_script_conversion(script: str, expected: str) -> None:
    assert ScriptConverter(script).convert("我食紧药，医生说血压高") == expected


def test_traditional_input_is_not_folded_through_simplified() -> None:
    # 係 (Cantonese "is") must not become 系 on the way to Traditional
    assert ScriptConverter("hk").convert("但係腳腫") == "但係腳腫"


def test_latin_terms_stay() -> None:
    assert ScriptConverter("hk").convert("我食紧 metformin 500mg") == "我食緊 metformin 500mg"
    assert ScriptConverter("cn").convert("BP 165 over 95") == "BP 165 over 95"


def test_unknown_script() -> None:
    with pytest.raises(ValueError):
        ScriptConverter("jp")


def test_cjk_characters() -> None:
    assert cjk_characters("BP 高 ok 血壓") == ["高", "血", "壓"]


@pytest.mark.parametrize(
    "text", ["字幕由Amara.org社群提供", "請不吝點贊 訂閱 轉發 打賞支持明鏡與點點欄目", "Thanks for watching!"]
)
def test_boilerplate(text: str) -> None:
    assert boilerplate_reason(text) == "boilerplate"
    assert rejection_reason(text) == "boilerplate"


@pytest.mark.parametrize(
    "text",
    [
        "the the the the the",
        "好好好好好好好好",
        "I see. " * 12,
        "您監獄也有馬桶送您監獄也有馬桶送您監獄",
        "監獄也有馬桶送您監獄也有馬桶",
    ],
)
def test_repetition(text: str) -> None:
    assert repetition_reason(text) == "repetition"


@pytest.mark.parametrize(
    "text",
    [
        "Blood pressure is 165 over 95.",
        "我頭痛咗兩個禮拜。",
        "Take it twice a day.",
        "Thank you. Thank you.",
        "多謝醫生多謝醫生",  # four characters said twice: people do
        "頭痛，頭好痛，兩日前開始頭痛，後腦好痛。",
    ],
)
def test_real_speech_is_kept(text: str) -> None:
    assert rejection_reason(text, no_speech_prob=0.1, avg_logprob=-0.3) == ""


def test_no_speech_rule() -> None:
    assert rejection_reason("you", no_speech_prob=0.9, avg_logprob=-1.5) == "no_speech"


def test_vocabulary_file_and_prompt() -> None:
    terms = load_vocabulary()
    assert "metformin" in terms and "doxycycline" not in [t for t in terms if t.startswith("#")]
    prompt = vocabulary_prompt(terms, previous_text="x" * 2000)
    assert prompt.startswith("metformin") and len(prompt) <= 600


def test_a_sentence_squeezed_into_an_instant_is_no_speech() -> None:
    # a looping decoder put "She has been on fiorosmide for years and" (8 words) at one instant,
    # and "last month and sit a lopramatite." (6 words) on 0.18 s of a recording
    assert too_fast([(55.43, 55.43)] * 8)
    assert too_fast([(55.43 + 0.03 * i, 55.46 + 0.03 * i) for i in range(6)])


@pytest.mark.parametrize(
    "seconds_per_word",
    [0.17, 0.12, 0.09],  # fast English, fast Cantonese characters, a hurried list of numbers
)
def test_fast_speech_is_kept(seconds_per_word: float) -> None:
    words = [(i * seconds_per_word, (i + 1) * seconds_per_word) for i in range(10)]
    assert not too_fast(words)
    assert not too_fast([(1.0, 1.0), (1.0, 1.0), (1.0, 1.0)])  # too few words to judge
