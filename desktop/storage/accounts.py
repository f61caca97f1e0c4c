"""The store's accounts: users, passwords, keyring sign-in and failed sign-ins carried into the audit log."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop.core.errors import (
    AuthenticationError,
    UsageError,
    UserFacingError,
)
from desktop.core.permissions import parse_roles
from desktop.storage import crypto, throttle
from desktop.storage.base import (
    FAILURES_COUNTER,
    INBOX_FILE,
    MAX_INBOX_BYTES,
    StoreBase,
    User,
    _load_keyfile,
    _now,
)
from desktop.storage.keyfile import KeyFile, inbox_private
from desktop.storage.layout import KEYS_FILE

log = logging.getLogger(__name__)

WRONG_PASSWORD = "The user name or password is wrong."
WRONG_PASSWORD_HINT = "Check the spelling and Caps Lock and try again; an administrator can reset a password."

KEYRING_SERVICE = "ConsultScribe"


class AccountsMixin(StoreBase):
    """Accounts, passwords, the OS keyring and the record of failed sign-ins."""

    def _take_account_key(self, private: bytes) -> None:
        """Keep the signed-in account's key for signing; fill in its signing key for older slots."""
        self._account_private = private
        slot = self._keyfile.slots.get(self.user.username)
        if slot is not None and not slot.signing_public:
            slot.signing_public = crypto.signing_public(private)
            try:
                self._keyfile.save(self.directory / KEYS_FILE)
            except OSError:
                log.warning("could not record the account's signing key (read-only store folder?)")

    def enable_keyring_unlock(self, password: str, keyring_backend: Any = None) -> None:
        """Keep this account's private key in the OS keyring (policy ``keyring_unlock`` must be on)."""
        if not self.policy()["keyring_unlock"]:
            self._deny("keyring_unlock", "user", self.user.username)
        slot = self._keyfile.slots[self.user.username]
        try:
            wrapping = crypto.derive_password_key(password, slot.salt, slot.kdf)
            raw = crypto.unwrap(
                wrapping, slot.wrapped_private, self._keyfile._aad("private", self.user.username)
            )
        except crypto.DecryptError:
            self._audit_now("keyring_enable_failed", "user", self.user.username)
            raise AuthenticationError(WRONG_PASSWORD, WRONG_PASSWORD_HINT) from None
        kr = keyring_backend if keyring_backend is not None else _keyring()
        name = _keyring_name(self._keyfile.store_id, self.user.username)
        try:
            kr.set_password(KEYRING_SERVICE, name, crypto.b64(raw))
        except Exception as exc:  # keyring backends raise their own errors (locked, none installed…)
            raise _keyring_unavailable(exc) from None
        self._audit_now("keyring_enabled", "user", self.user.username)

    def disable_keyring_unlock(self, keyring_backend: Any = None) -> bool:
        """Remove this account's sign-in from the OS keyring; False when there was none."""
        name = _keyring_name(self._keyfile.store_id, self.user.username)
        if not _keyring_get(keyring_backend, name):
            return False
        kr = keyring_backend if keyring_backend is not None else _keyring()
        try:
            kr.delete_password(KEYRING_SERVICE, name)
        except Exception as exc:
            raise _keyring_unavailable(exc) from None
        self._audit_now("keyring_disabled", "user", self.user.username)
        return True

    @staticmethod
    def keyring_ready(directory: Path, username: str, keyring_backend: Any = None) -> bool:
        """Whether this PC's keyring holds a sign-in for ``username`` on this store (no password asked)."""
        try:
            keyfile = _load_keyfile(Path(directory))
            if username not in keyfile.slots:
                return False
            return bool(_keyring_get(keyring_backend, _keyring_name(keyfile.store_id, username)))
        except UserFacingError:
            return False

    # ------------------------------------------------------------------ accounts
    def users(self) -> list[User]:
        self._require("manage_users", "user", "*")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, username, display_name, roles, registration_no FROM users WHERE disabled = 0"
                " ORDER BY id"
            ).fetchall()
        return [User(int(r[0]), r[1], r[2], frozenset(r[3].split(",")), r[4]) for r in rows]

    def clinician(self, username: str) -> User | None:
        """The name and registration number of a clinician, for the documents of their consultations."""
        self._require("read_clinical", "user", username)
        with self._read() as conn:
            r = conn.execute(
                "SELECT id, username, display_name, roles, registration_no FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        return None if r is None else User(int(r[0]), r[1], r[2], frozenset(r[3].split(",")), r[4])

    def add_user(
        self,
        username: str,
        password: str,
        roles: Iterable[str],
        display_name: str,
        registration_no: str = "",
        *,
        must_change_password: bool = True,
    ) -> User:
        """A new account. Its first password is one the administrator chose, so by default the
        app asks the person to choose their own at the first sign-in."""
        self._require("manage_users", "user", username)
        _check_username(username)
        _check_new_password(password)
        role_set = parse_roles(roles)
        if "doctor" in role_set and not registration_no.strip():
            raise UsageError("A doctor's account needs a registration number.", "Add --registration NUMBER.")
        with self._read() as conn:
            if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UsageError(
                    f"There is already an account called {username}.", "Choose another user name."
                )
        self._keyfile.set_password(username, password, self._db_key)
        try:
            with self._write():
                cur = self._conn.execute(
                    "INSERT INTO users (username, display_name, roles, registration_no, created_at,"
                    " must_change_password) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        username,
                        display_name,
                        ",".join(sorted(role_set)),
                        registration_no.strip(),
                        _now(),
                        int(must_change_password),
                    ),
                )
                self._audit("user_added", "user", username, f"roles={','.join(sorted(role_set))}")
                self._keyfile.save(self.directory / KEYS_FILE)
        except BaseException:
            self._keyfile.remove(username)  # no key slot without its account
            raise
        return User(
            int(cur.lastrowid),
            username,
            display_name,
            role_set,
            registration_no.strip(),
            must_change_password=must_change_password,
        )

    def set_password(self, username: str, new_password: str, old_password: str | None = None) -> None:
        """Change a password. Your own needs the old one; an administrator may reset anyone's."""
        _check_new_password(new_password)
        private: bytes | None = None
        if username == self.user.username and old_password is not None:
            try:
                _, private = self._keyfile.unlock_account(username, old_password)
            except crypto.DecryptError:
                self._audit_now("password_change_failed", "user", username, "wrong current password")
                raise AuthenticationError("The current password is wrong.", WRONG_PASSWORD_HINT) from None
        elif not self.user.can("manage_users"):
            self._deny("manage_users", "user", username)
        if username not in self._keyfile.slots:
            raise UsageError(f"There is no account called {username}.", "Check the user name.")
        # A changed password keeps the account's keys (its signatures stay its own); a reset makes new ones.
        own = username == self.user.username
        self._keyfile.set_password(username, new_password, self._db_key, private_raw=private)
        with self._write():
            # Someone else's password, set by an administrator, is changed again at their next sign-in.
            self._conn.execute(
                "UPDATE users SET must_change_password = ? WHERE username = ?", (int(not own), username)
            )
            self._audit("password_changed" if own else "password_reset", "user", username)
            self._keyfile.save(self.directory / KEYS_FILE)
        if own:
            self.user = dataclasses.replace(self.user, must_change_password=False)

    def check_password(self, username: str, password: str) -> bool:
        """Re-check a password (unlocking an auto-locked screen); a wrong one is audited."""
        try:
            self._keyfile.unlock(username, password)
        except crypto.DecryptError:
            self._audit_now("unlock_failed", "user", username)
            return False
        return True

    def disable_user(self, username: str) -> None:
        """Close an account: its key slot is removed, so its password no longer unlocks the store."""
        self._require("manage_users", "user", username)
        if username == self.user.username:
            raise UsageError("You cannot close your own account.", "Ask another administrator.")
        self._user_id(username)
        self._keyfile.remove(username)
        with self._write():
            self._conn.execute("UPDATE users SET disabled = 1 WHERE username = ?", (username,))
            self._audit("user_disabled", "user", username)
            self._keyfile.save(self.directory / KEYS_FILE)

    def _reconcile_failures(self, seq: int) -> None:
        """Compare the throttle file's count of failed sign-ins with those that reached the audit log."""
        with self._write():
            row = self._conn.execute(
                "SELECT value FROM counters WHERE name = ?", (FAILURES_COUNTER,)
            ).fetchone()
            if row is None:  # a store from before the count was kept: start counting now
                self._set_counter(FAILURES_COUNTER, seq)
                return
            imported = int(row[0])
            file_missing = not (self.directory / throttle.THROTTLE_FILE).exists() or (
                seq == 0 and imported > 0
            )
            if seq > imported:
                self._audit(
                    "sign_in_records_missing",
                    "store",
                    self.store_id,
                    f"{seq - imported} failed sign-in record(s) were removed before they reached the audit log",
                )
                self._set_counter(FAILURES_COUNTER, seq)
            elif seq < imported or file_missing:
                self._audit(
                    "sign_in_records_missing",
                    "store",
                    self.store_id,
                    "the sign-in throttle file was deleted or replaced by an older copy",
                )
                throttle.restore(self.directory, imported)

    def _set_counter(self, name: str, value: int) -> None:
        self._conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _import_failed_sign_ins(self) -> None:
        path = self.directory / INBOX_FILE
        if not path.exists():
            return
        private = inbox_private(self._db_key)
        aad = f"consultscribe:{self.store_id}:inbox".encode()
        lines = path.read_text(encoding="ascii", errors="replace").splitlines()
        with self._write():
            for line in lines:
                try:
                    info = json.loads(crypto.open_sealed(private, crypto.unb64(line.strip()), aad))
                except (crypto.DecryptError, ValueError):
                    self._audit("sign_in_failed", "user", "?", "unreadable failed sign-in record")
                    continue
                self._audit(
                    "sign_in_failed",
                    "user",
                    str(info.get("user", "?")),
                    f"at={info.get('at', '')}; {info.get('reason', '')}",
                    actor=str(info.get("user", "?")),
                )
            row = self._conn.execute(
                "SELECT value FROM counters WHERE name = ?", (FAILURES_COUNTER,)
            ).fetchone()
            if row is not None:
                self._set_counter(FAILURES_COUNTER, int(row[0]) + len(lines))
        path.unlink()


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise UsageError(
            f"'{username}' is not a usable user name.",
            "Use letters, digits and . _ - @ (at most 64 characters).",
        )


