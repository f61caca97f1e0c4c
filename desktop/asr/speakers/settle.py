"""Live labels that settle: a shown line may change its label only in the next two decode steps.

The labeller clusters the whole consultation again at every line, so its view of a recent line
can change as the next words arrive ("Yes." is placed once the voice is heard again). Lines shown
in the last ``steps`` decode steps are re-checked at each step and re-sent when their label
changed; after that a line's label is settled and does not move until Stop's review. A line whose
label is uncertain carries its low confidence, and the transcript view marks it.
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop.asr.speakers.labels import SpeakerLabel
from desktop.core.types import TranscriptSegment

SETTLE_STEPS = 2


class LabelSettler:
    def __init__(self, steps: int = SETTLE_STEPS) -> None:
        self.steps = steps
        self._pending: list[tuple[int, TranscriptSegment]] = []  # (step shown, line)
        self._step = 0
        self.changed_after_shown = 0  # lines re-sent with a new label while settling

    def shown(self, lines: list[TranscriptSegment]) -> None:
        """Lines just sent to the view with their first label."""
        self._pending.extend((self._step, line) for line in lines if line.final)

    def pending_ids(self) -> list[str]:
        """The lines still settling (to ask the labeller about)."""
        return [line.id for _, line in self._pending]

    def step(self, labels: Mapping[str, SpeakerLabel]) -> list[TranscriptSegment]:
        """One decode step has passed: the still-settling lines whose label changed (updated)."""
        self._step += 1
        changed: list[TranscriptSegment] = []
        for _, line in self._pending:
            label = labels.get(line.id)
            if label is None:
                continue
            if label.speaker != line.speaker or round(label.confidence, 3) != line.speaker_confidence:
                if label.speaker != line.speaker:
                    self.changed_after_shown += 1
                line.speaker, line.speaker_confidence = label.speaker, label.confidence
                changed.append(line)
        self._pending = [(s, line) for s, line in self._pending if self._step - s < self.steps]
        return changed
