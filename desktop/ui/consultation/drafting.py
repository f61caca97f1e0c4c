"""The draft's progress row: drafting the note on the language model's thread, with Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.core.types import NOTE_SECTIONS, Patient, SoapNote, Transcript
from desktop.services.backend import Backend
from desktop.services.jobs import Job, JobContext
from desktop.ui.soap import section_title


class DraftPanel(QWidget):
    """Runs one draft at a time and shows its progress; hidden when idle.

    Signals (main thread): ``section(str)`` when the model starts a section (its tokens follow
    as ``token(str)``); ``ready(SoapNote)``, ``cancelled()`` or ``failed(str, str)``; then ``done()``.
    """

    section = Signal(str)
    token = Signal(str)
    ready = Signal(object)
    cancelled = Signal()
    failed = Signal(str, str)
    done = Signal()

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.job: Job | None = None
        self.active = False  # from start() until the answer has been handled (done)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("draftProgress")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelDraft")
        row.addWidget(self.label)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)

    def start(self, transcript: Transcript, patient: Patient, complaint: str) -> Job:
        if self.job is not None and self.active:
            return self.job
        drafter = self.backend.drafter
        loading, drafting = self.tr("Loading the language model…"), self.tr("Drafting the note…")

        def work(ctx: JobContext) -> SoapNote:
            ctx.progress(loading, -1)
            drafter.load(ctx.progress)
            ctx.check_cancel()
            ctx.progress(drafting, -1)
            return drafter.draft(transcript, patient, complaint, ctx.token, ctx.progress, ctx.cancel_event)

        job = Job(self.tr("drafting the note"), work)
        self.job = job
        self.active = True
        self.setVisible(True)
        self.progress.setRange(0, 0)
        self.label.setText(self.tr("Drafting…"))
        job.progress.connect(self._progress)
        job.token.connect(self.token)
        job.succeeded.connect(self.ready)
        job.cancelled.connect(self.cancelled)
        job.failed.connect(self.failed)
        job.done.connect(self._done)
        self.backend.thread("llm").run(job)  # connected first: a quick job cannot finish unheard
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.label.setText(self.tr("Cancelling…"))

    def _progress(self, what: str, fraction: float) -> None:
        if what in NOTE_SECTIONS or what == "chief_complaint":
            self.section.emit(what)
            what = self.tr("Drafting: %1").replace(
                "%1", section_title(what) if what in NOTE_SECTIONS else self.tr("Chief complaint")
            )
        self.label.setText(what)
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))

    def _done(self) -> None:
        self.active = False
        self.setVisible(False)
        self.done.emit()
