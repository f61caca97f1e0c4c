"""Is there anything clinical to draft? Everyday senses of body and symptom words do not count."""

from __future__ import annotations

import pytest

from desktop.core.types import Transcript, TranscriptSegment
from desktop.llm.clinical import clinical_line, has_clinical_content

SMALL_TALK = [
    "Fingers crossed for Saturday.",
    "I'll keep my fingers crossed.",
    "The temperature outside dropped to five degrees last night.",
    "Parking here costs an arm and a leg.",
    "That traffic is a pain in the neck.",
    "Keep an eye on the forecast.",
    "It wouldn't hurt to bring an umbrella.",
    "I'm sick and tired of this rain.",
    "Would you like sugar in your tea?",
    "唔該晒，麻煩你等一陣。",
    "我啱啱坐咗兩個鐘頭車。",
    "頭先落咗場大雨。",
    "你食咗叉燒飯未呀？",
    "我去咗日本旅行，記得帶護照。",
    "呢個背包幾靚。",
    "我個仔聽日有測驗。",
]
CLINICAL = [
    "My fingers go numb at night.",
    "I have had a temperature since Monday.",
    "Keep an eye on the rash and come back if it spreads.",
    "My period is two weeks late.",
    "It hurts when I swallow.",
    "It doesn't hurt when I press here.",
    "His temperature dropped after the paracetamol.",
    "I have a headache.",
    "Blood pressure is 140 over 90.",
    "我頭痛咗兩個禮拜。",
    "咳咗三日，有痰。",
    "要照X光。",
    "我對盤尼西林敏感。",
    "個頭好暈。",
    "背脊痛咗好耐。",
    "尋晚發燒。",
]


@pytest.mark.parametrize("line", SMALL_TALK)
def test_everyday_senses_are_not_clinical(line: str) -> None:
    assert not clinical_line(line)


@pytest.mark.parametrize("line", CLINICAL)
def test_symptoms_body_parts_and_tests_are_clinical(line: str) -> None:
    assert clinical_line(line)


def test_a_chat_is_empty_until_one_clinical_line_is_said() -> None:
    chat = [TranscriptSegment(f"s{i}", float(i), i + 1.0, t) for i, t in enumerate(SMALL_TALK)]
    assert not has_clinical_content(Transcript(language="en", segments=chat))
    chat.append(
        TranscriptSegment("s99", 99.0, 100.0, "By the way, my knee has been swollen since the match.")
    )
    assert has_clinical_content(Transcript(language="en", segments=chat))