def _check_new_password(password: str) -> None:
    if len(password) < 8:
        raise UsageError("The password is too short.", "Use at least 8 characters.")


def _keyring() -> Any:
    import keyring

    return keyring


def _keyring_name(store_id: str, username: str) -> str:
    return f"{store_id}:{username}"


def _keyring_unavailable(exc: Exception) -> UsageError:
    log.warning("system keyring not usable: %s", type(exc).__name__)
    return UsageError(
        "This computer's system keyring cannot be used.",
        "Sign in with your password; IT can set up the keyring (Windows Credential Manager, "
        "macOS Keychain, or the desktop's Secret Service on Linux).",
    )


def _keyring_get(keyring_backend: Any, name: str) -> str | None:
    """The stored secret, or None when there is none or no keyring on this computer."""
    try:
        kr = keyring_backend if keyring_backend is not None else _keyring()
        value = kr.get_password(KEYRING_SERVICE, name)
    except Exception as exc:  # no backend, locked collection, D-Bus missing…
        log.info("system keyring not readable: %s", type(exc).__name__)
        return None
    return str(value) if value else None


def _record_failed_sign_in(directory: Path, keyfile: KeyFile, username: str, reason: str) -> None:
    """Seal a failed attempt for the audit log without touching the database or the key file."""
    throttle.record_failure(directory, keyfile.store_id, username)
    if not keyfile.inbox_public:
        return
    info = json.dumps({"user": username[:64], "at": _now(), "reason": reason}).encode("utf-8")
    line = crypto.b64(
        crypto.seal(keyfile.inbox_public, info, f"consultscribe:{keyfile.store_id}:inbox".encode())
    )
    inbox = directory / INBOX_FILE
    if inbox.exists() and inbox.stat().st_size > MAX_INBOX_BYTES:
        log.warning("failed sign-in file is full; further attempts are not recorded until the next sign-in")
        return
    try:
        with open(inbox, "a", encoding="ascii") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        log.warning("could not record a failed sign-in (read-only store folder?)")
