"""Joining the live recogniser's pieces into the lines people read, save and draft from."""

from __future__ import annotations

from desktop.core.lines import join_text, merge_pieces, utterance_key
from desktop.core.types import TranscriptSegment, Word


def _piece(
    sid: str, start: float, text: str, speaker: str = "doctor", conf: float = 0.9
) -> TranscriptSegment:
    return TranscriptSegment(
        sid, start, start + 1.0, text, speaker, "en", True, conf, [Word(start, start + 1.0, f" {text}")]
    )


def test_utterance_keys() -> None:
    assert utterance_key("u12-3") == "u12" and utterance_key("u12-3a") == "u12"
    assert utterance_key("s3") == "" and utterance_key("s3-1") == ""


def test_pieces_of_one_utterance_and_speaker_become_one_line() -> None:
    lines = merge_pieces(
        [
            _piece("u1-1", 0.0, "Good morning,"),
            _piece("u1-2", 1.0, "what brings you", conf=0.7),
            _piece("u1-3", 2.0, "in today?"),
            _piece("u1-3b", 3.0, "I have a cough.", "patient"),
            _piece("u2-1", 5.0, "For how long?"),
            _piece("s9", 7.0, "Typed line."),
            _piece("s10", 8.0, "Another typed line."),
        ]
    )
    assert [(s.id, s.speaker, s.text) for s in lines] == [
        ("u1-1", "doctor", "Good morning, what brings you in today?"),
        ("u1-3b", "patient", "I have a cough."),
        ("u2-1", "doctor", "For how long?"),
        ("s9", "doctor", "Typed line."),
        ("s10", "doctor", "Another typed line."),
    ]
    first = lines[0]
    assert (first.start, first.end, first.speaker_confidence, len(first.words)) == (0.0, 3.0, 0.7, 3)


def test_chinese_pieces_join_without_spaces() -> None:
    assert join_text("我頭痛", "兩個禮拜") == "我頭痛兩個禮拜"
    lines = merge_pieces([_piece("u1-1", 0.0, "我食緊"), _piece("u1-2", 1.0, "metformin")])
    assert lines[0].text == "我食緊metformin"
