"""Records the clinician's voice-enrolment reading on its own thread and builds the profile.

The dialog shows the prompt, a level meter and the seconds recorded; Stop (or the time limit)
ends the recording, then the profile is built and stored off the main thread. Cancel discards
the recording and leaves any earlier profile as it was.
"""

from __future__ import annotations

import logging
import threading
import traceback

import numpy as np
from PySide6.QtCore import QObject, Signal

from desktop.audio.resample import level_dbfs, to_mono
from desktop.core.errors import UserFacingError
from desktop.services.ports import AudioSourcePort, UserInfo, VoicePort, VoiceStatus

log = logging.getLogger(__name__)

MAX_SECONDS = 30.0  # the prompt takes about 15 s; recording stops by itself after this


class EnrolmentRecorder(QObject):
    """Signals (emitted from the recording thread, delivered queued to the main thread):

    * ``level_changed(float dbfs)`` and ``elapsed_changed(float seconds)`` while recording;
    * ``enrolled(VoiceStatus)`` — the profile was built and stored;
    * ``failed(str message, str next_step)`` — unusable audio, no microphone…; nothing stored;
    * ``cancelled()`` — discarded on request.
    """

    level_changed = Signal(float)
    elapsed_changed = Signal(float)
    enrolled = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(
        self,
        source: AudioSourcePort,
        voice: VoicePort,
        user: UserInfo,
        max_seconds: float = MAX_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._voice = voice
        self._user = user
        self.max_seconds = max_seconds
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="voice-enrolment", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the reading and build the profile from it."""
        self._stop.set()

    def cancel(self) -> None:
        """Discard the reading; nothing is stored."""
        self._cancel.set()
        self._stop.set()

    def wait(self, timeout: float = 30.0) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        blocks: list[np.ndarray] = []
        rate = int(getattr(self._source, "sample_rate", 16_000))
        samples = 0
        try:
            self._source.start()
            while not self._stop.is_set() and samples < self.max_seconds * rate:
                try:
                    block = self._source.read(0.1)
                except EOFError:
                    break
                if block is None:
                    continue
                mono = to_mono(block)
                blocks.append(mono)
                samples += len(mono)
                self.level_changed.emit(level_dbfs(mono))
                self.elapsed_changed.emit(samples / rate)
        except UserFacingError as exc:
            self._safe_stop()
            self.failed.emit(exc.message, exc.hint)
            return
        except Exception:
            log.error("voice enrolment recording failed:\n%s", traceback.format_exc())
            self._safe_stop()
            self.failed.emit(
                self.tr("The microphone could not be read."), self.tr("Check the microphone and try again.")
            )
            return
        self._safe_stop()
        if self._cancel.is_set():
            self.cancelled.emit()
            return
        audio = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        try:
            status: VoiceStatus = self._voice.enrol(self._user, audio, rate)
        except UserFacingError as exc:
            self.failed.emit(exc.message, exc.hint)
            return
        except Exception:
            log.error("building the voice profile failed:\n%s", traceback.format_exc())
            self.failed.emit(
                self.tr("The voice profile could not be made."), self.tr("Record the reading again.")
            )
            return
        self.enrolled.emit(status)

    def _safe_stop(self) -> None:
        try:
            self._source.stop()
        except Exception:
            log.warning("stopping the microphone failed", exc_info=True)
