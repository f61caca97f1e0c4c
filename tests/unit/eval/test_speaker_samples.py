"""The formant shift used for voice variants: the envelope moves, the pitch stays."""

from __future__ import annotations

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.eval.speaker_samples import shift_formants
from tests.unit.asr.speakers.voices import vowel_like


def _centroid(x: np.ndarray) -> float:
    f = sf.frame_features(x)
    return float(np.mean(f.centroid[f.speech]))


def _pitch(x: np.ndarray) -> float:
    return float(np.exp(np.nanmedian(sf.frame_features(x).log_f0)))


def test_shift_formants_moves_the_envelope_and_keeps_the_pitch() -> None:
    x = vowel_like(1.5, 130.0, (700.0, 1200.0, 2500.0))
    up, down = shift_formants(x, 1.2), shift_formants(x, 0.85)
    assert len(up) == len(x) and up.dtype == np.float32
    assert _centroid(up) > 1.08 * _centroid(x) and _centroid(down) < 0.93 * _centroid(x)
    for y in (up, down):
        assert abs(_pitch(y) - 130.0) / 130.0 < 0.04
    assert np.array_equal(shift_formants(x, 1.0), x)
