"""The database worker: calls run in order on one thread; answers and errors come back on the main thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from desktop.core.errors import UsageError, UserFacingError
from desktop.services.db import DbWorker
from tests.gui.fakes import FakeRecords


def test_calls_run_in_order_off_the_main_thread_and_answer_on_it(qtbot) -> None:
    worker = DbWorker(FakeRecords())
    main = QThread.currentThread()
    ran_on: list[object] = []
    order: list[int] = []
    answered_on: list[object] = []
    calls = []
    for i in range(5):

        def work(_r, i=i):  # type: ignore[no-untyped-def]
            ran_on.append(QThread.currentThread())
            order.append(i)
            return i * 10

        call = worker.call("counting", work)
        call.then(lambda _v: answered_on.append(QThread.currentThread()))
        calls.append(call)
    with qtbot.waitSignal(calls[-1].done):
        pass
    assert order == [0, 1, 2, 3, 4]
    assert all(t is not main for t in ran_on)
    assert answered_on == [main] * 5
    assert [c.value for c in calls] == [0, 10, 20, 30, 40]
    worker.shutdown()


def test_a_refusal_keeps_its_words_and_a_bug_names_the_log_folder(qtbot) -> None:
    worker = DbWorker(FakeRecords())

    def refused(_r):  # type: ignore[no-untyped-def]
        raise UsageError("There is already an account called doc.", "Choose another user name.")

    def bug(_r):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    failures: list[tuple[str, str]] = []
    first = worker.call("adding the user", refused).then(error=lambda m, h: failures.append((m, h)))
    second = worker.call("saving the note", bug).then(error=lambda m, h: failures.append((m, h)))
    with qtbot.waitSignal(second.done):
        pass
    assert failures[0] == ("There is already an account called doc.", "Choose another user name.")
    assert failures[1][0] == "Something went wrong while saving the note."
    assert "log folder" in failures[1][1] and "boom" not in failures[1][1]
    try:
        first.result()
    except UserFacingError as exc:
        assert exc.message.startswith("There is already")
    else:
        raise AssertionError("result() must raise the refusal")
    worker.shutdown()


def test_result_waits_and_shutdown_finishes_every_call(qtbot) -> None:
    worker = DbWorker(FakeRecords())
    gate = threading.Event()
    saved: list[str] = []

    def slow_save(_r):  # type: ignore[no-untyped-def]
        gate.wait(5)
        saved.append("note")
        return "v1"

    call = worker.call("saving the note", slow_save)
    assert not call.finished  # the main thread did not wait for it
    gate.set()
    assert call.result() == "v1"
    worker.call("saving the transcript", lambda _r: saved.append("transcript"))
    worker.shutdown()  # before the store closes: nothing made before Quit is lost
    assert saved == ["note", "transcript"]
