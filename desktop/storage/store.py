"""The encrypted record store: one folder holding the database, the key slots and the audio journals.

::

    DIR/store.db            SQLCipher 4 database (WAL: store.db-wal, store.db-shm)
    DIR/keys.json           key slots (public keys, wrapped private keys, sealed database key)
    DIR/sign-in-failures    failed sign-ins, sealed to the store's inbox key until the next sign-in
    DIR/audio/<uid>.journal encrypted audio journal per consultation

A :class:`Store` is opened by one account (``store.user``). Every operation checks the
account's roles here, in the storage layer, and writes an entry to the hash-chained audit
log; refused operations raise :class:`PermissionDeniedError` after auditing the attempt.
One connection per ``Store``, guarded by a lock: any thread may call it, one at a time.
"""

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
    PermissionDeniedError,
    StoreDamagedError,
    UsageError,
)
from desktop.core.permissions import PERMISSIONS, parse_roles
from desktop.storage import crypto, driver, journal, salvage, schema, throttle
from desktop.storage.accounts import (
    KEYRING_SERVICE,
    WRONG_PASSWORD,
    WRONG_PASSWORD_HINT,
    AccountsMixin,
    _check_new_password,
    _check_username,
    _keyring_get,
    _keyring_name,
    _record_failed_sign_in,
)
from desktop.storage.audit import AuditMixin
from desktop.storage.base import (
    FAILURES_COUNTER,
    GENESIS,
    INBOX_FILE,
    NEXT_KEYS_FILE,
    POLICY_DEFAULTS,
    QUICK_CHECK_LIMIT,
    AuditEntry,
    AuditReport,
    NoteVersion,
    RecoveredJournal,
    User,
    _damaged,
    _entry_hash,
    _load_keyfile,
    _now,
    make_private,
)
from desktop.storage.crypto import PRODUCTION_KDF, KdfParams
from desktop.storage.keyfile import KeyFile, atomic_write, fsync_dir
from desktop.storage.layout import AUDIO_DIR, DB_FILE, KEYS_FILE
from desktop.storage.lifecycle import LifecycleMixin, PatientMatch
from desktop.storage.records import RecordsMixin, _note_message
from desktop.storage.retention import RetentionMixin
from desktop.storage.voice_profiles import VoiceProfilesMixin

log = logging.getLogger(__name__)

__all__ = [
    "DB_FILE",
    "FAILURES_COUNTER",
    "GENESIS",
    "INBOX_FILE",
    "KEYRING_SERVICE",
    "KEYS_FILE",
    "NEXT_KEYS_FILE",
    "PERMISSIONS",
    "POLICY_DEFAULTS",
    "WRONG_PASSWORD",
    "WRONG_PASSWORD_HINT",
    "AuditEntry",
    "AuditReport",
    "NoteVersion",
    "PatientMatch",
    "RecoveredJournal",
    "Store",
    "User",
    "_entry_hash",
    "_note_message",
    "make_private",
    "parse_roles",
    "write_export",
]


