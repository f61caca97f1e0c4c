"""Decode an audio file (wav, flac, mp3, ogg, m4a, …) to 16 kHz mono float32.

Decoding goes through PyAV (FFmpeg), which faster-whisper already depends on. Every
failure becomes an :class:`AudioError` that names the file and says what to do.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from desktop.core.errors import AudioError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
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
