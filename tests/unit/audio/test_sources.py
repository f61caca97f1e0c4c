from __future__ import annotations

import numpy as np
import pytest

from desktop.audio.sources import SAMPLE_RATE, ReplaySource


class FakeClock:
    """Time that moves only when the source sleeps (or the test advances it)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _drain(source: ReplaySource, timeout: float = 1.0) -> list[np.ndarray]:
    blocks = []
    while True:
        try:
            block = source.read(timeout)
        except EOFError:
            return blocks
        if block is not None:
            blocks.append(block)


def test_fast_replay_delivers_every_sample_then_eof() -> None:
    x = np.linspace(-1, 1, 16_000 * 2 + 123, dtype=np.float32)
    src = ReplaySource(x, realtime=False, block_seconds=0.1)
    src.start()
    blocks = _drain(src)
    assert np.array_equal(np.concatenate(blocks), x)
    assert all(len(b) == 1600 for b in blocks[:-1])
    assert src.stats.samples_delivered == len(x)
    with pytest.raises(EOFError):
        src.read(0)


def test_realtime_replay_sleeps_like_a_microphone() -> None:
    clock = FakeClock()
    x = np.zeros(SAMPLE_RATE, dtype=np.float32)  # one second
    src = ReplaySource(x, realtime=True, block_seconds=0.25, clock=clock, sleep=clock.sleep)
    src.start()
    # Nothing is due yet; with a short timeout the source waits that long and returns None.
    assert src.read(0.1) is None
    assert clock.now == pytest.approx(100.1)
    block = src.read(1.0)
    assert block is not None and len(block) == 4000
    assert clock.now == pytest.approx(100.25)  # released exactly when its last sample was "spoken"
    rest = _drain(src)
    assert sum(len(b) for b in rest) == SAMPLE_RATE - 4000
    assert clock.now == pytest.approx(101.0)


def test_stop_in_realtime_keeps_what_was_due_and_nothing_after() -> None:
    clock = FakeClock()
    x = np.arange(SAMPLE_RATE * 2, dtype=np.float32)
    src = ReplaySource(x, realtime=True, block_seconds=0.1, clock=clock, sleep=clock.sleep)
    src.start()
    first = src.read(1.0)
    assert first is not None
    clock.now += 0.55  # the consumer was busy: 0.55 s more was "captured" meanwhile
    src.stop()
    rest = _drain(src)
    got = np.concatenate([first, *rest])
    assert len(got) == int(0.65 * SAMPLE_RATE)
    assert np.array_equal(got, x[: len(got)])


def test_stop_in_fast_mode_ends_at_the_position_reached() -> None:
    x = np.ones(SAMPLE_RATE, dtype=np.float32)
    src = ReplaySource(x, realtime=False, block_seconds=0.1)
    src.start()
    src.read(0)
    src.read(0)
    src.stop()
    with pytest.raises(EOFError):
        src.read(0)
    assert src.stats.samples_delivered == 3200


def test_read_before_start_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        ReplaySource(np.zeros(10, dtype=np.float32)).read(0)
