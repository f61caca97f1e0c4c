"""Running live recognition: source → journal → recogniser, and Stop that drains.

:class:`BackgroundRecognizer` runs a :class:`StreamingRecognizer` on its own thread, so the
thread that reads the audio source and writes the encrypted journal never waits for a
decode: durability first. When recognition falls behind, the audio waiting for it is decoded
in one go on the next step (the backlog is its queue depth). It fits the services layer's
``StreamingAsrPort`` (``feed`` → segments, ``finish``, ``duty_cycle``).

:func:`pump` is the live loop itself, shared by the app's recording worker
(``services.recording``), ``consult-scribe listen`` and ``bench asr``: read blocks until Stop,
the end of the source or a lost microphone, then read everything still queued. :func:`run_live`
puts a recogniser behind it: each block goes to ``sink`` (the audio journal's ``append``)
*before* recognition, and what is queued at the end is recognised and made final. A lost microphone raises its :class:`AudioError` only after that, with the
result attached (``exc.session_result``), so nothing captured is lost.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from desktop.asr.streaming.recognizer import (
    SAMPLE_RATE,
    EventFn,
    FinalEvent,
    StreamEvent,
    StreamingRecognizer,
    StreamingStats,
    TentativeEvent,
)
from desktop.asr.streaming.record import RecordPass
from desktop.audio.sources import AudioSource, CaptureStats
from desktop.core.errors import AudioError
from desktop.core.types import TranscriptSegment

log = logging.getLogger(__name__)

Sink = Callable[[np.ndarray], Any]


class BackgroundRecognizer:
    """A recogniser on its own thread. ``submit``/``feed`` never block on recognition."""

    def __init__(self, recognizer: StreamingRecognizer, on_event: EventFn | None = None) -> None:
        self.recognizer = recognizer
        self._on_event = on_event
        self._queue: deque[np.ndarray] = deque()
        self._queued = 0
        self._cv = threading.Condition()
        self._closing = False
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._events: list[StreamEvent] = []
        self._thread = threading.Thread(target=self._run, name="streaming-asr", daemon=True)
        self._thread.start()

    # -- producer side ---------------------------------------------------------------------
    def submit(self, samples: np.ndarray) -> None:
        self._raise_if_failed()
        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if not len(block):
            return
        with self._cv:
            if self._closing:
                raise RuntimeError("submit() after finish()")
            self._queue.append(block)
            self._queued += len(block)
            self._cv.notify()

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        """Port form: queue the audio; return the segments that changed since the last call."""
        self.submit(samples)
        return self._segments(self.take_events())

    def finish(self, timeout: float | None = None) -> list[TranscriptSegment]:
        """Recognise everything queued, make it final, stop the thread; returns the last segments."""
        self.close(timeout)
        return self._segments(self.take_events())

    def close(self, timeout: float | None = None) -> None:
        with self._cv:
            self._closing = True
            self._cv.notify()
        if not self._done.wait(timeout):
            raise TimeoutError("speech recognition did not finish in time")
        self._raise_if_failed()

    def take_events(self) -> list[StreamEvent]:
        with self._cv:
            events, self._events = self._events, []
        return events

    @property
    def duty_cycle(self) -> float:
        return self.recognizer.duty_cycle

    @property
    def backlog_seconds(self) -> float:
        """Audio waiting for recognition (queue depth), in seconds."""
        return self._queued / SAMPLE_RATE + self.recognizer.unprocessed_seconds

    @property
    def stats(self) -> StreamingStats:
        return self.recognizer.stats

    # -- worker thread ---------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                with self._cv:
                    while not self._queue and not self._closing:
                        self._cv.wait()
                    blocks = list(self._queue)
                    self._queue.clear()
                    closing = self._closing
                if blocks:
                    audio = np.concatenate(blocks)
                    events = self.recognizer.feed(audio)
                    with self._cv:
                        self._queued -= len(audio)
                    self._publish(events)
                    continue
                if closing:
                    self._publish(self.recognizer.finish())
                    break
        except BaseException as exc:  # surfaced to the caller on the next call
            log.exception("streaming recognition failed")
            self._error = exc
        finally:
            self._done.set()

    def _publish(self, events: list[StreamEvent]) -> None:
        if not events:
            return
        with self._cv:
            self._events.extend(events)
        if self._on_event is not None:
            for event in events:
                self._on_event(event)

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _segments(self, events: list[StreamEvent]) -> list[TranscriptSegment]:
        return _segments(self.recognizer, events)


class PacedRecognizer:
    """The same port on the caller's thread, one decode step per ``feed``: for benchmarks and tests
    that want the pieces a live recording makes (a step a second) without waiting in real time."""

    def __init__(self, recognizer: StreamingRecognizer) -> None:
        self.recognizer = recognizer

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        return _segments(
            self.recognizer, self.recognizer.feed(np.asarray(samples, dtype=np.float32).reshape(-1))
        )

    def finish(self, timeout: float | None = None) -> list[TranscriptSegment]:
        return _segments(self.recognizer, self.recognizer.finish())

    @property
    def duty_cycle(self) -> float:
        return self.recognizer.duty_cycle


def _segments(recognizer: StreamingRecognizer, events: list[StreamEvent]) -> list[TranscriptSegment]:
    out: list[TranscriptSegment] = []
    for event in events:
        if isinstance(event, FinalEvent):
            out.append(event.segment)
        elif isinstance(event, TentativeEvent):
            out.append(
                TranscriptSegment(
                    id="tentative",
                    start=event.start,
                    end=event.end,
                    text=event.text,
                    language=recognizer.session_language,
                    final=False,
                )
            )
    return out


@dataclass
class SessionResult:
    segments: list[TranscriptSegment]
    language: str
    capture: CaptureStats
    streaming: StreamingStats
    captured_samples: int  # delivered by the source
    journaled_samples: int  # handed to the sink
    started_at: float  # time.monotonic() when capture began
    wall_seconds: float
    error: str = ""
    events: list[StreamEvent] = field(default_factory=list)
    record: list[TranscriptSegment] = field(default_factory=list)  # the saved transcript (record pass)
    record_stats: dict[str, Any] = field(default_factory=dict)

    @property
    def processed_samples(self) -> int:
        return self.streaming.processed_samples

    @property
    def lost_samples(self) -> int:
        return self.captured_samples - self.processed_samples

    def to_dict(self) -> dict[str, Any]:
        return {
            "captured_samples": self.captured_samples,
            "journaled_samples": self.journaled_samples,
            "processed_samples": self.processed_samples,
            "lost_samples": self.lost_samples,
            "dropped_at_capture_seconds": round(self.capture.dropped_seconds, 3),
            "overflows": self.capture.overflows,
            "audio_seconds": round(self.captured_samples / SAMPLE_RATE, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "error": self.error,
            "capture": self.capture.to_dict(),
            "streaming": self.streaming.to_dict(),
            "record": self.record_stats,
        }


class BlockSource(Protocol):
    """What the live loop needs of a source: blocks, and being told to stop."""

    def read(self, timeout: float = 0.1) -> np.ndarray | None: ...

    def stop(self) -> None: ...


def pump(
    source: BlockSource,
    consume: Callable[[np.ndarray], None],
    *,
    stop: threading.Event | None = None,
    paused: threading.Event | None = None,
    tick: Callable[[], None] | None = None,
    tick_seconds: float = 0.5,
) -> AudioError | None:
    """The live loop, the same for the app's recording, ``listen`` and ``bench asr``.

    Reads the started ``source`` block by block and hands each to ``consume`` until ``stop`` is
    set, the source ends or its device is lost. Stop is passed on to the source, and everything
    it still holds is read and consumed before the loop ends: Stop never drops captured audio.
    While ``paused`` is set, blocks are read and thrown away (the room is not recorded).
    ``tick`` runs about every ``tick_seconds`` (load meters). A lost device ends the loop like
    Stop does and its AudioError is returned, not raised, so the caller finishes what was heard
    first; errors from ``consume`` (a full disk) propagate, with the source stopped.
    """
    stop_sent = False
    error: AudioError | None = None
    last_tick = time.monotonic()
    try:
        while True:
            if stop is not None and stop.is_set() and not stop_sent:
                source.stop()  # what was captured stays readable below
                stop_sent = True
            try:
                block = source.read(0.1)
            except EOFError:
                break
            except AudioError as exc:
                error = exc
                break
            if tick is not None and time.monotonic() - last_tick >= tick_seconds:
                last_tick = time.monotonic()
                tick()
            if block is None or not len(block):
                continue
            if paused is not None and paused.is_set():
                continue
            consume(block)
    finally:
        if not stop_sent:
            with contextlib.suppress(Exception):
                source.stop()
    return error


def run_live(
    source: AudioSource,
    recognizer: StreamingRecognizer,
    *,
    sink: Sink | None = None,
    stop: threading.Event | None = None,
    on_event: EventFn | None = None,
    on_block: Callable[[np.ndarray], None] | None = None,
    keep_events: bool = False,
    background: bool = True,
    record: RecordPass | None = None,
) -> SessionResult:
    """Record until ``stop`` is set, the source ends or the device is lost; then drain.

    ``sink(block)`` is called for every block before recognition sees it. ``on_event`` runs
    on the recognition thread. Raises the source's AudioError after draining, with the
    result attached as ``session_result``.

    ``background=False`` feeds the recogniser block by block on the calling thread: a file
    replayed as fast as possible is then recognised exactly as it would be live (same steps),
    only without waiting; with a background thread it would arrive as one large backlog.

    ``record`` (a :class:`~desktop.asr.streaming.record.RecordPass`) decodes each completed
    stretch again while the recording goes on, yielding to the live pass; after Stop it
    catches up, and ``result.record`` is the saved transcript.
    """
    events: list[StreamEvent] = []

    def collect(event: StreamEvent) -> None:
        if keep_events:
            events.append(event)
        if on_event is not None:
            on_event(event)

    worker = BackgroundRecognizer(recognizer, collect) if background else None
    if record is not None:
        record.bind_live(
            lambda: (worker.backlog_seconds, recognizer.duty_cycle) if worker is not None else (0.0, 0.0),
            lambda: recognizer.segments,
        )
    captured = 0
    journaled = 0

    def consume(block: np.ndarray) -> None:
        nonlocal captured, journaled
        captured += len(block)
        if sink is not None:
            sink(block)  # durability first: the journal has it before recognition does
            journaled += len(block)
        if on_block is not None:
            on_block(block)
        if worker is not None:
            worker.submit(block)
        else:
            for event in recognizer.feed(block):
                collect(event)
        if record is not None:
            record.add(block)

    source.start()
    started = source.stats.started_at or time.monotonic()
    try:
        error = pump(source, consume, stop=stop)
    finally:
        if worker is not None:
            worker.close()
        else:
            for event in recognizer.finish():
                collect(event)
    result = SessionResult(
        segments=recognizer.segments,
        language=recognizer.session_language,
        capture=source.stats,
        streaming=recognizer.stats,
        captured_samples=captured,
        journaled_samples=journaled,
        started_at=started,
        wall_seconds=time.monotonic() - started,
        error=error.message if error is not None else "",
        events=events,
    )
    if record is not None:
        record.finish()
        result.record = record.record(recognizer.segments)
        result.record_stats = record.stats.to_dict()
    log.info(
        "live session: %.1f s captured, %d samples processed, %d lost, %d overflows",
        captured / SAMPLE_RATE,
        result.processed_samples,
        result.lost_samples,
        result.capture.overflows,
    )
    if error is not None:
        error.session_result = result  # type: ignore[attr-defined]
        raise error
    return result
