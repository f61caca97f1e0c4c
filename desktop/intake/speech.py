"""Spoken answers: the patient's recording, transcribed by the ASR engine, one recording at a time.

The audio lives in memory only, for as long as the transcription takes: it is never written
to disk nor stored. Recordings wait in a first-come queue; each waiting patient can ask how
many are ahead (the page shows it).
"""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np

# The intake language -> (the ASR engine's language, Chinese script of the text).
ASR_LANGUAGES = {"zh-Hant": ("yue", "hk"), "en": ("en", "hk"), "zh-Hans": ("zh", "cn")}
MAX_AUDIO_BYTES = 5 * 1024 * 1024
MAX_SECONDS = 120.0


class SpeechError(Exception):
    """A recording that cannot be used; the message is for the patient."""


class FairQueue:
    """Tickets served strictly in order; ``ahead(ticket)`` is how many are in front of it.

    A ticket given up before its turn (a recording that could not be read) is skipped.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._finished: set[int] = set()

    def take(self) -> int:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            return ticket

    def ahead(self, ticket: int) -> int:
        with self._cond:
            return sum(1 for t in range(self._serving, ticket) if t not in self._finished)

    def wait_turn(self, ticket: int) -> None:
        with self._cond:
            while self._serving != ticket:
                self._cond.wait()

    def done(self, ticket: int) -> None:
        with self._cond:
            self._finished.add(ticket)
            while self._serving in self._finished:
                self._finished.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


def decode(data: bytes) -> np.ndarray:
    """16 kHz mono float32 samples from a browser recording (WebM/Opus, Ogg, MP4, WAV)."""
    if not data:
        raise SpeechError("empty")
    try:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(io.BytesIO(data), sampling_rate=16000)
    except Exception as exc:
        raise SpeechError("unreadable") from exc
    if samples.size == 0:
        raise SpeechError("empty")
    if samples.size / 16000 > MAX_SECONDS:
        raise SpeechError("too_long")
    return np.asarray(samples, dtype=np.float32)


class Transcriber:
    """Wraps a loaded WhisperEngine behind the fair queue."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.queue = FairQueue()

    def transcribe(self, ticket: int, data: bytes, lang: str) -> str:
        """The text of one recording; waits for its turn. Raises SpeechError for unusable audio."""
        try:
            samples = decode(data)
            self.queue.wait_turn(ticket)
            language, script = ASR_LANGUAGES.get(lang, ("auto", "hk"))
            result = self.engine.transcribe(
                samples, language=language, script=script, beam_size=1, word_timestamps=False
            )
        finally:
            self.queue.done(ticket)
        return " ".join(s.text.strip() for s in result.segments if s.text.strip())
