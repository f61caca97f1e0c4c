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

import contextlib
import csv
import difflib
import functools
import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

import numpy as np

from desktop.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    StoreDamagedError,
    UsageError,
    UserFacingError,
)
from desktop.core.types import Patient, SoapNote, Transcript, TranscriptSegment, Word
from desktop.storage import crypto, driver, journal, salvage, schema, throttle
from desktop.storage.crypto import PRODUCTION_KDF, KdfParams
from desktop.storage.keyfile import KeyFile, atomic_write, fsync_dir, inbox_private
from desktop.storage.layout import AUDIO_DIR, DB_FILE, KEYS_FILE

log = logging.getLogger(__name__)

NEXT_KEYS_FILE = "keys.next.json"
INBOX_FILE = "sign-in-failures"
FAILURES_COUNTER = "failed_sign_ins_recorded"
MAX_INBOX_BYTES = 1024 * 1024  # a flood of wrong passwords cannot fill the disk
QUICK_CHECK_LIMIT = 64 * 1024 * 1024  # database bytes checked in full at sign-in (about half a second)

GENESIS = "0" * 64

# Which roles may do what. Admins manage the store but see no clinical text unless they also
# hold a clinical role.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read_clinical": frozenset({"doctor", "nurse"}),
    "write_clinical": frozenset({"doctor", "nurse"}),
    "sign_note": frozenset({"doctor"}),
    "manage_users": frozenset({"admin"}),
    "manage_policy": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
    "purge": frozenset({"admin"}),
    "rekey": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
}

POLICY_DEFAULTS: dict[str, Any] = {
    "letterhead": {"name": "", "name_zh": "", "address": "", "phone": ""},
    "retention_days": 365 * 7,
    "auto_lock_minutes": 10,
    "default_language": "auto",
    "default_script": "hk",
    "models": {"asr": "whisper-base", "llm": "smollm2-135m-instruct"},
    "keyring_unlock": False,
}

WRONG_PASSWORD = "The user name or password is wrong."
WRONG_PASSWORD_HINT = "Check the spelling and Caps Lock and try again; an administrator can reset a password."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    registration_no: str = ""

    def can(self, action: str) -> bool:
        return bool(self.roles & PERMISSIONS[action])

    @property
    def is_clinician(self) -> bool:
        return bool(self.roles & {"doctor", "nurse"})


@dataclass
class NoteVersion:
    version: int
    kind: str
    author: str
    created_at: str
    note: SoapNote


@dataclass
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    record_type: str
    record_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass
class AuditReport:
    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RecoveredJournal:
    consultation_id: int
    chunks: int
    seconds: float


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(method: F) -> F:
    """Run a read method under ``Store._damage_guard`` (its JSON decoding included)."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._damage_guard():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _entry_hash(
    prev_hash: str, entry_id: int, at: str, actor: str, action: str, rtype: str, rid: str, detail: str
) -> str:
    fields = [prev_hash, str(entry_id), at, actor, action, rtype, rid, detail]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def parse_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(r.strip().lower() for r in roles if r.strip())
    unknown = chosen - set(schema.ROLES)
    if not chosen or unknown:
        raise UsageError(
            f"Unknown role {', '.join(sorted(unknown)) or '(none)'}.",
            f"Choose from {', '.join(schema.ROLES)}.",
        )
    return chosen


def make_private(directory: Path) -> None:
    """The store's folders 0700 and its files 0600 (owner only); other users on the PC see nothing."""
    for path in [directory, *directory.rglob("*")]:
        try:
            if path.is_symlink():
                continue
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
        except OSError:
            log.warning("could not make a store file private")


