"""The live recogniser behind the recording worker: streaming ASR plus speaker labels.

Fits :class:`~desktop.services.ports.StreamingAsrPort`. Recognition runs on its own thread
(:class:`~desktop.asr.streaming_session.BackgroundRecognizer`), so the recording thread that
writes the encrypted journal never waits for a decode. Each final segment gets a speaker label
from the audio it covers; at Stop the labeller reviews every label with everything heard.

In a room with a lapel microphone on the doctor the blocks are two-channel ``(n, 2)``: the
recogniser hears the mono mix and the labeller the two channels, whose balance says who spoke.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from desktop.audio.resample import to_mono
from desktop.core.types import TranscriptSegment

log = logging.getLogger(__name__)

RATE = 16000


class LiveRecogniser:
    def __init__(
        self,
        engine: Any,
        *,
        language: str = "auto",
        script: str = "hk",
        vocabulary: list[str] | None = None,
        label_speakers: bool = True,
        doctor_profile: Any = None,
        doctor_channel: int = 0,
        embedder: Any = None,
    ) -> None:
        from desktop.asr.streaming import StreamingOptions, StreamingRecognizer
        from desktop.asr.streaming_session import BackgroundRecognizer

        options = StreamingOptions(language=language, script=script, vocabulary=list(vocabulary or []))
        self._bg = BackgroundRecognizer(StreamingRecognizer(engine, options))
        self._labeller: Any = None
        if label_speakers:
            try:
                from desktop.asr.speakers import SpeakerLabeller

                self._labeller = SpeakerLabeller(
                    doctor_profile, embedder=embedder, doctor_channel=doctor_channel
                )
            except Exception:
                log.warning("speaker labelling is unavailable; segments stay unlabelled", exc_info=True)
        self._audio: list[np.ndarray] = []
        self._samples = 0
        self._channels = 0  # fixed by the first block: 1 (mono) or 2 (lapel + room)
        self._final: list[TranscriptSegment] = []

    @property
    def duty_cycle(self) -> float:
        return float(self._bg.duty_cycle)

    @property
    def language(self) -> str:
        return str(self._bg.recognizer.session_language)

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        block = np.asarray(samples, dtype=np.float32)
        if block.ndim == 2 and block.shape[1] == 1:
            block = block[:, 0]
        if not self._channels:
            self._channels = 2 if block.ndim == 2 else 1
        if self._channels == 2 and block.ndim == 1:  # keep one shape for the whole consultation
            block = np.repeat(block[:, None], 2, axis=1)
        mono = to_mono(block)
        if self._channels == 1:
            block = mono
        self._audio.append(block)
        self._samples += len(mono)
        return self._label(self._bg.feed(mono))

    def finish(self) -> list[TranscriptSegment]:
        out = self._label(self._bg.finish())
        self._review()
        return [s for s in out if s.final]

    def _span(self, start: float, end: float) -> np.ndarray:
        audio = (
            np.concatenate(self._audio) if len(self._audio) > 1 else (self._audio[0] if self._audio else None)
        )
        if audio is None:
            return np.zeros(0, dtype=np.float32)
        self._audio = [audio]
        return audio[max(0, int(start * RATE)) : max(0, int(end * RATE))]

    def _label(self, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
        for seg in segments:
            if not seg.final:
                continue
            self._final.append(seg)
            if self._labeller is None:
                continue
            try:
                result = self._labeller.label(
                    self._span(seg.start, seg.end),
                    seg.start,
                    seg.end,
                    seg.text,
                    segment_id=seg.id,
                    buffer_start=seg.start,
                    utterance=seg.id.split("-")[0],
                )
                seg.speaker, seg.speaker_confidence = result.speaker, result.confidence
            except Exception:
                log.warning("speaker label failed for one segment", exc_info=True)
        return segments

    def _review(self) -> None:
        """Better labels for every segment, from everything heard (applied to the final segments)."""
        if self._labeller is None:
            return
        try:
            reviewed = self._labeller.review()
        except Exception:
            log.warning("speaker review failed", exc_info=True)
            return
        for seg in self._final:
            label = reviewed.get(seg.id)
            if label is not None:
                seg.speaker, seg.speaker_confidence = label.speaker, label.confidence
