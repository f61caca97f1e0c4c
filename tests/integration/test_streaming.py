"""Live recognition with the real Whisper base model on real and synthesised audio.

Files are replayed through the file source as fast as possible (``background=False`` keeps
the recogniser's steps the same as live); latency is measured by ``bench asr``, not here.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop.asr.streaming.decoder import WindowDecoder
from desktop.asr.streaming.recognizer import (
    FinalEvent,
    LoadEvent,
    StreamEvent,
    StreamingOptions,
    StreamingRecognizer,
    TentativeEvent,
)
from desktop.asr.streaming.session import SessionResult, run_live
from desktop.audio.capture import MicrophoneSource
from desktop.audio.decode import load_audio
from desktop.audio.sources import ReplaySource
from desktop.core.errors import AudioError
from desktop.eval.streaming_metrics import script_conformity, tokens
from desktop.eval.streaming_samples import synth_consultation, synth_nonspeech
from tests.unit.audio.fake_sounddevice import FakeBehaviour, FakeSoundDevice

pytestmark = pytest.mark.slow
SR = 16_000


@pytest.fixture(scope="module")
def engine(asr_model_path: Path) -> Any:
    from desktop.asr.engine import WhisperEngine

    return WhisperEngine(
        asr_model_path, device="cpu", compute_type="int8", cpu_threads=0, name="whisper-base"
    )


@pytest.fixture(scope="module")
def clips(shared_data: Path) -> Path:
    return shared_data / "asr-smoke-clips"


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    synth_consultation(folder, name="consult4", turns=4)
    synth_nonspeech(folder, name="quiet")
    return folder


def steady(**options: Any) -> StreamingOptions:
    """Options for tests: no degradation under load, so results do not depend on the machine."""
    return StreamingOptions(load_warn=1e9, **options)


def replay(engine: Any, audio: np.ndarray, **options: Any) -> SessionResult:
    recognizer = StreamingRecognizer(engine, steady(**options))
    return run_live(ReplaySource(audio, realtime=False), recognizer, keep_events=True, background=False)


def check_finals_immutable(events: list[StreamEvent], result: SessionResult) -> str:
    """Final text never changes: property over every prefix of the event sequence."""
    snapshots: list[tuple[str, str, float, float]] = []
    text_so_far: list[str] = []
    for event in events:
        if isinstance(event, FinalEvent):
            seg = event.segment
            assert seg.final
            snapshots.append((seg.id, seg.text, seg.start, seg.end))
            text_so_far.append(" ".join(s[1] for s in snapshots))
    ids = [s[0] for s in snapshots]
    assert len(ids) == len(set(ids)), "a final segment was emitted twice"
    end = [(s.id, s.text, s.start, s.end) for s in result.segments]
    assert end == snapshots, "a final segment changed after it was emitted"
    full = text_so_far[-1] if text_so_far else ""
    assert all(full.startswith(prefix) for prefix in text_so_far)
    starts = [s[2] for s in snapshots]
    assert starts == sorted(starts)
    for (_, _, _, prev_end), (_, _, start, _) in itertools.pairwise(snapshots):
        assert start >= prev_end - 0.1, "final segments overlap: a word would have been said twice"
    # Tentative text is never final text again: each tentative starts after the last final word.
    last_final_end = 0.0
    for event in events:
        if isinstance(event, FinalEvent):
            last_final_end = event.segment.end
        elif isinstance(event, TentativeEvent) and event.text:
            assert event.start >= last_final_end - 0.1
    return full


def test_final_text_never_changes(engine: Any, clips: Path, synth_dir: Path) -> None:
    cases = [
        (clips / "whisper_jfk_en.wav", "en", ["country", "fellow"]),
        (clips / "BAC009S0764W0121.wav", "zh", ["交", "易"]),
        (synth_dir / "consult4.wav", "auto", ["throat", "chest", "stairs"]),
    ]
    for path, language, expected in cases:
        result = replay(engine, load_audio(path), language=language, script="hk")
        text = check_finals_immutable(result.events, result)
        assert len(result.segments) >= 2, f"{path.name}: too few final segments to test anything"
        assert set(expected) <= set(tokens(text)) | set(text), f"{path.name}: {text!r}"
        assert any(isinstance(e, TentativeEvent) and e.text for e in result.events)
        assert result.lost_samples == 0 and result.processed_samples == result.captured_samples


def test_stop_mid_utterance_loses_nothing(engine: Any, clips: Path) -> None:
    audio = load_audio(clips / "whisper_jfk_en.wav")
    source = ReplaySource(audio, realtime=False)
    stop_at = int(7.0 * SR)  # inside "what your country can do for you"
    journal: list[np.ndarray] = []

    def sink(block: np.ndarray) -> None:
        journal.append(block)
        if sum(len(b) for b in journal) >= stop_at:
            source.stop()

    recognizer = StreamingRecognizer(engine, steady(language="en"))
    result = run_live(source, recognizer, sink=sink, background=False)
    captured = result.captured_samples
    assert stop_at <= captured < stop_at + SR // 5
    assert result.journaled_samples == captured == sum(len(b) for b in journal)
    assert result.processed_samples == captured and result.lost_samples == 0
    assert recognizer.stats.fed_samples == captured
    text = " ".join(s.text for s in result.segments)
    assert "country" in tokens(text), text  # said just before Stop
    assert result.segments[-1].end > 6.0
    assert result.segments[-1].end <= captured / SR + 0.1  # nothing made up beyond the audio


def test_stop_with_a_background_recogniser_drains_the_backlog(engine: Any, clips: Path) -> None:
    audio = load_audio(clips / "whisper_jfk_en.wav")
    # Fast replay into a background recogniser: the whole file queues up at once and Stop
    # (end of file) must still recognise all of it.
    recognizer = StreamingRecognizer(engine, steady(language="en"))
    result = run_live(ReplaySource(audio, realtime=False), recognizer, background=True)
    assert result.processed_samples == result.captured_samples == len(audio)
    assert {"fellow", "country"} <= set(tokens(" ".join(s.text for s in result.segments)))


def test_silence_and_noise_produce_no_text(engine: Any, synth_dir: Path) -> None:
    audio = load_audio(synth_dir / "quiet.wav")
    result = replay(engine, audio, language="auto", vocabulary=["metformin", "amlodipine", "paracetamol"])
    assert result.segments == []
    assert not [e for e in result.events if isinstance(e, TentativeEvent) and e.text]
    assert result.lost_samples == 0
    # Also with pure digital silence, and with the language fixed.
    silent = replay(engine, np.zeros(SR * 8, dtype=np.float32), language="zh")
    assert silent.segments == [] and silent.streaming.decodes == 0


def test_vanishing_microphone_raises_and_keeps_the_audio(engine: Any, clips: Path) -> None:
    audio = load_audio(clips / "whisper_jfk_en.wav")
    sd = FakeSoundDevice(FakeBehaviour(signal=audio, vanish_after_blocks=60), rate=SR)  # 6 s, then gone
    source = MicrophoneSource(sd, block_seconds=0.1)
    journal: list[np.ndarray] = []
    recognizer = StreamingRecognizer(engine, steady(language="en"))
    with pytest.raises(AudioError) as info:
        run_live(source, recognizer, sink=journal.append, background=True)
    result: SessionResult = info.value.session_result  # type: ignore[attr-defined]
    assert result.captured_samples == 60 * 1600 == sum(len(b) for b in journal)
    np.testing.assert_allclose(np.concatenate(journal), audio[: 60 * 1600], atol=1e-6)
    assert result.processed_samples == result.captured_samples
    assert "fellow" in tokens(" ".join(s.text for s in result.segments))
    assert "unplugged" in info.value.message


def test_overflow_with_a_slow_consumer_is_counted(engine: Any) -> None:
    rng = np.random.default_rng(1)
    hum = (0.01 * rng.standard_normal(SR * 3)).astype(np.float32)
    sd = FakeSoundDevice(FakeBehaviour(signal=hum, interval=0.001), rate=48_000)
    source = MicrophoneSource(sd, block_seconds=0.01, queue_seconds=0.04)
    stop = threading.Event()
    seen = {"n": 0}

    def slow_journal(block: np.ndarray) -> None:
        time.sleep(0.01)  # a disk far slower than the microphone
        seen["n"] += 1
        if seen["n"] >= 60:
            stop.set()

    recognizer = StreamingRecognizer(engine, steady(language="en"))
    result = run_live(source, recognizer, sink=slow_journal, stop=stop)
    stats = result.capture
    assert stats.overflows > 0 and stats.dropped_frames > 0
    assert result.to_dict()["overflows"] == stats.overflows  # reported, not silent
    delivered_native = stats.device_frames - stats.dropped_frames
    assert result.captured_samples == stats.samples_delivered
    assert abs(result.captured_samples - delivered_native / 3) <= 2  # 48 kHz -> 16 kHz
    assert result.processed_samples == result.captured_samples


@pytest.mark.parametrize(
    ("script", "other", "clip"), [("hk", "cn", "BAC009S0764W0121.wav"), ("cn", "hk", "BAC009S0764W0122.wav")]
)
def test_mandarin_comes_out_in_the_requested_script(
    engine: Any, clips: Path, script: str, other: str, clip: str
) -> None:
    result = replay(engine, load_audio(clips / clip), language="zh", script=script)
    text = "".join(s.text for s in result.segments)
    assert all(s.language == "zh" for s in result.segments)
    assert all(
        script_conformity(w.text, script)[0] == script_conformity(w.text, script)[1]
        for s in result.segments
        for w in s.words
    )
    conforming, total = script_conformity(text, script)
    assert total >= 10, text
    assert conforming == total, text
    wrong, _ = script_conformity(text, other)
    assert wrong < total  # the clip does contain characters that differ between the scripts


def test_cantonese_on_a_model_without_a_yue_token(engine: Any, clips: Path) -> None:
    result = replay(engine, load_audio(clips / "BAC009S0764W0121.wav"), language="yue", script="hk")
    assert "Cantonese" in result.streaming.language_note
    assert result.segments and all(s.language == "yue" for s in result.segments)


class SlowDecoder(WindowDecoder):
    """The real decoder on a machine too slow for one decode a second."""

    def decode(self, audio: np.ndarray, offset: float, language: str | None, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = super().decode(audio, offset, language, **kwargs)
        time.sleep(max(0.0, 1.3 - (time.perf_counter() - started)))  # at least 1.3 s per decode
        return result


def test_overload_is_reported_and_the_recogniser_degrades(engine: Any, clips: Path) -> None:
    audio = np.concatenate([load_audio(clips / "BAC009S0764W0121.wav"), np.zeros(2 * SR, dtype=np.float32)])
    events: list[StreamEvent] = []
    recognizer = StreamingRecognizer(
        engine, StreamingOptions(language="zh"), on_event=events.append, decoder=SlowDecoder(engine)
    )
    run_live(ReplaySource(audio, realtime=False), recognizer, background=False)
    loads = [e for e in events if isinstance(e, LoadEvent)]
    assert any(e.overloaded for e in loads)
    assert recognizer.stats.overload_warnings >= 1
    assert recognizer.stats.degraded_steps >= 1
    assert recognizer.stats.max_recent_duty > 0.9
    assert recognizer.stats.processed_samples == len(audio)
