"""Today's intake queue, read from the store every few seconds while someone is signed in."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.services.db import DbCall, DbWorker
from desktop.services.intake import IntakePort, IntakeRow

POLL_MS = 10_000


class IntakeMonitor(QObject):
    """Polls the queue on the database worker (never on the GUI thread).

    Signals (main thread): ``queue_changed(list[IntakeRow])`` after every poll;
    ``alerts_changed(list[IntakeRow])`` when the set of unacknowledged Category 1 intakes changes
    (an empty list when none is left).
    """

    queue_changed = Signal(object)
    alerts_changed = Signal(object)

    def __init__(self, db: DbWorker, intake: IntakePort, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.intake = intake
        self.rows: list[IntakeRow] = []
        self.alerts: list[IntakeRow] = []
        self._pending: DbCall[list[IntakeRow]] | None = None
        self._first = True
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(lambda: self.poll())

    def start(self, interval_ms: int = POLL_MS) -> None:
        self._first = True
        self.timer.setInterval(interval_ms)
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()
        self.rows, self.alerts = [], []
        self.queue_changed.emit([])
        self.alerts_changed.emit([])

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    @property
    def busy(self) -> bool:
        """A poll is waiting for the store's answer."""
        return self._pending is not None

    def poll(self) -> DbCall[list[IntakeRow]] | None:
        """Read the queue now. While a poll is waiting for the store, one more follows it (so a
        change made meanwhile is shown), never more."""
        if self._pending is not None:
            self._again = True
            return self._pending
        intake, first = self.intake, self._first
        self._first = False
        call = self._db.call(self.tr("reading the intake queue"), lambda _r: intake.queue(audit=first))
        self._pending = call
        call.then(self._arrived)
        call.done.connect(self._finished)
        return call

    def _finished(self) -> None:
        self._pending = None
        if self._again and self.running:
            self._again = False
            self.poll()

    def _arrived(self, rows: list[IntakeRow]) -> None:
        if not self.running:
            return  # signed out while the store was answering
        self.rows = list(rows)
        self.queue_changed.emit(self.rows)
        alerts = [r for r in rows if r.alert]
        if [(a.id, a.category_reason) for a in alerts] != [(a.id, a.category_reason) for a in self.alerts]:
            self.alerts = alerts
            self.alerts_changed.emit(alerts)
