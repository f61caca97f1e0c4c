"""The note's checks and its sign-off, for the consultation view.

:class:`NoteChecking` checks the note against the consultation (what it left out, what it says
otherwise) on a worker thread of its own, once typing pauses, so the editor never waits for it;
a result is shown only if the note has not changed since it was checked. :class:`SignOff`
signs: it takes the checks of the note exactly as it reads at Sign (waiting for them, busy, when
the last edit has not been checked yet), shows what is still open, and signs only when every
item is fixed or acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

from desktop.core.errors import UserFacingError
from desktop.core.types import SoapNote, Transcript, clock
from desktop.services.db import DbCall
from desktop.services.jobs import Job, JobContext, WorkerThread
from desktop.services.ports import CheckResult, NoteVersion
from desktop.ui.common import show_error
from desktop.ui.signoff import OpenItem, SignOffDialog, accept_listed, open_items
from desktop.ui.soap import SoapEditor

PAUSE_MS = 400  # typing has paused this long: check the note as it now reads
WAIT_MS = 30_000  # at Sign, the longest the window waits for the checks


class NoteChecking(QObject):
    """Checks the note in ``editor`` against ``evidence()`` on ``thread``, debounced.

    One check is asked for at a time; a newer edit cancels a check still waiting to run. A result
    is applied (the editor's list and red statements) only when the note and the transcript are
    still the ones it checked. Signals (main thread): ``checked(CheckResult)`` when a result is
    applied; ``failed(str, str)`` when the checks could not run.
    """

    checked = Signal(object)
    failed = Signal(str, str)

    def __init__(
        self,
        editor: SoapEditor,
        check: Callable[[Transcript, SoapNote], CheckResult] | None,
        evidence: Callable[[], Transcript],
        thread: Callable[[], WorkerThread],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.check = check
        self.evidence = evidence
        self._thread = thread
        self.result: CheckResult | None = None
        self._result_key: tuple[int, Transcript | None] = (-1, None)
        self._job: Job | None = None
        self._job_key: tuple[int, Transcript | None] = (-1, None)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PAUSE_MS)
        self.timer.timeout.connect(self.start)
        if check is not None:
            editor.changed.connect(self.timer.start)
            editor.reloaded.connect(self.start)

    def _key(self) -> tuple[int, Transcript | None]:
        # The transcript object itself: the view replaces it whenever it changes, and the key
        # holds it, so a new one can never be mistaken for the one checked.
        return self.editor.revision, self.evidence()

    @property
    def current(self) -> bool:
        """Whether the result shown is that of the note and transcript as they are now."""
        key = self._key()
        return self.result is not None and self._result_key[0] == key[0] and self._result_key[1] is key[1]

    def start(self) -> Job | None:
        """Check the note as it reads now on the checks' thread (None: nothing to check)."""
        self.timer.stop()
        if self.check is None or self.editor.streaming:
            return None
        key = self._key()
        if self._job is not None and self._job_key[0] == key[0] and self._job_key[1] is key[1]:
            return self._job  # already asked for
        if self._job is not None:
            self._job.cancel()  # a check of an older note not started yet: not needed any more
        check, note, transcript, revision = self.check, self.editor.note(), key[1], key[0]

        def work(ctx: JobContext) -> tuple[int, Transcript | None, CheckResult]:
            ctx.check_cancel()
            return revision, transcript, check(transcript or Transcript(language=""), note)

        job = Job(self.tr("checking the note"), work)
        job.succeeded.connect(self._arrived)  # a method of this main-thread object: queued to it
        job.failed.connect(self._failed)
        job.done.connect(self._finished)
        self._job, self._job_key = job, key
        self._thread().run(job)
        return job

    def _arrived(self, answer: tuple[int, Transcript | None, CheckResult]) -> None:
        revision, transcript, result = answer
        key = self._key()
        if revision != key[0] or transcript is not key[1]:
            return  # the note changed meanwhile: its own check follows
        self.result, self._result_key = result, (revision, transcript)
        self.editor.show_checks(result, line_times(transcript))
        self.checked.emit(result)

    def _failed(self, message: str, hint: str) -> None:
        self.failed.emit(message, hint)

    def _finished(self) -> None:
        if self.sender() is self._job:
            self._job = None  # answered: a new check is asked for next time

    def latest(self, wait_ms: int = WAIT_MS) -> CheckResult | None:
        """The checks of the note exactly as it reads now, waiting for them if need be.

        The window keeps painting but takes no input meanwhile, so the note cannot change under
        the check. Raises :class:`UserFacingError` when the checks fail or do not finish."""
        if self.check is None:
            return None
        if self.current:
            return self.result
        if self.start() is None:
            return None
        loop = QEventLoop()
        errors: list[tuple[str, str]] = []

        def failed(message: str, hint: str) -> None:
            errors.append((message, hint))
            loop.quit()

        # The answer comes as checked() or failed(), both on this thread, after the wait began.
        self.checked.connect(loop.quit)
        self.failed.connect(failed)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(wait_ms)
        try:
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            timer.stop()
            self.checked.disconnect(loop.quit)
            self.failed.disconnect(failed)
        if self.current:
            return self.result
        if errors:
            raise UserFacingError(*errors[0])
        raise UserFacingError(
            self.tr("The checks of the note did not finish in time."),
            self.tr("Press Sign again in a moment; nothing was lost."),
        )


def line_times(transcript: Transcript | None) -> dict[str, str]:
    """Each transcript line's time in the recording ("s5" -> "00:24"), to show where it was said."""
    return {s.id: clock(s.start) for s in transcript.segments} if transcript is not None else {}


def pending_suggestions(editor: SoapEditor) -> int:
    """Suggestions in the editor no one has accepted."""
    return sum(1 for r in editor.rows() if r.suggested and not r.statement.accepted and r.statement.text)


class SignOff(QObject):
    """Sign at once when nothing is open; otherwise show what is (the sign-off dialog) and sign
    only when the doctor has fixed or acknowledged every item there.

    ``checked_note()`` gives the note with the fact guard's flags; ``save(kind, acknowledged)``
    saves it (kind "signed"), auditing each acknowledgement.
    """

    def __init__(
        self,
        editor: SoapEditor,
        button: QPushButton,
        checking: NoteChecking,
        checked_note: Callable[[], SoapNote],
        save: Callable[[str, list[tuple[OpenItem, str]]], DbCall[NoteVersion] | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.button = button
        self.checking = checking
        self.checked_note = checked_note
        self.save = save
        self.parent_widget = parent
        self.dialog: SignOffDialog | None = None  # open while the doctor reviews what is open

    def sign(self) -> DbCall[NoteVersion] | None:
        note = self.checked_note()
        try:
            checks = self._checks_now()
        except UserFacingError as exc:
            show_error(self.parent_widget, exc.message, exc.hint)
            return None
        items = open_items(note, checks)
        if not items:
            return self.save("signed", [])
        dialog = SignOffDialog(items, self.parent_widget, line_times(self.checking.evidence()))
        self.dialog = dialog
        dialog.signed_off.connect(self._signed_off)
        dialog.finished.connect(self._closed)
        dialog.open()
        return None

    def _checks_now(self) -> CheckResult | None:
        """The checks of the note as it reads now; while they run, Sign says so and the cursor is busy."""
        if self.checking.current or self.checking.check is None:
            return self.checking.result
        text, enabled = self.button.text(), self.button.isEnabled()
        self.button.setText(self.tr("Checking…"))
        self.button.setEnabled(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        try:
            return self.checking.latest()
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.button.setText(text)
            self.button.setEnabled(enabled)

    def _closed(self, _code: Any) -> None:
        self.dialog = None

    def _signed_off(self, acknowledged: list[tuple[OpenItem, str]]) -> DbCall[NoteVersion] | None:
        accept_listed(self.editor, acknowledged)
        if pending_suggestions(self.editor):
            return None
        return self.save("signed", acknowledged)
