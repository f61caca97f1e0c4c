from __future__ import annotations

import time

import numpy as np
import pytest

from desktop.audio.capture import MicrophoneSource, find_input_device, list_input_devices
from desktop.core.errors import AudioError, UserFacingError
from tests.unit.audio.fake_sounddevice import FakeBehaviour, FakeSoundDevice


def _sine(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _read_until(source: MicrophoneSource, samples: int, limit_s: float = 10.0) -> list[np.ndarray]:
    blocks: list[np.ndarray] = []
    deadline = time.monotonic() + limit_s
    while sum(len(b) for b in blocks) < samples and time.monotonic() < deadline:
        block = source.read(0.05)
        if block is not None:
            blocks.append(block)
    return blocks


def _read_to_end(source: MicrophoneSource) -> tuple[list[np.ndarray], BaseException | None]:
    blocks: list[np.ndarray] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            block = source.read(0.05)
        except (EOFError, AudioError) as exc:
            return blocks, exc
        if block is not None:
            blocks.append(block)
    raise AssertionError("the source never ended")


def test_device_list_marks_the_default_and_skips_outputs() -> None:
    sd = FakeSoundDevice(FakeBehaviour(signal=np.zeros(10, dtype=np.float32)))
    devices = list_input_devices(sd)
    assert [d.name for d in devices] == ["USB Desk Microphone", "Laptop Array Mic"]
    assert [d.default for d in devices] == [True, False]
    assert devices[1].default_rate == 48_000 and devices[1].hostapi == "ALSA"


def test_find_device_by_default_name_and_number() -> None:
    sd = FakeSoundDevice(FakeBehaviour(signal=np.zeros(10, dtype=np.float32)))
    assert find_input_device(sd).index == 0
    assert find_input_device(sd, "laptop").index == 1
    assert find_input_device(sd, "1").name == "Laptop Array Mic"
    with pytest.raises(AudioError) as info:
        find_input_device(sd, "Studio condenser")
    assert "USB Desk Microphone" in info.value.hint  # tells the user what is there


def test_no_input_device_is_a_user_facing_error() -> None:
    sd = FakeSoundDevice(FakeBehaviour(signal=np.zeros(10, dtype=np.float32)))
    sd.devices = [d for d in sd.devices if d["max_input_channels"] == 0]
    with pytest.raises(UserFacingError):
        MicrophoneSource(sd).start()


def test_open_failure_is_a_user_facing_error() -> None:
    sd = FakeSoundDevice(FakeBehaviour(signal=np.zeros(10, dtype=np.float32), fail_open=True))
    with pytest.raises(AudioError, match="could not be opened"):
        MicrophoneSource(sd).start()


def test_captures_at_native_rate_and_delivers_16k_mono() -> None:
    rate = 44_100
    sd = FakeSoundDevice(FakeBehaviour(signal=_sine(rate, 2.0), interval=0.005), rate=rate)
    src = MicrophoneSource(sd, block_seconds=0.05)
    src.start()
    blocks = _read_until(src, 16_000)
    src.stop()
    rest, end = _read_to_end(src)
    assert isinstance(end, EOFError)
    y = np.concatenate(blocks + rest)
    stream = sd.streams[0]
    assert stream.kwargs["samplerate"] == rate and stream.kwargs["channels"] == 1
    # Every frame the device delivered arrives, resampled: ceil(frames * 160 / 441).
    assert src.stats.dropped_frames == 0
    assert len(y) == src.stats.samples_delivered == -(-src.stats.device_frames * 160 // 441)
    segment = y[1000:15000]
    freqs = np.fft.rfftfreq(len(segment), 1 / 16_000)
    assert abs(freqs[int(np.argmax(np.abs(np.fft.rfft(segment))))] - 440) < 3


def _peak_hz(x: np.ndarray) -> float:
    freqs = np.fft.rfftfreq(len(x), 1 / 16_000)
    return float(freqs[int(np.argmax(np.abs(np.fft.rfft(x))))])


def test_two_channels_for_a_lapel_microphone_arrive_side_by_side() -> None:
    rate = 48_000
    lapel, room = _sine(rate, 2.0, 440.0), 0.5 * _sine(rate, 2.0, 1000.0)
    sd = FakeSoundDevice(FakeBehaviour(signal=np.stack([lapel, room], axis=1), interval=0.005), rate=rate)
    src = MicrophoneSource(sd, "Laptop Array Mic", block_seconds=0.05, channels=2)
    src.start()
    blocks = _read_until(src, 16_000)
    src.stop()
    rest, end = _read_to_end(src)
    assert isinstance(end, EOFError)
    y = np.concatenate(blocks + rest)
    assert sd.streams[0].kwargs["channels"] == 2 and src.stats.channels == 2
    assert y.ndim == 2 and y.shape[1] == 2
    assert len(y) == src.stats.samples_delivered == src.stats.device_frames // 3  # 48k -> 16k
    # Each channel is resampled on its own: the tones stay on their channels.
    assert abs(_peak_hz(y[1000:15000, 0]) - 440) < 3
    assert abs(_peak_hz(y[1000:15000, 1]) - 1000) < 3


def test_two_channels_asked_of_a_one_channel_microphone_fall_back_to_mono() -> None:
    rate = 16_000
    sd = FakeSoundDevice(FakeBehaviour(signal=_sine(rate, 1.0), interval=0.005), rate=rate)
    src = MicrophoneSource(sd, "USB Desk Microphone", block_seconds=0.05, channels=2)
    src.start()
    blocks = _read_until(src, 8_000)
    src.stop()
    assert sd.streams[0].kwargs["channels"] == 1 and src.channels == 1
    assert all(b.ndim == 1 for b in blocks)
    assert any("one input channel" in note for note in src.stats.notes)


def test_vanishing_device_raises_after_everything_captured_is_read() -> None:
    rate = 48_000
    signal = _sine(rate, 3.0)
    sd = FakeSoundDevice(FakeBehaviour(signal=signal, vanish_after_blocks=20), rate=rate)
    src = MicrophoneSource(sd, block_seconds=0.1)  # 20 blocks = 2 s
    src.start()
    blocks, end = _read_to_end(src)
    assert isinstance(end, AudioError)
    assert "Everything recorded up to that moment is kept" in end.message
    y = np.concatenate(blocks)
    assert len(y) == 2 * 16_000  # all 2 s captured before the loss were delivered
    expected = _sine(rate, 3.0)[: 2 * rate][::3]  # 48k -> 16k keeps every third sample of a 440 Hz tone
    np.testing.assert_allclose(y[100:-100], expected[100:-100], atol=0.01)
    assert src.stats.error.startswith("device lost")


def test_silently_stalled_device_is_noticed() -> None:
    rate = 16_000
    sd = FakeSoundDevice(
        FakeBehaviour(signal=_sine(rate, 1.0), vanish_after_blocks=5, vanish_silently=True), rate=rate
    )
    src = MicrophoneSource(sd, block_seconds=0.1, stall_seconds=0.3)
    src.start()
    blocks, end = _read_to_end(src)
    assert isinstance(end, AudioError)
    assert sum(len(b) for b in blocks) == 5 * 1600


def test_overflow_with_a_slow_consumer_is_counted_and_reported() -> None:
    rate = 16_000
    sd = FakeSoundDevice(
        FakeBehaviour(signal=_sine(rate, 5.0), interval=0.002, silence_after_signal=False), rate=rate
    )
    src = MicrophoneSource(sd, block_seconds=0.01, queue_seconds=0.05)  # a queue of 5 blocks
    src.start()
    got = 0
    deadline = time.monotonic() + 10
    while sd.streams[0].blocks_sent < 500 and time.monotonic() < deadline:
        block = src.read(0.05)
        if block is not None:
            got += len(block)
            time.sleep(0.02)  # a consumer ten times slower than the device
    src.stop()
    rest, end = _read_to_end(src)
    got += sum(len(b) for b in rest)
    assert isinstance(end, EOFError)
    stats = src.stats
    assert stats.overflows > 0
    assert stats.dropped_frames > 0
    # Nothing vanishes unaccounted: delivered + dropped = what the device produced.
    assert got == stats.samples_delivered
    assert got + stats.dropped_frames == stats.device_frames


def test_device_level_overruns_are_counted() -> None:
    rate = 16_000
    behaviour = FakeBehaviour(signal=_sine(rate, 1.0), overflow_flag_blocks=(2, 5), interval=0.005)
    sd = FakeSoundDevice(behaviour, rate=rate)
    src = MicrophoneSource(sd, block_seconds=0.1)
    src.start()
    _read_until(src, 8 * 1600)
    src.stop()
    _read_to_end(src)
    # The two overruns PortAudio flagged, plus any block the queue had to drop (none expected).
    assert src.overflows == 2 + src.stats.dropped_frames // 1600
    assert src.overflows >= 2
