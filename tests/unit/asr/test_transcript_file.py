from __future__ import annotations

from pathlib import Path

import pytest

from desktop.asr.transcript_file import parse_transcript_text, read_transcript_file
from desktop.core.errors import InputError


def test_pipe_and_colon_labels() -> None:
    t = parse_transcript_text(
        "D|Hello there.\nPatient: I have a cough\nthat started Monday.\n醫生：好。\nO|I'm his wife."
    )
    assert [s.speaker for s in t.segments] == ["doctor", "patient", "doctor", "other"]
    assert t.segments[1].text == "I have a cough that started Monday."
    assert [s.id for s in t.segments] == ["s1", "s2", "s3", "s4"]
    assert all(a.end <= b.start for a, b in zip(t.segments, t.segments[1:], strict=False))


def test_language_and_script() -> None:
    t = parse_transcript_text("D|你头痛多久？\nP|两个礼拜。", script="hk")
    assert t.language == "zh"
    assert t.segments[0].text == "你頭痛多久？"
    assert parse_transcript_text("D|How long?", script="hk").language == "en"


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n", "just words without labels\n", "D|\nP|  \n"]
)
def test_no_turns_is_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="no turns"):
        parse_transcript_text(text)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("D|頭痛".encode("big5"))
    with pytest.raises(InputError, match="UTF-8"):
        read_transcript_file(path)


def test_a_parent_speaks_in_their_own_turn() -> None:
    t = parse_transcript_text(
        "醫生：小朋友點呀？\n媽媽：佢發燒兩日。\nMother: And a cough.\n醫生：有冇出疹？"
    )
    assert [s.speaker for s in t.segments] == ["doctor", "other", "other", "doctor"]
    assert t.segments[1].text == "佢發燒兩日。"
