"""Keyring sign-in in the app: offered only where the clinic allows it; turned on with the password."""

from __future__ import annotations

from desktop.ui.main import MainWindow
from tests.gui.conftest import sign_in
from tests.gui.fakes import FakeRecords, fake_backend


def _window(qtbot, records: FakeRecords) -> MainWindow:
    window = MainWindow(fake_backend(records))
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def _type_user(window: MainWindow, name: str) -> None:
    window.sign_in.username.setText(name)
    window.sign_in.username.editingFinished.emit()


def test_no_keyring_tab_unless_the_clinic_allows_it(qtbot, records: FakeRecords) -> None:
    window = _window(qtbot, records)
    sign_in(window, "doc")
    dialog = window.open_settings()
    assert dialog is not None
    assert dialog.keyring_tab is None
    dialog.reject()


def test_turn_on_sign_in_with_it_and_turn_off(qtbot, records: FakeRecords) -> None:
    records.policy["keyring_unlock"] = True
    window = _window(qtbot, records)
    _type_user(window, "doc")
    assert window.sign_in.keyring_button.isHidden()
    sign_in(window, "doc")
    dialog = window.open_settings()
    assert dialog is not None and dialog.keyring_tab is not None
    tab = dialog.keyring_tab
    assert not tab.off_button.isEnabled()
    tab.on_button.click()
    assert "Type your password" in tab.message.text() and records.keyring == set()
    tab.password.setText("not-my-password")
    tab.on_button.click()
    assert "wrong" in tab.message.text() and records.keyring == set()
    assert tab.password.text() == ""  # never left in the field
    tab.password.setText("password1")
    tab.on_button.click()
    assert records.keyring == {"doc"}
    assert "is on" in tab.state.text() and tab.off_button.isEnabled() and not tab.on_button.isEnabled()
    dialog.reject()

    window.sign_out()
    _type_user(window, "nurse")
    assert window.sign_in.keyring_button.isHidden()
    _type_user(window, "doc")
    assert not window.sign_in.keyring_button.isHidden()
    window.sign_in.keyring_button.click()
    qtbot.waitUntil(lambda: window.user is not None)
    assert window.user is not None and window.user.username == "doc"
    assert any(e.action == "signed_in_keyring" for e in records.audit)

    dialog = window.open_settings()
    assert dialog is not None and dialog.keyring_tab is not None
    dialog.keyring_tab.off_button.click()
    assert records.keyring == set() and "is off" in dialog.keyring_tab.state.text()
    dialog.reject()
    window.sign_out()
    assert window.sign_in.keyring_button.isHidden()


def test_keyring_sign_in_refused_when_the_clinic_turned_it_off(qtbot, records: FakeRecords) -> None:
    records.keyring.add("doc")
    window = _window(qtbot, records)
    _type_user(window, "doc")
    window.sign_in.keyring_button.click()
    qtbot.waitUntil(lambda: "does not allow" in window.sign_in.message.text())
    assert window.user is None
