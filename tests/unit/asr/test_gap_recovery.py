"""Which stretches of speech count as skipped by the recogniser (real Silero VAD, real audio)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from desktop.asr.engine import (
    COVER_SLACK_S,
    MIN_GAP_S,
    plausible_word_seconds,
    uncovered_speech,
    without_copies,
)
from desktop.asr.vad import VadSettings, speech_regions
from desktop.audio.decode import SAMPLE_RATE, load_audio
from desktop.core.types import TranscriptSegment, Word

SAMPLE = Path(__file__).resolve().parents[3] / "assets" / "samples" / "sample_consultation.flac"


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return load_audio(SAMPLE)


def _covering(start: float, end: float, n: int = 1) -> TranscriptSegment:
    step = (end - start) / n
    words = [Word(start + i * step, start + (i + 1) * step, f" w{i}", 0.9) for i in range(n)]
    return TranscriptSegment(id="x", start=start, end=end, text="".join(w.text for w in words), words=words)


def test_full_coverage_leaves_no_gap(audio: np.ndarray) -> None:
    regions = speech_regions(audio, VadSettings(min_silence_ms=500))
    assert len(regions) >= 5
    segments = [_covering(r.start / SAMPLE_RATE, r.end / SAMPLE_RATE, n=8) for r in regions]
    assert uncovered_speech(audio, segments) == []


def test_nothing_recognised_means_all_speech_is_a_gap(audio: np.ndarray) -> None:
    gaps = uncovered_speech(audio, [])
    regions = speech_regions(audio, VadSettings(min_silence_ms=500))
    speech = sum(r.end - r.start for r in regions) / SAMPLE_RATE
    assert gaps and sum(b - a for a, b in gaps) == pytest.approx(speech, rel=0.15)


def test_a_dropped_tail_is_found_where_it_was(audio: np.ndarray) -> None:
    regions = speech_regions(audio, VadSettings(min_silence_ms=500))
    half = len(regions) // 2
    kept = [_covering(r.start / SAMPLE_RATE, r.end / SAMPLE_RATE, n=8) for r in regions[:half]]
    gaps = uncovered_speech(audio, kept)
    assert gaps
    dropped_start = regions[half].start / SAMPLE_RATE
    assert gaps[0][0] == pytest.approx(dropped_start, abs=0.5)
    assert gaps[-1][1] == pytest.approx(regions[-1].end / SAMPLE_RATE, abs=0.5)
    assert all(b - a >= MIN_GAP_S for a, b in gaps)


def test_silence_is_not_a_gap() -> None:
    silence = np.zeros(10 * SAMPLE_RATE, dtype=np.float32)
    assert uncovered_speech(silence, []) == []


def test_a_short_sliver_between_words_is_not_a_gap(audio: np.ndarray) -> None:
    regions = speech_regions(audio, VadSettings(min_silence_ms=500))
    region = max(regions, key=lambda r: r.end - r.start)
    others = [_covering(r.start / SAMPLE_RATE, r.end / SAMPLE_RATE, n=8) for r in regions if r != region]
    start, end = region.start / SAMPLE_RATE, region.end / SAMPLE_RATE
    assert end - start > 2.5
    middle = (start + end) / 2
    # Words on both sides of a 1.2 s hole: with the edges' slack, less than MIN_GAP_S is left.
    segments = [*others, _covering(start, middle - 0.6, n=4), _covering(middle + 0.6, end, n=4)]
    assert uncovered_speech(audio, segments) == []
    # A hole twice as wide is reported, where it is.
    segments = [*others, _covering(start, middle - 1.2, n=4), _covering(middle + 1.2, end, n=4)]
    (gap,) = uncovered_speech(audio, segments)
    assert gap[0] == pytest.approx(middle - 0.8, abs=0.01) and gap[1] == pytest.approx(middle + 0.8, abs=0.01)


def test_a_word_stretched_over_speech_does_not_cover_it(audio: np.ndarray) -> None:
    """Whisper's timings can stretch one word over seconds it never transcribed: only a word's
    length at either end of it counts as covered, so the speech in the middle is a gap."""
    regions = speech_regions(audio, VadSettings(min_silence_ms=500))
    region = max(regions, key=lambda r: r.end - r.start)
    start, end = region.start / SAMPLE_RATE, region.end / SAMPLE_RATE
    others = [_covering(r.start / SAMPLE_RATE, r.end / SAMPLE_RATE, n=8) for r in regions if r != region]
    stretched = TranscriptSegment(
        id="x", start=start, end=end, text=" a", words=[Word(start, end, " a", 0.4)]
    )
    (gap,) = uncovered_speech(audio, [*others, stretched])
    longest = plausible_word_seconds(" a")
    assert gap[0] == pytest.approx(start + longest + COVER_SLACK_S, abs=0.01)
    assert gap[1] == pytest.approx(end - longest - COVER_SLACK_S, abs=0.01)
    # the same stretch covered by words of ordinary length leaves nothing
    assert uncovered_speech(audio, [*others, _covering(start, end, n=12)]) == []


def _said(start: float, end: float, text: str) -> TranscriptSegment:
    return TranscriptSegment(id="x", start=start, end=end, text=text)


def test_a_segment_copying_an_earlier_one_is_decoded_again() -> None:
    rejected: Counter[str] = Counter()
    segments = [
        _said(23.2, 25.4, "Continue the dickiccin and take"),
        _said(43.5, 51.8, "He has been on fiorosmide for years and last month we added gavetentin."),
        # the decoder wrote the earlier sentence again over "Continue the gliclazide, and take …"
        _said(52.8, 55.4, "Continue the dickiccin and take a lopramatite."),
        _said(55.9, 57.4, "She has been on fiorosmide for years and last month."),
        _said(57.8, 58.6, "when you need it"),
    ]
    kept = without_copies(segments, rejected)
    assert [s.start for s in kept] == [23.2, 43.5, 57.8]
    assert rejected["copied_context"] == 2


def test_different_sentences_and_short_repeats_are_kept() -> None:
    rejected: Counter[str] = Counter()
    segments = [
        _said(1.0, 3.0, "Take one tablet twice a day."),
        _said(3.5, 4.0, "Twice a day?"),
        _said(4.2, 4.6, "Yes."),
        _said(5.0, 6.0, "Yes."),
        _said(7.0, 9.0, "Take the metformin with your breakfast."),
        # the same words said again long after are said again
        _said(200.0, 202.0, "Take one tablet twice a day."),
    ]
    assert len(without_copies(segments, rejected)) == len(segments)
    assert not rejected
