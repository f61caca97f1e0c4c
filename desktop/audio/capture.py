"""Microphone capture with sounddevice (PortAudio).

The PortAudio callback runs on a real-time audio thread: it only copies the block into a
bounded queue and counts. Resampling from the device's native rate to 16 kHz mono happens
on the reading thread. When the queue is full (the consumer fell behind) the block is
dropped and counted: ``overflows`` and ``stats.dropped_frames`` say so, and the caller shows
it. A device that disappears mid-recording (unplugged headset, Bluetooth out of range) is
noticed three ways: PortAudio finishes the stream by itself, the stream reports inactive,
or no block arrives for ``stall_seconds``. ``read()`` then hands out every block captured
before the loss and only after that raises :class:`AudioError`.

The sounddevice module is passed in (``sd``): the app passes the real one, tests a fake
with the same shape.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop.audio.resample import StreamResampler, to_mono
from desktop.audio.sources import SAMPLE_RATE, CaptureStats
from desktop.core.errors import AudioError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: int
    hostapi: str = ""
    default: bool = False

    def label(self) -> str:
        mark = " (default)" if self.default else ""
        api = f" [{self.hostapi}]" if self.hostapi else ""
        return f"{self.index}: {self.name}{api}, {self.default_rate} Hz{mark}"


def load_sounddevice() -> Any:
    """The real sounddevice module, or an AudioError that says how to fix a missing PortAudio."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when the PortAudio library is missing
        raise AudioError(
            "The audio system (PortAudio) is not available on this computer.",
            "Install PortAudio (on Debian/Ubuntu: apt install libportaudio2) or use --input FILE.",
        ) from exc
    return sounddevice


def _default_input_index(sd: Any) -> int | None:
    try:
        default = sd.default.device
    except AttributeError:
        return None
    try:
        index = default[0]  # an (input, output) pair
    except (TypeError, IndexError, KeyError):
        index = default
    try:
        return int(index) if index is not None and int(index) >= 0 else None
    except (TypeError, ValueError):
        return None


def list_input_devices(sd: Any) -> list[InputDevice]:
    """Every device with at least one input channel; the system default is marked."""
    try:
        devices = list(sd.query_devices())
    except Exception as exc:  # PortAudioError when the audio system is broken
        raise AudioError(
            "The list of microphones could not be read.", "Check the computer's sound settings."
        ) from exc
    default_index = _default_input_index(sd)
    hostapis: dict[int, str] = {}
    result: list[InputDevice] = []
    for position, info in enumerate(devices):
        channels = int(info.get("max_input_channels", 0) or 0)
        if channels <= 0:
            continue
        index = int(info.get("index", position))
        api_index = int(info.get("hostapi", -1))
        if api_index not in hostapis:
            try:
                hostapis[api_index] = str(sd.query_hostapis(api_index)["name"]) if api_index >= 0 else ""
            except Exception:
                hostapis[api_index] = ""
        result.append(
            InputDevice(
                index=index,
                name=str(info.get("name", f"device {index}")),
                channels=channels,
                default_rate=round(float(info.get("default_samplerate", SAMPLE_RATE) or SAMPLE_RATE)),
                hostapi=hostapis[api_index],
                default=index == default_index,
            )
        )
    if result and not any(d.default for d in result):
        first = result[0]
        result[0] = InputDevice(
            first.index, first.name, first.channels, first.default_rate, first.hostapi, True
        )
    return result


def find_input_device(sd: Any, wanted: str | int | None = None) -> InputDevice:
    """The device named (exact or unique case-insensitive substring) or numbered; default if empty."""
    devices = list_input_devices(sd)
    if not devices:
        raise AudioError(
            "No microphone was found.", "Plug in a microphone, or use --input FILE to transcribe a file."
        )
    if wanted is None or (isinstance(wanted, str) and not wanted.strip()):
        return next(d for d in devices if d.default)
    if isinstance(wanted, int) or str(wanted).strip().isdigit():
        number = int(wanted)
        for d in devices:
            if d.index == number:
                return d
    else:
        text = str(wanted).strip().lower()
        exact = [d for d in devices if d.name.lower() == text]
        if exact:
            return exact[0]
        partial = [d for d in devices if text in d.name.lower()]
        if len(partial) == 1:
            return partial[0]
    names = "; ".join(d.label() for d in devices)
    raise AudioError(f"The microphone '{wanted}' was not found.", f"Available microphones: {names}.")


