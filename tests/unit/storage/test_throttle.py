"""Wrong passwords slow the next attempt; removing the record of them is caught at the next sign-in."""

from __future__ import annotations

import pytest

from desktop.core.errors import AuthenticationError
from desktop.storage import Store, throttle
from desktop.storage.store import INBOX_FILE
from tests.unit.storage.conftest import PASSWORDS, StoreSetup


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: clock[0])
    return clock


def _fail(setup: StoreSetup, times: int, user: str = "drwong") -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationError, match="password is wrong"):
            Store.open(setup.directory, user, "not-the-password")


def test_the_wait_grows_and_even_the_right_password_waits(setup: StoreSetup, now: list[float]) -> None:
    _fail(setup, 3)
    _fail(setup, 1)  # the fourth wrong one is still checked: three are free
    with pytest.raises(AuthenticationError, match="Too many wrong passwords for drwong: wait 2 s"):
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"])
    now[0] += 3
    _fail(setup, 1)
    with pytest.raises(AuthenticationError, match="wait 4 s"):
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"])
    setup.open("nurse").close()  # another account is not held up
    now[0] += 5
    setup.open("drwong").close()  # the right password after the wait works, and clears the count
    _fail(setup, 1)
    setup.open("drwong").close()


def test_a_flood_on_many_accounts_holds_up_every_account(setup: StoreSetup, now: list[float]) -> None:
    for i in range(throttle.STORE_LIMIT):
        _fail(setup, 1, user=f"guess{i}")
    with pytest.raises(AuthenticationError, match="Too many wrong passwords"):
        Store.open(setup.directory, "nurse", PASSWORDS["nurse"])
    now[0] += throttle.STORE_WAIT_S + 1
    setup.open("nurse").close()


def _missing_entries(setup: StoreSetup) -> list[str]:
    with setup.open("it") as admin:
        return [e.detail for e in admin.audit_entries() if e.action == "sign_in_records_missing"]


def test_deleting_the_sealed_failures_is_caught(setup: StoreSetup, now: list[float]) -> None:
    _fail(setup, 2)
    (setup.directory / INBOX_FILE).unlink()
    assert _missing_entries(setup) == [
        "2 failed sign-in record(s) were removed before they reached the audit log"
    ]
    assert _missing_entries(setup) == [
        "2 failed sign-in record(s) were removed before they reached the audit log"
    ]  # said once, not at every sign-in


def test_deleting_the_throttle_file_is_caught(setup: StoreSetup, now: list[float]) -> None:
    _fail(setup, 2)
    setup.open("drwong").close()  # the two failures reach the audit log
    (setup.directory / throttle.THROTTLE_FILE).unlink()
    assert _missing_entries(setup) == ["the sign-in throttle file was deleted or replaced by an older copy"]
