"""Voice activity detection with the Silero model bundled in faster-whisper (ONNX, no torch).

The streaming recogniser asks, for the window of audio it has not finalised yet, where the
speech is: silence is skipped without decoding (no text is ever made up from silence) and an
utterance ends when the speech is followed by ``min_silence_ms`` of silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE


@dataclass(frozen=True)
class SpeechRegion:
    start: int  # sample index in the analysed audio, padding included
    end: int
    closed: bool  # followed by enough silence: the utterance has ended


@dataclass
class VadSettings:
    threshold: float = 0.5
    min_silence_ms: int = 800  # silence that ends an utterance (the "hangover")
    speech_pad_ms: int = 200
    min_speech_ms: int = 200


def speech_regions(audio: np.ndarray, settings: VadSettings | None = None) -> list[SpeechRegion]:
    """Speech in ``audio`` (16 kHz mono float32) as padded regions; the last may still be open."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    s = settings or VadSettings()
    n = len(audio)
    if n < 512:
        return []
    chunks = get_speech_timestamps(
        np.asarray(audio, dtype=np.float32),
        VadOptions(
            threshold=s.threshold,
            min_speech_duration_ms=s.min_speech_ms,
            min_silence_duration_ms=s.min_silence_ms,
            speech_pad_ms=s.speech_pad_ms,
        ),
        sampling_rate=SAMPLE_RATE,
    )
    regions: list[SpeechRegion] = []
    for i, chunk in enumerate(chunks):
        start, end = int(chunk["start"]), int(chunk["end"])
        is_last = i == len(chunks) - 1
        # A region that runs to the end of the audio may continue: speech has not ended yet.
        # Otherwise the detector saw min_silence_ms of silence after it before closing it.
        closed = not (is_last and end >= n - 1)
        if is_last and closed:
            silence_after = n - (end - s.speech_pad_ms * SAMPLE_RATE // 1000)
            closed = silence_after >= s.min_silence_ms * SAMPLE_RATE // 1000
        regions.append(SpeechRegion(start=start, end=min(end, n), closed=closed))
    return regions