class MicrophoneSource:
    """Live capture from one input device, delivering 16 kHz float32 blocks.

    With ``channels=1`` (the default) blocks are mono ``(n,)``, mixed down from whatever the
    device gives. With ``channels=2`` (a lapel microphone on one input channel, the room
    microphone on the other) blocks are ``(n, 2)``, each channel resampled on its own; a
    device with a single channel then falls back to mono and says so in ``stats.notes``.
    """

    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        sd: Any,
        device: str | int | None = None,
        *,
        block_seconds: float = 0.1,
        queue_seconds: float = 30.0,
        stall_seconds: float = 2.0,
        clock: Any = time.monotonic,
        channels: int = 1,
    ) -> None:
        if channels not in (1, 2):
            raise ValueError("channels must be 1 or 2")
        self._sd = sd
        self._wanted = device
        self.channels = channels  # what read() delivers; set from the device at start()
        self.block_seconds = block_seconds
        self.queue_seconds = queue_seconds
        self.stall_seconds = stall_seconds
        self._clock = clock
        self.device: InputDevice | None = None
        self._stream: Any = None
        self._queue: queue.Queue[np.ndarray] | None = None
        self._resamplers: list[StreamResampler] = []
        self._stats = CaptureStats()
        self._stopping = False
        self._stopped = False
        self._lost = False  # the device went away on its own
        self._lost_reason = ""
        self._tail_flushed = False
        self._last_callback = 0.0
        self._lock = threading.Lock()

    # -- properties ------------------------------------------------------------------------
    @property
    def overflows(self) -> int:
        return self._stats.overflows

    @property
    def stats(self) -> CaptureStats:
        return self._stats

    @property
    def queued_blocks(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._stream is not None:
            return
        device = find_input_device(self._sd, self._wanted)
        self.device = device
        rate = device.default_rate
        blocksize = max(1, round(rate * self.block_seconds))
        max_blocks = max(4, round(self.queue_seconds / self.block_seconds))
        self._queue = queue.Queue(maxsize=max_blocks)
        notes: list[str] = []
        if self.channels == 2 and device.channels < 2:
            self.channels = 1
            notes.append(
                f"'{device.name}' has one input channel: recording mono, speakers told apart by voice"
            )
        self._resamplers = [StreamResampler(rate, SAMPLE_RATE) for _ in range(self.channels)]
        self._stats = CaptureStats(device=device.name, native_rate=rate, channels=self.channels, notes=notes)
        try:
            stream = self._sd.InputStream(
                device=device.index,
                channels=self.channels,
                samplerate=rate,
                dtype="float32",
                blocksize=blocksize,
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._last_callback = self._clock()
            stream.start()
        except Exception as exc:  # PortAudioError: busy, no permission, unsupported format
            raise AudioError(
                f"The microphone '{device.name}' could not be opened.",
                "Close other programs using it, check the operating system's microphone permission, "
                "or choose another microphone.",
            ) from exc
        self._stream = stream
        self._stats.started_at = self._clock()
        log.info(
            "capturing from device %d at %d Hz, %d channel(s), block %d frames",
            device.index,
            rate,
            self.channels,
            blocksize,
        )

    def stop(self) -> None:
        """End capture. Blocks already captured remain readable."""
        with self._lock:
            if self._stopped:
                return
            self._stopping = True
            stream = self._stream
        if stream is not None:
            for method in ("stop", "close"):
                try:
                    getattr(stream, method)()
                except Exception:  # the device may already be gone; capture has ended either way
                    log.debug("stream.%s failed", method, exc_info=True)
        with self._lock:
            self._stopped = True
            self._stats.stopped_at = self._clock()

    # -- PortAudio thread ------------------------------------------------------------------
    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        # Real-time thread: copy, count, nothing else (no locks, no logging, no I/O).
        self._last_callback = self._clock()
        self._stats.device_frames += frames
        if status is not None and getattr(status, "input_overflow", False):
            self._stats.overflows += 1
        q = self._queue
        if q is None:
            return
        try:
            q.put_nowait(np.array(indata, dtype=np.float32, copy=True))
        except queue.Full:
            self._stats.overflows += 1
            self._stats.dropped_frames += frames

    def _finished(self) -> None:
        if not self._stopping:
            self._lost = True
            self._lost_reason = "finished"

    # -- consumer thread -------------------------------------------------------------------
    def _device_gone(self) -> bool:
        if self._lost:
            return True
        if self._stopping or self._stream is None:
            return False
        active = getattr(self._stream, "active", True)
        if active is False:
            self._lost, self._lost_reason = True, "inactive"
            return True
        if self._clock() - self._last_callback > self.stall_seconds:
            self._lost, self._lost_reason = True, "stalled"
            return True
        return False

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if self._queue is None or not self._resamplers:
            raise RuntimeError("read() before start()")
        try:
            raw = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            raw = None
        if raw is not None:
            out = self._resample(raw)
            self._stats.samples_delivered += len(out)
            return out
        ended = self._stopped or self._device_gone()
        if not ended:
            return None
        if self._queue.qsize() > 0:  # a block arrived while we looked
            return self.read(0)
        if not self._tail_flushed:
            self._tail_flushed = True
            tail = self._flush_resamplers()
            self._stats.samples_delivered += len(tail)
            if self._lost:
                self._note_lost()
            if len(tail):
                return tail
        if self._lost:
            self._note_lost()
            self.stop()
            raise AudioError(
                "The microphone stopped working during the recording (it was unplugged or switched off). "
                "Everything recorded up to that moment is kept.",
                "Reconnect the microphone and start a new recording to continue.",
            )
        raise EOFError

    def _resample(self, raw: np.ndarray) -> np.ndarray:
        if self.channels == 1:
            return self._resamplers[0].process(to_mono(raw))
        frames = np.asarray(raw, dtype=np.float32).reshape(len(raw), -1)
        parts = [r.process(np.ascontiguousarray(frames[:, i])) for i, r in enumerate(self._resamplers)]
        return _stack(parts)

    def _flush_resamplers(self) -> np.ndarray:
        parts = [r.flush() for r in self._resamplers]
        return parts[0] if self.channels == 1 else _stack(parts)

    def _note_lost(self) -> None:
        if not self._stats.error:
            self._stats.error = f"device lost ({self._lost_reason})"
            log.warning("input device lost: %s", self._lost_reason)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    """Channels resampled separately, side by side as (n, channels); equal lengths by design."""
    n = min(len(p) for p in parts)
    return np.stack([p[:n] for p in parts], axis=1).astype(np.float32)
