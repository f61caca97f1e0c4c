"""sqlcipher3 under sqlite-utils: its exceptions must be the ones sqlite-utils catches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils.utils

from desktop.storage import driver

KEY = bytes(range(32))


@pytest.fixture
def db(tmp_path: Path) -> driver.Database:
    return driver.Database(driver.connect(tmp_path / "t.db", KEY, create=True))


def test_file_is_encrypted_and_needs_the_key(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = driver.connect(path, KEY, create=True)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("INSERT INTO t VALUES ('distinctive-plaintext')")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"distinctive-plaintext" not in raw
    with pytest.raises(driver.DatabaseError):
        driver.connect(path, bytes(32))
    conn = driver.connect(path, KEY)
    assert conn.execute("SELECT x FROM t").fetchall() == [("distinctive-plaintext",)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_sqlite_utils_catches_sqlcipher_exceptions(db: driver.Database) -> None:
    assert sqlite_utils.utils.OperationalError is driver.OperationalError
    db["missing"].drop(ignore=True)  # raises without the binding
    db.create_view("v", "SELECT 1 AS one")
    db["v"].drop(ignore=True)
    db["v"].drop(ignore=True)
    assert db.view_names() == []
    db["people"].insert({"id": 1, "name": "a"}, pk="id")
    db["people"].insert({"id": 1, "name": "b"}, pk="id", ignore=True)
    assert list(db["people"].rows) == [{"id": 1, "name": "a"}]
    db["people"].insert({"id": 1, "name": "c"}, pk="id", replace=True)
    assert list(db["people"].rows) == [{"id": 1, "name": "c"}]
    db["people"].create_index(["name"], if_not_exists=True)
    db["people"].create_index(["name"], if_not_exists=True)
    assert db["people"].exists() and not db["nope"].exists()
    with pytest.raises(sqlite_utils.utils.OperationalError):
        db.execute("SELECT * FROM nope")


def test_binding_holds_when_sqlite_utils_was_imported_first(tmp_path: Path) -> None:
    code = (
        "import sqlite_utils, sqlite3, pathlib\n"
        "assert sqlite_utils.utils.OperationalError is sqlite3.OperationalError\n"
        "from desktop.storage import driver\n"
        f"path = pathlib.Path({str(tmp_path / 'x.db')!r})\n"
        "db = driver.Database(driver.connect(path, bytes(32), create=True))\n"
        "db['missing'].drop(ignore=True)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_atomic_rolls_back_on_encrypted_db(db: driver.Database) -> None:
    db["t"].insert({"id": 1}, pk="id")
    with pytest.raises(driver.IntegrityError), db.atomic():
        db["t"].insert({"id": 2})
        db.execute("INSERT INTO t (id) VALUES (1)")
    assert [r["id"] for r in db["t"].rows] == [1]
