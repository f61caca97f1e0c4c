"""Widget-test fixtures: a main window over fakes of the engine ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEventLoop, QTimer

pytest.importorskip("pytestqt")

from desktop.core.errors import UserFacingError
from desktop.core.types import Patient
from desktop.services.backend import Backend
from desktop.services.ports import ConsultationInfo
from desktop.ui.consultation import ConsultationView
from desktop.ui.main import MainWindow
from tests.gui.fakes import CREATED, FakeRecords, fake_backend


@pytest.fixture()
def records() -> FakeRecords:
    r = FakeRecords()
    r.add("doc", "doctor", reg="M12345")
    r.add("nurse", "nurse")
    r.add("admin", "admin")
    return r


@pytest.fixture()
def backend(records: FakeRecords) -> Iterator[Backend]:
    b = fake_backend(records)
    yield b
    b.shutdown()


@pytest.fixture(autouse=True)
def _shut_down_backends() -> Iterator[None]:
    """Every backend a test built is shut down after it (its worker threads end with it)."""
    yield
    while CREATED:
        CREATED.pop().shutdown()


@pytest.fixture()
def window(qtbot, backend: Backend) -> MainWindow:
    w = MainWindow(backend)
    qtbot.addWidget(w)
    w.show()
    w.start()
    return w


def sign_in(window: MainWindow, username: str, password: str = "password1") -> None:
    """Type and click as a user does; returns once the store's answer has been shown."""
    window.sign_in.username.setText(username)
    window.sign_in.password.setText(password)
    window.sign_in.button.click()
    call = window.sign_in.pending
    if call is None:
        return
    try:
        call.result()  # runs the event loop until the database worker has answered
    except UserFacingError:
        return  # refused: shown on the page
    _wait_for(window.policy_applied)
    settle(window)


def _wait_for(signal, timeout_ms: int = 10_000) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def settle(window: MainWindow) -> None:
    """Wait until every store call made so far has been answered (calls run in order)."""
    window.backend.db.call("waiting for the store", lambda _r: None).result()


def open_view(qtbot, window: MainWindow, info: ConsultationInfo) -> ConsultationView:
    """Open a listed consultation and wait until its records have arrived."""
    view = window.open_consultation(info)
    assert view is not None
    if not view.ready:
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            pass
    return view


def new_consultation(
    qtbot,
    window: MainWindow,
    consent: bool = True,
    patient: Patient | None = None,
    complaint: str = "Headache for two weeks",
) -> ConsultationView:
    """Create a consultation from the list page and wait until it is open and loaded."""
    patient = patient or Patient(
        name="CHAN Tai Man", name_zh="陳大文", sex="M", date_of_birth="1968-03-14", mrn="HK-1"
    )
    call = window.list_page.create_consultation(patient, complaint, consent)
    assert call is not None
    call.result()
    view = window.consultation
    assert view is not None
    qtbot.waitUntil(lambda: view.ready, timeout=10_000)
    return view
