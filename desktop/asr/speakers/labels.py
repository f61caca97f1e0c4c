"""A speaker label and when it asks for a check."""

from __future__ import annotations

from typing import NamedTuple

from desktop.core.types import SPEAKER_UNCERTAIN_BELOW, speaker_uncertain

ROLES = ("doctor", "patient", "other")


class SpeakerLabel(NamedTuple):
    """The label of one utterance: ``speaker`` is doctor/patient/other; ``uncertain`` asks for a check.

    ``uncertain`` is exactly ``confidence < UNCERTAIN_BELOW``, so a transcript that keeps only
    ``speaker_confidence`` (transcript.json) still tells which lines to check.
    """

    speaker: str
    confidence: float
    uncertain: bool


UNCERTAIN_BELOW = SPEAKER_UNCERTAIN_BELOW


def consistent(label: SpeakerLabel) -> SpeakerLabel:
    if label.uncertain and label.confidence >= UNCERTAIN_BELOW:
        return SpeakerLabel(label.speaker, round(UNCERTAIN_BELOW - 0.01, 3), True)
    if not label.uncertain and label.confidence < UNCERTAIN_BELOW:
        return SpeakerLabel(label.speaker, label.confidence, True)
    return label


def is_uncertain(confidence: float | None) -> bool:
    """Whether a saved line's speaker should be checked (no confidence: never labelled)."""
    return speaker_uncertain(confidence)
