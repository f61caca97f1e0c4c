"""SQLCipher through sqlite-utils.

sqlite-utils catches the DB-API exceptions of the driver module it imported
(``sqlite3.OperationalError`` and friends). sqlcipher3 raises its own classes, which are
not subclasses of the standard library's, so without help ``drop(ignore=True)`` and the
other "tolerate a missing table" paths of sqlite-utils would let the exception escape.
sqlite-utils looks for ``pysqlite3`` before the standard library; registering sqlcipher3
under that name makes the library catch the exceptions our connections raise. When
sqlite-utils was imported earlier (with the standard library), the same names are rebound
in its modules so the result does not depend on import order.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlcipher3 import dbapi2

DatabaseError = dbapi2.DatabaseError
OperationalError = dbapi2.OperationalError
IntegrityError = dbapi2.IntegrityError
Connection = dbapi2.Connection


def _bind_sqlite_utils() -> None:
    already_loaded = "sqlite_utils.utils" in sys.modules
    sys.modules.setdefault("pysqlite3", sqlcipher3)
    sys.modules.setdefault("pysqlite3.dbapi2", dbapi2)
    import sqlite_utils.db
    import sqlite_utils.utils

    if already_loaded or sqlite_utils.utils.OperationalError is not OperationalError:
        for module in (sqlite_utils.utils, sqlite_utils.db):
            setattr(module, "sqlite3", sqlcipher3)  # noqa: B010
            setattr(module, "OperationalError", OperationalError)  # noqa: B010
        setattr(sqlite_utils.utils, "dbapi2", dbapi2)  # noqa: B010


_bind_sqlite_utils()

import sqlite_utils  # noqa: E402  (after the binding above, on purpose)

Database = sqlite_utils.Database


def key_pragma_value(key: bytes) -> str:
    """A raw 256-bit key for ``PRAGMA key``/``rekey``: used as is, without SQLCipher's own KDF."""
    if len(key) != 32:
        raise ValueError("database keys are 32 bytes")
    return f"\"x'{key.hex()}'\""


def connect(path: Path, key: bytes, *, create: bool = False) -> Any:
    """Open (or create) the encrypted database and check the key by reading the schema.

    Raises ``DatabaseError`` when the key does not decrypt the file ("file is not a database").
    """
    if not create and not path.exists():
        raise FileNotFoundError(path)
    conn = sqlcipher3.connect(str(path), check_same_thread=False, timeout=30.0)
    try:
        # SQLCipher logs failed page checks to stderr; the caller turns them into one plain sentence.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key_pragma_value(key)}")
        # Reading the schema is what decrypts page 1: a wrong key or a damaged header fails here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # purged keys are overwritten, not left in free pages
        conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn
