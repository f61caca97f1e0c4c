"""Schema and migrations, versioned with ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``. Each step runs in one
transaction together with the version bump, so an interrupted upgrade leaves the previous
version intact. Never edit a released step: append a new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from desktop.core.permissions import ROLES as ROLES

NOTE_KINDS: tuple[str, ...] = ("ai_draft", "edit", "signed")

_APPEND_ONLY = "SELECT RAISE(ABORT, '{what} is append-only: add a new entry instead');"

V1_ACCOUNTS = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        roles TEXT NOT NULL,
        registration_no TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        record_type TEXT NOT NULL DEFAULT '',
        record_id TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN "
    + _APPEND_ONLY.format(what="the audit log")
    + " END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN "
    + _APPEND_ONLY.format(what="the audit log")
    + " END",
    "CREATE TABLE policy (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]

V2_CLINICAL = [
    """CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        name_zh TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT '',
        date_of_birth TEXT NOT NULL DEFAULT '',
        mrn TEXT NOT NULL DEFAULT '',
        age INTEGER,
        placeholder INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id)
    )""",
    "CREATE INDEX patients_mrn ON patients(mrn)",
    """CREATE TABLE consultations (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        doctor_id INTEGER NOT NULL REFERENCES users(id),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        language TEXT NOT NULL DEFAULT '',
        consent INTEGER NOT NULL DEFAULT 0,
        consent_at TEXT,
        consent_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE transcript_segments (
        consultation_id INTEGER NOT NULL REFERENCES consultations(id),
        seq INTEGER NOT NULL,
        segment_id TEXT NOT NULL,
        start REAL NOT NULL,
        "end" REAL NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT NOT NULL DEFAULT 'unknown',
        speaker_confidence REAL,
        language TEXT NOT NULL DEFAULT '',
        final INTEGER NOT NULL DEFAULT 1,
        words TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (consultation_id, seq)
    )""",
    """CREATE TABLE note_versions (
        id INTEGER PRIMARY KEY,
        consultation_id INTEGER NOT NULL REFERENCES consultations(id),
        version INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ai_draft', 'edit', 'signed')),
        author_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        content TEXT NOT NULL,
        UNIQUE (consultation_id, version)
    )""",
    "CREATE TRIGGER note_versions_no_update BEFORE UPDATE ON note_versions BEGIN "
    + _APPEND_ONLY.format(what="the note history")
    + " END",
]

V3_LETTERS = [
    """CREATE TABLE letters (
        id INTEGER PRIMARY KEY,
        consultation_id INTEGER NOT NULL REFERENCES consultations(id),
        kind TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id)
    )""",
    """CREATE TABLE letter_versions (
        id INTEGER PRIMARY KEY,
        letter_id INTEGER NOT NULL REFERENCES letters(id),
        version INTEGER NOT NULL,
        author_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '{}',
        rendered TEXT NOT NULL DEFAULT '',
        signed INTEGER NOT NULL DEFAULT 0,
        UNIQUE (letter_id, version)
    )""",
    "CREATE TRIGGER letter_versions_no_update BEFORE UPDATE ON letter_versions BEGIN "
    + _APPEND_ONLY.format(what="the letter history")
    + " END",
]

V4_AUDIO_AND_VOICES = [
    """CREATE TABLE audio_journals (
        consultation_id INTEGER PRIMARY KEY REFERENCES consultations(id),
        file TEXT NOT NULL,
        data_key BLOB,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'purged')),
        sample_rate INTEGER NOT NULL,
        chunks INTEGER NOT NULL DEFAULT 0,
        samples INTEGER NOT NULL DEFAULT 0,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        purged_at TEXT
    )""",
    """CREATE TABLE voice_profiles (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        profile BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
]

# A consultation whose saving stopped part-way (a full disk, a failed job) says why here; NULL
# when it is complete. `verify-store` reports every such record.
# ``counters`` keeps numbers the store checks files outside the database against (the sign-in
# throttle's sequence of failed attempts).
V5_INCOMPLETE = [
    "ALTER TABLE consultations ADD COLUMN incomplete TEXT",
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    # A signed note version, signed with the signer's account key (which only their password
    # unwraps): editing it, even with the database key, breaks the signature.
    """CREATE TABLE signatures (
        record_type TEXT NOT NULL,
        record_key TEXT NOT NULL,
        signer TEXT NOT NULL,
        public_key BLOB NOT NULL,
        signature BLOB NOT NULL,
        PRIMARY KEY (record_type, record_key)
    )""",
    "CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures BEGIN "
    + _APPEND_ONLY.format(what="the signatures")
    + " END",
]


