"""A stand-in for the ``sounddevice`` module, injected into MicrophoneSource in tests.

It has the same shape as the parts the app uses (``query_devices``, ``query_hostapis``,
``default.device``, ``InputStream`` with callback and finished_callback) and plays a given
signal through the callback on its own thread, like PortAudio does. It can overrun, lose the
device (with or without PortAudio noticing), or refuse to open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class CallbackFlags:
    input_overflow: bool = False


@dataclass
class FakeBehaviour:
    signal: np.ndarray  # float32 at the device's rate: (n,) mono, or (n, channels)
    interval: float = 0.0  # seconds between callbacks (0 = as fast as possible)
    vanish_after_blocks: int | None = None
    vanish_silently: bool = False  # stop calling back without PortAudio finishing the stream
    overflow_flag_blocks: tuple[int, ...] = ()
    fail_open: bool = False
    silence_after_signal: bool = True  # a live microphone keeps sending (near) silence


class _Default:
    def __init__(self) -> None:
        self.device: list[int] = [0, 2]


class FakeInputStream:
    def __init__(self, owner: FakeSoundDevice, **kwargs: Any) -> None:
        self.owner = owner
        self.kwargs = kwargs
        self.callback: Callable[..., None] = kwargs["callback"]
        self.finished_callback: Callable[[], None] | None = kwargs.get("finished_callback")
        self.blocksize = int(kwargs.get("blocksize") or 1024)
        self.active = False
        self.blocks_sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        owner.streams.append(self)

    def start(self) -> None:
        b = self.owner.behaviour
        if b.fail_open:
            raise RuntimeError("PortAudioError: Device unavailable [PaErrorCode -9985]")
        self.active = True
        self._thread = threading.Thread(target=self._run, name="fake-portaudio", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        b = self.owner.behaviour
        channels = int(self.kwargs.get("channels", 1))
        signal = np.asarray(b.signal, dtype=np.float32)
        signal = signal.reshape(len(signal), -1)
        if signal.shape[1] < channels:  # a mono signal on every channel the stream asked for
            signal = np.repeat(signal[:, :1], channels, axis=1)
        signal = signal[:, :channels]
        pos = 0
        n = self.blocksize
        while not self._stop.is_set():
            if b.vanish_after_blocks is not None and self.blocks_sent >= b.vanish_after_blocks:
                if not b.vanish_silently:
                    self.active = False
                    if self.finished_callback is not None:
                        self.finished_callback()
                return
            if pos < len(signal):
                block = signal[pos : pos + n]
                if len(block) < n:
                    block = np.concatenate([block, np.zeros((n - len(block), channels), dtype=np.float32)])
            elif b.silence_after_signal:
                block = np.zeros((n, channels), dtype=np.float32)
            else:
                self._stop.wait(0.01)
                continue
            pos += n
            flags = CallbackFlags(input_overflow=self.blocks_sent in b.overflow_flag_blocks)
            self.callback(block, n, None, flags)
            self.blocks_sent += 1
            if b.interval > 0:
                self._stop.wait(b.interval)
            else:
                time.sleep(0)  # let the consumer run, as a real device would

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        was_active = self.active
        self.active = False
        if was_active and self.finished_callback is not None:
            self.finished_callback()

    def close(self) -> None:
        self.stop()


@dataclass
class FakeSoundDevice:
    """Module-like object: pass it where the real ``sounddevice`` would go."""

    behaviour: FakeBehaviour
    rate: int = 44_100
    devices: list[dict[str, Any]] = field(default_factory=list)
    streams: list[FakeInputStream] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.default = _Default()
        if not self.devices:
            self.devices = [
                {"name": "USB Desk Microphone", "index": 0, "hostapi": 0, "max_input_channels": 1,
                 "default_samplerate": float(self.rate)},
                {"name": "Laptop Array Mic", "index": 1, "hostapi": 0, "max_input_channels": 2,
                 "default_samplerate": 48000.0},
                {"name": "Speakers", "index": 2, "hostapi": 0, "max_input_channels": 0,
                 "default_samplerate": 48000.0},
            ]  # fmt: skip

    def query_devices(self) -> list[dict[str, Any]]:
        return list(self.devices)

    def query_hostapis(self, index: int) -> dict[str, Any]:
        return {"name": "ALSA"}

    def InputStream(self, **kwargs: Any) -> FakeInputStream:
        return FakeInputStream(self, **kwargs)
