"""What every part of the record store shares: the connection and its lock, write and read
transactions, damage reporting, the hash-chained audit entry, role checks and the clinic policy.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, TypeVar

from desktop.core import permissions
from desktop.core.errors import (
    PermissionDeniedError,
    StoreDamagedError,
    UsageError,
    UserFacingError,
)
from desktop.core.permissions import ACTION_WORDS
from desktop.core.types import SoapNote
from desktop.storage import driver, journal
from desktop.storage.keyfile import KeyFile
from desktop.storage.layout import DB_FILE, KEYS_FILE

log = logging.getLogger(__name__)

NEXT_KEYS_FILE = "keys.next.json"
INBOX_FILE = "sign-in-failures"
FAILURES_COUNTER = "failed_sign_ins_recorded"
MAX_INBOX_BYTES = 1024 * 1024  # a flood of wrong passwords cannot fill the disk
QUICK_CHECK_LIMIT = 64 * 1024 * 1024  # database bytes checked in full at sign-in (about half a second)

GENESIS = "0" * 64

POLICY_DEFAULTS: dict[str, Any] = {
    "letterhead": {"name": "", "name_zh": "", "address": "", "phone": ""},
    "retention_days": 365 * 7,
    "auto_lock_minutes": 10,
    "default_language": "auto",
    "default_script": "hk",
    "models": {"asr": "whisper-base", "llm": "qwen2.5-coder-1.5b-instruct"},
    "keyring_unlock": False,
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    registration_no: str = ""
    # A new account, or a password an administrator reset: the app asks for a new one first.
    must_change_password: bool = False

    def can(self, action: str) -> bool:
        return permissions.can(self.roles, action)

    @property
    def is_clinician(self) -> bool:
        return bool(self.roles & permissions.CLINICAL_ROLES)


@dataclass
class NoteVersion:
    version: int
    kind: str
    author: str
    created_at: str
    note: SoapNote
    author_name: str = ""  # the account's display name ("Dr CHAN Tai Man"), for people to read


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
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        with self._damage_guard():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _entry_hash(
    prev_hash: str, entry_id: int, at: str, actor: str, action: str, rtype: str, rid: str, detail: str
) -> str:
    fields = [prev_hash, str(entry_id), at, actor, action, rtype, rid, detail]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def make_private(directory: Path) -> None:
    """The store's folders 0700 and its files 0600 (owner only); other users on the PC see nothing."""
    for path in [directory, *directory.rglob("*")]:
        try:
            if path.is_symlink():
                continue
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
        except OSError:
            log.warning("could not make a store file private")


class StoreBase:
    """The unlocked connection and what every part of the store shares: locking, damage, audit, roles."""

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

    def __enter__(self) -> Self:
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
            f"Your account ({self.user.username}) is not allowed to {ACTION_WORDS.get(action, action)}.",
            "Ask a colleague with the right role, or an administrator.",
        )

    def _require(self, action: str, record_type: str = "", record_id: object = "") -> None:
        if not self.user.can(action):
            self._deny(action, record_type, record_id)

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

    def _consultation_row(self, consultation_id: int) -> tuple[Any, ...]:
        with self._read() as conn:
            row = conn.execute(
                "SELECT c.id, c.uid, c.patient_id, u.username, c.started_at, c.ended_at, c.language,"
                " c.consent, c.state"
                " FROM consultations c JOIN users u ON u.id = c.doctor_id WHERE c.id = ?",
                (consultation_id,),
            ).fetchone()
        if row is None:
            raise UsageError(
                f"There is no consultation {consultation_id}.",
                "List them with `consult-scribe records list`.",
            )
        if row[8] == "deleted":
            raise UsageError(
                f"Consultation {consultation_id} was deleted; only its audit trail remains.",
                "Start a new consultation for the patient.",
            )
        return tuple(row)

    def _writable_consultation(self, consultation_id: int) -> tuple[Any, ...]:
        """The consultation's row, when it may still change (not cancelled, not deleted)."""
        row = self._consultation_row(consultation_id)
        if row[8] != "open":
            raise UsageError(
                f"Consultation {consultation_id} is cancelled; it is kept as it was, read-only.",
                "Reopen it first if it was cancelled by mistake.",
            )
        return row

    def _user_id(self, username: str) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise UsageError(f"There is no account called {username}.", "Check the user name.")
        return int(row[0])


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
