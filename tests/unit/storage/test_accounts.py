"""Key slots and accounts: wrong password, password change, admin reset, recovery key, rekey, keyring."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import AuthenticationError, PermissionDeniedError, StoreDamagedError, UsageError
from desktop.storage import crypto, driver
from desktop.storage.store import DB_FILE, INBOX_FILE, KEYS_FILE, NEXT_KEYS_FILE, Store
from desktop.storage.throttle import THROTTLE_FILE
from tests.unit.storage.conftest import PASSWORDS, StoreSetup


def _digests(directory: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def _actions(setup: StoreSetup) -> list[tuple[str, str, str]]:
    with setup.open("it") as admin:
        return [(e.actor, e.action, e.record_id) for e in admin.audit_entries()]


def test_wrong_password_changes_no_file_and_is_audited_later(setup: StoreSetup) -> None:
    before = _digests(setup.directory, skip=(THROTTLE_FILE,))
    for user, password in (("drwong", "not-the-password"), ("nobody", "whatever-1")):
        with pytest.raises(AuthenticationError, match="user name or password is wrong"):
            Store.open(setup.directory, user, password)
    assert _digests(setup.directory, skip=(INBOX_FILE, THROTTLE_FILE)) == before
    inbox = (setup.directory / INBOX_FILE).read_bytes()
    assert b"drwong" not in inbox and b"nobody" not in inbox  # sealed, not in clear
    actions = _actions(setup)
    assert ("drwong", "sign_in_failed", "drwong") in actions
    assert ("nobody", "sign_in_failed", "nobody") in actions
    assert not (setup.directory / INBOX_FILE).exists()


def test_password_change_rewraps(setup: StoreSetup) -> None:
    with setup.open("drwong") as store:
        with pytest.raises(AuthenticationError):
            store.set_password("drwong", "new-password-1", old_password="wrong-old-1")
        store.set_password("drwong", "new-password-1", old_password=PASSWORDS["drwong"])
    with pytest.raises(AuthenticationError):
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"])
    Store.open(setup.directory, "drwong", "new-password-1").close()
    Store.open(setup.directory, "nurse", PASSWORDS["nurse"]).close()  # others unaffected


def test_admin_resets_password_but_others_cannot(setup: StoreSetup) -> None:
    with setup.open("nurse") as nurse, pytest.raises(PermissionDeniedError):
        nurse.set_password("drwong", "taken-over-1")
    with setup.open("it") as admin:
        admin.set_password("drwong", "reset-by-it-1")
    Store.open(setup.directory, "drwong", "reset-by-it-1").close()


def test_check_password_and_disable_user(setup: StoreSetup) -> None:
    with setup.open("drwong") as doctor:
        assert doctor.check_password("drwong", PASSWORDS["drwong"])
        assert not doctor.check_password("drwong", "wrong-one-1")
    with setup.open("it") as admin:
        admin.disable_user("nurse")
        with pytest.raises(UsageError, match="own account"):
            admin.disable_user("it")
        assert "nurse" not in {u.username for u in admin.users()}
        assert ("drwong", "unlock_failed") in {(e.actor, e.action) for e in admin.audit_entries()}
    with pytest.raises(AuthenticationError):
        Store.open(setup.directory, "nurse", PASSWORDS["nurse"])


def test_recovery_key_resets_a_password(setup: StoreSetup) -> None:
    with pytest.raises(AuthenticationError, match="recovery key is wrong"):
        Store.open_with_recovery(setup.directory, crypto.format_recovery_key(bytes(32)), "it", "whatever-12")
    Store.open_with_recovery(setup.directory, setup.recovery_key.lower(), "it", "recovered-1").close()
    Store.open(setup.directory, "it", "recovered-1").close()


def test_short_password_and_bad_names_are_usage_errors(setup: StoreSetup) -> None:
    with setup.open("it") as admin:
        with pytest.raises(UsageError, match="too short"):
            admin.add_user("x1", "short", ["nurse"], "X")
        with pytest.raises(UsageError, match="registration number"):
            admin.add_user("x2", "long-enough-1", ["doctor"], "X")
        with pytest.raises(UsageError, match="not a usable user name"):
            admin.add_user("bad name", "long-enough-1", ["nurse"], "X")
        with pytest.raises(UsageError, match="already an account"):
            admin.add_user("nurse", "long-enough-1", ["nurse"], "X")
        with pytest.raises(UsageError, match="Unknown role"):
            admin.add_user("x3", "long-enough-1", ["surgeon"], "X")


def test_rekey_rotates_the_database_key(setup: StoreSetup) -> None:
    def raw_key(user: str) -> bytes:
        from desktop.storage.keyfile import KeyFile

        return KeyFile.load(setup.directory / KEYS_FILE).unlock(user, PASSWORDS[user])

    old = raw_key("drwong")
    with setup.open("it") as admin:
        admin.rekey()
    new = raw_key("drwong")
    assert new != old and raw_key("nurse") == new
    with pytest.raises(driver.DatabaseError):
        driver.connect(setup.directory / DB_FILE, old)
    for user in ("it", "drwong", "nurse", "drlee"):
        Store.open(setup.directory, user, PASSWORDS[user]).close()
    Store.open_with_recovery(setup.directory, setup.recovery_key, "drlee", "after-rekey-1").close()
    with setup.open("it") as admin:
        assert admin.verify_audit().ok


def test_rekey_interrupted_before_the_key_file_was_replaced(setup: StoreSetup) -> None:
    """A crash between PRAGMA rekey and replacing keys.json: the next open finishes the job."""
    with setup.open("it") as admin:
        original_keys = (setup.directory / KEYS_FILE).read_bytes()
        admin.rekey()
        rotated_keys = (setup.directory / KEYS_FILE).read_bytes()
    (setup.directory / NEXT_KEYS_FILE).write_bytes(rotated_keys)
    (setup.directory / KEYS_FILE).write_bytes(original_keys)
    Store.open(setup.directory, "drwong", PASSWORDS["drwong"]).close()
    assert not (setup.directory / NEXT_KEYS_FILE).exists()
    assert (setup.directory / KEYS_FILE).read_bytes() == rotated_keys


def test_rekey_that_never_reached_the_database_is_discarded(setup: StoreSetup) -> None:
    (setup.directory / NEXT_KEYS_FILE).write_text("{}", encoding="utf-8")
    Store.open(setup.directory, "drwong", PASSWORDS["drwong"]).close()
    assert not (setup.directory / NEXT_KEYS_FILE).exists()


def test_only_admins_rekey(setup: StoreSetup) -> None:
    with setup.open("drwong") as doctor, pytest.raises(PermissionDeniedError):
        doctor.rekey()


def test_no_key_material_in_clear(setup: StoreSetup) -> None:
    from desktop.storage.keyfile import KeyFile

    key = KeyFile.load(setup.directory / KEYS_FILE).unlock("it", PASSWORDS["it"])
    for path in setup.directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key not in data and key.hex().encode() not in data and crypto.b64(key).encode() not in data
    data = json.loads((setup.directory / KEYS_FILE).read_text())
    assert set(data["slots"]) == {"it", "drwong", "drlee", "nurse"}
    assert data["kdf"] == {"n": 1024, "r": 8, "p": 1}


def test_production_kdf_default_is_strong() -> None:
    assert crypto.PRODUCTION_KDF.n >= 2**17 and crypto.PRODUCTION_KDF.r >= 8


class MemoryKeyring:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self.values.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self.values[(service, name)] = value

    def delete_password(self, service: str, name: str) -> None:
        del self.values[(service, name)]


class BrokenKeyring:
    """What a PC without a usable keyring gives: every call fails."""

    def get_password(self, service: str, name: str) -> str | None:
        raise RuntimeError("no recommended backend was available")

    def set_password(self, service: str, name: str, value: str) -> None:
        raise RuntimeError("no recommended backend was available")


def test_keyring_unlock_is_off_by_default_and_works_when_allowed(setup: StoreSetup) -> None:
    kr: Any = MemoryKeyring()
    with setup.open("drwong") as doctor, pytest.raises(PermissionDeniedError):
        doctor.enable_keyring_unlock(PASSWORDS["drwong"], kr)
    assert kr.values == {}
    with setup.open("it") as admin:
        admin.set_policy(keyring_unlock=True)
    with setup.open("drwong") as doctor:
        doctor.enable_keyring_unlock(PASSWORDS["drwong"], kr)
    with Store.open_with_keyring(setup.directory, "drwong", kr) as again:
        assert again.user.username == "drwong"
    with setup.open("it") as admin:
        admin.set_policy(keyring_unlock=False)
    with pytest.raises(PermissionDeniedError):
        Store.open_with_keyring(setup.directory, "drwong", kr)
    with pytest.raises(AuthenticationError):
        Store.open_with_keyring(setup.directory, "nurse", kr)


def test_keyring_sign_in_can_be_turned_off_and_is_audited(setup: StoreSetup) -> None:
    kr: Any = MemoryKeyring()
    with setup.open("it") as admin:
        admin.set_policy(keyring_unlock=True)
    assert not Store.keyring_ready(setup.directory, "drwong", kr)
    with setup.open("drwong") as doctor:
        with pytest.raises(AuthenticationError):
            doctor.enable_keyring_unlock("not my password", kr)
        assert kr.values == {}
        doctor.enable_keyring_unlock(PASSWORDS["drwong"], kr)
    assert Store.keyring_ready(setup.directory, "drwong", kr)
    assert not Store.keyring_ready(setup.directory, "nurse", kr)
    assert not Store.keyring_ready(setup.directory / "elsewhere", "drwong", kr)
    with Store.open_with_keyring(setup.directory, "drwong", kr) as doctor:
        assert doctor.disable_keyring_unlock(kr) is True
        assert doctor.disable_keyring_unlock(kr) is False
    assert kr.values == {} and not Store.keyring_ready(setup.directory, "drwong", kr)
    with pytest.raises(AuthenticationError, match="not set up"):
        Store.open_with_keyring(setup.directory, "drwong", kr)
    with setup.open("it") as admin:
        actions = [(e.action, e.record_id) for e in admin.audit_entries()]
    assert ("keyring_enable_failed", "drwong") in actions
    assert ("keyring_enabled", "drwong") in actions
    assert ("keyring_disabled", "drwong") in actions


def test_a_pc_without_a_keyring_gets_a_plain_message(setup: StoreSetup) -> None:
    broken: Any = BrokenKeyring()
    with setup.open("it") as admin:
        admin.set_policy(keyring_unlock=True)
    assert not Store.keyring_ready(setup.directory, "drwong", broken)
    with setup.open("drwong") as doctor, pytest.raises(UsageError, match="keyring cannot be used"):
        doctor.enable_keyring_unlock(PASSWORDS["drwong"], broken)
    with pytest.raises(AuthenticationError, match="not set up"):
        Store.open_with_keyring(setup.directory, "drwong", broken)


def test_missing_store_and_missing_key_file(tmp_path: Path, setup: StoreSetup) -> None:
    with pytest.raises(UsageError, match="no record store"):
        Store.open(tmp_path / "nothing", "it", "x")
    (setup.directory / KEYS_FILE).unlink()
    with pytest.raises(StoreDamagedError, match="key file"):
        Store.open(setup.directory, "it", PASSWORDS["it"])
