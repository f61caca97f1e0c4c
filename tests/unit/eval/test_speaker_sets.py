"""The speaker benchmark's sets: the test set is frozen and shares no voice or wording with development."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from desktop.eval.speaker_dev_set import dev_scenarios
from desktop.eval.speaker_test_set import frozen_test_scenarios

# The fingerprint of the frozen test set, taken when it was committed, before any tuning on it.
# A change to a test voice, script, room or seed changes it: that is a new test set, and it must
# be frozen again in its own commit and reported as such, never adjusted after seeing results.
FROZEN_TEST_SET_SHA256 = "da9aee85ba63234608b75b0415214a9c408dd29c78d907cfd15e9a1b68c16a54"


def _fingerprint() -> str:
    data = [dataclasses.asdict(s) for s in frozen_test_scenarios()]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_the_test_set_is_frozen() -> None:
    assert _fingerprint() == FROZEN_TEST_SET_SHA256


def test_test_and_development_share_no_voice_engine_or_wording() -> None:
    dev, test = dev_scenarios(), frozen_test_scenarios()
    assert {s.split for s in dev} == {"dev"} and {s.split for s in test} == {"test"}
    dev_voices = {v.name for s in dev for _, v in s.voices}
    test_voices = {v.name for s in test for _, v in s.voices}
    assert dev_voices.isdisjoint(test_voices)
    assert {v.engine for s in dev for _, v in s.voices} == {"espeak"}
    assert {v.engine for s in test for _, v in s.voices} == {"espeak", "piper"}
    dev_lines = {text for s in dev for _, text in s.script}
    assert dev_lines.isdisjoint({text for s in test for _, text in s.script})
    assert not {s.name for s in dev} & {s.name for s in test}


def test_the_test_set_covers_what_it_claims() -> None:
    test = frozen_test_scenarios()
    assert {s.language for s in test} == {"en", "yue", "auto"}
    assert any(s.two_channel for s in test) and any(not s.two_channel for s in test)
    assert any(s.script[0][0] == "patient" for s in test)  # roles not by who speaks first
    voices = [v for s in test for _, v in s.voices]
    assert any(v.engine == "piper" and v.formant != 1.0 for v in voices)
    assert any(v.engine == "espeak" and (v.shift_cents or v.tempo != 1.0 or v.formant != 1.0) for v in voices)
    assert {s.room for s in test} - {"dev"} and {s.noise for s in test} == {"room-tone", "fan"}
