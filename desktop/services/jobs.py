"""Long work off the main thread: one worker thread per resource, jobs with progress and Cancel.

A :class:`WorkerThread` owns one resource (the language model, the letter renderer) and runs
the jobs submitted to it one at a time, in order. A :class:`Job` is created on the main thread;
its signals are emitted from the worker thread and delivered to widgets on the main thread
(Qt queues cross-thread signals), so widgets never block.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop import paths
from desktop.core.errors import Cancelled, UserFacingError

log = logging.getLogger(__name__)


class JobContext:
    """What a running job may use: the cancel flag and the progress/token reporters."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self.cancel_event = job.cancel_event

    def progress(self, what: str, fraction: float) -> None:
        self._job.progress.emit(what, float(fraction))

    def token(self, text: str) -> None:
        self._job.token.emit(text)

    def check_cancel(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()


class Job(QObject):
    """One piece of long work.

    Signals (all emitted from the worker thread that runs the job):

    * ``progress(str what, float fraction)`` — fraction in 0..1, or -1 when unknown;
    * ``token(str text)`` — streamed text (draft tokens);
    * ``succeeded(object result)`` — the function's return value;
    * ``failed(str message, str next_step)`` — plain words; bugs say where the log is;
    * ``cancelled()`` — the user pressed Cancel; nothing was saved;
    * ``done()`` — always last, after one of the three above.
    """

    progress = Signal(str, float)
    token = Signal(str)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, name: str, fn: Callable[[JobContext], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn = fn
        self.cancel_event = threading.Event()
        self.running = False

    def cancel(self) -> None:
        self.cancel_event.set()

    def execute(self) -> None:
        self.running = True
        try:
            if self.cancel_event.is_set():
                raise Cancelled()
            result = self._fn(JobContext(self))
        except Cancelled:
            log.info("job %s cancelled", self.name)
            self.cancelled.emit()
        except UserFacingError as exc:
            log.info("job %s failed: %s", self.name, type(exc).__name__)
            self.failed.emit(exc.message, exc.hint)
        except Exception:  # a bug: logged with its traceback, shown as a plain sentence
            log.error("job %s failed with a bug:\n%s", self.name, traceback.format_exc())
            self.failed.emit(
                f"Something went wrong while {self.name}.",
                f"Your work is saved. Please send the log folder {paths.logs_dir()} to IT.",
            )
        else:
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.done.emit()


class _Runner(QObject):
    submit = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.submit.connect(self._run)

    @Slot(object)
    def _run(self, job: Job) -> None:
        job.execute()


class WorkerThread(QObject):
    """A named thread that owns one resource and runs jobs one after another."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._thread.start()
        self._jobs: list[Job] = []

    def run(self, job: Job) -> Job:
        """Queue ``job``; connect to its signals before calling this."""
        self._jobs.append(job)
        job.done.connect(lambda: self._jobs.remove(job) if job in self._jobs else None)
        self._runner.submit.emit(job)
        return job

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def shutdown(self, wait_ms: int = 10_000) -> None:
        self.cancel_all()
        self._thread.quit()
        self._thread.wait(wait_ms)
