"""Voice features: YIN pitch, the speech mask, statistics that add up across utterances."""

from __future__ import annotations

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.asr.speakers.embed import MfccEmbedder
from desktop.core.audio import SAMPLE_RATE as SR
from tests.unit.asr.speakers.voices import vowel_like


def test_yin_pitch_of_a_harmonic_tone() -> None:
    for f0 in (100.0, 220.0):
        features = sf.frame_features(vowel_like(1.0, f0, (700.0, 1200.0)))
        pitch = float(np.exp(np.nanmedian(features.log_f0)))
        assert abs(pitch - f0) / f0 < 0.05, (f0, pitch)


def test_silence_has_no_speech_and_no_pitch() -> None:
    features = sf.frame_features(np.zeros(SR, dtype=np.float32))
    assert features.speech_seconds == 0.0
    assert not np.isfinite(features.log_f0).any()


def test_statistics_add_up_across_utterances() -> None:
    a = sf.voice_statistics(sf.frame_features(vowel_like(1.0, 120.0, (600.0, 1100.0))))
    b = sf.voice_statistics(sf.frame_features(vowel_like(1.5, 125.0, (600.0, 1100.0), seed=1)))
    pooled = MfccEmbedder().pool([MfccEmbedder().embed(vowel_like(1.0, 120.0, (600.0, 1100.0)))])
    assert np.allclose(pooled.vector, a)
    summary = sf.summarise(a + b)
    assert summary.frames == a[0] + b[0]
    assert 110 < summary.pitch_hz < 135
