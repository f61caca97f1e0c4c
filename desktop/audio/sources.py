"""Audio sources: where the 16 kHz blocks of a recording come from.

Blocks are mono ``(n,)``, or ``(n, 2)`` in a room with a lapel microphone on the doctor
(one channel each for the lapel and the room microphone).

Every source has the same small interface (``sample_rate``, ``start()``, ``read(timeout)``,
``stop()``, ``overflows``, ``stats``), so the recording thread, ``consult-scribe listen``,
the benchmarks and the tests drive a microphone and a replayed file the same way:

* ``read(timeout)`` returns the next block of float32 samples, ``None`` when nothing arrived
  within ``timeout``, raises ``EOFError`` when the source has nothing more to give (end of a
  file, or everything captured before ``stop()`` has been read) and raises
  :class:`~desktop.core.errors.AudioError` when a microphone disappeared, but only after
  every block captured before it disappeared has been read;
* ``stop()`` ends capture; blocks captured before it stay readable, so Stop never drops audio.

This module holds the replay source (a recording played back at real-time pace, sleeping
like a microphone, or as fast as possible); the microphone is in :mod:`desktop.audio.capture`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from desktop.audio.resample import TARGET_RATE

SAMPLE_RATE = TARGET_RATE

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass
class CaptureStats:
    """What a source captured and what it could not keep.

    ``samples_delivered`` counts 16 kHz samples handed out by ``read()``; ``dropped_frames``
    counts native-rate frames lost because the consumer fell behind (the bounded queue was
    full) and ``overflows`` the number of times that, or a device-level overrun, happened.
    """

    device: str = ""
    native_rate: int = SAMPLE_RATE
    channels: int = 1
    device_frames: int = 0
    dropped_frames: int = 0
    overflows: int = 0
    samples_delivered: int = 0
    started_at: float | None = None  # time.monotonic() when capture began
    stopped_at: float | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def dropped_seconds(self) -> float:
        return self.dropped_frames / float(self.native_rate or SAMPLE_RATE)

    @property
    def seconds_delivered(self) -> float:
        return self.samples_delivered / float(SAMPLE_RATE)

    def to_dict(self) -> dict[str, object]:
        return {
            "device": self.device,
            "native_rate": self.native_rate,
            "channels": self.channels,
            "device_frames": self.device_frames,
            "dropped_frames": self.dropped_frames,
            "dropped_seconds": round(self.dropped_seconds, 3),
            "overflows": self.overflows,
            "samples_delivered": self.samples_delivered,
            "error": self.error,
        }


class AudioSource(Protocol):
    """A source of 16 kHz float32 blocks, mono or two-channel (see the module docstring)."""

    sample_rate: int

    def start(self) -> None: ...

    def read(self, timeout: float = 0.1) -> np.ndarray | None: ...

    def stop(self) -> None: ...

    @property
    def overflows(self) -> int: ...

    @property
    def stats(self) -> CaptureStats: ...


class ReplaySource:
    """Plays a recording back as if a microphone were capturing it.

    ``realtime=True`` releases each block only when its last sample would have been spoken
    (the clock advances from ``start()``), so latency measured downstream is what a person in
    the room would see. ``realtime=False`` hands out blocks as fast as they are read (accuracy
    runs, tests). ``stop()`` ends the recording at the point reached: in real-time mode the
    blocks already due are still delivered, nothing after them.
    """

    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        samples: np.ndarray,
        *,
        realtime: bool = True,
        block_seconds: float = 0.1,
        name: str = "recording",
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if block_seconds <= 0:
            raise ValueError("block_seconds must be positive")
        arr = np.asarray(samples, dtype=np.float32)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[1] != 2):
            raise ValueError("a recording is mono (n,) or two-channel (n, 2)")
        # A two-channel recording (lapel + room microphone) is replayed as (n, 2) blocks.
        self._samples = np.ascontiguousarray(arr.reshape(-1) if arr.ndim < 2 else arr)
        self.channels = 2 if self._samples.ndim == 2 else 1
        self.realtime = realtime
        self.block = max(1, round(block_seconds * SAMPLE_RATE))
        self._clock = clock
        self._sleep = sleep
        self._pos = 0
        self._end = len(self._samples)  # moved back by stop()
        self._started = False
        self._t0 = 0.0
        self._lock = threading.Lock()
        self._stats = CaptureStats(device=name, native_rate=SAMPLE_RATE, channels=self.channels)

    @property
    def duration(self) -> float:
        return len(self._samples) / SAMPLE_RATE

    @property
    def overflows(self) -> int:
        return self._stats.overflows

    @property
    def stats(self) -> CaptureStats:
        return self._stats

    @property
    def position(self) -> int:
        """Samples delivered so far."""
        return self._pos

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            self._t0 = self._clock()
            self._stats.started_at = self._t0

    def _due(self, now: float) -> int:
        """How many samples a microphone would have captured by ``now``."""
        if not self.realtime:
            return self._end
        return min(self._end, round((now - self._t0) * SAMPLE_RATE))

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if not self._started:
            raise RuntimeError("read() before start()")
        with self._lock:
            if self._pos >= self._end:
                raise EOFError
            target = min(self._pos + self.block, self._end)
        if self.realtime:
            deadline = self._t0 + target / SAMPLE_RATE
            wait = deadline - self._clock()
            if wait > 0:
                if wait > timeout:
                    if timeout > 0:
                        self._sleep(timeout)
                    return None
                self._sleep(wait)
        with self._lock:
            target = min(target, self._end)
            if self._pos >= target:
                if self._pos >= self._end:
                    raise EOFError
                return None
            block = self._samples[self._pos : target].copy()
            self._pos = target
            self._stats.samples_delivered += len(block)
            self._stats.device_frames += len(block)
            return block

    def stop(self) -> None:
        with self._lock:
            if not self._started:
                self._end = 0
                return
            # A microphone stopped now has captured everything due so far and nothing after it.
            # Replayed as fast as possible, "now" is the position reached.
            due = self._due(self._clock()) if self.realtime else self._pos
            self._end = max(self._pos, min(self._end, due))
            if self._stats.stopped_at is None:
                self._stats.stopped_at = self._clock()


class FileSource(ReplaySource):
    """A recording on disk (any format ``load_audio`` reads) replayed as a microphone."""

    def __init__(
        self,
        path: Path,
        *,
        realtime: bool = True,
        block_seconds: float = 0.1,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        from desktop.audio.decode import load_audio

        super().__init__(
            load_audio(path),
            realtime=realtime,
            block_seconds=block_seconds,
            name=path.name,
            clock=clock,
            sleep=sleep,
        )
        self.path = path
