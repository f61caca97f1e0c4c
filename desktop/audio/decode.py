"""Decode an audio file (wav, flac, mp3, ogg, m4a, …) to 16 kHz mono float32.

Decoding goes through PyAV (FFmpeg), which faster-whisper already depends on. Every
failure becomes an :class:`AudioError` that names the file and says what to do.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE
from desktop.core.errors import AudioError

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".webm")
MIN_SECONDS = 0.1


def load_audio(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Return the whole file as float32 mono samples in [-1, 1] at ``sample_rate``."""
    if not path.exists():
        raise AudioError(f"The audio file {path} does not exist.", "Check the path and try again.")
    if path.stat().st_size == 0:
        raise AudioError(f"The audio file {path.name} is empty.", "Record again or choose another file.")
    try:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(str(path), sampling_rate=sample_rate)
    except Exception as exc:  # PyAV raises many error types for bad media
        log.info("decoding %s failed: %s", path.suffix, type(exc).__name__)
        raise AudioError(
            f"The file {path.name} could not be read as audio (it is damaged or not an audio format).",
            f"Supported formats: {', '.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)}.",
        ) from exc
    samples = np.asarray(samples, dtype=np.float32)
    if samples.size < int(MIN_SECONDS * sample_rate):
        raise AudioError(
            f"The file {path.name} holds no usable audio ({samples.size / sample_rate:.2f} s).",
            "Record again or choose another file.",
        )
    if not np.isfinite(samples).all():
        raise AudioError(f"The file {path.name} contains invalid samples.", "Choose another recording.")
    return samples


def load_audio_channels(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The first two channels as float32 ``(n, 2)`` at ``sample_rate`` (a mono file: both alike).

    For rooms with a lapel microphone on one channel and the room microphone on the other.
    """
    load_audio(path, sample_rate)  # the same checks and messages as a mono load
    from faster_whisper.audio import decode_audio

    try:
        left, right = decode_audio(str(path), sampling_rate=sample_rate, split_stereo=True)
    except Exception as exc:  # PyAV raises many error types for bad media
        raise AudioError(
            f"The file {path.name} could not be read as two-channel audio.",
            "Record again, or process it without the lapel-channel setting.",
        ) from exc
    n = min(len(left), len(right))
    return np.stack([np.asarray(left[:n]), np.asarray(right[:n])], axis=1).astype(np.float32)
