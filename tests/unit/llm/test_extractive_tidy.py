"""Quoted speech reads as a note: hesitations and openers go, the transcript keeps every word."""

from __future__ import annotations

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.llm.extractive import extract_sections, tidy_speech


@pytest.mark.parametrize(
    ("said", "written"),
    [
        (
            "um , yeah , i've been taking the uh lisinopril , you know , 20 milligrams",
            "I've been taking the lisinopril, 20 milligrams",
        ),
        ("i , i just feel out of sorts lately .", "I just feel out of sorts lately."),
        ("okay , alright , so the the pain is gon na get better", "The pain is going to get better"),
        ("So, I've had this cough for two weeks.", "I've had this cough for two weeks."),
    ],
)
def test_spoken_english_is_tidied(said: str, written: str) -> None:
    assert tidy_speech(said) == written


@pytest.mark.parametrize(
    "said", ["yes .", "Um.", "我食緊 amlodipine 五毫克。", "Blood pressure 150 over 90."]
)
def test_what_would_be_emptied_or_is_not_english_stays(said: str) -> None:
    assert tidy_speech(said) == said.strip()


def test_the_transcript_keeps_every_word() -> None:
    transcript = parse_transcript_text("P|um , i , i have had a cough for uh two weeks .")
    quoted = [st.text for items in extract_sections(transcript).values() for st in items]
    assert "I have had a cough for two weeks." in quoted
    assert transcript.segments[0].text == "um , i , i have had a cough for uh two weeks ."
