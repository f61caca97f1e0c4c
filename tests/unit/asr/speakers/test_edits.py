"""A person's corrections: relabel one line, swap two speakers, apply reviewed labels."""

from __future__ import annotations

import json

import pytest

from desktop.asr.speakers.edits import apply_labels, relabel, swap_speakers
from desktop.asr.speakers.labels import SpeakerLabel
from desktop.core.errors import InputError, UsageError
from desktop.core.types import Transcript, TranscriptSegment
from desktop.llm.drafting import transcript_lines


def _transcript() -> Transcript:
    return Transcript(
        "en",
        [
            TranscriptSegment("s1", 0.0, 2.0, "Any fever?", speaker="patient", speaker_confidence=0.4),
            TranscriptSegment("s2", 2.5, 4.0, "Yes, since Monday.", speaker="doctor", speaker_confidence=0.5),
            TranscriptSegment(
                "s3", 4.5, 6.0, "He also coughs at night.", speaker="other", speaker_confidence=0.6
            ),
        ],
    )


def test_relabel_changes_one_line_and_reaches_json_and_the_draft_prompt() -> None:
    original = _transcript()
    edited = relabel(original, "s3", "patient")
    assert original.segments[2].speaker == "other"  # pure: the input is unchanged
    assert [s.speaker for s in edited.segments] == ["patient", "doctor", "patient"]
    assert edited.segments[2].speaker_confidence == 1.0
    again = Transcript.from_dict(json.loads(json.dumps(edited.to_dict())))
    assert again.segments[2].speaker == "patient" and again.segments[2].speaker_confidence == 1.0
    assert transcript_lines(again)[2] == "[s3] Patient: He also coughs at night."


def test_swap_speakers_for_the_whole_consultation() -> None:
    swapped = swap_speakers(_transcript(), "doctor", "patient")
    assert [s.speaker for s in swapped.segments] == ["doctor", "patient", "other"]
    lines = transcript_lines(swapped)
    assert lines[0] == "[s1] Doctor: Any fever?"
    assert lines[1] == "[s2] Patient: Yes, since Monday."
    assert swap_speakers(swapped, "doctor", "patient").to_dict() == _transcript().to_dict()


def test_relabel_rejects_unknown_speaker_and_segment() -> None:
    with pytest.raises(UsageError):
        relabel(_transcript(), "s1", "nurse")
    with pytest.raises(InputError):
        relabel(_transcript(), "s9", "doctor")
    with pytest.raises(UsageError):
        swap_speakers(_transcript(), "doctor", "interpreter")


def test_apply_labels() -> None:
    out = apply_labels(_transcript(), {"s1": SpeakerLabel("doctor", 0.93, False)})
    assert out.segments[0].speaker == "doctor" and out.segments[0].speaker_confidence == 0.93
    assert out.segments[1].speaker == "doctor"
