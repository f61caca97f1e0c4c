"""Two microphones: the room's threshold, and splitting a segment where the loud microphone changes."""

from __future__ import annotations

import numpy as np

from desktop.asr.speakers.channels import (
    channel_turns,
    split_at_channel_turns,
    split_segment,
    two_means_split,
)
from desktop.core.audio import SAMPLE_RATE as SR
from desktop.core.types import TranscriptSegment, Word
from tests.unit.asr.speakers.voices import voice_segment


def test_two_means_split_needs_two_clear_groups() -> None:
    split = two_means_split(np.array([8.0, 7.5, -15.0, 8.2, -16.0]))
    assert split is not None and -15 < split < 7.5
    assert two_means_split(np.array([8.0, 7.0, 9.5, 6.0])) is None


def _words(*spans: tuple[float, float, str]) -> list[Word]:
    return [Word(a, b, f" {t}") for a, b, t in spans]


def test_channel_turns_split_only_where_the_loud_microphone_changes_for_good() -> None:
    words = _words(
        (0.0, 0.3, "Any"), (0.3, 0.6, "chest"), (0.6, 1.0, "pain?"),  # doctor, lapel loud
        (1.2, 1.5, "No,"), (1.5, 1.8, "not"), (1.8, 2.2, "really."),  # patient, room loud
    )  # fmt: skip
    assert channel_turns(words, [8, 9, 7, -15, -16, -14], 0.0) == [(0, 3), (3, 6)]
    # one odd word (a cough on the lapel, a misaligned timestamp) is no turn
    assert channel_turns(words, [8, 9, -15, 7, 8, 9], 0.0) == [(0, 6)]
    # words without a ratio keep their neighbour's side
    assert channel_turns(words, [8, None, 7, -15, None, -14], 0.0) == [(0, 3), (3, 6)]
    assert channel_turns(words, [None] * 6, 0.0) == [(0, 6)]
    # the room's own threshold decides, not 0 dB
    assert channel_turns(words, [2, 3, 2, -6, -5, -6], -2.0) == [(0, 3), (3, 6)]
    assert channel_turns([], [], 0.0) == []


def test_split_segment_keeps_the_words_and_times_of_each_turn() -> None:
    seg = TranscriptSegment(
        "u4-2", 0.0, 2.2, "Any chest pain? No, not really.", language="en",
        words=_words((0.0, 0.3, "Any"), (0.3, 0.6, "chest"), (0.6, 1.0, "pain?"),
                     (1.2, 1.5, "No,"), (1.5, 1.8, "not"), (1.8, 2.2, "really.")),
    )  # fmt: skip
    first, second = split_segment(seg, [(0, 3), (3, 6)])
    assert (first.id, first.text, first.start, first.end) == ("u4-2a", "Any chest pain?", 0.0, 1.0)
    assert (second.id, second.text, second.start, second.end) == ("u4-2b", "No, not really.", 1.2, 2.2)
    assert second.language == "en" and second.final
    assert split_segment(seg, [(0, 6)]) == [seg]


def test_split_at_channel_turns_on_two_channel_audio() -> None:
    doctor, patient = voice_segment(1.0, "low", 1), voice_segment(1.0, "high", 2)
    gap = np.zeros(int(0.2 * SR), dtype=np.float32)
    lapel = np.concatenate([doctor, gap, patient * 0.15])
    room = np.concatenate([doctor * 0.35, gap, patient])
    stereo = np.stack([lapel, room], axis=1)
    seg = TranscriptSegment(
        "s1", 0.0, 2.2, "Any pain? Yes, here.",
        words=_words((0.05, 0.5, "Any"), (0.5, 0.95, "pain?"), (1.25, 1.7, "Yes,"), (1.7, 2.15, "here.")),
    )  # fmt: skip
    pieces = split_at_channel_turns([seg], stereo, doctor_channel=0)
    assert [p.text for p in pieces] == ["Any pain?", "Yes, here."]
    swapped = split_at_channel_turns([seg], stereo[:, ::-1], doctor_channel=1)
    assert [p.text for p in swapped] == ["Any pain?", "Yes, here."]
    mono_pieces = split_at_channel_turns([seg], np.stack([room, room], axis=1), doctor_channel=0)
    assert [p.text for p in mono_pieces] == ["Any pain? Yes, here."]
