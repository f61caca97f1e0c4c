"""The record pass: the saved transcript is a second decode of each stretch, as good as offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.asr.engine import WhisperEngine
from desktop.asr.streaming.recognizer import StreamingOptions, StreamingRecognizer, transcript_from_segments
from desktop.asr.streaming.record import RecordOptions, RecordPass
from desktop.asr.streaming.session import run_live
from desktop.asr.vocabulary import load_vocabulary
from desktop.audio.decode import load_audio
from desktop.audio.sources import ReplaySource
from desktop.eval.streaming_metrics import coverage, error_rate
from desktop.eval.streaming_samples import synth_consultation

pytestmark = pytest.mark.slow


def test_the_record_is_a_second_pass_over_stretches_cut_in_pauses(
    asr_model_path: Path, tmp_path: Path
) -> None:
    wav = synth_consultation(tmp_path, turns=8)
    audio = load_audio(wav)
    reference = wav.with_suffix(".txt").read_text(encoding="utf-8")
    engine = WhisperEngine(asr_model_path, device="cpu", compute_type="int8", cpu_threads=2)
    vocabulary = load_vocabulary()
    recognizer = StreamingRecognizer(engine, StreamingOptions(language="en", vocabulary=vocabulary))
    record = RecordPass(
        engine,
        language="en",
        vocabulary=vocabulary,
        options=RecordOptions(stretch_s=15.0, search_s=5.0),
        background=False,
    )
    result = run_live(ReplaySource(audio, realtime=False), recognizer, background=False, record=record)

    stats = result.record_stats
    assert stats["stretches"] >= 2 and sum(stats["stretch_lengths_s"]) == pytest.approx(
        len(audio) / 16000, abs=0.1
    )
    # every stretch but the last ends in a pause: no recognised word straddles a cut
    cuts, at = [], 0.0
    for length in stats["stretch_lengths_s"][:-1]:
        at += length
        cuts.append(at)
    words = [w for s in result.record for w in s.words]
    assert not any(w.start < cut - 0.15 and w.end > cut + 0.15 for w in words for cut in cuts)
    # the record covers the speech, carries what the live view showed, and is no worse than it
    assert coverage(audio, result.record)["gaps_over_1s"] == 0
    assert all(s.live_text is not None and s.id.startswith("r") for s in result.record)
    live_text = " ".join(s.text for s in transcript_from_segments(result.segments, "en"))
    record_text = " ".join(s.text for s in result.record)
    live_edits, _ = error_rate(reference, live_text)
    record_edits, _ = error_rate(reference, record_text)
    assert record_edits <= live_edits
