"""The built-in voice statistics embedder: same voice near, different voice far."""

from __future__ import annotations

import numpy as np

from desktop.asr.speakers.embed import MfccEmbedder
from tests.unit.asr.speakers.voices import vowel_like


def test_distance_separates_different_voices_more_than_same_voice() -> None:
    e = MfccEmbedder()
    low1 = e.embed(vowel_like(2.0, 110.0, (700.0, 1200.0), seed=1))
    low2 = e.embed(vowel_like(2.0, 112.0, (700.0, 1200.0), seed=2))
    high = e.embed(vowel_like(2.0, 230.0, (900.0, 2000.0), seed=3))
    assert e.distance(low1, low2) < e.threshold < e.distance(low1, high)


def test_distances_to_many_are_the_single_distances() -> None:
    e = MfccEmbedder()
    one = e.embed(vowel_like(1.5, 110.0, (700.0, 1200.0), seed=1))
    many = [
        e.embed(vowel_like(1.0 + 0.2 * k, 100.0 + 30 * k, (650.0 + 50 * k, 1500.0), seed=k)) for k in range(5)
    ]
    many.append(e.embed(np.zeros(8000, dtype=np.float32)))  # no speech, no pitch
    assert np.allclose(e.distances(one, many), [e.distance(one, m) for m in many])
