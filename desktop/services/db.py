"""The database worker: one thread owns the store connection; results come back to the main thread.

Widgets never wait on the encrypted store. They ask :meth:`DbWorker.call` for a
:class:`DbCall` (a small future): the function runs on the worker thread with the records
port, calls run one at a time in the order they were made, and the answer arrives on the main
thread as a signal. The same user-facing errors as before: a :class:`UserFacingError` becomes
``failed(message, next step)``; a bug is logged with its traceback and reported as a plain
sentence that names the log folder.

Pending calls are finished before the store is closed (:meth:`DbWorker.shutdown`), so a note
saved just before Quit is never lost.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal, Slot

from desktop import paths
from desktop.core.errors import UserFacingError
from desktop.services.ports import RecordsPort

log = logging.getLogger(__name__)

T = TypeVar("T")


class DbCall(QObject, Generic[T]):
    """One call to the store, made on the main thread and answered there.

    Signals (all emitted on the main thread, after the caller has returned to the event loop,
    so connecting right after :meth:`DbWorker.call` never misses the answer):

    * ``succeeded(object result)`` — the function's return value;
    * ``failed(str message, str next_step)`` — plain words;
    * ``done()`` — always last.
    """

    succeeded = Signal(object)
    failed = Signal(str, str)
    done = Signal()
    _ready = Signal(object, object, object)  # (result, message, hint), emitted on the worker thread

    def __init__(self, what: str, fn: Callable[[RecordsPort], T]) -> None:
        super().__init__()
        self.what = what
        self.fn = fn
        self.finished = False
        self.value: T | None = None
        self.error: UserFacingError | None = None
        # Queued: the worker's emission is delivered in this object's (the main) thread.
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def then(
        self, ok: Callable[[Any], object] | None = None, error: Callable[[str, str], object] | None = None
    ) -> DbCall[T]:
        """Connect the answer: ``ok(result)`` on success, ``error(message, next_step)`` on failure."""
        if ok is not None:
            self.succeeded.connect(ok)
        if error is not None:
            self.failed.connect(error)
        return self

    def run(self, records: RecordsPort) -> None:
        """On the worker thread: call the function and post the answer to the main thread."""
        try:
            result = self.fn(records)
        except UserFacingError as exc:
            log.info("store call %s refused: %s", self.what, type(exc).__name__)
            self._ready.emit(None, exc.message, exc.hint)
        except Exception:  # a bug: logged with its traceback, shown as a plain sentence
            log.error("store call %s failed with a bug:\n%s", self.what, traceback.format_exc())
            self._ready.emit(
                None,
                f"Something went wrong while {self.what}.",
                f"Your work is saved. Please send the log folder {paths.logs_dir()} to IT.",
            )
        else:
            self._ready.emit(result, None, None)

    @Slot(object, object, object)
    def _deliver(self, result: Any, message: str | None, hint: str | None) -> None:
        self.finished = True
        if message is None:
            self.value = result
            self.succeeded.emit(result)
        else:
            self.error = UserFacingError(message, hint or "")
            self.failed.emit(message, hint or "")
        self.done.emit()

    def result(self, timeout_ms: int = 60_000) -> T:
        """Wait for the answer while the window keeps painting (user input is held back).

        For the few places that cannot go on without it (Quit after "Save your changes?").
        Raises the call's :class:`UserFacingError`, or one saying the store did not answer.
        """
        if not self.finished:
            loop = QEventLoop()
            self.done.connect(loop.quit)
            QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        if not self.finished:
            raise UserFacingError(
                "The records did not answer in time.", "Wait a moment and try again; nothing was lost."
            )
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class _Runner(QObject):
    submit = Signal(object)

    def __init__(self, records: RecordsPort) -> None:
        super().__init__()
        self.records = records
        self.submit.connect(self._run)

    @Slot(object)
    def _run(self, call: DbCall[Any]) -> None:
        call.run(self.records)


class DbWorker(QObject):
    """The thread that owns the store connection; every widget's store work runs here, in order."""

    def __init__(self, records: RecordsPort, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self._thread = QThread()
        self._thread.setObjectName("db")
        self._runner = _Runner(records)
        self._runner.moveToThread(self._thread)
        self._thread.start()
        self._pending: set[DbCall[Any]] = set()

    def call(self, what: str, fn: Callable[[RecordsPort], T]) -> DbCall[T]:
        """Run ``fn(records)`` on the store's thread; ``what`` names it in plain words ("saving the note")."""
        call: DbCall[T] = DbCall(what, fn)
        self._pending.add(call)  # kept alive until answered
        call.done.connect(lambda: self._pending.discard(call))
        self._runner.submit.emit(call)
        return call

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Finish every call already made, then stop the thread (the store is closed after this)."""
        if not self._thread.isRunning():
            return
        drained = threading.Event()
        self._runner.submit.emit(DbCall("finishing", lambda _r: drained.set()))
        if not drained.wait(wait_ms / 1000):
            log.warning("the store's thread did not finish its calls within %d ms", wait_ms)
        self._thread.quit()
        self._thread.wait(wait_ms)
