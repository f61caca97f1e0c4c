"""The consultation view: record, watch the transcript, draft, edit and sign, letters.

Every read and write of the store goes through the database worker (``backend.db``): the view
asks, and carries on when the answer arrives on the main thread.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.types import SoapNote, Transcript, TranscriptSegment
from desktop.services import permissions
from desktop.services.backend import Backend
from desktop.services.db import DbCall
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import (
    CheckResult,
    ConsultationInfo,
    LetterVersion,
    NoteVersion,
    RecordsPort,
    RenderedLetter,
    UserInfo,
    consultation_status,
)
from desktop.ui.common import show_error
from desktop.ui.consultation.drafting import DraftPanel
from desktop.ui.consultation.header import ConsultationHeader
from desktop.ui.consultation.recorder import Recorder
from desktop.ui.intake.summary import IntakeTab
from desktop.ui.letters import LettersPanel
from desktop.ui.signoff import SUGGESTION, OpenItem, SignOffDialog, accept_listed, open_items
from desktop.ui.soap import SoapEditor, StatementRow, VersionHistoryDialog
from desktop.ui.transcript import TranscriptView

log = logging.getLogger(__name__)


class NoteTools(QWidget):
    """The note tab's buttons: draft, accept all, save, sign, new version, versions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tools = QHBoxLayout(self)
        tools.setContentsMargins(0, 0, 0, 0)
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
        self.manual_button = QPushButton(self.tr("Write the note by hand"))
        self.manual_button.setObjectName("manualNote")
        self.manual_button.setToolTip(self.tr("No recording: type the note yourself"))
        for b in (
            self.manual_button,
            self.draft_button,
            self.accept_all_button,
            self.save_button,
            self.sign_button,
            self.new_version_button,
            self.history_button,
        ):
            tools.addWidget(b)
        tools.addStretch(1)


