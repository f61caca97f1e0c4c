"""The one live loop (``pump``): what Stop, Pause, a lost microphone and a full disk do to the audio."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop.asr.streaming.session import pump
from desktop.core.errors import AudioError


class ScriptedSource:
    """Hands out numbered one-sample blocks; after ``stop()`` it still gives what it holds, then ends."""

    def __init__(self, blocks: int, *, lose_after: int | None = None, held_at_stop: int = 3) -> None:
        self.remaining = list(range(blocks))
        self.lose_after = lose_after
        self.held_at_stop = held_at_stop
        self.stopped = 0
        self.read_count = 0
        self.on_read: list[object] = []

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        self.read_count += 1
        for hook in self.on_read:
            hook(self)  # type: ignore[operator]
        if self.lose_after is not None and self.read_count > self.lose_after:
            raise AudioError("The microphone was unplugged.", "Plug it in again.")
        if not self.remaining:
            raise EOFError
        return np.array([float(self.remaining.pop(0))], dtype=np.float32)

    def stop(self) -> None:
        self.stopped += 1
        self.remaining = self.remaining[: self.held_at_stop]  # what the device had already captured


def test_stop_drains_what_the_source_still_holds() -> None:
    source = ScriptedSource(100, held_at_stop=3)
    stop = threading.Event()
    got: list[float] = []

    def consume(block: np.ndarray) -> None:
        got.append(float(block[0]))
        if len(got) == 5:
            stop.set()

    assert pump(source, consume, stop=stop) is None
    assert got == [0, 1, 2, 3, 4, 5, 6, 7]  # the 3 blocks held at Stop are not dropped
    assert source.stopped == 1


def test_paused_blocks_are_not_recorded() -> None:
    source = ScriptedSource(6)
    paused = threading.Event()
    got: list[float] = []

    def toggle(src: ScriptedSource) -> None:
        if src.read_count == 3:
            paused.set()
        if src.read_count == 5:
            paused.clear()

    source.on_read.append(toggle)
    pump(source, lambda b: got.append(float(b[0])), paused=paused)
    assert got == [0, 1, 4, 5]


def test_a_lost_microphone_ends_the_loop_and_is_returned_after_what_was_heard() -> None:
    source = ScriptedSource(10, lose_after=4)
    got: list[float] = []
    error = pump(source, lambda b: got.append(float(b[0])))
    assert isinstance(error, AudioError) and "unplugged" in error.message
    assert got == [0, 1, 2, 3]
    assert source.stopped == 1  # the device is released


def test_a_failing_consumer_propagates_with_the_source_stopped() -> None:
    source = ScriptedSource(10)

    def consume(block: np.ndarray) -> None:
        if block[0] == 2:
            raise OSError("No space left on device")

    with pytest.raises(OSError):
        pump(source, consume)
    assert source.stopped == 1


def test_tick_runs_while_recording() -> None:
    source = ScriptedSource(20)
    ticks: list[int] = []
    pump(source, lambda b: None, tick=lambda: ticks.append(1), tick_seconds=0.0)
    assert len(ticks) >= 10