class Store:
    """An unlocked store, acting as one account. Build it with :meth:`create` or :meth:`open`."""

    def __init__(self, directory: Path, keyfile: KeyFile, db_key: bytes, conn: Any, user: User) -> None:
        self.directory = directory
        self._keyfile = keyfile
        self._db_key = db_key
        self._conn = conn
        self.db = driver.Database(conn)
        self.user = user
        self._account_private: bytes | None = None  # signs what this account signs; None: cannot sign
        self._lock = threading.RLock()
        self._open_journals: dict[int, journal.AudioJournal] = {}
        self.recovered: list[RecoveredJournal] = []

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
            store._audit("password_reset_with_recovery_key", "user", username)
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
                "SELECT id, username, display_name, roles, registration_no, disabled FROM users WHERE"
                " username = ?",
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
            store_user = User(int(row[0]), row[1], row[2], frozenset(row[3].split(",")), row[4])
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

    def close(self) -> None:
        with self._lock:
            for j in list(self._open_journals.values()):
                try:
                    j.close()
                except UserFacingError:
                    log.warning("an audio journal could not be finished; it is recovered at the next sign-in")
                    j.abandon()
            self._open_journals.clear()
            if self._conn is not None:
                with contextlib.suppress(driver.DatabaseError):
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def store_id(self) -> str:
        return self._keyfile.store_id

    # ------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def _damage_guard(self) -> Iterator[None]:
        """A page that fails SQLCipher's check surfaces as a plain StoreDamagedError, not a traceback."""
        try:
            yield
        except (driver.DatabaseError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            # Constraint and usage errors stay what they are. A page failing its check may also
            # reach us as zeroed text before SQLCipher reports it: undecodable stored JSON.
            if isinstance(exc, driver.DatabaseError) and type(exc) is not driver.DatabaseError:
                raise
            raise StoreDamagedError(
                f"The record store in {self.directory} is damaged: part of the database cannot be read.",
                "Stop using this computer's store and restore the folder from the latest backup.",
            ) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE); nested calls become savepoints."""
        with self._lock, self._damage_guard():
            if self._conn is None:
                raise UsageError("The record store is closed.", "Sign in again.")
            if self._conn.in_transaction:
                with self.db.atomic():
                    yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[Any]:
        with self._lock, self._damage_guard():
            if self._conn is None:
                raise UsageError("The record store is closed.", "Sign in again.")
            yield self._conn

    def _audit(
        self, action: str, record_type: str = "", record_id: object = "", detail: str = "", actor: str = ""
    ) -> None:
        """Append one chained audit entry. Call inside ``_write``. Never pass clinical text as detail."""
        conn = self._conn
        # Chain from the recorded end of the log, not from whatever row is last now: entries
        # deleted from the end then leave a gap that the next entry exposes.
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        if head is not None:
            head_id, _, head_hash = str(head[0]).partition(":")
            prev_id, prev_hash = int(head_id), head_hash
        else:
            last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            prev_id, prev_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
        entry_id = prev_id + 1
        at = _now()
        who = actor or self.user.username
        rid = str(record_id)
        digest = _entry_hash(prev_hash, entry_id, at, who, action, record_type, rid, detail)
        conn.execute(
            "INSERT INTO audit (id, at, actor, action, record_type, record_id, detail, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, at, who, action, record_type, rid, detail, prev_hash, digest),
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE SET value ="
            " excluded.value",
            (f"{entry_id}:{digest}",),
        )

    def _audit_now(
        self, action: str, record_type: str = "", record_id: object = "", detail: str = ""
    ) -> None:
        with self._write():
            self._audit(action, record_type, record_id, detail)

    def record_event(
        self, action: str, record_type: str = "", record_id: object = "", detail: str = ""
    ) -> None:
        """Audit an event of the app around the records (screen locked, letter printed, …) as ``app:ACTION``.

        ``detail`` must not hold clinical text.
        """
        self._audit_now(f"app:{action}", record_type, record_id, detail)

    def _deny(self, action: str, record_type: str = "", record_id: object = "") -> None:
        """Audit a refused action, then raise PermissionDeniedError."""
        self._audit_now(f"denied:{action}", record_type, record_id)
        raise PermissionDeniedError(
            f"Your account ({self.user.username}) is not allowed to {_ACTION_WORDS.get(action, action)}.",
            "Ask a colleague with the right role, or an administrator.",
        )

    def _require(self, action: str, record_type: str = "", record_id: object = "") -> None:
        if not self.user.can(action):
            self._deny(action, record_type, record_id)

    # ------------------------------------------------------------------ accounts
    def users(self) -> list[User]:
        self._require("manage_users", "user", "*")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, username, display_name, roles, registration_no FROM users WHERE disabled = 0"
                " ORDER BY id"
            ).fetchall()
        return [User(int(r[0]), r[1], r[2], frozenset(r[3].split(",")), r[4]) for r in rows]

    def add_user(
        self,
        username: str,
        password: str,
        roles: Iterable[str],
        display_name: str,
        registration_no: str = "",
    ) -> User:
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
                    "INSERT INTO users (username, display_name, roles, registration_no, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (username, display_name, ",".join(sorted(role_set)), registration_no.strip(), _now()),
                )
                self._audit("user_added", "user", username, f"roles={','.join(sorted(role_set))}")
                self._keyfile.save(self.directory / KEYS_FILE)
        except BaseException:
            self._keyfile.remove(username)  # no key slot without its account
            raise
        return User(int(cur.lastrowid), username, display_name, role_set, registration_no.strip())

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
        self._keyfile.set_password(username, new_password, self._db_key, private_raw=private)
        with self._write():
            self._audit(
                "password_changed" if username == self.user.username else "password_reset", "user", username
            )
            self._keyfile.save(self.directory / KEYS_FILE)

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

    # ------------------------------------------------------------------ policy
    @_guarded
    def policy(self) -> dict[str, Any]:
        with self._read() as conn:
            rows = conn.execute("SELECT key, value FROM policy").fetchall()
        values = dict(POLICY_DEFAULTS)
        values.update({k: json.loads(v) for k, v in rows})
        return values

    def set_policy(self, **values: Any) -> None:
        self._require("manage_policy", "policy", ",".join(sorted(values)))
        unknown = set(values) - set(POLICY_DEFAULTS)
        if unknown:
            raise UsageError(f"Unknown policy setting {', '.join(sorted(unknown))}.", "See docs/storage.md.")
        with self._write():
            for key, value in values.items():
                self.db.execute(
                    "INSERT INTO policy (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value ="
                    " excluded.value",
                    (key, json.dumps(value)),
                )
            self._audit("policy_changed", "policy", ",".join(sorted(values)))

    # ------------------------------------------------------------------ audit log
    def audit_entries(self) -> list[AuditEntry]:
        self._require("read_audit", "audit", "*")
        return self._audit_rows()

    def _audit_rows(self) -> list[AuditEntry]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, at, actor, action, record_type, record_id, detail, prev_hash, hash FROM audit"
                " ORDER BY id"
            ).fetchall()
        return [AuditEntry(int(r[0]), *[str(x) for x in r[1:]]) for r in rows]

    def verify_audit(self) -> AuditReport:
        """Recompute the hash chain; any removed, inserted, reordered or altered entry is reported."""
        self._require("read_audit", "audit", "*")
        entries = self._audit_rows()
        report = AuditReport(entries=len(entries))
        prev_hash = GENESIS
        expected_id = 1
        for e in entries:
            if e.id != expected_id:
                report.problems.append(f"audit entries {expected_id}-{e.id - 1} are missing")
            if e.prev_hash != prev_hash:
                report.problems.append(f"audit entry {e.id} does not follow the entry before it")
            digest = _entry_hash(
                e.prev_hash, e.id, e.at, e.actor, e.action, e.record_type, e.record_id, e.detail
            )
            if digest != e.hash:
                report.problems.append(f"audit entry {e.id} was altered")
            prev_hash = e.hash
            expected_id = e.id + 1
        with self._read() as conn:
            head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        last = f"{entries[-1].id}:{entries[-1].hash}" if entries else ""
        if head is None or head[0] != last:
            report.problems.append(
                f"the audit log ends at entry {entries[-1].id if entries else 0} but its recorded end is "
                f"{head[0].split(':')[0] if head else 'missing'}: entries were removed from the end"
            )
        self._audit_now(
            "audit_verified", "audit", "*", "ok" if report.ok else f"{len(report.problems)} problems"
        )
        return report

    def export_audit_csv(self, out: TextIO) -> int:
        entries = self.audit_entries()
        writer = csv.writer(out)
        writer.writerow(
            ["id", "at", "actor", "action", "record_type", "record_id", "detail", "prev_hash", "hash"]
        )
        for e in entries:
            writer.writerow(
                [e.id, e.at, e.actor, e.action, e.record_type, e.record_id, e.detail, e.prev_hash, e.hash]
            )
        self._audit_now("audit_exported", "audit", "*", f"{len(entries)} entries")
        return len(entries)

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

    # ------------------------------------------------------------------ patients and consultations
    def add_patient(self, patient: Patient) -> int:
        self._require("write_clinical", "patient", "new")
        with self._write():
            cur = self._conn.execute(
                "INSERT INTO patients (name, name_zh, sex, date_of_birth, mrn, age, placeholder, created_at,"
                " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient.name,
                    patient.name_zh,
                    patient.sex,
                    patient.date_of_birth,
                    patient.mrn,
                    patient.age,
                    int(patient.placeholder),
                    _now(),
                    self.user.id,
                ),
            )
            pid = int(cur.lastrowid)
            self._audit("patient_added", "patient", pid)
        return pid

    def find_patient(self, mrn: str) -> int | None:
        self._require("read_clinical", "patient", "mrn")
        if not mrn:
            return None
        with self._read() as conn:
            row = conn.execute("SELECT id FROM patients WHERE mrn = ? ORDER BY id LIMIT 1", (mrn,)).fetchone()
        return int(row[0]) if row else None

    def patient(self, patient_id: int) -> Patient:
        self._require("read_clinical", "patient", patient_id)
        with self._read() as conn:
            row = conn.execute(
                "SELECT name, name_zh, sex, date_of_birth, mrn, age, placeholder FROM patients WHERE id = ?",
                (patient_id,),
            ).fetchone()
        if row is None:
            raise UsageError(
                f"There is no patient {patient_id}.", "List records with `consult-scribe records list`."
            )
        return Patient(
            name=row[0],
            name_zh=row[1],
            sex=row[2],
            date_of_birth=row[3],
            mrn=row[4],
            age=None if row[5] is None else int(row[5]),
            placeholder=bool(row[6]),
        )

    def create_consultation(
        self,
        patient_id: int,
        *,
        language: str = "",
        consent: bool = False,
        started_at: str | None = None,
        doctor: str | None = None,
    ) -> int:
        """A new consultation; the doctor is the signed-in user unless ``doctor`` names another account."""
        self._require("write_clinical", "consultation", "new")
        with self._write():
            doctor_id = self.user.id
            if doctor and doctor != self.user.username:
                row = self._conn.execute("SELECT id FROM users WHERE username = ?", (doctor,)).fetchone()
                if row is None:
                    raise UsageError(f"There is no account called {doctor}.", "Check the user name.")
                doctor_id = int(row[0])
            now = _now()
            cur = self._conn.execute(
                "INSERT INTO consultations (uid, patient_id, doctor_id, started_at, language, consent,"
                " consent_at,"
                " consent_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    secrets.token_hex(16),
                    patient_id,
                    doctor_id,
                    started_at or now,
                    language,
                    int(consent),
                    now if consent else None,
                    self.user.id if consent else None,
                    now,
                ),
            )
            cid = int(cur.lastrowid)
            self._audit("consultation_created", "consultation", cid, "consent recorded" if consent else "")
        return cid

    def record_consent(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET consent = 1, consent_at = ?, consent_by = ? WHERE id = ?",
                (_now(), self.user.id, consultation_id),
            )
            self._audit("consent_recorded", "consultation", consultation_id)

    def end_consultation(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET ended_at = ? WHERE id = ?", (_now(), consultation_id)
            )
            self._audit("consultation_ended", "consultation", consultation_id)

    def mark_incomplete(self, consultation_id: int, reason: str) -> None:
        """Record that saving this consultation stopped part-way; what was written stays."""
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET incomplete = ? WHERE id = ?", (reason, consultation_id)
            )
            self._audit("consultation_incomplete", "consultation", consultation_id, reason)

    def mark_complete(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute("UPDATE consultations SET incomplete = NULL WHERE id = ?", (consultation_id,))

    def _consultation_row(self, consultation_id: int) -> tuple[Any, ...]:
        with self._read() as conn:
            row = conn.execute(
                "SELECT c.id, c.uid, c.patient_id, u.username, c.started_at, c.ended_at, c.language,"
                " c.consent"
                " FROM consultations c JOIN users u ON u.id = c.doctor_id WHERE c.id = ?",
                (consultation_id,),
            ).fetchone()
        if row is None:
            raise UsageError(
                f"There is no consultation {consultation_id}.",
                "List them with `consult-scribe records list`.",
            )
        return tuple(row)

    @_guarded
    def list_consultations(self) -> list[dict[str, Any]]:
        self._require("read_clinical", "consultation", "*")
        with self._read() as conn:
            rows = conn.execute(
                """SELECT c.id, c.started_at, p.name, p.name_zh, p.mrn, u.username, c.language,
                          (SELECT kind FROM note_versions n WHERE n.consultation_id = c.id
                           ORDER BY version DESC LIMIT 1),
                          (SELECT state FROM audio_journals a WHERE a.consultation_id = c.id)
                   FROM consultations c JOIN patients p ON p.id = c.patient_id
                   JOIN users u ON u.id = c.doctor_id
                   ORDER BY c.started_at DESC, c.id DESC"""
            ).fetchall()
        self._audit_now("records_listed", "consultation", "*", f"{len(rows)} consultations")
        return [
            {
                "id": r[0],
                "started_at": r[1],
                "patient": " ".join(x for x in (r[2], r[3]) if x),
                "mrn": r[4],
                "doctor": r[5],
                "language": r[6],
                "note": r[7] or "",
                "audio": r[8] or "",
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ transcript
    def save_transcript(self, consultation_id: int, transcript: Transcript) -> None:
        """Store the transcript's segments (replacing the previous final transcript of this consultation)."""
        self._require("write_clinical", "consultation", consultation_id)
        self._consultation_row(consultation_id)
        with self._write():
            self._conn.execute(
                "DELETE FROM transcript_segments WHERE consultation_id = ?", (consultation_id,)
            )
            self._conn.executemany(
                'INSERT INTO transcript_segments (consultation_id, seq, segment_id, start, "end", text,'
                " speaker,"
                " speaker_confidence, language, final, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        consultation_id,
                        seq,
                        s.id,
                        s.start,
                        s.end,
                        s.text,
                        s.speaker,
                        s.speaker_confidence,
                        s.language or transcript.language,
                        int(s.final),
                        json.dumps(
                            [[w.start, w.end, w.text, w.probability] for w in s.words], ensure_ascii=False
                        ),
                    )
                    for seq, s in enumerate(transcript.segments)
                ],
            )
            if transcript.language:
                self._conn.execute(
                    "UPDATE consultations SET language = ? WHERE id = ? AND language = ''",
                    (transcript.language, consultation_id),
                )
            self._audit(
                "transcript_saved", "consultation", consultation_id, f"{len(transcript.segments)} segments"
            )

    @_guarded
    def transcript(self, consultation_id: int) -> Transcript:
        self._require("read_clinical", "consultation", consultation_id)
        row = self._consultation_row(consultation_id)
        with self._read() as conn:
            rows = conn.execute(
                'SELECT segment_id, start, "end", text, speaker, speaker_confidence, language, final, words'
                " FROM transcript_segments WHERE consultation_id = ? ORDER BY seq",
                (consultation_id,),
            ).fetchall()
        segments = [
            TranscriptSegment(
                id=r[0],
                start=float(r[1]),
                end=float(r[2]),
                text=r[3],
                speaker=r[4],
                speaker_confidence=r[5],
                language=r[6],
                final=bool(r[7]),
                words=[Word(float(w[0]), float(w[1]), str(w[2]), float(w[3])) for w in json.loads(r[8])],
            )
            for r in rows
        ]
        return Transcript(language=str(row[6]), segments=segments)

    # ------------------------------------------------------------------ notes
    def save_note(self, consultation_id: int, note: SoapNote, *, kind: str = "edit") -> int:
        """Add a version of the note: ``ai_draft`` (the model's draft) or ``edit``. Returns the version."""
        if kind not in ("ai_draft", "edit"):
            raise UsageError(
                f"Unknown note version kind '{kind}'.", "Use ai_draft or edit; sign with sign_note."
            )
        self._require("write_clinical", "note", consultation_id)
        self._consultation_row(consultation_id)
        return self._add_note_version(consultation_id, note, kind)

    def sign_note(self, consultation_id: int, note: SoapNote | None = None) -> int:
        """Sign the note (doctors only): a new ``signed`` version; earlier versions stay as they were."""
        self._require("sign_note", "note", consultation_id)
        self._consultation_row(consultation_id)
        if note is None:
            versions = self._note_rows(consultation_id)
            if not versions:
                raise UsageError("There is no note to sign yet.", "Draft or write the note first.")
            note = versions[-1].note
        return self._add_note_version(consultation_id, note, "signed")

    def _add_note_version(self, consultation_id: int, note: SoapNote, kind: str) -> int:
        with self._write():
            row = self._conn.execute(
                "SELECT coalesce(max(version), 0) FROM note_versions WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
            version = int(row[0]) + 1
            created, content = _now(), json.dumps(_note_dict(note), ensure_ascii=False)
            values = (consultation_id, version, kind, self.user.id, created, content)
            if kind == "signed":
                self._sign("note", f"{consultation_id}:{version}", _note_message(self.store_id, values))
            self._conn.execute(
                "INSERT INTO note_versions (consultation_id, version, kind, author_id, created_at, content)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
            action = {"ai_draft": "note_drafted", "edit": "note_edited", "signed": "note_signed"}[kind]
            self._audit(action, "note", consultation_id, f"version {version}")
        return version

    def _sign(self, record_type: str, record_key: str, message: bytes) -> None:
        """Sign with the signed-in account's key. Call inside ``_write``."""
        if self._account_private is None:
            raise AuthenticationError(
                "Signing needs your password: this session was not opened with it.",
                "Sign out and sign in with your password, then sign again.",
            )
        key = crypto.signing_key(self._account_private)
        self._conn.execute(
            "INSERT INTO signatures (record_type, record_key, signer, public_key, signature)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                record_type,
                record_key,
                self.user.username,
                key.public_key().public_bytes_raw(),
                key.sign(message),
            ),
        )

    def _signature_problems(self, conn: Any) -> list[str]:
        """Every signed note version must carry a signature that checks, by a key its signer holds."""
        problems = []
        signatures = {
            str(r[0]): (str(r[1]), bytes(r[2]), bytes(r[3]))
            for r in conn.execute(
                "SELECT record_key, signer, public_key, signature FROM signatures WHERE record_type = 'note'"
            )
        }
        rows = conn.execute(
            "SELECT consultation_id, version, kind, author_id, created_at, content FROM note_versions"
            " WHERE kind = 'signed' ORDER BY consultation_id, version"
        ).fetchall()
        for row in rows:
            values = (int(row[0]), int(row[1]), str(row[2]), int(row[3]), str(row[4]), str(row[5]))
            where = f"consultation {values[0]}: signed note version {values[1]}"
            found = signatures.get(f"{values[0]}:{values[1]}")
            if found is None:
                problems.append(f"{where} has no signature")
                continue
            signer, public, signature = found
            if not crypto.verify_signature(public, signature, _note_message(self.store_id, values)):
                problems.append(f"{where} was altered after it was signed (its signature does not match)")
                continue
            slot = self._keyfile.slots.get(signer)
            if slot is not None and public not in (slot.signing_public, *slot.previous_signing):
                problems.append(f"{where} is signed with a key that is not {signer}'s")
        return problems

    @_guarded
    def _note_rows(self, consultation_id: int) -> list[NoteVersion]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT n.version, n.kind, u.username, n.created_at, n.content FROM note_versions n"
                " JOIN users u ON u.id = n.author_id WHERE n.consultation_id = ? ORDER BY n.version",
                (consultation_id,),
            ).fetchall()
        return [NoteVersion(int(r[0]), r[1], r[2], r[3], SoapNote.from_dict(json.loads(r[4]))) for r in rows]

    def note_versions(self, consultation_id: int) -> list[NoteVersion]:
        self._require("read_clinical", "note", consultation_id)
        return self._note_rows(consultation_id)

    def note_diff(self, consultation_id: int) -> str:
        """Unified diff from the AI draft to the signed version (or to the latest version if unsigned)."""
        versions = self.note_versions(consultation_id)
        draft = next((v for v in versions if v.kind == "ai_draft"), None)
        signed = [v for v in versions if v.kind == "signed"]
        target = signed[-1] if signed else (versions[-1] if versions else None)
        if draft is None or target is None:
            return ""
        before = draft.note.to_markdown().splitlines(keepends=True)
        after = target.note.to_markdown().splitlines(keepends=True)
        return "".join(
            difflib.unified_diff(
                before,
                after,
                f"AI draft (v{draft.version})",
                f"{target.kind} (v{target.version}, {target.author})",
            )
        )

    # ------------------------------------------------------------------ letters
    def save_letter(
        self,
        consultation_id: int,
        kind: str,
        language: str,
        fields: dict[str, Any],
        rendered: str,
        *,
        letter_id: int | None = None,
        signed: bool = False,
    ) -> tuple[int, int]:
        """Save a letter's new version; returns (letter id, version). Signing a letter needs a doctor."""
        self._require("sign_note" if signed else "write_clinical", "letter", letter_id or consultation_id)
        self._consultation_row(consultation_id)
        with self._write():
            if letter_id is None:
                cur = self._conn.execute(
                    "INSERT INTO letters (consultation_id, kind, language, created_at, created_by) VALUES"
                    " (?, ?, ?, ?, ?)",
                    (consultation_id, kind, language, _now(), self.user.id),
                )
                letter_id = int(cur.lastrowid)
            row = self._conn.execute(
                "SELECT coalesce(max(version), 0) FROM letter_versions WHERE letter_id = ?", (letter_id,)
            ).fetchone()
            version = int(row[0]) + 1
            self._conn.execute(
                "INSERT INTO letter_versions (letter_id, version, author_id, created_at, fields, rendered,"
                " signed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    letter_id,
                    version,
                    self.user.id,
                    _now(),
                    json.dumps(fields, ensure_ascii=False),
                    rendered,
                    int(signed),
                ),
            )
            self._audit(
                "letter_signed" if signed else "letter_saved",
                "letter",
                letter_id,
                f"{kind} version {version}",
            )
        return letter_id, version

    @_guarded
    def letters(self, consultation_id: int) -> list[dict[str, Any]]:
        self._require("read_clinical", "letter", consultation_id)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT l.id, l.kind, l.language, v.version, u.username, v.created_at, v.fields,"
                " v.rendered, v.signed"
                " FROM letters l JOIN letter_versions v ON v.letter_id = l.id JOIN users u ON u.id ="
                " v.author_id"
                " WHERE l.consultation_id = ? ORDER BY l.id, v.version",
                (consultation_id,),
            ).fetchall()
        return [
            {
                "letter_id": r[0],
                "kind": r[1],
                "language": r[2],
                "version": r[3],
                "author": r[4],
                "created_at": r[5],
                "fields": json.loads(r[6]),
                "rendered": r[7],
                "signed": bool(r[8]),
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ whole record
    @_guarded
    def consultation_record(self, consultation_id: int, *, purpose: str = "viewed") -> dict[str, Any]:
        """Everything about one consultation as plain data (for ``records show/export``)."""
        self._require("read_clinical", "consultation", consultation_id)
        row = self._consultation_row(consultation_id)
        patient = self.patient(int(row[2]))
        with self._read() as conn:
            audio = conn.execute(
                "SELECT state, chunks, samples, sample_rate FROM audio_journals WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
        record = {
            "consultation": {
                "id": row[0],
                "doctor": row[3],
                "started_at": row[4],
                "ended_at": row[5],
                "language": row[6],
                "consent": bool(row[7]),
            },
            "patient": patient.to_dict(),
            "transcript": self.transcript(consultation_id).to_dict(),
            "note_versions": [
                {
                    "version": v.version,
                    "kind": v.kind,
                    "author": v.author,
                    "created_at": v.created_at,
                    "note": _note_dict(v.note),
                }
                for v in self.note_versions(consultation_id)
            ],
            "note_diff": self.note_diff(consultation_id),
            "letters": self.letters(consultation_id),
            "audio": None
            if audio is None
            else {"state": audio[0], "chunks": audio[1], "seconds": round(audio[2] / audio[3], 3)},
        }
        self._audit_now(f"record_{purpose}", "consultation", consultation_id)
        return record

    # ------------------------------------------------------------------ audio journal
    def _audio_path(self, uid: str) -> Path:
        return self.directory / AUDIO_DIR / f"{uid}.journal"

    def open_journal(
        self, consultation_id: int, *, chunk_samples: int = journal.CHUNK_SAMPLES
    ) -> journal.AudioJournal:
        """Start (or continue) recording this consultation's audio. The patient's consent must be recorded."""
        self._require("write_clinical", "audio", consultation_id)
        row = self._consultation_row(consultation_id)
        uid, consent = str(row[1]), bool(row[7])
        if not consent:
            raise UsageError(
                f"The patient's consent to recording is not recorded for consultation {consultation_id}.",
                "Record consent before starting the recording.",
            )
        with self._lock:
            if consultation_id in self._open_journals and not self._open_journals[consultation_id].closed:
                raise UsageError(
                    f"Consultation {consultation_id} is already being recorded.", "Stop it first."
                )
            path = self._audio_path(uid)
            path.parent.mkdir(parents=True, exist_ok=True)
            file_lock = journal.JournalLock(path)
            if not file_lock.acquire():
                raise UsageError(
                    f"Consultation {consultation_id} is being recorded by another ConsultScribe window"
                    " or computer.",
                    "Stop that recording first.",
                )
            try:
                key, next_index, next_sample = self._prepare_journal(consultation_id, uid, path)
            except BaseException:
                file_lock.release()
                raise

            def on_close(chunks: int, samples: int) -> None:
                with self._write():
                    self._conn.execute(
                        "UPDATE audio_journals SET state = 'closed', chunks = ?, samples = ?, closed_at = ?"
                        " WHERE consultation_id = ?",
                        (chunks, samples, _now(), consultation_id),
                    )
                    self._audit(
                        "audio_closed", "audio", consultation_id, f"{chunks} chunks, {samples} samples"
                    )
                    self._open_journals.pop(consultation_id, None)

            writer = journal.AudioJournal(
                path,
                uid,
                key,
                chunk_samples=chunk_samples,
                next_index=next_index,
                next_sample=next_sample,
                on_close=on_close,
                lock=file_lock,
            )
            self._open_journals[consultation_id] = writer
            return writer

    def _prepare_journal(self, consultation_id: int, uid: str, path: Path) -> tuple[bytes, int, int]:
        """Create the journal's row and data key, or get a closed/recovered journal ready to continue."""
        next_index = next_sample = 0
        with self._write():
            existing = self._conn.execute(
                "SELECT data_key, state FROM audio_journals WHERE consultation_id = ?", (consultation_id,)
            ).fetchone()
            if existing is None:
                key = crypto.random_key()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._conn.execute(
                    "INSERT INTO audio_journals (consultation_id, file, data_key, state, sample_rate,"
                    " opened_at)"
                    " VALUES (?, ?, ?, 'open', ?, ?)",
                    (consultation_id, path.name, key, journal.SAMPLE_RATE, _now()),
                )
                # The recording stays recoverable with the recovery key if the database is lost.
                salvage.write_escrow(self._keyfile, path, uid, key)
                self._audit("audio_started", "audio", consultation_id)
            elif existing[1] == "purged":
                raise UsageError(
                    f"The audio of consultation {consultation_id} was destroyed under the retention policy.",
                    "Start a new consultation to record again.",
                )
            else:
                key = bytes(existing[0])
                found = self._scan_or_raise(consultation_id, path, key, uid)
                if found.problem is not None and found.problem.kind != "truncated":
                    raise StoreDamagedError(
                        f"Consultation {consultation_id}: {found.problem}.",
                        "The recording cannot be continued; start a new consultation.",
                    )
                _truncate(path, found.good_end)  # drops the end record (or a torn tail) before appending
                next_index = len(found.chunks)
                next_sample = _samples_after(found)
                self._conn.execute(
                    "UPDATE audio_journals SET state = 'open', closed_at = NULL WHERE consultation_id = ?",
                    (consultation_id,),
                )
                self._audit("audio_resumed", "audio", consultation_id)
        return key, next_index, next_sample

    def _journal_info(self, consultation_id: int) -> tuple[str, bytes | None, str, int, int]:
        row = self._consultation_row(consultation_id)
        with self._read() as conn:
            j = conn.execute(
                "SELECT data_key, state, chunks, samples FROM audio_journals WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
        if j is None:
            raise UsageError(f"Consultation {consultation_id} has no recorded audio.", "")
        return str(row[1]), (bytes(j[0]) if j[0] is not None else None), str(j[1]), int(j[2]), int(j[3])

    def _scan_or_raise(self, consultation_id: int, path: Path, key: bytes, uid: str) -> journal.Scan:
        if not path.exists():
            raise StoreDamagedError(
                f"The audio file of consultation {consultation_id} is missing.",
                "Restore the store from a backup.",
            )
        try:
            return journal.scan(path, key, uid)
        except journal.JournalError as exc:
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {exc}.", "Restore the audio file from a backup."
            ) from exc

    def verify_audio(self, consultation_id: int) -> journal.Scan:
        """Check every chunk; raise StoreDamagedError naming the first bad chunk."""
        self._require("read_clinical", "audio", consultation_id)
        uid, key, state, chunks, _samples = self._journal_info(consultation_id)
        if key is None:
            raise UsageError(
                f"The audio of consultation {consultation_id} was destroyed (retention policy).", ""
            )
        found = self._scan_or_raise(consultation_id, self._audio_path(uid), key, uid)
        problem = found.problem
        if problem is not None and not (state == "open" and problem.kind == "truncated"):
            self._audit_now("audio_damaged", "audio", consultation_id, str(problem))
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {problem}.", "Restore the audio file from a backup."
            )
        if state == "closed" and (not found.closed or len(found.chunks) != chunks):
            message = (
                f"Consultation {consultation_id}: the audio ends after chunk {len(found.chunks) - 1}"
                f" but {chunks} chunks were recorded (the file was cut short)."
            )
            self._audit_now("audio_damaged", "audio", consultation_id, "truncated")
            raise StoreDamagedError(message, "Restore the audio file from a backup.")
        return found

    def read_audio(
        self, consultation_id: int, start_s: float | None = None, end_s: float | None = None
    ) -> np.ndarray:
        """The consultation's audio (float32, 16 kHz mono), optionally from ``start_s`` to ``end_s``.

        While the journal is being written, returns what is sealed so far.
        """
        found = self.verify_audio(consultation_id)
        self._audit_now("audio_read", "audio", consultation_id)
        return journal.read_samples(found, start_s, end_s)

    def salvage_audio(self, consultation_id: int) -> tuple[np.ndarray, list[str]]:
        """Every intact chunk of a damaged recording (silence where a chunk failed), and what is missing.

        For exports: a damaged chunk loses one second, not the whole consultation.
        """
        self._require("read_clinical", "audio", consultation_id)
        uid, key, _state, _chunks, _samples = self._journal_info(consultation_id)
        if key is None:
            raise UsageError(
                f"The audio of consultation {consultation_id} was destroyed (retention policy).", ""
            )
        path = self._audio_path(uid)
        if not path.exists():
            raise StoreDamagedError(
                f"The audio file of consultation {consultation_id} is missing.",
                "Restore the store from a backup.",
            )
        try:
            found = journal.scan(path, key, uid, salvage=True)
        except journal.JournalError as exc:
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {exc}.", "Restore the audio file from a backup."
            ) from exc
        gaps = []
        rate = found.sample_rate
        for index in found.skipped:
            gaps.append(f"chunk {index} failed its integrity check")
        if found.problem is not None and found.problem.chunk not in found.skipped:
            gaps.append(f"{found.problem} (nothing after it could be read)")
        samples = journal.read_samples(found)
        self._audit_now("audio_read", "audio", consultation_id, f"salvaged, {len(gaps)} gap(s)")
        log.info("salvaged %.1f s of audio with %d gap(s)", samples.size / rate, len(gaps))
        return samples, gaps

    def recover_journals(self) -> list[RecoveredJournal]:
        """Close journals left open by a crash, keeping every chunk up to the last good one.

        A journal whose writer is still alive (another window or process holds its lock) is left alone.
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.consultation_id, c.uid, a.data_key, a.sample_rate FROM audio_journals a"
                " JOIN consultations c ON c.id = a.consultation_id WHERE a.state = 'open'"
            ).fetchall()
        recovered: list[RecoveredJournal] = []
        for cid, uid, key, rate in rows:
            if cid in self._open_journals:
                continue
            path = self._audio_path(uid)
            file_lock = journal.JournalLock(path)
            if not file_lock.acquire():
                log.info("audio journal of consultation %s is being recorded by another process", cid)
                continue
            try:
                done = self._recover_one(int(cid), str(uid), bytes(key), int(rate), path)
            finally:
                file_lock.release()
            if done is not None:
                recovered.append(done)
        return recovered

    def _recover_one(self, cid: int, uid: str, key: bytes, rate: int, path: Path) -> RecoveredJournal | None:
        try:
            if not path.exists():
                # The crash came before the header reached the disk: an empty journal.
                with open(path, "wb") as fh:
                    fh.write(journal.header_bytes(uid, rate))
            found = journal.scan(path, key, uid)
        except (journal.JournalError, OSError) as exc:
            log.warning("audio journal of consultation %s cannot be recovered: %s", cid, exc)
            self._audit_now("audio_recovery_failed", "audio", cid, str(exc))
            return None
        if found.problem is not None and found.problem.kind != "truncated":
            log.warning("audio journal of consultation %s is damaged at chunk %s", cid, found.problem.chunk)
            self._audit_now("audio_recovery_failed", "audio", cid, str(found.problem))
            return None
        samples = _samples_after(found)
        if not found.closed:
            _truncate(path, found.good_end)
            with open(path, "ab") as fh:
                fh.write(journal.seal_end(key, uid, len(found.chunks), samples))
                fh.flush()
                os.fsync(fh.fileno())
        with self._write():
            self._conn.execute(
                "UPDATE audio_journals SET state = 'closed', chunks = ?, samples = ?, closed_at = ?"
                " WHERE consultation_id = ?",
                (len(found.chunks), samples, _now(), cid),
            )
            self._audit("audio_recovered", "audio", cid, f"{len(found.chunks)} chunks, {samples} samples")
        return RecoveredJournal(cid, len(found.chunks), samples / rate)

    def destroy_audio(self, consultation_id: int, reason: str = "retention") -> None:
        """Delete the consultation's data key (the audio becomes unreadable) and its file."""
        self._require("purge", "audio", consultation_id)
        self._destroy_audio(consultation_id, reason)

    def _destroy_audio(self, consultation_id: int, reason: str) -> None:
        uid = str(self._consultation_row(consultation_id)[1])
        with self._write():
            self._conn.execute(
                "UPDATE audio_journals SET data_key = NULL, state = 'purged', purged_at = ? WHERE"
                " consultation_id = ?",
                (_now(), consultation_id),
            )
            self._audit("audio_destroyed", "audio", consultation_id, reason)
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the key's old page leaves the WAL too
        audio = self._audio_path(uid)
        for leftover in (audio, journal.JournalLock(audio).path, salvage.escrow_path(audio)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()

    def purge(self, older_than_days: int | None = None, *, now: datetime | None = None) -> list[int]:
        """Destroy the audio of consultations older than the retention period (policy ``retention_days``)."""
        self._require("purge", "audio", "*")
        return self._purge(older_than_days, now)

    def apply_retention(self, *, now: datetime | None = None) -> list[int]:
        """The clinic's retention rule, applied for whoever is signed in (the app does it at sign-in).

        Only the policy's ``retention_days`` counts (no override: that is :meth:`purge`, for
        administrators). Each destroyed recording is audited; a run that finds nothing writes nothing.
        """
        days = int(self.policy()["retention_days"])
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="milliseconds")
        with self._read() as conn:
            (due,) = conn.execute(
                "SELECT COUNT(*) FROM audio_journals a JOIN consultations c ON c.id = a.consultation_id"
                " WHERE a.state != 'purged' AND c.started_at < ?",
                (cutoff,),
            ).fetchone()
        return self._purge(None, now) if due else []

    def _purge(self, older_than_days: int | None, now: datetime | None) -> list[int]:
        days = int(self.policy()["retention_days"]) if older_than_days is None else int(older_than_days)
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="milliseconds")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.consultation_id FROM audio_journals a JOIN consultations c ON c.id ="
                " a.consultation_id"
                " WHERE a.state != 'purged' AND c.started_at < ? ORDER BY a.consultation_id",
                (cutoff,),
            ).fetchall()
        purged = []
        for (cid,) in rows:
            if cid in self._open_journals:
                continue
            self._destroy_audio(int(cid), f"retention {days} days")
            purged.append(int(cid))
        self._audit_now(
            "purge_run", "audio", "*", f"{len(purged)} recordings destroyed, retention {days} days"
        )
        return purged

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

    # ------------------------------------------------------------------ voice profiles
    def _user_id(self, username: str) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise UsageError(f"There is no account called {username}.", "Check the user name.")
        return int(row[0])

    def save_voice_profile(self, username: str, profile: bytes) -> None:
        """Store a clinician's voice profile (the clinician themself, or an administrator)."""
        if username != self.user.username and not self.user.can("manage_users"):
            self._deny("save_voice_profile", "voice_profile", username)
        uid = self._user_id(username)
        with self._write():
            self._conn.execute(
                "INSERT INTO voice_profiles (user_id, profile, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET profile = excluded.profile, created_at ="
                " excluded.created_at",
                (uid, bytes(profile), _now()),
            )
            self._audit("voice_profile_saved", "voice_profile", username, f"{len(profile)} bytes")

    def load_voice_profile(self, username: str) -> bytes | None:
        """A clinician's voice profile, for speaker labelling (clinical accounts only)."""
        if not self.user.is_clinician:
            self._deny("read_clinical", "voice_profile", username)
        uid = self._user_id(username)
        with self._read() as conn:
            row = conn.execute("SELECT profile FROM voice_profiles WHERE user_id = ?", (uid,)).fetchone()
        return bytes(row[0]) if row else None

    def delete_voice_profile(self, username: str) -> bool:
        """Delete a voice profile: only the clinician themself or an administrator."""
        if username != self.user.username and not self.user.can("manage_users"):
            self._deny("delete_voice_profile", "voice_profile", username)
        uid = self._user_id(username)
        with self._write():
            cur = self._conn.execute("DELETE FROM voice_profiles WHERE user_id = ?", (uid,))
            self._audit("voice_profile_deleted", "voice_profile", username)
        return bool(cur.rowcount)


