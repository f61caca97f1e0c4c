"""Schema migrations: from an empty file and from every earlier version, keeping the data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import UsageError
from desktop.storage import driver, schema
from desktop.storage.store import Store
from tests.unit.storage.conftest import PASSWORDS, make_store

KEY = bytes(range(32))


def _schema_sql(conn: object) -> list[tuple[str, str]]:
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _fresh(path: Path, version: int) -> object:
    conn = driver.connect(path, KEY, create=True)
    schema.migrate(conn, target=version)
    return conn


def _seed(conn: object, version: int, n: int, text: str) -> None:
    """Rows in every table that exists at ``version``."""
    ex = conn.execute  # type: ignore[attr-defined]
    ex("BEGIN")
    if version >= 1:
        for i in range(n):
            ex(
                "INSERT INTO users (username, display_name, roles, created_at) VALUES (?, ?, 'doctor', 't')",
                (f"u{i}", text),
            )
        ex("INSERT INTO policy (key, value) VALUES ('retention_days', '30')")
    if version >= 2:
        for i in range(n):
            ex("INSERT INTO patients (name, created_at) VALUES (?, 't')", (text,))
            ex(
                "INSERT INTO consultations (uid, patient_id, doctor_id, started_at, created_at)"
                " VALUES (?, ?, ?, 't', 't')",
                (f"c{i}", i + 1, i + 1),
            )
            ex(
                'INSERT INTO transcript_segments (consultation_id, seq, segment_id, start, "end", text)'
                " VALUES (?, 0, 's', 0, 1, ?)",
                (i + 1, text),
            )
    if version >= 3:
        for i in range(n):
            ex(
                "INSERT INTO letters (consultation_id, kind, created_at, created_by)"
                " VALUES (?, 'sick', 't', ?)",
                (i + 1, i + 1),
            )
    ex("COMMIT")


def _check_seed(conn: object, version: int, n: int, text: str) -> None:
    ex = conn.execute  # type: ignore[attr-defined]
    if version >= 1:
        assert ex("SELECT count(*) FROM users WHERE display_name = ?", (text,)).fetchone()[0] == n
    if version >= 2:
        assert [r[0] for r in ex("SELECT text FROM transcript_segments ORDER BY consultation_id")] == [
            text
        ] * n
    if version >= 3:
        assert ex("SELECT count(*) FROM letters").fetchone()[0] == n


def test_from_empty_reaches_latest(tmp_path: Path) -> None:
    conn = _fresh(tmp_path / "a.db", schema.LATEST)
    assert schema.current_version(conn) == schema.LATEST
    assert schema.migrate(conn) == []  # idempotent
    names = {name for name, _ in _schema_sql(conn)}
    assert {
        "users",
        "audit",
        "patients",
        "consultations",
        "transcript_segments",
        "note_versions",
        "letters",
        "letter_versions",
        "audio_journals",
        "voice_profiles",
        "policy",
    } <= names


@pytest.mark.parametrize("start", range(0, schema.LATEST))
def test_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    reference = _schema_sql(_fresh(tmp_path / "ref.db", schema.LATEST))
    conn = _fresh(tmp_path / "old.db", start)
    _seed(conn, start, 3, "kept")
    assert schema.migrate(conn) == list(range(start + 1, schema.LATEST + 1))
    assert _schema_sql(conn) == reference
    _check_seed(conn, start, 3, "kept")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, schema.LATEST), rows=st.integers(0, 5), text=st.text(max_size=40))
def test_migration_preserves_any_data(start: int, rows: int, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        conn = _fresh(Path(tmp) / "p.db", start)
        _seed(conn, start, rows, text)
        schema.migrate(conn)
        assert schema.current_version(conn) == schema.LATEST
        _check_seed(conn, start, rows, text)
        conn.close()  # type: ignore[attr-defined]


def test_failed_step_leaves_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _fresh(tmp_path / "f.db", 1)
    broken = (*schema.MIGRATIONS[:1], ["CREATE TABLE half (x)", "THIS IS NOT SQL"], *schema.MIGRATIONS[2:])
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    with pytest.raises(driver.OperationalError):
        schema.migrate(conn)
    assert schema.current_version(conn) == 1
    assert "half" not in {name for name, _ in _schema_sql(conn)}


def test_store_written_by_newer_program_is_refused(tmp_path: Path) -> None:
    setup = make_store(tmp_path / "s")
    store = setup.open("it")
    store._conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    store.close()
    with pytest.raises(UsageError, match="newer version"):
        Store.open(setup.directory, "it", PASSWORDS["it"])
