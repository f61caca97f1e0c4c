"""The record pass: the saved transcript is a second decode of each stretch, as good as offline."""

from __future__ import annotations

import itertools
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
    bounds = stats["stretches_s"]
    assert stats["stretches"] >= 2 and bounds[0][0] == 0.0
    assert bounds[-1][1] == pytest.approx(len(audio) / 16000, abs=0.01)
    # stretches are cut in pauses, which are left out: no recognised word falls between two
    # stretches or straddles a cut
    assert all(a[1] <= b[0] and b[0] - a[1] < 2.0 for a, b in itertools.pairwise(bounds))
    words = [w for s in result.record for w in s.words]
    for (_, stop), (start, _) in itertools.pairwise(bounds):
        assert not any(w.start < stop - 0.15 and w.end > start + 0.15 for w in words)
    # the record covers the speech, carries what the live view showed, and is no worse than it
    assert coverage(audio, result.record)["gaps_over_1s"] == 0
    assert all(s.live_text is not None and s.id.startswith("r") for s in result.record)
    live_text = " ".join(s.text for s in transcript_from_segments(result.segments, "en"))
    record_text = " ".join(s.text for s in result.record)
    live_edits, _ = error_rate(reference, live_text)
    record_edits, _ = error_rate(reference, record_text)
    assert record_edits <= live_edits


def test_the_app_recording_worker_saves_the_record_read_back_from_the_journal(
    asr_model_path: Path, tmp_path: Path, qtbot: object
) -> None:
    """The app's path: RecordingSession → encrypted journal → LiveRecogniser with its record pass.

    The record pass must read the audio back from the journal (not a copy in memory), and what
    ``finished`` carries — the transcript the note is drafted from — is the record, covering the
    whole recording, no worse than the live text.
    """
    import os

    from desktop.asr.streaming.live import LiveRecogniser
    from desktop.services.recording import RecordingSession
    from desktop.storage.journal import AudioJournal

    wav = synth_consultation(tmp_path, turns=8)
    audio = load_audio(wav)
    reference = wav.with_suffix(".txt").read_text(encoding="utf-8")
    engine = WhisperEngine(asr_model_path, device="cpu", compute_type="int8", cpu_threads=2)
    recogniser = LiveRecogniser(
        engine, language="en", vocabulary=load_vocabulary(), label_speakers=False, record_pass=True
    )
    journal = AudioJournal(tmp_path / "c1.journal", "c1", os.urandom(32))
    reads: list[tuple[int, int]] = []
    real_read_back = journal.read_back

    def read_back(start: int, end: int):  # type: ignore[no-untyped-def]
        reads.append((start, end))
        return real_read_back(start, end)

    journal.read_back = read_back  # type: ignore[method-assign]
    session = RecordingSession(ReplaySource(audio, realtime=False), lambda: recogniser, lambda: journal)
    with qtbot.waitSignal(session.finished, timeout=600_000) as finished:  # type: ignore[attr-defined]
        session.start()
    transcript = finished.args[0]

    assert reads and max(end for _, end in reads) == len(audio)  # the whole recording, from the journal
    assert transcript.segments and all(s.id.startswith("r") for s in transcript.segments)
    assert coverage(audio, transcript.segments)["gaps_over_1s"] == 0
    live_text = " ".join(s.text for s in recogniser.final_segments)
    record_edits, _ = error_rate(reference, " ".join(s.text for s in transcript.segments))
    live_edits, _ = error_rate(reference, live_text)
    assert record_edits <= live_edits