_ACTION_WORDS = {
    "read_clinical": "read clinical records",
    "write_clinical": "change clinical records",
    "sign_note": "sign notes or letters",
    "manage_users": "manage user accounts",
    "manage_policy": "change the clinic policy",
    "read_audit": "read the audit log",
    "purge": "destroy recordings",
    "rekey": "change the database key",
    "keyring_unlock": "sign in with the keyring",
    "save_voice_profile": "change another person's voice profile",
    "delete_voice_profile": "delete another person's voice profile",
}


def _note_dict(note: SoapNote) -> dict[str, Any]:
    data = note.to_dict()
    for name, st in note.statements():
        if st.accepted:
            index = note.section(name).index(st)
            data[name][index]["accepted"] = True
    return data


def _samples_after(found: journal.Scan) -> int:
    if not found.chunks:
        return 0
    last = found.chunks[-1]
    return last.start_sample + journal.decode_chunk(last.encoded).size


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(size)
        fh.flush()
        os.fsync(fh.fileno())


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise UsageError(
            f"'{username}' is not a usable user name.",
            "Use letters, digits and . _ - @ (at most 64 characters).",
        )


def _check_new_password(password: str) -> None:
    if len(password) < 8:
        raise UsageError("The password is too short.", "Use at least 8 characters.")


