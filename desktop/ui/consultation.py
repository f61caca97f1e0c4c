"""The consultation view: record, watch the transcript, draft, edit and sign, letters."""

from __future__ import annotations

import dataclasses
import functools
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.types import NOTE_SECTIONS, Patient, SoapNote, Transcript, TranscriptSegment
from desktop.services import permissions
from desktop.services.backend import Backend
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import ConsultationInfo, LetterVersion, NoteVersion, RenderedLetter, UserInfo
from desktop.services.recording import DUTY_WARN, RecordingSession
from desktop.ui.common import show_error
from desktop.ui.consultations import STATUS_COLOURS, status_label
from desktop.ui.letters import LettersPanel
from desktop.ui.soap import SoapEditor, StatementRow, VersionHistoryDialog, section_title
from desktop.ui.transcript import TranscriptView

log = logging.getLogger(__name__)

# Reading the transcript ahead shares the CPU with speech recognition: only while it has room.
PREFILL_MAX_DUTY = 0.6


def _clock(seconds: float) -> str:
    total = int(seconds)
    return (
        f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"
        if total >= 3600
        else (f"{total // 60:02d}:{total % 60:02d}")
    )


def patient_line(p: Patient, complaint: str) -> str:
    age = p.computed_age()
    parts = [f"<b>{p.display_name() or '—'}</b>"]
    parts.append(f"{p.sex or '—'} / {age if age is not None else '—'}")
    parts.append(f"MRN {p.mrn or '—'}")
    if p.date_of_birth:
        parts.append(p.date_of_birth)
    line = " · ".join(parts)
    if complaint:
        line += f"<br><span style='color:#555'>{complaint}</span>"
    return line


