"""A person's corrections of speaker labels on a saved transcript (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from desktop.asr.speakers.labels import SpeakerLabel
from desktop.core.errors import InputError, UsageError
from desktop.core.types import SPEAKERS, Transcript


def _check_speaker(speaker: str) -> None:
    if speaker not in SPEAKERS:
        raise UsageError(f"'{speaker}' is not a speaker label.", f"Use one of: {', '.join(SPEAKERS)}.")


def relabel(transcript: Transcript, segment_id: str, speaker: str) -> Transcript:
    """A copy of ``transcript`` with one line given to ``speaker`` (a person's correction: confidence 1)."""
    _check_speaker(speaker)
    if segment_id not in transcript.by_id():
        raise InputError(
            f"The transcript has no line with id '{segment_id}'.", "Refresh the transcript view."
        )
    segments = [
        replace(s, speaker=speaker, speaker_confidence=1.0) if s.id == segment_id else replace(s)
        for s in transcript.segments
    ]
    return Transcript(language=transcript.language, segments=segments)


def swap_speakers(transcript: Transcript, a: str, b: str) -> Transcript:
    """A copy of ``transcript`` with speakers ``a`` and ``b`` exchanged on every line."""
    _check_speaker(a)
    _check_speaker(b)
    swap = {a: b, b: a}
    segments = [replace(s, speaker=swap.get(s.speaker, s.speaker)) for s in transcript.segments]
    return Transcript(language=transcript.language, segments=segments)


def apply_labels(transcript: Transcript, labels: dict[str, SpeakerLabel]) -> Transcript:
    """A copy of ``transcript`` carrying the labels (e.g. from :meth:`SpeakerLabeller.review`)."""
    segments = []
    for s in transcript.segments:
        lab = labels.get(s.id)
        segments.append(
            replace(s) if lab is None else replace(s, speaker=lab.speaker, speaker_confidence=lab.confidence)
        )
    return Transcript(language=transcript.language, segments=segments)


def uncertain_ids(labels: Iterable[tuple[str, SpeakerLabel]]) -> list[str]:
    """Segment ids whose label the UI should mark for checking."""
    return [key for key, lab in labels if lab.uncertain]
