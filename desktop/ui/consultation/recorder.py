"""The recording bar and the recording it drives: record/stop, pause, microphone, level, load.

While recording, the transcript so far is read into the language model now and then
(``llm.prefill_seconds``), when speech recognition leaves room, so that at Stop the draft only
has the last lines left to read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.core.errors import UserFacingError
from desktop.core.types import Patient, Transcript
from desktop.services.backend import Backend
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import AudioSourcePort, StreamingAsrPort, UserInfo
from desktop.services.recording import DUTY_WARN, RecordingSession

log = logging.getLogger(__name__)

# Reading the transcript ahead shares the CPU with speech recognition: only while it has room.
PREFILL_MAX_DUTY = 0.6


def clock(seconds: float) -> str:
    total = int(seconds)
    if total >= 3600:
        return f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"
    return f"{total // 60:02d}:{total % 60:02d}"


class Recorder(QWidget):
    """The recording bar of one consultation; owns its :class:`RecordingSession`.

    Signals (main thread): ``started()``; ``segments_changed(list)`` while recording;
    ``finished(Transcript)`` with what this recording added; ``failed(str message, str next_step)``.
    """

    started = Signal()
    segments_changed = Signal(list)
    finished = Signal(object)
    failed = Signal(str, str)

    def __init__(self, backend: Backend, user: UserInfo, consultation_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.backend = backend
        self.user = user
        self.consultation_id = consultation_id
        self.session: RecordingSession | None = None
        self.prefill_job: Job | None = None
        self.prefilled_lines = 0
        self._prefilled: list[tuple[str, str]] = []
        self.duty = 0.0
        self.overflows = 0
        self.base = Transcript(language="")
        self.importing = False  # the session reads an audio file, not the microphone
        self.file_source: AudioSourcePort | None = None
        # (patient, chief complaint) for reading ahead; whether drafting holds the model now
        self.context_fn: Callable[[], tuple[Patient, str]] = lambda: (Patient(), "")
        self.drafting_fn: Callable[[], bool] = lambda: False
        self.prefill_timer = QTimer(self)
        self.prefill_timer.timeout.connect(self.prefill_tick)
        self._build()
        self.pause_button.toggled.connect(self._pause)

    def _build(self) -> None:
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.record_button = QPushButton(self.tr("● Record"))
        self.record_button.setObjectName("recordButton")
        self.record_button.setToolTip(self.tr("Start or stop recording (Ctrl+R)"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(self.tr("Pause or resume (Ctrl+P)"))
        self.mic = QComboBox()
        self.mic.setObjectName("micPicker")
        self.mic.setMinimumWidth(200)
        self.level = QProgressBar()
        self.level.setObjectName("levelMeter")
        self.level.setRange(0, 60)
        self.level.setTextVisible(False)
        self.level.setMaximumWidth(140)
        self.level.setMaximumHeight(14)
        self.level.setToolTip(self.tr("Input level"))
        self.elapsed = QLabel("00:00")
        self.elapsed.setObjectName("elapsed")
        self.load = QLabel("")
        self.load.setObjectName("loadIndicator")
        self.consent_note = QLabel("")
        self.consent_note.setObjectName("consentNote")
        self.consent_note.setStyleSheet("color:#b00020;")
        self.mic_label = QLabel(self.tr("Microphone"))
        self.import_button = QPushButton(self.tr("Open a recording…"))
        self.import_button.setObjectName("importButton")
        self.import_button.setToolTip(
            self.tr("Transcribe an audio file recorded earlier (WAV, FLAC, MP3, M4A, OGG)")
        )
        self.file_progress = QProgressBar()
        self.file_progress.setObjectName("importProgress")
        self.file_progress.setMaximumWidth(160)
        self.file_progress.setVisible(False)
        self.consent_button = QPushButton(self.tr("Consent given…"))
        self.consent_button.setObjectName("consentButton")
        self.consent_button.setToolTip(self.tr("Record that the patient has now agreed to the recording"))
        for w in (self.record_button, self.pause_button, self.mic_label, self.mic, self.level):
            bar.addWidget(w)
        for w in (self.elapsed, self.file_progress, self.load, self.consent_note, self.consent_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.import_button)

    # -- state -----------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.session is not None and self.session.running

    def show_state(self, can_start: bool, tooltip: str, offered: bool = True) -> None:
        """``offered``: whether this user may record at all (a nurse only where the policy allows)."""
        recording = self.recording
        for w in (self.record_button, self.pause_button, self.mic_label, self.mic, self.level):
            w.setVisible(offered)
        self.import_button.setVisible(offered)
        self.record_button.setEnabled(recording or can_start)
        self.import_button.setEnabled(can_start and not recording)
        if recording:
            tooltip = (
                self.tr("Stop transcribing the file; what is done so far is kept")
                if self.importing
                else self.tr("Stop recording (Ctrl+R)")
            )
        self.record_button.setToolTip(tooltip)
        self.record_button.setText(self.tr("■ Stop") if recording else self.tr("● Record"))
        self.record_button.setStyleSheet(
            "background:#c62828;color:white;font-weight:bold;" if recording else ""
        )
        self.pause_button.setEnabled(recording and not self.importing)
        self.mic.setEnabled(not recording)

    def fill_mics(self) -> None:
        self.mic.clear()
        try:
            devices = self.backend.audio.devices()
        except UserFacingError as exc:
            self.mic.addItem(exc.message, "")
            return
        preferred = self.backend.settings.audio.input_device
        for d in devices:
            self.mic.addItem(d.name + (self.tr(" (default)") if d.default else ""), d.id)
            if preferred and (d.name == preferred or d.id == preferred):
                self.mic.setCurrentIndex(self.mic.count() - 1)

    # -- recording -------------------------------------------------------------------------
    def start(self, base: Transcript) -> RecordingSession | None:
        """Record after ``base`` (the transcript so far); refused with a message when the source fails."""
        if self.recording:
            return self.session
        device = str(self.mic.currentData() or "")
        try:
            source = self.backend.audio.open(device)
        except UserFacingError as exc:
            self.failed.emit(exc.message, exc.hint)
            return None
        self.importing = False
        return self._run(source, base)

    def start_file(self, path: str, base: Transcript) -> RecordingSession | None:
        """Transcribe an audio file after ``base`` through the same path as a recording
        (journal first, then the recogniser), as fast as it can; Stop keeps what was done."""
        if self.recording:
            return self.session
        try:
            source = self.backend.audio.open_file(path)
        except UserFacingError as exc:
            self.failed.emit(exc.message, exc.hint)
            return None
        self.importing = True
        self.file_source = source
        self.file_progress.setRange(0, 0)
        self.file_progress.setVisible(True)
        return self._run(source, base)

    def _run(self, source: AudioSourcePort, base: Transcript) -> RecordingSession:
        self.elapsed.setText(self.tr("starting…"))  # the speech model may still be loading
        records = self.backend.records
        cid = self.consultation_id
        session = RecordingSession(
            source, self._asr_factory(), lambda: records.open_journal(cid), parent=self
        )
        session.level_changed.connect(self._level)
        session.segments_changed.connect(self.segments_changed)
        session.elapsed_changed.connect(self._elapsed)
        session.load_changed.connect(self.show_load)
        session.failed.connect(self.failed)
        session.finished.connect(self._finished)
        self.session = session
        self.base = Transcript(language=base.language, segments=list(base.segments))
        session.start()
        self.prefilled_lines = len(self.base.segments)
        self._prefilled = [(s.id, s.text) for s in self.base.segments]
        seconds = self.backend.settings.llm.prefill_seconds
        if seconds > 0 and self.user.role == "doctor" and not self.importing:
            self.prefill_timer.start(seconds * 1000)
        self.started.emit()
        return session

    def _asr_factory(self) -> Callable[[], StreamingAsrPort]:
        """Called on the recording thread: the clinician's enrolled voice is read there, not here."""
        backend, user = self.backend, self.user

        def make() -> StreamingAsrPort:
            profile = backend.voice.profile(user) if backend.voice is not None else None
            if profile is not None:  # the enrolled clinician's voice anchors the doctor label
                return backend.asr_factory(voice_profile=profile)
            return backend.asr_factory()

        return make

    def stop(self) -> None:
        if self.session is not None and self.session.running:
            self.record_button.setEnabled(False)
            self.record_button.setText(self.tr("Finishing…"))
            self.session.stop()

    def _pause(self, paused: bool) -> None:
        if self.session is None:
            return
        if paused:
            self.session.pause()
            self.pause_button.setText(self.tr("Resume"))
        else:
            self.session.resume()
            self.pause_button.setText(self.tr("Pause"))

    def _elapsed(self, seconds: float) -> None:
        if not self.importing:
            self.elapsed.setText(clock(seconds))
            return
        total = float(getattr(self.file_source, "duration", 0.0) or 0.0)
        self.elapsed.setText(
            self.tr("Transcribing the file: %1 of %2")
            .replace("%1", clock(seconds))
            .replace("%2", clock(total))
        )
        if total > 0:
            self.file_progress.setRange(0, 1000)
            self.file_progress.setValue(int(1000 * min(1.0, seconds / total)))

    def _level(self, dbfs: float) -> None:
        self.level.setValue(int(max(0.0, dbfs + 60.0)))

    def show_load(self, duty: float, overflows: int, *, recording: bool = True) -> None:
        self.duty = duty
        self.overflows = overflows
        text = self.tr("Load %1%").replace("%1", str(round(duty * 100)))
        colour = "#2e7d32"
        if not recording:  # after Stop: the last figure, no longer a warning about now
            colour = "#555555"
        elif duty >= DUTY_WARN:
            text += " " + self.tr("— cannot keep up; the transcript will lag")
            colour = "#c62828"
        elif duty >= 0.7:
            colour = "#ef6c00"
        if overflows:
            text += " · " + self.tr("%1 audio blocks dropped").replace("%1", str(overflows))
            colour = "#c62828"
        self.load.setText(text)
        self.load.setStyleSheet(f"color:{colour};")

    def _finished(self, new: Transcript) -> None:
        self.prefill_timer.stop()
        self.file_progress.setVisible(False)
        self.pause_button.setChecked(False)
        self.level.setValue(0)
        self.show_load(self.duty, self.overflows, recording=False)
        self.finished.emit(new)

    def samples_recorded(self) -> int:
        return self.session.samples_recorded if self.session is not None else 0

    def shutdown(self) -> None:
        if self.session is not None and self.session.running:
            self.session.stop()
            self.session.wait(30_000)

    # -- reading ahead ---------------------------------------------------------------------
    def prefill_tick(self) -> Job | None:
        """Read the new final lines into the language model, when nothing else needs the CPU."""
        session = self.session
        if session is None or not session.running:
            self.prefill_timer.stop()
            return None
        if self.prefill_job is not None or self.drafting_fn() or self.duty >= PREFILL_MAX_DUTY:
            return None
        segments = list(self.base.segments) + session.final_segments()
        # The record pass replaces live lines by its own (fewer, longer) ones: read again when
        # the text changed, not only when there are more lines.
        read = [(s.id, s.text) for s in segments]
        if len(segments) <= self.prefilled_lines and read == self._prefilled:
            return None
        self.prefilled_lines = len(segments)
        self._prefilled = read
        transcript = Transcript(language=self.base.language, segments=segments)
        drafter = self.backend.drafter
        patient, complaint = self.context_fn()

        def work(ctx: JobContext) -> None:
            drafter.prefill(transcript, patient, complaint)

        job = Job(self.tr("reading the transcript ahead"), work)
        self.prefill_job = job
        job.failed.connect(self._prefill_failed)
        job.done.connect(self._prefill_done)
        self.backend.thread("llm").run(job)
        return job

    def _prefill_done(self) -> None:
        self.prefill_job = None

    def _prefill_failed(self, message: str, hint: str) -> None:
        # Reading ahead only saves time; the draft at Stop reports the problem to the doctor.
        log.warning("reading the transcript ahead failed; stopped for this recording")
        self.prefill_timer.stop()
