"""The doctor's voice profile: bytes without pickle, damaged profiles, enrolment refusals, prompts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop.asr.speakers.profile import VoiceProfile, enrol, enrolment_prompt
from desktop.core.audio import SAMPLE_RATE as SR
from desktop.core.errors import AudioError, InputError
from tests.unit.asr.speakers.voices import vowel_like


def test_profile_round_trip_bytes() -> None:
    profile = VoiceProfile(
        {"mfcc-stats-1": np.arange(5, dtype=float) / 3}, 14.2, 118.5, "2026-01-01T00:00:00+00:00"
    )
    data = profile.to_bytes()
    json.loads(data)  # plain JSON, no pickle
    back = VoiceProfile.from_bytes(data)
    assert np.array_equal(back.embeddings["mfcc-stats-1"], profile.embeddings["mfcc-stats-1"])
    assert back.speech_seconds == pytest.approx(14.2)
    assert back.pitch_hz == pytest.approx(118.5)


@pytest.mark.parametrize(
    "data", [b"", b"not json", b'{"format": "other"}', json.dumps({"format": "x"}).encode()]
)
def test_damaged_profile_is_a_user_facing_error(data: bytes) -> None:
    with pytest.raises(InputError):
        VoiceProfile.from_bytes(data)


def test_enrolment_rejects_silence_and_short_recordings() -> None:
    with pytest.raises(AudioError, match="silent"):
        enrol(np.zeros(15 * SR, dtype=np.float32))
    with pytest.raises(AudioError, match="speech"):
        enrol(vowel_like(3.0, 120.0, (700.0, 1200.0)))


def test_enrolment_prompts_exist_in_both_languages() -> None:
    assert len(enrolment_prompt("en").split()) >= 35
    zh = enrolment_prompt("zh")
    assert len(zh) >= 60 and "醫生" in zh
    assert enrolment_prompt("yue") == zh
