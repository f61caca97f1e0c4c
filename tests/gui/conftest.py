"""Widget-test fixtures: a main window over fakes of the engine ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("pytestqt")

from desktop.services.backend import Backend
from desktop.ui.main import MainWindow
from tests.gui.fakes import FakeRecords, fake_backend


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


@pytest.fixture()
def window(qtbot, backend: Backend) -> MainWindow:
    w = MainWindow(backend)
    qtbot.addWidget(w)
    w.show()
    w.start()
    return w


def sign_in(window: MainWindow, username: str, password: str = "password1") -> None:
    window.sign_in.username.setText(username)
    window.sign_in.password.setText(password)
    window.sign_in.button.click()
