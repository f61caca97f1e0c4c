"""A shown line's label may change only in its next two decode steps."""

from __future__ import annotations

from desktop.asr.speakers.labels import SpeakerLabel
from desktop.asr.speakers.settle import LabelSettler
from desktop.core.types import TranscriptSegment


def test_labels_settle_within_two_decode_steps() -> None:
    settler = LabelSettler()
    line = TranscriptSegment("u2-1", 2.0, 2.5, "Yes.", "doctor", "en", True, speaker_confidence=0.45)
    settler.shown([line])
    assert settler.step({"u2-1": SpeakerLabel("doctor", 0.45, True)}) == []  # step 1: unchanged
    changed = settler.step({"u2-1": SpeakerLabel("patient", 0.7, False)})  # step 2: settles
    assert changed == [line] and (line.speaker, line.speaker_confidence) == ("patient", 0.7)
    assert settler.changed_after_shown == 1
    # Settled: a later change of mind waits for Stop's review.
    assert settler.step({"u2-1": SpeakerLabel("doctor", 0.9, False)}) == []
    assert line.speaker == "patient"