# Pre-consultation intake: one row per patient code. Only hashes of the code and of the
# browser's session token are kept; the chat, the answers and the confirmed summary are JSON
# and text inside the encrypted database like every other record.
V6_INTAKE = [
    """CREATE TABLE intake_sessions (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        code_hash TEXT NOT NULL UNIQUE,
        token_hash TEXT UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('issued', 'open', 'confirmed', 'cancelled')),
        language TEXT NOT NULL DEFAULT '',
        consultation_id INTEGER REFERENCES consultations(id),
        created_at TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id),
        expires_at TEXT NOT NULL,
        opened_at TEXT,
        confirmed_at TEXT,
        chat TEXT NOT NULL DEFAULT '[]',
        answers TEXT NOT NULL DEFAULT '{}',
        summary TEXT NOT NULL DEFAULT '',
        category INTEGER CHECK (category IN (1, 2, 3)),
        category_source TEXT NOT NULL DEFAULT '',
        category_reason TEXT NOT NULL DEFAULT '',
        category_by INTEGER REFERENCES users(id),
        category_at TEXT
    )""",
    "CREATE INDEX intake_sessions_created ON intake_sessions(created_at)",
]


# A consultation can be cancelled (kept whole, read-only) or deleted (its transcript, drafts and
# audio removed; the row stays as a tombstone so the audit trail still names it). New accounts and
# passwords an administrator reset must be changed at the next sign-in. A Category 1 intake's
# alert stays on every desk until someone acknowledges it.
V7_LIFECYCLE = [
    "ALTER TABLE consultations ADD COLUMN state TEXT NOT NULL DEFAULT 'open'"
    " CHECK (state IN ('open', 'cancelled', 'deleted'))",
    "ALTER TABLE consultations ADD COLUMN closed_at TEXT",
    "ALTER TABLE consultations ADD COLUMN closed_by INTEGER REFERENCES users(id)",
    "ALTER TABLE consultations ADD COLUMN close_reason TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE intake_sessions ADD COLUMN alert_ack_by INTEGER REFERENCES users(id)",
    "ALTER TABLE intake_sessions ADD COLUMN alert_ack_at TEXT",
    "CREATE INDEX patients_name ON patients(name)",
    "CREATE INDEX intake_sessions_consultation ON intake_sessions(consultation_id)",
]


def expected_triggers() -> dict[str, str]:
    """Every safeguard trigger the schema creates, by name, with the statement that makes it."""
    found: dict[str, str] = {}
    for step in MIGRATIONS:
        for statement in step:
            match = re.match(r"CREATE TRIGGER (\w+)", statement)
            if match:
                found[match.group(1)] = statement
    return found


def restore_triggers(conn: Any) -> list[str]:
    """Re-create safeguard triggers that were dropped; returns their names."""
    present = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    restored = []
    for name, statement in expected_triggers().items():
        if name not in present:
            conn.execute(statement)
            restored.append(name)
    if restored:
        conn.commit()
    return restored


MIGRATIONS: tuple[Sequence[str], ...] = (
    V1_ACCOUNTS,
    V2_CLINICAL,
    V3_LETTERS,
    V4_AUDIO_AND_VOICES,
    V5_INCOMPLETE,
    V6_INTAKE,
    V7_LIFECYCLE,
)
LATEST = len(MIGRATIONS)


def current_version(conn: Any) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Any, target: int = LATEST) -> list[int]:
    """Apply the missing steps up to ``target``; returns the versions reached, in order.

    Raises ``ValueError`` for a database newer than this program (opened by a later release).
    """
    version = current_version(conn)
    if version > LATEST:
        raise ValueError(f"database version {version} is newer than this program ({LATEST})")
    reached: list[int] = []
    while version < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version += 1
        reached.append(version)
    return reached