KEYRING_SERVICE = "ConsultScribe"


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


def _damaged(directory: Path) -> StoreDamagedError:
    return StoreDamagedError(
        f"The record store in {directory} is damaged and cannot be opened.",
        "Nothing was changed. Restore the folder from the latest backup and contact support.",
    )


def _load_keyfile(directory: Path) -> KeyFile:
    keys = directory / KEYS_FILE
    if not keys.exists():
        if (directory / DB_FILE).exists():
            raise StoreDamagedError(
                f"The key file of the record store in {directory} is missing.",
                "Restore keys.json from the latest backup.",
            )
        raise UsageError(
            f"There is no record store in {directory}.", "Create one with `consult-scribe admin init`."
        )
    try:
        return KeyFile.load(keys)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreDamagedError(
            f"The key file of the record store in {directory} is damaged.",
            "Restore keys.json from the latest backup.",
        ) from exc


def _note_message(store_id: str, values: tuple[int, int, str, int, str, str]) -> bytes:
    """What a note version's signature covers: where it belongs, who wrote it when, and its content."""
    cid, version, kind, author, created, content = values
    head = f"consultscribe-note\0{store_id}\0{cid}\0{version}\0{kind}\0{author}\0{created}\0"
    return head.encode("utf-8") + content.encode("utf-8")


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
