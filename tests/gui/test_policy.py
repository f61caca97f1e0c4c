"""Clinic-wide rules kept in the store apply on every PC; IT's locked keys win; admins edit them."""

from __future__ import annotations

import pytest

from desktop.core.errors import PermissionDeniedError
from desktop.services.backend import apply_clinic_policy, save_clinic_policy
from desktop.ui.main import MainWindow
from tests.gui.conftest import settle, sign_in
from tests.gui.fakes import FakeRecords, fake_backend


def _window(qtbot, records: FakeRecords, locked: list[str] | None = None, **policy: object) -> MainWindow:
    backend = fake_backend(records)
    backend.settings.locked = list(locked or [])
    for key, value in policy.items():
        setattr(backend.settings.policy, key, value)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def test_the_stores_rules_apply_at_sign_in(qtbot, records: FakeRecords) -> None:
    records.policy.update(auto_lock_minutes=3, retention_days=365)
    window = _window(qtbot, records)  # this PC's own settings say 10 minutes
    sign_in(window, "doc")
    assert window.backend.settings.policy.auto_lock_minutes == 3
    assert window.backend.settings.policy.retention_days == 365
    assert window.idle.timer.interval() == 3 * 60_000
    assert records.policy["auto_lock_minutes"] == 3  # a doctor's sign-in changes nothing in the store


def test_a_key_it_locked_wins_and_an_admin_brings_the_store_in_line(qtbot, records: FakeRecords) -> None:
    records.policy.update(auto_lock_minutes=30)
    window = _window(qtbot, records, locked=["policy.auto_lock_minutes"], auto_lock_minutes=5)
    sign_in(window, "doc")
    assert window.idle.timer.interval() == 5 * 60_000  # IT's value on this PC
    assert records.policy["auto_lock_minutes"] == 30  # a doctor cannot change the store
    window.sign_out()
    sign_in(window, "admin")
    assert records.policy["auto_lock_minutes"] == 5  # now the store agrees with IT
    assert any(e.action == "policy_changed" for e in records.audit)


def test_an_administrators_policy_edits_reach_the_store_and_apply_at_once(
    qtbot, records: FakeRecords
) -> None:
    window = _window(qtbot, records)
    sign_in(window, "admin")
    dialog = window.open_admin()
    assert dialog is not None
    policy = dialog.policy_dialog
    form = next(f for f in policy.forms if f.name == "policy")
    form.editors["retention_days"].setValue(3650)  # type: ignore[attr-defined]
    form.editors["auto_lock_minutes"].setValue(4)  # type: ignore[attr-defined]
    policy._accept()
    settle(window)
    assert records.policy["retention_days"] == 3650 and records.policy["auto_lock_minutes"] == 4
    assert window.backend.settings.policy.auto_lock_minutes == 4
    assert window.idle.timer.interval() == 4 * 60_000


def test_only_an_administrator_may_write_the_clinic_policy(records: FakeRecords) -> None:
    backend = fake_backend(records)
    doctor = records.users_["doc"][0]
    with pytest.raises(PermissionDeniedError):
        save_clinic_policy(backend.settings, records, doctor)
    assert apply_clinic_policy(backend.settings, records, doctor) == {}


def test_the_letterhead_an_administrator_sets_is_used_on_every_pc(qtbot, records: FakeRecords) -> None:
    window = _window(qtbot, records)
    sign_in(window, "admin")
    dialog = window.open_admin()
    assert dialog is not None
    policy = dialog.policy_dialog
    form = next(f for f in policy.forms if f.name == "clinic")
    form.editors["name"].setText("Harbour Family Clinic")  # type: ignore[attr-defined]
    form.editors["name_zh"].setText("海港家庭診所")  # type: ignore[attr-defined]
    policy._accept()
    settle(window)
    letterhead = records.policy["letterhead"]
    assert isinstance(letterhead, dict)
    assert letterhead["name"] == "Harbour Family Clinic" and letterhead["name_zh"] == "海港家庭診所"

    other_pc = _window(qtbot, records)  # its own settings file: the default clinic name
    assert other_pc.backend.settings.clinic.name != "Harbour Family Clinic"
    sign_in(other_pc, "doc")
    assert other_pc.backend.settings.clinic.name == "Harbour Family Clinic"
    assert other_pc.backend.settings.clinic.name_zh == "海港家庭診所"


def test_a_doctors_settings_never_write_the_clinic_policy(qtbot, records: FakeRecords) -> None:
    window = _window(qtbot, records)
    sign_in(window, "doc")
    dialog = window.open_settings()
    assert dialog is not None
    dialog._accept()
    settle(window)
    assert not any(e.action == "policy_changed" for e in records.audit)