class ConsultationView(QWidget):
    """One open consultation.

    Signals (main thread): ``loaded()`` once its records have arrived from the store,
    ``closed()`` when the user goes back to the list, ``status_changed(str)``,
    ``recording_changed(bool)``, ``draft_finished(bool)`` (True when a draft was saved).
    """

    loaded = Signal()
    closed = Signal()
    status_changed = Signal(str)
    recording_changed = Signal(bool)
    draft_finished = Signal(bool)

    def __init__(
        self, backend: Backend, user: UserInfo, info: ConsultationInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consultationView")
        self.backend = backend
        self.user = user
        self.info = info
        self.ready = False  # until the records have arrived, nothing can be changed
        self._playback_failed = False  # said once in the status bar, not on every click
        self.signoff: SignOffDialog | None = None  # open while the doctor reviews what is still open
        self.transcript = Transcript(language="")
        self.versions: list[NoteVersion] = []
        self.editing_new_version = False
        self.writing_by_hand = False  # no recording: the clinician types the note
        self.dirty = False
        self._build()
        self._wire()
        self.recorder.fill_mics()
        self.header.show_patient(info.patient, info.chief_complaint)
        self._update_controls()
        self._load()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.header = ConsultationHeader()
        self.back_button = self.header.back_button
        self.status = self.header.status
        layout.addWidget(self.header)
        self.recorder = Recorder(self.backend, self.user, self.info.id)
        self.record_button, self.pause_button = self.recorder.record_button, self.recorder.pause_button
        self.elapsed, self.load, self.consent_note = (
            self.recorder.elapsed,
            self.recorder.load,
            self.recorder.consent_note,
        )
        layout.addWidget(self.recorder)
        self.drafting = DraftPanel(self.backend)
        self.progress_row = self.drafting
        self.cancel_button = self.drafting.cancel_button
        layout.addWidget(self.drafting)
        split = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Transcript")))
        self.transcript_view = TranscriptView()
        self.transcript_view.correction_undone.connect(self._correction_undone)
        left_layout.addWidget(self.transcript_view, 1)
        split.addWidget(left)
        self._add_intake(left_layout)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("consultationTabs")
        note_tab = QWidget()
        note_layout = QVBoxLayout(note_tab)
        note_layout.setContentsMargins(0, 0, 0, 0)
        self.tools = NoteTools()
        note_layout.addWidget(self.tools)
        self.editor = SoapEditor()
        note_layout.addWidget(self.editor, 1)
        self.tabs.addTab(note_tab, self.tr("Note"))
        self.letters = LettersPanel(list(self.backend.letters.kinds()), self._submit_letter_job)
        self.tabs.addTab(self.letters, self.tr("Letters"))
        split.addWidget(self.tabs)
        split.setSizes([460, 640])
        layout.addWidget(split, 1)
        t = self.tools
        self.draft_button, self.accept_all_button, self.save_button = (
            t.draft_button,
            t.accept_all_button,
            t.save_button,
        )
        self.manual_button = t.manual_button
        self.sign_button, self.new_version_button, self.history_button = (
            t.sign_button,
            t.new_version_button,
            t.history_button,
        )

    def _wire(self) -> None:
        self.back_button.clicked.connect(self._back)
        self.record_button.clicked.connect(self.toggle_record)
        self.recorder.import_button.clicked.connect(lambda: self.open_recording())
        self.recorder.consent_button.clicked.connect(lambda: self.give_consent())
        self.manual_button.clicked.connect(self.write_by_hand)
        self.recorder.context_fn = lambda: (self.info.patient, self.info.chief_complaint)
        self.recorder.drafting_fn = lambda: self.drafting.active
        self.recorder.segments_changed.connect(self.transcript_view.update_segments)
        self.recorder.failed.connect(self._error)
        self.recorder.finished.connect(self._recording_finished)
        self.drafting.section.connect(self.editor.stream_section)
        self.drafting.token.connect(self.editor.append_stream)
        self.drafting.ready.connect(self._draft_ready)
        self.drafting.cancelled.connect(self._draft_cancelled)
        self.drafting.failed.connect(self._draft_failed)
        self.drafting.done.connect(self._update_controls)
        self.draft_button.clicked.connect(lambda: self.start_draft())
        self.accept_all_button.clicked.connect(self.accept_all)
        self.save_button.clicked.connect(lambda: self.save())
        self.sign_button.clicked.connect(lambda: self.sign())
        self.new_version_button.clicked.connect(self.begin_new_version)
        self.history_button.clicked.connect(self.show_history)
        self.editor.changed.connect(self._edited)
        self.editor.statement_clicked.connect(self._statement_clicked)
        self.editor.lines_clicked.connect(self._play_lines)
        if self.backend.note_checks is not None:
            self.editor.checker = self._check_note
        self.letters.render_fn = self._render_letter
        self.letters.defaults_fn = self._letter_defaults
        self.letters.save_fn = self._save_letter
        self.letters.export_fn = self.backend.letters.export
        for keys, fn in (
            ("Ctrl+R", self.toggle_record),
            ("Ctrl+P", lambda: self.pause_button.toggle()),
            ("Ctrl+S", lambda: self.save()),
            ("Ctrl+Shift+S", lambda: self.sign()),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(fn)

    # -- the store -------------------------------------------------------------------------
    def _call(self, what: str, fn: Any) -> DbCall[Any]:
        """A store call on the database worker; a refusal is shown to the user."""
        return self.backend.db.call(what, fn).then(error=self._error)

    def _error(self, message: str, hint: str) -> None:
        show_error(self, message, hint)

    def _load(self) -> None:
        info, cid = self.info, self.info.id

        def fetch(r: RecordsPort) -> tuple[Any, ...]:
            return (r.open_consultation(info), r.transcript(cid), r.note_versions(cid), r.letters(cid))

        self.backend.db.call(self.tr("opening the consultation"), fetch).then(self._loaded, self._load_failed)

    def _loaded(self, answer: tuple[Any, ...]) -> None:
        info, transcript, versions, letters = answer
        self.info = info
        self.transcript = transcript or Transcript(language="")
        self.versions = list(versions)
        self.header.show_patient(info.patient, info.chief_complaint)
        self.transcript_view.set_segments(self.transcript.segments)
        self.letters.set_versions(letters)
        if self.intake_tab is not None:
            self.intake_tab.load()
        self.ready = True
        self._show_latest()
        if info.status == "cancelled":
            self.editor.set_banner(
                self.tr(
                    "This consultation was cancelled. It is kept as it was, read-only; reopen it from the list."
                ),
                "#eeeeee",
            )
        self._update_controls()
        self.loaded.emit()

    def _add_intake(self, left: QVBoxLayout) -> None:
        """With the clinic's intake on, the patient's own account sits in a tab beside the transcript."""
        self.intake_tab: IntakeTab | None = None
        self.left_tabs: QTabWidget | None = None
        if self.backend.intake is None:
            return
        self.intake_tab = IntakeTab(self.backend.db, self.backend.intake, self.user, self.info.id)
        self.intake_tab.loaded.connect(self._intake_loaded)
        first = left.itemAt(0)
        heading = first.widget() if first is not None else None
        if heading is not None and heading is not self.transcript_view:
            heading.hide()  # the tab says "Transcript"
        left.removeWidget(self.transcript_view)
        self.left_tabs = QTabWidget()
        self.left_tabs.setObjectName("transcriptTabs")
        self.left_tabs.addTab(self.transcript_view, self.tr("Transcript"))
        self.left_tabs.addTab(self.intake_tab, self.tr("Intake"))
        left.addWidget(self.left_tabs, 1)

    def _intake_loaded(self, detail: object) -> None:
        if detail is not None and self.left_tabs is not None and self.intake_tab is not None:
            self.left_tabs.setTabText(1, self.tr("Intake %1").replace("%1", self.intake_tab.title_label()))

    def evidence(self) -> Transcript:
        """What the draft and the fact guard read: the transcript, then the intake's lines (i1…)."""
        return self.intake_tab.evidence_transcript(self.transcript) if self.intake_tab else self.transcript

    def _load_failed(self, message: str, hint: str) -> None:
        show_error(self, message, hint)
        self.closed.emit()

    # -- state -----------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.recorder.recording

    @property
    def session(self) -> Any:
        return self.recorder.session

    def latest(self) -> NoteVersion | None:
        return self.versions[-1] if self.versions else None

    def signed(self) -> bool:
        latest = self.latest()
        return latest is not None and latest.signed and not self.editing_new_version

    def _derived_status(self) -> str:
        """The status the list shows too (``ports.consultation_status``)."""
        latest = self.latest()
        recorded = bool(self.transcript.segments) or self.recorder.samples_recorded() > 0
        recorded = recorded or self.info.status in ("recorded", "draft", "signed")
        return consultation_status(self.recording, latest.kind if latest else "", recorded)

    def _set_status(self, status: str) -> None:
        self.info.status = status
        user, cid = self.user, self.info.id
        self._call(self.tr("saving the status"), lambda r: r.set_status(user, cid, status))
        self.status_changed.emit(status)
        self._update_controls()

    def _update_controls(self) -> None:
        role = self.user.role
        ready = self.ready and self.info.status != "cancelled"  # a cancelled one is read-only
        recording = self.recording
        drafting = self.drafting.active
        self.header.show_status(self.info.status)
        consent = self.info.consent
        offered = permissions.can_record(role, self.backend.settings.policy.nurses_may_record)
        self.consent_note.setText(
            "" if consent or not ready or not offered else self.tr("No consent to record on file.")
        )
        self.recorder.consent_button.setVisible(ready and not consent and offered)
        signed = self.signed()
        self.recorder.show_state(
            ready and consent and offered and not drafting and not signed,
            self.tr("The note is signed. Start a new version to record more of this consultation.")
            if signed
            else self.tr("Start recording (Ctrl+R)"),
            offered,
        )
        has_note = self.latest() is not None or self.writing_by_hand
        editable = ready and not signed and not drafting and has_note
        self.manual_button.setVisible(
            ready and self.latest() is None and not self.writing_by_hand and role in ("doctor", "nurse")
        )
        self.manual_button.setEnabled(not recording and not drafting)
        self.draft_button.setEnabled(
            ready
            and not recording
            and not drafting
            and bool(self.transcript.segments)
            and role == "doctor"
            and not signed
        )
        self.save_button.setEnabled(editable and role in ("doctor", "nurse"))
        self.sign_button.setEnabled(editable and permissions.can_sign(role))
        self.sign_button.setVisible(permissions.can_sign(role))
        self.accept_all_button.setVisible(permissions.can_accept_suggestions(role))
        self.accept_all_button.setEnabled(editable)
        self.new_version_button.setVisible(signed and role in ("doctor", "nurse"))
        self.history_button.setEnabled(bool(self.versions))
        self.letters.set_enabled(ready and not drafting and permissions.can_edit_letters(role))
        self.letters.set_allowed(
            {k for k in self.letters.kind_ids() if permissions.can_prepare_document(role, k)},
            self.tr("Only a doctor issues this document."),
        )

    def _show_latest(self, banner: str = "") -> None:
        latest = self.latest()
        role = self.user.role
        if latest is None and self.writing_by_hand:
            note = SoapNote(chief_complaint=self.info.chief_complaint)
            banner = banner or self.tr("Type the note; Save keeps it as the first version.")
            sections = permissions.editable_sections(role, False)
            self.editor.set_note(
                note, sections, False, permissions.can_edit_chief_complaint(role, False), banner
            )
            return
        if latest is None:
            note = SoapNote(chief_complaint=self.info.chief_complaint)
            banner = banner or self.tr(
                "Record the consultation or open a recording; the draft appears here when it ends. "
                "Without a recording, press Write the note by hand."
            )
            self.editor.set_note(note, frozenset(), False, False, banner)
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
            signed=signed,
        )
        if signed:
            self.editor.set_banner(banner, "#e8f5e9")
        elif role == "nurse":
            self.editor.set_banner(
                (banner + " " if banner else "")
                + self.tr(
                    "You can edit the history and the instructions to the patient; the assessment and "
                    "plan are the doctor's and are shown read-only."
                )
            )
        self.dirty = False

    # -- recording ---------------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.recording:
            self.stop_recording()
        elif self.record_button.isEnabled():
            self.start_recording()

    def start_recording(self) -> Any:
        if self.recording:
            return self.recorder.session
        if self.signed():
            show_error(
                self,
                self.tr("This consultation's note is signed."),
                self.tr("Press New version to add to it; the recording then continues the transcript."),
            )
            return None
        session = self.recorder.start(self.transcript)
        if session is None:
            return None
        user, cid = self.user, self.info.id
        self._call(self.tr("noting the recording"), lambda r: r.log_event(user, "recording.start", cid))
        self._set_status("recording")
        self.recording_changed.emit(True)
        return session

    def stop_recording(self) -> None:
        self.recorder.stop()

    def open_recording(self, path: str = "") -> Any:
        """Transcribe an audio file into this consultation, as a recording would be (progress, Stop)."""
        if self.recording or not self.recorder.import_button.isEnabled():
            return None
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Open a recording"),
                "",
                self.tr("Audio files (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.webm);;All files (*)"),
            )
        if not path:
            return None
        session = self.recorder.start_file(path, self.transcript)
        if session is None:
            return None
        user, cid, name = self.user, self.info.id, Path(path).name
        self._call(
            self.tr("noting the recording"), lambda r: r.log_event(user, "recording.import", cid, name)
        )
        self._set_status("recording")
        self.recording_changed.emit(True)
        return session

    def give_consent(self, ask: bool = True) -> DbCall[None] | None:
        """The patient agrees now: written to the store and the audit log, then Record is offered."""
        if self.info.consent:
            return None
        if ask:
            answer = QMessageBox.question(
                self,
                self.tr("Consent to record"),
                self.tr("Has the patient agreed to this consultation being recorded?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        user, cid = self.user, self.info.id
        return self._call(self.tr("recording the consent"), lambda r: r.record_consent(user, cid)).then(
            lambda _r: self._consented()
        )

    def _consented(self) -> None:
        self.info.consent = True
        self._update_controls()

    def write_by_hand(self) -> None:
        """No recording (no microphone, or the patient declined): the clinician types the note."""
        self.writing_by_hand = True
        self._show_latest()
        self._update_controls()

    def _correction_undone(self, segments: list[TranscriptSegment]) -> None:
        """The doctor put a heard drug name back: save the transcript as it now reads."""
        self.transcript = Transcript(language=self.transcript.language, segments=list(segments))
        user, cid, transcript = self.user, self.info.id, self.transcript
        self._call(self.tr("saving the transcript"), lambda r: r.save_transcript(user, cid, transcript))

    def _recording_finished(self, new: Transcript) -> None:
        segments = list(self.recorder.base.segments) + list(new.segments)
        self.transcript = Transcript(language=new.language or self.transcript.language, segments=segments)
        self.transcript_view.set_segments(segments)
        user, cid, transcript = self.user, self.info.id, self.transcript
        samples = self.recorder.samples_recorded()

        def save(r: RecordsPort) -> None:
            r.save_transcript(user, cid, transcript)
            r.log_event(user, "recording.stop", cid, f"{samples} samples")

        self._call(self.tr("saving the transcript"), save)
        self.recording_changed.emit(False)
        self._set_status(self._derived_status())  # "new" again when nothing was recorded
        if self.transcript.segments and self.user.role == "doctor" and not self.signed():
            self.start_draft()
        elif not self.transcript.segments:
            self.editor.set_banner(
                self.tr("No speech was recognised, so there is nothing to draft yet."), "#fff3e0"
            )
        self._update_controls()

    # -- drafting ----------------------------------------------------------------------------
    def start_draft(self) -> Job | None:
        if self.drafting.active:
            return self.drafting.job
        if not self.transcript.segments:
            return None
        if not self.keep_unsaved_edits(
            self.tr("A new draft replaces the note in the editor. Save your edits as a version first?")
        ):
            return None
        self.editor.begin_stream()
        job = self.drafting.start(self.evidence(), self.info.patient, self.info.chief_complaint)
        self._update_controls()
        return job

    def cancel_draft(self) -> None:
        self.drafting.cancel()

    def _draft_ready(self, note: SoapNote) -> None:
        if not note.chief_complaint:
            note.chief_complaint = self.info.chief_complaint
        user, cid = self.user, self.info.id
        call = self.backend.db.call(
            self.tr("saving the draft"), lambda r: r.save_note(user, cid, note, "ai_draft")
        )
        call.then(self._draft_saved, self._draft_not_saved)

    def _draft_saved(self, version: NoteVersion) -> None:
        self.versions.append(version)
        self.editing_new_version = False
        self._set_status(self._derived_status())
        flagged = version.note.unsupported_count()
        banner = self.tr("AI draft. Review every statement; suggestions need your acceptance.")
        if flagged:
            banner += " " + self.tr("%1 item(s) are not in the transcript and are flagged in red.").replace(
                "%1", str(flagged)
            )
        self._show_latest(banner)
        self._update_controls()
        self.draft_finished.emit(True)

    def _draft_not_saved(self, message: str, hint: str) -> None:
        show_error(self, message, hint)
        self.draft_finished.emit(False)

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

    # -- editing, saving, signing ------------------------------------------------------------
    def _edited(self) -> None:
        self.dirty = True

    def accept_all(self) -> None:
        for row in self.editor.rows():
            if row.suggested and not row.statement.accepted:
                row.accept_suggestion()

    def begin_new_version(self) -> None:
        self.editing_new_version = True
        text = self.tr("Editing a new version of the signed note; it must be signed again.")
        self._show_latest(text)
        self.editor.set_banner(text)
        self._update_controls()

    def _checked_note(self) -> SoapNote:
        note = self.editor.note()
        check = self.backend.fact_check
        if check is not None:
            text = self.evidence().text()
            for row in self.editor.rows():
                row.set_unsupported(check(text, row.statement.text))
            note = self.editor.note()
        return note

    def save(
        self, kind: str = "edit", acknowledged: list[tuple[OpenItem, str]] | None = None
    ) -> DbCall[NoteVersion] | None:
        """Save the editor as a new version (``kind`` "edit" or "signed"); the answer comes as a call.

        ``acknowledged``: the open items the doctor acknowledged at sign-off, audited with their reasons."""
        if not self.save_button.isEnabled() and kind == "edit":
            return None
        note = self._checked_note()
        user, cid = self.user, self.info.id
        audited = [(item.id, reason) for item, reason in acknowledged or [] if item.kind != SUGGESTION]

        def work(r: RecordsPort) -> NoteVersion:
            version = r.save_note(user, cid, note, kind)
            for item_id, reason in audited:
                r.log_event(user, "note.acknowledge", cid, f"version {version.number}: {item_id}: {reason}")
            if kind == "signed":
                r.log_event(user, "note.sign", cid, f"version {version.number}")
            return version

        what = self.tr("signing the note") if kind == "signed" else self.tr("saving the note")
        self.dirty = False  # what is in the editor now is on its way to the store
        return self._call(what, work).then(lambda v: self._saved(v, kind), lambda _m, _h: self._edited())

    def _saved(self, version: NoteVersion, kind: str) -> None:
        self.versions.append(version)
        self.editing_new_version = False
        self.writing_by_hand = False
        self._set_status("signed" if kind == "signed" else "draft")
        bar = self.editor.scroll_area.verticalScrollBar()
        position = bar.value()  # the doctor stays where they were in the note
        self._show_latest(
            self.tr("Saved as version %1.").replace("%1", str(version.number)) if kind == "edit" else ""
        )
        inner = self.editor.scroll_area.widget()
        if inner is not None:
            inner.adjustSize()  # the new rows' height, so the old position exists again
        bar.setValue(position)
        QTimer.singleShot(0, lambda: bar.setValue(position))

    def pending_suggestions(self) -> int:
        return sum(
            1 for r in self.editor.rows() if r.suggested and not r.statement.accepted and r.statement.text
        )

    def _check_note(self, note: SoapNote) -> CheckResult:
        assert self.backend.note_checks is not None
        return self.backend.note_checks(self.transcript, note)

    def sign(self) -> DbCall[NoteVersion] | None:
        """Sign at once when nothing is open; otherwise show what is (the sign-off dialog), and sign
        only when the doctor has fixed or acknowledged every item there."""
        if not self.sign_button.isEnabled() or not permissions.can_sign(self.user.role):
            return None
        items = open_items(self._checked_note(), self.editor.recheck())
        if not items:
            return self.save("signed")
        dialog = SignOffDialog(items, self)
        self.signoff = dialog
        dialog.signed_off.connect(self._signed_off)
        dialog.finished.connect(lambda _r: setattr(self, "signoff", None))
        dialog.open()
        return None

    def _signed_off(self, acknowledged: list[tuple[OpenItem, str]]) -> DbCall[NoteVersion] | None:
        accept_listed(self.editor, acknowledged)
        if self.pending_suggestions():
            return None
        return self.save("signed", acknowledged)

    def show_history(self) -> VersionHistoryDialog:
        dialog = VersionHistoryDialog(self.versions, self)
        dialog.open()
        return dialog

    # -- evidence ----------------------------------------------------------------------------
    def _statement_clicked(self, row: StatementRow) -> None:
        self._play_lines(row.statement.evidence)

    def _play_lines(self, line_ids: list[str]) -> None:
        """Show these lines (transcript, or the patient's intake account) and play their recording."""
        ids = self.transcript_view.highlight(line_ids)
        if self.intake_tab is not None and self.left_tabs is not None:
            cited = self.intake_tab.highlight(line_ids)
            self.left_tabs.setCurrentIndex(1 if cited and not ids else 0)
        if not ids or self.recording or self.backend.player is None or self._playback_failed:
            return
        by_id = self.transcript.by_id()
        spans = [by_id[i] for i in ids if i in by_id]
        if not spans:
            return
        start, end, cid = min(s.start for s in spans), max(s.end for s in spans), self.info.id
        self._call(self.tr("reading the recording"), lambda r: r.read_audio(cid, start, end)).then(self._play)

    def _play(self, answer: tuple[Any, int]) -> None:
        audio, rate = answer
        if not len(audio) or self._playback_failed or self.backend.player is None:
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
        """The letterhead and the signing doctor: the signed-in doctor, or the consultation's doctor
        when a nurse prepares the document."""
        clinic = dataclasses.replace(self.backend.settings.clinic)
        if self.user.role == "doctor":
            clinic.doctor_name = self.user.display_name
            clinic.registration_no = self.user.registration_no or clinic.registration_no
        elif self.info.doctor_name:  # a nurse prepares it for the consultation's doctor
            clinic.doctor_name = self.info.doctor_name
            clinic.registration_no = self.info.doctor_registration or clinic.registration_no
        return clinic

    def current_note(self) -> SoapNote:
        if self.latest() is None:
            return SoapNote(chief_complaint=self.info.chief_complaint)
        return self.editor.note()

    def _letter_defaults(self, kind: str) -> dict[str, str]:
        try:
            return self.backend.letters.defaults(
                kind, self.current_note(), self.info.patient, self.clinic(), draft=not self.signed()
            )
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
            draft=not self.signed(),
        )

    def _save_letter(self, letter: RenderedLetter, values: dict[str, str], letter_id: str) -> DbCall[Any]:
        user, cid = self.user, self.info.id

        def work(r: RecordsPort) -> tuple[LetterVersion, list[LetterVersion]]:
            saved = r.save_letter(user, cid, letter.kind, letter.html, values, letter_id)
            return saved, r.letters(cid)

        return self._call(self.tr("saving the document"), work).then(
            lambda a: self.letters.set_versions(a[1])
        )

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

        Save keeps them as a new version (waiting for the store's answer); Discard drops them
        knowingly. Nothing is asked when there is nothing unsaved.
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
            call = self.save()
            if call is None:
                return False
            try:
                call.result()
            except UserFacingError:
                return False  # already shown; the view stays open with the edits
            return True
        self.dirty = False
        return True

    def shutdown(self) -> None:
        self.drafting.cancel()
        self.recorder.shutdown()
