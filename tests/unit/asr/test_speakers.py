"""Speaker labelling: features, profile serialisation, text cues, channel split, relabel and swap."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop.asr import speaker_features as sf
from desktop.asr.speaker_embed import MfccEmbedder
from desktop.asr.speaker_eval import diarisation_error_rate
from desktop.asr.speaker_synth import Turn
from desktop.asr.speaker_text import text_evidence
from desktop.asr.speakers import (
    SpeakerLabeller,
    VoiceProfile,
    _two_means_split,
    apply_labels,
    channel_turns,
    enrol,
    enrolment_prompt,
    relabel,
    split_at_channel_turns,
    split_segment,
    swap_speakers,
)
from desktop.core.errors import AudioError, InputError, UsageError
from desktop.core.types import Transcript, TranscriptSegment, Word
from desktop.llm.drafting import transcript_lines

SR = 16000


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


def test_distance_separates_different_voices_more_than_same_voice() -> None:
    e = MfccEmbedder()
    low1 = e.embed(vowel_like(2.0, 110.0, (700.0, 1200.0), seed=1))
    low2 = e.embed(vowel_like(2.0, 112.0, (700.0, 1200.0), seed=2))
    high = e.embed(vowel_like(2.0, 230.0, (900.0, 2000.0), seed=3))
    assert e.distance(low1, low2) < e.threshold < e.distance(low1, high)


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


def test_text_cues() -> None:
    assert text_evidence("Do you have any fever?").strongest()[0] == "doctor"
    assert text_evidence("BP 165 over 95, pulse 80").strongest()[0] == "doctor"
    assert text_evidence("I have had chest pain since yesterday").strongest()[0] == "patient"
    assert text_evidence("你有冇發燒呀？").strongest()[0] == "doctor"
    assert text_evidence("血壓一百六十五上九十五").strongest()[0] == "doctor"
    assert text_evidence("我有頭痛，成日咳").strongest()[0] == "patient"
    assert text_evidence("I am his daughter, my father fell").strongest()[0] == "other"
    assert text_evidence("").strongest()[1] == 0.0


def test_two_means_split_needs_two_clear_groups() -> None:
    split = _two_means_split(np.array([8.0, 7.5, -15.0, 8.2, -16.0]))
    assert split is not None and -15 < split < 7.5
    assert _two_means_split(np.array([8.0, 7.0, 9.5, 6.0])) is None


def _segment(seconds: float, voice: str, seed: int) -> np.ndarray:
    if voice == "low":
        return vowel_like(seconds, 105.0 + seed, (650.0, 1100.0, 2400.0), seed=seed)
    return vowel_like(seconds, 225.0 + seed, (900.0, 1900.0, 2900.0), seed=seed)


def test_two_channel_energy_ratio_decides_even_for_identical_voices() -> None:
    labeller = SpeakerLabeller(None)
    results = []
    for i, role in enumerate(["doctor", "patient", "doctor", "patient", "doctor", "patient"]):
        voice = _segment(1.5, "low", i)  # the same kind of voice for both people
        if role == "doctor":
            stereo = np.stack([voice, voice * 0.35], axis=1)
        else:
            stereo = np.stack([voice * 0.15, voice], axis=1)
        results.append(labeller.label(stereo, i * 2.0, i * 2.0 + 1.5).speaker)
    assert results == ["doctor", "patient", "doctor", "patient", "doctor", "patient"]


def test_dead_lapel_channel_falls_back_to_the_room_channel() -> None:
    labeller = SpeakerLabeller(None)
    seg = _segment(1.5, "low", 0)
    stereo = np.stack([np.zeros_like(seg), seg], axis=1)
    label = labeller.label(stereo, 0.0, 1.5)
    assert label.speaker in ("doctor", "patient", "other")
    assert labeller._utterances[-1].channel_ratio_db is None


def test_one_voice_yields_one_speaker_and_two_voices_two() -> None:
    one = SpeakerLabeller(None)
    labels = [one.label(_segment(1.0 + 0.3 * (i % 3), "low", i), i * 3.0, i * 3.0 + 1.5) for i in range(8)]
    assert {lab.speaker for lab in labels} == {"doctor"}
    assert one.voice_count == 1

    two = SpeakerLabeller(None)
    roles = ["doctor", "patient"] * 4
    got = [
        two.label(_segment(1.5, "low" if r == "doctor" else "high", i), i * 3.0, i * 3.0 + 1.5).speaker
        for i, r in enumerate(roles)
    ]
    assert got == roles
    assert two.voice_count == 2


def test_very_short_utterance_is_uncertain_and_uses_the_words() -> None:
    labeller = SpeakerLabeller(None)
    labeller.label(_segment(2.0, "low", 0), 0.0, 2.0, "What brings you in today?")
    short = labeller.label(_segment(0.15, "high", 1), 2.5, 2.65, "I have a cough.")
    assert short.uncertain
    assert short.speaker == "patient"


def test_buffer_start_cuts_the_utterance_out_of_a_longer_buffer() -> None:
    low, high = _segment(2.0, "low", 0), _segment(2.0, "high", 1)
    buffer = np.concatenate([low, np.zeros(SR // 2, dtype=np.float32), high])
    labeller = SpeakerLabeller(None)
    a = labeller.label(buffer, 10.0, 12.0, buffer_start=10.0)
    b = labeller.label(buffer, 12.5, 14.5, buffer_start=10.0)
    assert a.speaker != b.speaker


def _transcript() -> Transcript:
    return Transcript(
        "en",
        [
            TranscriptSegment("s1", 0.0, 2.0, "Any fever?", speaker="patient", speaker_confidence=0.4),
            TranscriptSegment("s2", 2.5, 4.0, "Yes, since Monday.", speaker="doctor", speaker_confidence=0.5),
            TranscriptSegment(
                "s3", 4.5, 6.0, "He also coughs at night.", speaker="other", speaker_confidence=0.6
            ),
        ],
    )


def test_relabel_changes_one_line_and_reaches_json_and_the_draft_prompt() -> None:
    original = _transcript()
    edited = relabel(original, "s3", "patient")
    assert original.segments[2].speaker == "other"  # pure: the input is unchanged
    assert [s.speaker for s in edited.segments] == ["patient", "doctor", "patient"]
    assert edited.segments[2].speaker_confidence == 1.0
    again = Transcript.from_dict(json.loads(json.dumps(edited.to_dict())))
    assert again.segments[2].speaker == "patient" and again.segments[2].speaker_confidence == 1.0
    assert transcript_lines(again)[2] == "[s3] Patient: He also coughs at night."


def test_swap_speakers_for_the_whole_consultation() -> None:
    swapped = swap_speakers(_transcript(), "doctor", "patient")
    assert [s.speaker for s in swapped.segments] == ["doctor", "patient", "other"]
    lines = transcript_lines(swapped)
    assert lines[0] == "[s1] Doctor: Any fever?"
    assert lines[1] == "[s2] Patient: Yes, since Monday."
    assert swap_speakers(swapped, "doctor", "patient").to_dict() == _transcript().to_dict()


def test_relabel_rejects_unknown_speaker_and_segment() -> None:
    with pytest.raises(UsageError):
        relabel(_transcript(), "s1", "nurse")
    with pytest.raises(InputError):
        relabel(_transcript(), "s9", "doctor")
    with pytest.raises(UsageError):
        swap_speakers(_transcript(), "doctor", "interpreter")


def test_apply_labels() -> None:
    from desktop.asr.speakers import SpeakerLabel

    out = apply_labels(_transcript(), {"s1": SpeakerLabel("doctor", 0.93, False)})
    assert out.segments[0].speaker == "doctor" and out.segments[0].speaker_confidence == 0.93
    assert out.segments[1].speaker == "doctor"


def test_der_uses_best_mapping() -> None:
    turns = [Turn("doctor", 0, 2, ""), Turn("patient", 2, 3, ""), Turn("doctor", 3, 4, "")]
    assert diarisation_error_rate(turns, ["patient", "doctor", "patient"]) == 0.0
    assert diarisation_error_rate(turns, ["doctor", "doctor", "doctor"]) == pytest.approx(0.25)


def test_short_piece_of_the_same_utterance_keeps_its_label() -> None:
    labeller = SpeakerLabeller(None)
    labeller.label(_segment(2.0, "low", 0), 0.0, 2.0, "What brings you in?", utterance=1)
    patient = labeller.label(_segment(2.0, "high", 1), 2.5, 4.5, "I have a cough.", utterance=2)
    # The streaming transcript finalised the rest of utterance 2 as a short piece.
    piece = labeller.label(_segment(0.5, "high", 2), 4.5, 5.0, "and a fever", utterance=2)
    assert piece == patient
    reviewed = labeller.review()
    assert reviewed["u2"] == reviewed["u1"]
    assert reviewed["u2"].speaker == "patient"


def test_two_channel_with_a_hot_lapel_microphone_is_put_right_at_review() -> None:
    # The lapel input is set 25 dB hotter than the room input: everyone is louder on it, and the
    # fixed starting threshold takes the first patient lines for the doctor's until the room is learnt.
    labeller = SpeakerLabeller(None)
    roles = ["patient", "patient", "doctor", "patient", "doctor", "patient", "doctor", "patient"]
    hot = 10 ** (25 / 20)
    live = []
    for i, role in enumerate(roles):
        if role == "doctor":
            voice = _segment(1.5, "low", i)
            stereo = np.stack([voice * 0.2 * hot, voice * 0.2 * 0.4], axis=1)
        else:
            voice = _segment(1.5, "high", i)
            stereo = np.stack([voice * 0.2 * 0.15 * hot, voice * 0.2], axis=1)
        live.append(labeller.label(stereo, i * 2.0, i * 2.0 + 1.5, segment_id=f"s{i}").speaker)
    assert live[0] == "doctor"  # before the room is learnt
    reviewed = labeller.review()
    assert [reviewed[f"s{i}"].speaker for i in range(len(roles))] == roles


def test_uncertain_is_exactly_a_low_confidence() -> None:
    from desktop.asr.speakers import UNCERTAIN_BELOW, is_uncertain

    labeller = SpeakerLabeller(None)
    labels = []
    texts = ["Any fever?", "I have a cough.", "Yes", "BP 140 over 90", "嗯", "my father fell"]
    for i in range(12):
        voice = ("low", "high", "high")[i % 3]
        seconds = (0.2, 0.6, 1.5)[i % 3]
        labels.append(labeller.label(_segment(seconds, voice, i), i * 2.0, i * 2.0 + seconds, texts[i % 6]))
    labels += list(labeller.review().values())
    assert any(lab.uncertain for lab in labels) and any(not lab.uncertain for lab in labels)
    for lab in labels:
        assert lab.uncertain == (lab.confidence < UNCERTAIN_BELOW) == is_uncertain(lab.confidence)
    assert is_uncertain(None)


def _words(*spans: tuple[float, float, str]) -> list[Word]:
    return [Word(a, b, f" {t}") for a, b, t in spans]


def test_channel_turns_split_only_where_the_loud_microphone_changes_for_good() -> None:
    words = _words(
        (0.0, 0.3, "Any"), (0.3, 0.6, "chest"), (0.6, 1.0, "pain?"),  # doctor, lapel loud
        (1.2, 1.5, "No,"), (1.5, 1.8, "not"), (1.8, 2.2, "really."),  # patient, room loud
    )  # fmt: skip
    assert channel_turns(words, [8, 9, 7, -15, -16, -14], 0.0) == [(0, 3), (3, 6)]
    # one odd word (a cough on the lapel, a misaligned timestamp) is no turn
    assert channel_turns(words, [8, 9, -15, 7, 8, 9], 0.0) == [(0, 6)]
    # words without a ratio keep their neighbour's side
    assert channel_turns(words, [8, None, 7, -15, None, -14], 0.0) == [(0, 3), (3, 6)]
    assert channel_turns(words, [None] * 6, 0.0) == [(0, 6)]
    # the room's own threshold decides, not 0 dB
    assert channel_turns(words, [2, 3, 2, -6, -5, -6], -2.0) == [(0, 3), (3, 6)]
    assert channel_turns([], [], 0.0) == []


def test_split_segment_keeps_the_words_and_times_of_each_turn() -> None:
    seg = TranscriptSegment(
        "u4-2", 0.0, 2.2, "Any chest pain? No, not really.", language="en",
        words=_words((0.0, 0.3, "Any"), (0.3, 0.6, "chest"), (0.6, 1.0, "pain?"),
                     (1.2, 1.5, "No,"), (1.5, 1.8, "not"), (1.8, 2.2, "really.")),
    )  # fmt: skip
    first, second = split_segment(seg, [(0, 3), (3, 6)])
    assert (first.id, first.text, first.start, first.end) == ("u4-2a", "Any chest pain?", 0.0, 1.0)
    assert (second.id, second.text, second.start, second.end) == ("u4-2b", "No, not really.", 1.2, 2.2)
    assert second.language == "en" and second.final
    assert split_segment(seg, [(0, 6)]) == [seg]


def test_split_at_channel_turns_on_two_channel_audio() -> None:
    doctor, patient = _segment(1.0, "low", 1), _segment(1.0, "high", 2)
    gap = np.zeros(int(0.2 * SR), dtype=np.float32)
    lapel = np.concatenate([doctor, gap, patient * 0.15])
    room = np.concatenate([doctor * 0.35, gap, patient])
    stereo = np.stack([lapel, room], axis=1)
    seg = TranscriptSegment(
        "s1", 0.0, 2.2, "Any pain? Yes, here.",
        words=_words((0.05, 0.5, "Any"), (0.5, 0.95, "pain?"), (1.25, 1.7, "Yes,"), (1.7, 2.15, "here.")),
    )  # fmt: skip
    pieces = split_at_channel_turns([seg], stereo, doctor_channel=0)
    assert [p.text for p in pieces] == ["Any pain?", "Yes, here."]
    swapped = split_at_channel_turns([seg], stereo[:, ::-1], doctor_channel=1)
    assert [p.text for p in swapped] == ["Any pain?", "Yes, here."]
    mono_pieces = split_at_channel_turns([seg], np.stack([room, room], axis=1), doctor_channel=0)
    assert [p.text for p in mono_pieces] == ["Any pain? Yes, here."]
