"""The recording worker: audio source → encrypted journal → streaming ASR, on its own thread.

Durability first: each block is appended to the consultation's encrypted audio journal before
it is given to the recogniser. Stop drains everything the source still holds and flushes the
recogniser before ``finished`` is emitted, so no queued audio is dropped.

The transcript that ``finished`` carries (and that read-ahead gives the language model while
recording) is the *record*: each completed stretch decoded again from the journal by the
recogniser's record pass (``desktop/asr/streaming/record.py``), with the live lines it has not
reached yet after it. The live view keeps what the doctor saw.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop import paths
from desktop.asr.streaming import session as live_loop
from desktop.audio.resample import level_dbfs, to_mono
from desktop.core.audio import SAMPLE_RATE
from desktop.core.errors import UserFacingError
from desktop.core.lines import merge_pieces
from desktop.core.types import Transcript, TranscriptSegment
from desktop.services.ports import AudioJournalPort, AudioSourcePort, StreamingAsrPort

log = logging.getLogger(__name__)

DUTY_WARN = 0.9  # BENCHMARKS A4: warn the user when the recogniser cannot keep up


class _RecordingWorker(QObject):
    started = Signal()

    def __init__(self, session: RecordingSession) -> None:
        super().__init__()
        self._s = session

    @Slot()
    def run(self) -> None:
        self._s._run()


class RecordingSession(QObject):
    """Records one consultation.

    Signals (emitted from the recording thread, delivered queued to the main thread):

    * ``level_changed(float rms_dbfs)`` — input level of the latest block, -90..0 dBFS;
    * ``segments_changed(list[TranscriptSegment])`` — new final segments and the current tentative
      tail (tentative segments replace earlier tentative ones);
    * ``load_changed(float duty_cycle, int overflows)`` — recogniser compute/audio ratio and the
      source's dropped-block count;
    * ``elapsed_changed(float seconds)`` — recorded (not paused) audio so far;
    * ``failed(str message, str next_step)`` — the microphone vanished, the disk is full…;
      audio recorded so far is kept;
    * ``finished(Transcript)`` — after Stop, once everything queued was journalled and transcribed.
    """

    level_changed = Signal(float)
    segments_changed = Signal(list)
    load_changed = Signal(float, int)
    elapsed_changed = Signal(float)
    failed = Signal(str, str)
    finished = Signal(object)

    def __init__(
        self,
        source: AudioSourcePort,
        asr_factory: Callable[[], StreamingAsrPort],
        journal_factory: Callable[[], AudioJournalPort],
        language: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._asr_factory = asr_factory
        self._journal_factory = journal_factory
        self._language = language
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("recording")
        self._worker = _RecordingWorker(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._final: list[TranscriptSegment] = []
        self._asr: StreamingAsrPort | None = None
        self.samples_recorded = 0
        self.running = False

    # -- main-thread API --------------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self._thread.start()

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def stop(self) -> None:
        """Ask the worker to drain and finish; ``finished`` follows."""
        self._stop.set()

    def wait(self, ms: int = 30_000) -> bool:
        return bool(self._thread.wait(ms))

    def final_segments(self) -> list[TranscriptSegment]:
        """The record so far, one line per utterance and speaker: the record pass's text where it
        has decoded the journal again, then the live final lines (the pieces made final joined)."""
        return self._record(self._asr)

    # -- recording thread -------------------------------------------------------------------
    def _run(self) -> None:
        journal: AudioJournalPort | None = None
        asr: StreamingAsrPort | None = None
        try:
            writer = journal = self._journal_factory()
            asr = self._asr_factory()
            read_back = getattr(journal, "read_back", None)
            if read_back is not None and hasattr(asr, "read_from"):
                asr.read_from(read_back)  # the record pass reads the encrypted journal back
            self._asr = asr
            self._source.start()
            rate = int(getattr(self._source, "sample_rate", SAMPLE_RATE))
            recogniser = asr

            def tick() -> None:
                self.load_changed.emit(float(recogniser.duty_cycle), int(self._source.overflows))

            # The same loop as `listen` and `bench asr`: Stop drains what the source still holds.
            lost = live_loop.pump(
                self._source,
                lambda block: self._consume(block, rate, writer, recogniser),
                stop=self._stop,
                paused=self._paused,
                tick=tick,
            )
            self._publish(asr.finish())
            tick()
            if lost is not None:  # the microphone went away: everything heard is kept
                log.warning("recording stopped: the audio device was lost")
                self.failed.emit(lost.message, lost.hint)
        except UserFacingError as exc:
            log.warning("recording stopped: %s", type(exc).__name__)
            self._safe_stop_source()
            self._flush(asr)  # the microphone went away: keep everything already heard
            self.failed.emit(exc.message, exc.hint)
        except Exception:
            log.error("recording failed with a bug:\n%s", traceback.format_exc())
            self._safe_stop_source()
            self.failed.emit(
                "Recording stopped unexpectedly. The audio recorded so far is saved.",
                f"Start a new recording to continue; please send the log folder {paths.logs_dir()} to IT.",
            )
        finally:
            if journal is not None:
                try:
                    journal.close()
                except Exception:
                    log.error("closing the audio journal failed:\n%s", traceback.format_exc())
            self.running = False
            language = self._language or _majority_language(self._final)
            self.finished.emit(Transcript(language=language, segments=self._record(asr)))
            self._thread.quit()

    def _consume(
        self, block: np.ndarray, rate: int, journal: AudioJournalPort, asr: StreamingAsrPort
    ) -> None:
        # The journal keeps the mono mix (what was said); a two-channel block goes on to the
        # recogniser whole, where the channels' balance tells the lapel wearer from the room.
        mono = to_mono(block)
        journal.append(mono)
        self.samples_recorded += len(mono)
        self.level_changed.emit(level_dbfs(mono))
        self.elapsed_changed.emit(self.samples_recorded / rate)
        self._publish(asr.feed(block))

    def _publish(self, segments: list[TranscriptSegment]) -> None:
        if not segments:
            return
        for seg in segments:
            if seg.final:
                self._final.append(seg)
        self.segments_changed.emit(list(segments))

    def _flush(self, asr: StreamingAsrPort | None) -> None:
        if asr is None:
            return
        try:
            self._publish(asr.finish())
        except Exception:
            log.error("flushing the recogniser failed:\n%s", traceback.format_exc())

    def _safe_stop_source(self) -> None:
        try:
            self._source.stop()
        except Exception:
            log.warning("stopping the audio source failed", exc_info=True)

    def _record(self, asr: StreamingAsrPort | None) -> list[TranscriptSegment]:
        record = getattr(asr, "record_segments", None)
        if record is None:
            return merge_pieces(self._final)
        try:
            return merge_pieces(list(record()))
        except Exception:  # the live text is still the transcript when the record pass failed
            log.error("the record pass failed; the live transcript is kept:\n%s", traceback.format_exc())
            return merge_pieces(self._final)


def _majority_language(segments: list[TranscriptSegment]) -> str:
    counts: dict[str, float] = {}
    for s in segments:
        if s.language:
            counts[s.language] = counts.get(s.language, 0.0) + (s.end - s.start)
    return max(counts, key=lambda k: counts[k]) if counts else ""