class ConsultationView(QWidget):
    """One open consultation.

    Signals (main thread): ``closed()`` when the user goes back to the list, ``status_changed(str)``,
    ``recording_changed(bool)``.
    """

    closed = Signal()
    status_changed = Signal(str)
    recording_changed = Signal(bool)
    draft_finished = Signal(bool)  # True when a draft was saved

    def __init__(
        self, backend: Backend, user: UserInfo, info: ConsultationInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consultationView")
        self.backend = backend
        self.user = user
        self.info = info
        self.session: RecordingSession | None = None
        self.draft_job: Job | None = None
        # While recording, the transcript so far is read into the language model now and then
        # (llm.prefill_seconds), so that at Stop the draft only has the last lines left to read.
        self.prefill_job: Job | None = None
        self.prefilled_lines = 0
        self._duty = 0.0
        self._overflows = 0
        self._playback_failed = False  # said once in the status bar, not on every click
        self._prefill_timer = QTimer(self)
        self._prefill_timer.timeout.connect(self.prefill_tick)
        self.transcript = backend.records.transcript(info.id) or Transcript(language="")
        self.versions: list[NoteVersion] = backend.records.note_versions(info.id)
        self.editing_new_version = False
        self.dirty = False

        layout = QVBoxLayout(self)
        # -- header ------------------------------------------------------------------------
        head = QHBoxLayout()
        self.back_button = QPushButton(self.tr("◀ Consultations"))
        self.back_button.setObjectName("backButton")
        self.header = QLabel(patient_line(info.patient, info.chief_complaint))
        self.header.setObjectName("patientHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("")
        self.status.setObjectName("consultationStatus")
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.header, 1)
        head.addWidget(self.status)
        layout.addLayout(head)
        # -- recording bar -----------------------------------------------------------------
        bar = QHBoxLayout()
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
        self.consent_note.setStyleSheet("color:#b00020;")
        bar.addWidget(self.record_button)
        bar.addWidget(self.pause_button)
        bar.addWidget(QLabel(self.tr("Microphone")))
        bar.addWidget(self.mic)
        bar.addWidget(self.level)
        bar.addWidget(self.elapsed)
        bar.addWidget(self.load)
        bar.addWidget(self.consent_note)
        bar.addStretch(1)
        layout.addLayout(bar)
        # -- draft progress ----------------------------------------------------------------
        prog = QHBoxLayout()
        self.progress_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("draftProgress")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelDraft")
        prog.addWidget(self.progress_label)
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_button)
        self.progress_row = QWidget()
        self.progress_row.setLayout(prog)
        self.progress_row.setVisible(False)
        layout.addWidget(self.progress_row)
        # -- body --------------------------------------------------------------------------
        split = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Transcript")))
        self.transcript_view = TranscriptView()
        self.transcript_view.correction_undone.connect(self._correction_undone)
        left_layout.addWidget(self.transcript_view, 1)
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("consultationTabs")
        note_tab = QWidget()
        note_layout = QVBoxLayout(note_tab)
        note_layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.draft_button = QPushButton(self.tr("Draft note"))
        self.draft_button.setObjectName("draftButton")
        self.accept_all_button = QPushButton(self.tr("Accept all suggestions"))
        self.accept_all_button.setObjectName("acceptAll")
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveNote")
        self.save_button.setToolTip(self.tr("Save a new version (Ctrl+S)"))
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setObjectName("signNote")
        self.sign_button.setToolTip(self.tr("Sign the note (Ctrl+Shift+S)"))
        self.new_version_button = QPushButton(self.tr("Change (new version)"))
        self.new_version_button.setObjectName("newVersion")
        self.history_button = QPushButton(self.tr("Versions…"))
        self.history_button.setObjectName("historyButton")
        for b in (
            self.draft_button,
            self.accept_all_button,
            self.save_button,
            self.sign_button,
            self.new_version_button,
            self.history_button,
        ):
            tools.addWidget(b)
        tools.addStretch(1)
        note_layout.addLayout(tools)
        self.editor = SoapEditor()
        note_layout.addWidget(self.editor, 1)
        self.tabs.addTab(note_tab, self.tr("Note"))
        self.letters = LettersPanel(list(backend.letters.kinds()), self._submit_letter_job)
        self.tabs.addTab(self.letters, self.tr("Letters"))
        split.addWidget(self.tabs)
        split.setSizes([460, 640])
        layout.addWidget(split, 1)

        # -- wiring ------------------------------------------------------------------------
        self.back_button.clicked.connect(self._back)
        self.record_button.clicked.connect(self.toggle_record)
        self.pause_button.toggled.connect(self._pause)
        self.cancel_button.clicked.connect(self.cancel_draft)
        self.draft_button.clicked.connect(lambda: self.start_draft())
        self.accept_all_button.clicked.connect(self.accept_all)
        self.save_button.clicked.connect(lambda: self.save())
        self.sign_button.clicked.connect(lambda: self.sign())
        self.new_version_button.clicked.connect(self.begin_new_version)
        self.history_button.clicked.connect(self.show_history)
        self.editor.changed.connect(self._edited)
        self.editor.statement_clicked.connect(self._statement_clicked)
        self.letters.render_fn = self._render_letter
        self.letters.defaults_fn = self._letter_defaults
        self.letters.save_fn = self._save_letter
        self.letters.export_fn = backend.letters.export
        for keys, fn in (
            ("Ctrl+R", self.toggle_record),
            ("Ctrl+P", lambda: self.pause_button.toggle()),
            ("Ctrl+S", lambda: self.save()),
            ("Ctrl+Shift+S", lambda: self.sign()),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(fn)

        self._fill_mics()
        self.transcript_view.set_segments(self.transcript.segments)
        self.letters.set_versions(backend.records.letters(info.id))
        self._show_latest()
        self._update_controls()

    # -- state -----------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.session is not None and self.session.running

    @property
    def drafting(self) -> bool:
        return (self.draft_job is not None and self.draft_job.running) or (
            self.draft_job is not None and self.progress_row.isVisible()
        )

    def latest(self) -> NoteVersion | None:
        return self.versions[-1] if self.versions else None

    def signed(self) -> bool:
        latest = self.latest()
        return latest is not None and latest.signed and not self.editing_new_version

    def _set_status(self, status: str) -> None:
        self.info.status = status
        try:
            self.backend.records.set_status(self.user, self.info.id, status)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
        self.status_changed.emit(status)
        self._update_controls()

    def _update_controls(self) -> None:
        role = self.user.role
        recording = self.recording
        drafting = self.draft_job is not None and self.progress_row.isVisible()
        self.status.setText(status_label(self.info.status))
        self.status.setStyleSheet(
            f"color:white;background:{STATUS_COLOURS.get(self.info.status, '#555')};padding:3px 8px;border-radius:3px;"
        )
        consent = self.info.consent
        self.consent_note.setText("" if consent else self.tr("No consent to record on file."))
        signed_now = self.signed()
        self.record_button.setEnabled(
            recording or (consent and permissions.can_record(role) and not drafting and not signed_now)
        )
        self.record_button.setToolTip(
            self.tr("The note is signed. Start a new version to record more of this consultation.")
            if signed_now and not recording
            else ""
        )
        self.record_button.setText(self.tr("■ Stop") if recording else self.tr("● Record"))
        self.record_button.setStyleSheet(
            "background:#c62828;color:white;font-weight:bold;" if recording else ""
        )
        self.pause_button.setEnabled(recording)
        self.mic.setEnabled(not recording)
        signed = self.signed()
        has_note = self.latest() is not None
        self.draft_button.setEnabled(
            not recording
            and not drafting
            and bool(self.transcript.segments)
            and role == "doctor"
            and not signed
        )
        self.save_button.setEnabled(not signed and not drafting and has_note and role in ("doctor", "nurse"))
        self.sign_button.setEnabled(not signed and not drafting and has_note and permissions.can_sign(role))
        self.sign_button.setVisible(permissions.can_sign(role))
        self.accept_all_button.setVisible(permissions.can_accept_suggestions(role))
        self.accept_all_button.setEnabled(not signed and not drafting and has_note)
        self.new_version_button.setVisible(signed and role in ("doctor", "nurse"))
        self.history_button.setEnabled(bool(self.versions))
        self.letters.set_enabled(not drafting and permissions.can_edit_letters(role))

    def _fill_mics(self) -> None:
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

    def _show_latest(self, banner: str = "") -> None:
        latest = self.latest()
        role = self.user.role
        if latest is None:
            note = SoapNote(chief_complaint=self.info.chief_complaint)
            self.editor.set_note(
                note,
                frozenset(),
                False,
                False,
                banner or self.tr("Record the consultation; the draft appears here when you stop."),
            )
            return
        signed = self.signed()
        if not banner and signed:
            banner = (
                self.tr("Signed by %1 on %2. Read-only; a change starts a new version.")
                .replace("%1", latest.by)
                .replace("%2", f"{latest.created_at:%Y-%m-%d %H:%M}")
            )
        self.editor.set_note(
            latest.note,
            permissions.editable_sections(role, signed),
            permissions.can_accept_suggestions(role) and not signed,
            permissions.can_edit_chief_complaint(role, signed),
            banner,
        )
        if signed:
            self.editor.set_banner(banner, "#e8f5e9")
        self.dirty = False

    # -- recording ---------------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.recording:
            self.stop_recording()
        elif self.record_button.isEnabled():
            self.start_recording()

    def start_recording(self) -> RecordingSession | None:
        if self.session is not None and self.session.running:
            return self.session
        if self.signed():
            show_error(
                self,
                self.tr("This consultation's note is signed."),
                self.tr("Press New version to add to it; the recording then continues the transcript."),
            )
            return None
        device = str(self.mic.currentData() or "")
        try:
            source = self.backend.audio.open(device)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return None
        cid = self.info.id
        records = self.backend.records
        factory = self.backend.asr_factory
        voice = self.backend.voice
        profile = voice.profile(self.user) if voice is not None else None
        if profile is not None:  # the enrolled clinician's voice anchors the doctor label
            factory = functools.partial(self.backend.asr_factory, voice_profile=profile)
        session = RecordingSession(
            source,
            factory,
            lambda: records.open_journal(cid),
            parent=self,
        )
        session.level_changed.connect(self._level)
        session.segments_changed.connect(self.transcript_view.update_segments)
        session.elapsed_changed.connect(lambda s: self.elapsed.setText(_clock(s)))
        session.load_changed.connect(self._load)
        session.failed.connect(lambda m, h: show_error(self, m, h))
        session.finished.connect(self._recording_finished)
        self.session = session
        self._base_transcript = Transcript(
            language=self.transcript.language, segments=list(self.transcript.segments)
        )
        session.start()
        self.prefilled_lines = len(self._base_transcript.segments)
        seconds = self.backend.settings.llm.prefill_seconds
        if seconds > 0 and self.user.role == "doctor":
            self._prefill_timer.start(seconds * 1000)
        records.log_event(self.user, "recording.start", cid)
        self._set_status("recording")
        self.recording_changed.emit(True)
        return session

    def stop_recording(self) -> None:
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

    def _level(self, dbfs: float) -> None:
        self.level.setValue(int(max(0.0, dbfs + 60.0)))

    def _load(self, duty: float, overflows: int, *, recording: bool = True) -> None:
        self._duty = duty
        self._overflows = overflows
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

    def prefill_tick(self) -> Job | None:
        """Read the new final lines into the language model, when nothing else needs the CPU."""
        session = self.session
        if session is None or not session.running:
            self._prefill_timer.stop()
            return None
        busy = self.prefill_job is not None or (self.draft_job is not None and self.progress_row.isVisible())
        if busy or self._duty >= PREFILL_MAX_DUTY:
            return None
        segments = list(self._base_transcript.segments) + session.final_segments()
        if len(segments) <= self.prefilled_lines:
            return None
        self.prefilled_lines = len(segments)
        transcript = Transcript(language=self.transcript.language, segments=segments)
        drafter, patient, complaint = self.backend.drafter, self.info.patient, self.info.chief_complaint

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
        self._prefill_timer.stop()

    def _correction_undone(self, segments: list[TranscriptSegment]) -> None:
        """The doctor put a heard drug name back: save the transcript as it now reads."""
        self.transcript = Transcript(language=self.transcript.language, segments=list(segments))
        try:
            self.backend.records.save_transcript(self.user, self.info.id, self.transcript)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)

    def _recording_finished(self, new: Transcript) -> None:
        self._prefill_timer.stop()
        session = self.session
        self.pause_button.setChecked(False)
        self.level.setValue(0)
        self._load(self._duty, self._overflows, recording=False)
        segments = list(self._base_transcript.segments) + list(new.segments)
        self.transcript = Transcript(language=new.language or self.transcript.language, segments=segments)
        self.transcript_view.set_segments(segments)
        try:
            self.backend.records.save_transcript(self.user, self.info.id, self.transcript)
            self.backend.records.log_event(
                self.user,
                "recording.stop",
                self.info.id,
                f"{session.samples_recorded if session else 0} samples",
            )
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
        self.recording_changed.emit(False)
        self._set_status("draft" if self.info.status == "recording" else self.info.status)
        if self.transcript.segments and self.user.role == "doctor" and not self.signed():
            self.start_draft()
        elif not self.transcript.segments:
            self.editor.set_banner(
                self.tr("No speech was recognised, so there is nothing to draft yet."), "#fff3e0"
            )
        self._update_controls()

    # -- drafting ----------------------------------------------------------------------------
    def start_draft(self) -> Job | None:
        if self.draft_job is not None and self.progress_row.isVisible():
            return self.draft_job
        if not self.transcript.segments:
            return None
        if not self.keep_unsaved_edits(
            self.tr("A new draft replaces the note in the editor. Save your edits as a version first?")
        ):
            return None
        drafter = self.backend.drafter
        transcript = self.transcript
        patient = self.info.patient
        complaint = self.info.chief_complaint

        def work(ctx: JobContext) -> SoapNote:
            ctx.progress(self.tr("Loading the language model…"), -1)
            drafter.load(ctx.progress)
            ctx.check_cancel()
            ctx.progress(self.tr("Drafting the note…"), -1)
            return drafter.draft(transcript, patient, complaint, ctx.token, ctx.progress, ctx.cancel_event)

        job = Job(self.tr("drafting the note"), work)
        self.draft_job = job
        self.editor.begin_stream()
        self.progress_row.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress_label.setText(self.tr("Drafting…"))
        job.progress.connect(self._draft_progress)
        job.token.connect(self.editor.append_stream)
        job.succeeded.connect(self._draft_ready)
        job.cancelled.connect(self._draft_cancelled)
        job.failed.connect(self._draft_failed)
        job.done.connect(self._draft_done)
        self.backend.thread("llm").run(job)  # connected first: a quick job cannot finish unheard
        self._update_controls()
        return job

    def cancel_draft(self) -> None:
        if self.draft_job is not None:
            self.draft_job.cancel()
            self.progress_label.setText(self.tr("Cancelling…"))

    def _draft_progress(self, what: str, fraction: float) -> None:
        if what in NOTE_SECTIONS or what == "chief_complaint":
            self.editor.stream_section(what)
            what = self.tr("Drafting: %1").replace(
                "%1", section_title(what) if what in NOTE_SECTIONS else self.tr("Chief complaint")
            )
        self.progress_label.setText(what)
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))

    def _draft_ready(self, note: SoapNote) -> None:
        if not note.chief_complaint:
            note.chief_complaint = self.info.chief_complaint
        try:
            version = self.backend.records.save_note(self.user, self.info.id, note, "ai_draft")
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return
        self.versions.append(version)
        self.editing_new_version = False
        flagged = note.unsupported_count()
        banner = self.tr("AI draft. Review every statement; suggestions need your acceptance.")
        if flagged:
            banner += " " + self.tr("%1 item(s) are not in the transcript and are flagged in red.").replace(
                "%1", str(flagged)
            )
        self._show_latest(banner)
        self.draft_finished.emit(True)

    def _draft_cancelled(self) -> None:
        self._show_latest(
            self.tr("Drafting was cancelled. The transcript is saved; press Draft note to try again.")
        )
        self.draft_finished.emit(False)

    def _draft_failed(self, message: str, hint: str) -> None:
        self._show_latest(f"{message} {hint}".strip())
        self.editor.set_banner(f"{message} {hint}".strip(), "#ffebee")
        show_error(self, message, hint)
        self.draft_finished.emit(False)

    def _draft_done(self) -> None:
        self.progress_row.setVisible(False)
        self._update_controls()

    # -- editing, saving, signing ------------------------------------------------------------
    def _edited(self) -> None:
        self.dirty = True

    def accept_all(self) -> None:
        for row in self.editor.rows():
            if row.suggested and not row.statement.accepted:
                row.accept_suggestion()

    def begin_new_version(self) -> None:
        self.editing_new_version = True
        latest = self.latest()
        self._show_latest(self.tr("Editing a new version of the signed note; it must be signed again."))
        if latest is not None:
            self.editor.set_banner(
                self.tr("Editing a new version of the signed note; it must be signed again.")
            )
        self._update_controls()

    def _checked_note(self) -> SoapNote:
        note = self.editor.note()
        check = self.backend.fact_check
        if check is not None:
            text = self.transcript.text()
            rows = {id(r.statement): r for r in self.editor.rows()}
            for row in rows.values():
                row.set_unsupported(check(text, row.statement.text))
            note = self.editor.note()
        return note

    def save(self, kind: str = "edit") -> NoteVersion | None:
        if not self.save_button.isEnabled() and kind == "edit":
            return None
        note = self._checked_note()
        try:
            version = self.backend.records.save_note(self.user, self.info.id, note, kind)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return None
        self.versions.append(version)
        self.editing_new_version = False
        self.dirty = False
        self._set_status("signed" if kind == "signed" else "draft")
        self._show_latest(
            self.tr("Saved as version %1.").replace("%1", str(version.number)) if kind == "edit" else ""
        )
        return version

    def pending_suggestions(self) -> int:
        return sum(
            1 for r in self.editor.rows() if r.suggested and not r.statement.accepted and r.statement.text
        )

    def sign(self) -> NoteVersion | None:
        if not self.sign_button.isEnabled() or not permissions.can_sign(self.user.role):
            return None
        pending = self.pending_suggestions()
        if pending:
            show_error(
                self,
                self.tr("%1 suggested statement(s) are not accepted yet.").replace("%1", str(pending)),
                self.tr("Accept or remove each suggestion, then sign."),
            )
            return None
        version = self.save("signed")
        if version is not None:
            self.backend.records.log_event(self.user, "note.sign", self.info.id, f"version {version.number}")
        return version

    def show_history(self) -> VersionHistoryDialog:
        dialog = VersionHistoryDialog(self.versions, self)
        dialog.open()
        return dialog

    # -- evidence ----------------------------------------------------------------------------
    def _statement_clicked(self, row: StatementRow) -> None:
        ids = self.transcript_view.highlight(row.statement.evidence)
        if not ids or self.recording or self.backend.player is None:
            return
        by_id = self.transcript.by_id()
        spans = [by_id[i] for i in ids if i in by_id]
        if not spans:
            return
        start = min(s.start for s in spans)
        end = max(s.end for s in spans)
        try:
            audio, rate = self.backend.records.read_audio(self.info.id, start, end)
        except UserFacingError as exc:  # the recording itself is damaged or gone: that needs saying
            show_error(self, exc.message, exc.hint)
            return
        if not len(audio) or self._playback_failed:
            return
        try:
            self.backend.player.play(audio, rate)
        except UserFacingError as exc:
            # A PC without speakers: say it once, in the status bar, and stop trying.
            self._playback_failed = True
            self._status_message(f"{exc.message} {exc.hint}".strip())

    def _status_message(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15_000)
        else:
            self.load.setText(text)

    # -- letters -----------------------------------------------------------------------------
    def _submit_letter_job(self, job: Job) -> Job:
        # Letters share the language model with drafting, so they run on the thread that owns it.
        return self.backend.thread("llm").run(job)

    def clinic(self) -> ClinicSettings:
        """The letterhead, with the signed-in doctor as the signing doctor."""
        clinic = dataclasses.replace(self.backend.settings.clinic)
        if self.user.role == "doctor":
            clinic.doctor_name = self.user.display_name
            clinic.registration_no = self.user.registration_no or clinic.registration_no
        return clinic

    def current_note(self) -> SoapNote:
        if self.latest() is None:
            return SoapNote(chief_complaint=self.info.chief_complaint)
        return self.editor.note()

    def _letter_defaults(self, kind: str) -> dict[str, str]:
        try:
            return self.backend.letters.defaults(kind, self.current_note(), self.info.patient, self.clinic())
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return {}

    def _render_letter(self, kind: str, values: dict[str, str], ctx: JobContext) -> RenderedLetter:
        note = self.current_note()
        language = values.get("_language", "")
        clean = {k: v for k, v in values.items() if not k.startswith("_")}
        ctx.check_cancel()
        return self.backend.letters.render(
            kind,
            note,
            self.info.patient,
            self.clinic(),
            clean,
            language,
            self.transcript,
            ctx.cancel_event,
            ctx.progress,
        )

    def _save_letter(
        self, letter: RenderedLetter, values: dict[str, str], letter_id: str
    ) -> LetterVersion | None:
        try:
            saved = self.backend.records.save_letter(
                self.user, self.info.id, letter.kind, letter.html, values, letter_id
            )
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return None
        self.letters.set_versions(self.backend.records.letters(self.info.id))
        return saved

    # -- leaving -----------------------------------------------------------------------------
    def _back(self) -> None:
        if self.recording:
            show_error(self, self.tr("A recording is in progress."), self.tr("Stop the recording first."))
            return
        if not self.keep_unsaved_edits(self.tr("Save your changes to the note before leaving?")):
            return
        self.closed.emit()

    def keep_unsaved_edits(self, question: str) -> bool:
        """Ask what to do with unsaved edits of the note: False when the user cancels.

        Save keeps them as a new version; Discard drops them knowingly. Nothing is asked when
        there is nothing unsaved.
        """
        if not (self.dirty and self.save_button.isEnabled()):
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            question,
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.save() is not None  # a failed save keeps the view open with the edits
        self.dirty = False
        return True

    def shutdown(self) -> None:
        if self.draft_job is not None:
            self.draft_job.cancel()
        if self.session is not None and self.session.running:
            self.session.stop()
            self.session.wait(30_000)