class Store(AccountsMixin, AuditMixin, LifecycleMixin, RecordsMixin, RetentionMixin, VoiceProfilesMixin):
    """An unlocked store, acting as one account. Build it with :meth:`create` or :meth:`open`."""

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(
        cls,
        directory: Path,
        admin_username: str,
        password: str,
        *,
        display_name: str = "",
        roles: Iterable[str] = ("admin",),
        registration_no: str = "",
        kdf: KdfParams = PRODUCTION_KDF,
    ) -> tuple[Store, str]:
        """Create a store with its first account. Returns the store and the recovery key (show it once)."""
        directory = Path(directory)
        _check_username(admin_username)
        _check_new_password(password)
        role_set = parse_roles(roles)
        if (directory / KEYS_FILE).exists() or (directory / DB_FILE).exists():
            raise UsageError(f"A record store already exists in {directory}.", "Choose an empty folder.")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / AUDIO_DIR).mkdir(exist_ok=True)
        make_private(directory)
        db_key = crypto.random_key()
        recovery = crypto.random_key()
        keyfile = KeyFile.new(kdf)
        admin_private = keyfile.set_password(admin_username, password, db_key)
        keyfile.set_recovery(recovery, db_key)
        keyfile.set_inbox(db_key)
        keyfile.save(directory / KEYS_FILE)
        throttle.create(directory)
        conn = driver.connect(directory / DB_FILE, db_key, create=True)
        schema.migrate(conn)
        conn.execute("INSERT INTO counters (name, value) VALUES (?, 0)", (FAILURES_COUNTER,))
        make_private(directory)
        fsync_dir(directory)
        now = _now()
        cur = conn.execute(
            "INSERT INTO users (username, display_name, roles, registration_no, created_at) VALUES (?, ?,"
            " ?, ?, ?)",
            (
                admin_username,
                display_name or admin_username,
                ",".join(sorted(role_set)),
                registration_no,
                now,
            ),
        )
        user = User(
            int(cur.lastrowid), admin_username, display_name or admin_username, role_set, registration_no
        )
        conn.commit()
        store = cls(directory, keyfile, db_key, conn, user)
        with store._write():
            for key, value in POLICY_DEFAULTS.items():
                store.db.execute("INSERT INTO policy (key, value) VALUES (?, ?)", (key, json.dumps(value)))
            store._audit("store_created", "store", keyfile.store_id)
            store._audit("user_added", "user", admin_username, f"roles={','.join(sorted(role_set))}")
        store._account_private = admin_private
        return store, crypto.format_recovery_key(recovery)

    @classmethod
    def open(cls, directory: Path, username: str, password: str) -> Store:
        """Unlock the store as ``username``.

        Raises AuthenticationError (wrong name or password: nothing in the store changes; the
        attempt is sealed into ``sign-in-failures`` and moved into the audit log at the next
        sign-in), StoreDamagedError, or UsageError (no store there).
        """
        directory = Path(directory)
        keyfile = _load_keyfile(directory)
        wait = throttle.wait_seconds(directory, keyfile.store_id, username)
        if wait > 0:
            raise AuthenticationError(
                f"Too many wrong passwords for {username[:64]}: wait {throttle.describe_wait(wait)} before"
                " trying again.",
                "An administrator can reset the password.",
            )
        try:
            db_key, private = keyfile.unlock_account(username, password)
        except crypto.DecryptError:
            _record_failed_sign_in(directory, keyfile, username, "wrong user name or password")
            raise AuthenticationError(WRONG_PASSWORD, WRONG_PASSWORD_HINT) from None
        store = cls._finish_open(directory, keyfile, db_key, username, password)
        store._take_account_key(private)
        return store

    @staticmethod
    def check_exists(directory: Path) -> None:
        """Raise UsageError (no store there) or StoreDamagedError (key file unreadable) before any prompt."""
        _load_keyfile(Path(directory))

    @classmethod
    def open_with_recovery(
        cls, directory: Path, recovery_key: str, username: str, new_password: str
    ) -> Store:
        """Reset ``username``'s password with the recovery key printed at setup, then open as that account."""
        directory = Path(directory)
        keyfile = _load_keyfile(directory)
        try:
            db_key = keyfile.unlock_recovery(crypto.parse_recovery_key(recovery_key))
        except crypto.DecryptError:
            _record_failed_sign_in(directory, keyfile, username, "wrong recovery key")
            raise AuthenticationError(
                "The recovery key is wrong.", "Type it exactly as printed at setup."
            ) from None
        _check_new_password(new_password)
        store = cls._finish_open(directory, keyfile, db_key, username, None)
        if username not in store._keyfile.slots:
            store.close()
            raise AuthenticationError(WRONG_PASSWORD, WRONG_PASSWORD_HINT)
        store._account_private = store._keyfile.set_password(username, new_password, db_key)
        store._keyfile.save(directory / KEYS_FILE)
        with store._write():
            store._conn.execute("UPDATE users SET must_change_password = 0 WHERE username = ?", (username,))
            store._audit("password_reset_with_recovery_key", "user", username)
        store.user = dataclasses.replace(store.user, must_change_password=False)
        return store

    @classmethod
    def open_with_keyring(cls, directory: Path, username: str, keyring_backend: Any = None) -> Store:
        """Unlock from the OS keyring (only where the clinic policy allows it and the user enabled it)."""
        directory = Path(directory)
        keyfile = _load_keyfile(directory)
        secret = _keyring_get(keyring_backend, _keyring_name(keyfile.store_id, username))
        slot = keyfile.slots.get(username)
        if not secret or slot is None:
            raise AuthenticationError(
                "Keyring sign-in is not set up for this account.", "Sign in with your password."
            )
        try:
            private = crypto.private_from_bytes(crypto.unb64(secret))
            db_key = crypto.open_sealed(private, slot.sealed_db_key, keyfile._aad("db", username))
        except (crypto.DecryptError, ValueError):
            _record_failed_sign_in(directory, keyfile, username, "keyring entry did not unlock")
            raise AuthenticationError(
                "The keyring entry no longer unlocks the store.", "Sign in with your password."
            ) from None
        store = cls._finish_open(directory, keyfile, db_key, username, None)
        if not store.policy()["keyring_unlock"]:
            store._audit_now("denied:keyring_unlock", "user", username)
            store.close()
            raise PermissionDeniedError(
                "The clinic policy does not allow keyring sign-in.", "Sign in with your password."
            )
        store._take_account_key(crypto.unb64(secret))
        return store

    @classmethod
    def _finish_open(
        cls, directory: Path, keyfile: KeyFile, db_key: bytes, username: str, password: str | None
    ) -> Store:
        conn, keyfile, db_key = _connect_checked(directory, keyfile, db_key, username, password)
        make_private(directory)  # also mends a store made by an earlier release (0644 / 0755)
        try:
            try:
                schema.migrate(conn)
            except ValueError as exc:
                raise UsageError(
                    "This record store was written by a newer version of ConsultScribe.",
                    "Update ConsultScribe on this computer.",
                ) from exc
            row = conn.execute(
                "SELECT id, username, display_name, roles, registration_no, disabled, must_change_password"
                " FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        except driver.DatabaseError as exc:
            conn.close()
            raise _damaged(directory) from exc
        except BaseException:
            conn.close()
            raise
        store_user = None
        if row is not None and not row[5]:
            store_user = User(
                int(row[0]),
                row[1],
                row[2],
                frozenset(row[3].split(",")),
                row[4],
                must_change_password=bool(row[6]),
            )
        store = cls(directory, keyfile, db_key, conn, store_user or User(0, username, username, frozenset()))
        for name in schema.restore_triggers(conn):
            store._audit_now("safeguard_restored", "trigger", name, "found removed at sign-in")
        store._import_failed_sign_ins()
        store._reconcile_failures(throttle.record_success(directory, keyfile.store_id, username))
        if store_user is None:
            store._audit_now("sign_in_failed", "user", username, "account disabled or unknown")
            store.close()
            raise AuthenticationError(WRONG_PASSWORD, WRONG_PASSWORD_HINT)
        store._audit_now("sign_in", "user", username)
        store.recovered = store.recover_journals()
        return store

    def backup(self, dest: Path) -> dict[str, int]:
        """A verified copy of the whole store (database, key file, recordings) in the empty folder ``dest``."""
        self._require("backup", "store", self.store_id)
        with self._lock:
            counts = salvage.backup(self._conn, self._db_key, self.directory, Path(dest))
        self._audit_now("backup_made", "store", self.store_id, f"{sum(counts.values())} rows")
        return counts

    def rekey(self) -> None:
        """Rotate the database key (SQLCipher ``PRAGMA rekey``) and re-seal it to every account.

        Crash-safe: the new key slots are written to ``keys.next.json`` first; opening the store
        tries them when the current ones no longer decrypt the database, then promotes them.
        """
        self._require("rekey", "store", self.store_id)
        new_key = crypto.random_key()
        next_file = KeyFile.from_dict(self._keyfile.to_dict())
        next_file.reseal_all(new_key)
        with self._lock:
            self._import_failed_sign_ins()
            next_file.save(self.directory / NEXT_KEYS_FILE)
            self._conn.execute(f"PRAGMA rekey = {driver.key_pragma_value(new_key)}")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            os.replace(self.directory / NEXT_KEYS_FILE, self.directory / KEYS_FILE)
            fsync_dir(self.directory)
            self._keyfile = next_file
            self._db_key = new_key
            self._audit_now("store_rekeyed", "store", self.store_id)

    def check_integrity(self) -> list[str]:
        """Check every database page and every audio chunk (administrators; nothing is decoded or shown).

        Returns the problems found, one plain sentence each; an empty list means all is well.
        """
        self._require("read_audit", "store", self.store_id)
        problems: list[str] = []
        with self._read() as conn:
            try:
                rows = conn.execute("PRAGMA quick_check").fetchall()
            except driver.DatabaseError:
                rows = [("the database cannot be read",)]
            journals = conn.execute(
                "SELECT a.consultation_id, c.uid, a.data_key, a.state, a.chunks FROM audio_journals a"
                " JOIN consultations c ON c.id = a.consultation_id WHERE a.state != 'purged'"
                " ORDER BY a.consultation_id"
            ).fetchall()
            incomplete = conn.execute(
                "SELECT id, incomplete FROM consultations WHERE incomplete IS NOT NULL ORDER BY id"
            ).fetchall()
            problems += self._signature_problems(conn)
            present = {
                str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            }
            restored = conn.execute(
                "SELECT at, record_id FROM audit WHERE action = 'safeguard_restored' ORDER BY id"
            ).fetchall()
        if rows != [("ok",)]:
            problems.append(f"database: {'; '.join(str(r[0]) for r in rows[:5])}")
        for cid, reason in incomplete:
            problems.append(f"consultation {cid} is incomplete: {reason}")
        for name in schema.expected_triggers():
            if name not in present:
                problems.append(f"the safeguard {name} is missing from the database")
        for at, name in restored:
            problems.append(f"the safeguard {name} had been removed from the database (restored {at[:16]})")
        for cid, uid, key, state, chunks in journals:
            path = self._audio_path(str(uid))
            if not path.exists():
                problems.append(f"consultation {cid}: the audio file is missing")
                continue
            try:
                found = journal.scan(path, bytes(key), str(uid))
            except journal.JournalError as exc:
                problems.append(f"consultation {cid}: {exc}")
                continue
            if found.problem is not None and not (state == "open" and found.problem.kind == "truncated"):
                problems.append(f"consultation {cid}: {found.problem}")
            elif state == "closed" and (not found.closed or len(found.chunks) != int(chunks)):
                problems.append(
                    f"consultation {cid}: the audio was cut short ({len(found.chunks)} of {chunks} chunks)"
                )
        self._audit_now("integrity_checked", "store", self.store_id, f"{len(problems)} problems")
        return problems


def _connect_checked(
    directory: Path, keyfile: KeyFile, db_key: bytes, username: str, password: str | None
) -> tuple[Any, KeyFile, bytes]:
    """Open the database; finish an interrupted ``rekey`` when the next key slots are the ones that fit."""
    db_path = directory / DB_FILE
    if not db_path.exists():
        raise StoreDamagedError(
            f"The database of the record store in {directory} is missing.",
            "Restore store.db from the latest backup.",
        )
    next_path = directory / NEXT_KEYS_FILE
    try:
        conn = driver.connect(db_path, db_key)
        if next_path.exists():
            next_path.unlink()  # a rekey that never reached the database
        _quick_check(conn, directory)
        return conn, keyfile, db_key
    except driver.DatabaseError as exc:
        if not next_path.exists():
            raise _damaged(directory) from exc
        original = exc
    try:
        next_file = KeyFile.load(next_path)
        if password is not None:
            next_key = next_file.unlock(username, password)
        else:
            raise _damaged(directory) from original
        conn = driver.connect(db_path, next_key)
        _quick_check(conn, directory)
    except (driver.DatabaseError, crypto.DecryptError, ValueError, KeyError, OSError) as exc:
        raise _damaged(directory) from exc
    os.replace(next_path, directory / KEYS_FILE)
    fsync_dir(directory)
    return conn, next_file, next_key


def _quick_check(conn: Any, directory: Path) -> None:
    """Full page check on stores up to QUICK_CHECK_LIMIT (well under a second); larger stores are
    checked page by page as they are read (see ``Store._damage_guard``)."""
    db_path = directory / DB_FILE
    try:
        if db_path.stat().st_size > QUICK_CHECK_LIMIT:
            conn.execute("SELECT count(*) FROM audit").fetchone()
            return
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except driver.DatabaseError as exc:
        conn.close()
        raise _damaged(directory) from exc
    if rows != [("ok",)]:
        conn.close()
        raise _damaged(directory)


def write_export(path: Path, record: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
