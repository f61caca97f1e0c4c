"""Decode an audio file (wav, flac, mp3, ogg, m4a, …) to 16 kHz mono float32.

Decoding goes through PyAV (FFmpeg), which faster-whisper already depends on. Every
failure becomes an :class:`AudioError` that names the file and says what to do.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE
from desktop.core.errors import AudioError

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".webm")
MIN_SECONDS = 0.1


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"The audio file {path} does not exist.", "Check the path and try again.")
    if path.stat().st_size == 0:
        raise AudioError(f"The audio file {path.name} is empty.", "Record again or choose another file.")


def _decode(path: Path, sample_rate: int, *, split_stereo: bool) -> Any:
    try:
        from faster_whisper.audio import decode_audio

        return decode_audio(str(path), sampling_rate=sample_rate, split_stereo=split_stereo)
    except Exception as exc:  # PyAV raises many error types for bad media
        log.info("decoding %s failed: %s", path.suffix, type(exc).__name__)
        raise AudioError(
            f"The file {path.name} could not be read as audio (it is damaged or not an audio format).",
            f"Supported formats: {', '.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)}.",
        ) from exc


def _check_samples(samples: np.ndarray, path: Path, sample_rate: int) -> np.ndarray:
    if samples.shape[0] < int(MIN_SECONDS * sample_rate):
        raise AudioError(
            f"The file {path.name} holds no usable audio ({samples.shape[0] / sample_rate:.2f} s).",
            "Record again or choose another file.",
        )
    if not np.isfinite(samples).all():
        raise AudioError(f"The file {path.name} contains invalid samples.", "Choose another recording.")
    return samples


def load_audio(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Return the whole file as float32 mono samples in [-1, 1] at ``sample_rate``."""
    _check_file(path)
    samples = np.asarray(_decode(path, sample_rate, split_stereo=False), dtype=np.float32)
    return _check_samples(samples, path, sample_rate)


def load_audio_channels(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The first two channels as float32 ``(n, 2)`` at ``sample_rate`` (a mono file: both alike).

    For rooms with a lapel microphone on one channel and the room microphone on the other. The
    file is decoded once; ``samples.mean(axis=1)`` is its mono mix.
    """
    _check_file(path)
    left, right = _decode(path, sample_rate, split_stereo=True)
    n = min(len(left), len(right))
    both = np.stack([np.asarray(left[:n]), np.asarray(right[:n])], axis=1).astype(np.float32)
    return _check_samples(both, path, sample_rate)
