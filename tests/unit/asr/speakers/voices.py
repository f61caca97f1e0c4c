"""Voice-like test signals: a harmonic source with vibrato through fixed resonances (formants)."""

from __future__ import annotations

import numpy as np

from desktop.core.audio import SAMPLE_RATE as SR


def vowel_like(seconds: float, f0: float, formants: tuple[float, ...], seed: int = 0) -> np.ndarray:
    """A harmonic source with vibrato through fixed resonances, in syllable-like bursts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    pitch = f0 * (1 + 0.04 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    x = np.zeros_like(t)
    for k in range(1, int(4000 / f0)):
        h = k * f0
        gain = sum(1.0 / (1.0 + ((h - f) / 90.0) ** 2) for f in formants)
        x += gain * np.sin(k * phase) / k**0.5
    envelope = (np.sin(2 * np.pi * 4 * t) > -0.3).astype(float)
    x = x * envelope + 0.003 * rng.standard_normal(len(t))
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


def voice_segment(seconds: float, voice: str, seed: int) -> np.ndarray:
    if voice == "low":
        return vowel_like(seconds, 105.0 + seed, (650.0, 1100.0, 2400.0), seed=seed)
    return vowel_like(seconds, 225.0 + seed, (900.0, 1900.0, 2900.0), seed=seed)
