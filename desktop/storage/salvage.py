"""Backups, and getting records out of a damaged store.

``backup``: a verified copy of an open store (SQLCipher's own export of the database, the key
file and every recording), which `Store.open` opens like the original.

``salvage``: for IT when the database is damaged and nobody can sign in. The store is not
changed: a copy of the database is opened read-only with the key from an account's password or
the recovery key, SQLCipher's page check names every damaged page, every row that can still be
read is written out as JSON, and every recording is decrypted to WAV — with the recovery key
even when the database itself is unreadable, because each recording's key is also sealed to the
recovery key beside it (``audio/<file>.key``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.errors import AuthenticationError, StoreDamagedError, UsageError
from desktop.storage import crypto, driver, journal
from desktop.storage.keyfile import KeyFile, atomic_write, fsync_dir
from desktop.storage.layout import AUDIO_DIR, DB_FILE, KEYS_FILE

log = logging.getLogger(__name__)

SECRET_COLUMNS = {"data_key", "profile"}  # never written out in clear


def escrow_aad(store_id: str, uid: str) -> bytes:
    return f"consultscribe:{store_id}:journal-key:{uid}".encode()


def write_escrow(keyfile: KeyFile, journal_path: Path, uid: str, data_key: bytes) -> None:
    """Seal a recording's key to the recovery key, beside the recording."""
    if not keyfile.recovery_public:
        return
    sealed = crypto.seal(keyfile.recovery_public, data_key, escrow_aad(keyfile.store_id, uid))
    atomic_write(escrow_path(journal_path), crypto.b64(sealed).encode("ascii"))


def escrow_path(journal_path: Path) -> Path:
    return journal_path.with_name(journal_path.name + ".key")


@dataclass
class SalvageReport:
    damaged_pages: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # rows written per table
    unreadable: dict[str, int] = field(default_factory=dict)  # rows (or whole tables: -1) lost
    recordings: dict[str, float] = field(default_factory=dict)  # file -> seconds written
    recording_gaps: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "damaged_pages": self.damaged_pages,
            "tables": self.tables,
            "unreadable": self.unreadable,
            "recordings": self.recordings,
            "recording_gaps": self.recording_gaps,
        }


def _unlock(keyfile: KeyFile, username: str | None, password: str | None, recovery: str | None) -> bytes:
    try:
        if recovery:
            return keyfile.unlock_recovery(crypto.parse_recovery_key(recovery))
        if username and password is not None:
            return keyfile.unlock(username, password)
    except (crypto.DecryptError, ValueError):
        raise AuthenticationError(
            "The password or recovery key is wrong.", "Type it exactly as set or printed."
        ) from None
    raise UsageError("Give an administrator's password or the recovery key.")


def salvage(
    directory: Path,
    out: Path,
    *,
    username: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
) -> SalvageReport:
    """Write what can be read of the store in ``directory`` into ``out`` (the store is not changed)."""
    try:
        keyfile = KeyFile.load(directory / KEYS_FILE)
    except (OSError, ValueError, KeyError) as exc:
        raise StoreDamagedError(
            f"The key file of the store in {directory} is missing or damaged.",
            "Restore keys.json from a backup; without it nothing can be decrypted.",
        ) from exc
    db_key = _unlock(keyfile, username, password, recovery_key)
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"The folder {out} already holds files.", "Choose an empty folder.")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    report = SalvageReport()
    keys = _salvage_database(directory, db_key, out, report)
    recovery = crypto.parse_recovery_key(recovery_key) if recovery_key else None
    _salvage_audio(directory, keyfile, keys, recovery, out, report)
    atomic_write(out / "salvage-report.json", json.dumps(report.to_json(), indent=2).encode("utf-8"))
    return report


def _salvage_database(directory: Path, db_key: bytes, out: Path, report: SalvageReport) -> dict[str, bytes]:
    """Rows to ``out/tables/*.json``; returns the recordings' keys it could read, by file name."""
    keys: dict[str, bytes] = {}
    if not (directory / DB_FILE).exists():
        report.damaged_pages.append("the database cannot be opened: the file store.db is missing")
        return keys
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        copy = Path(scratch) / DB_FILE
        for suffix in ("", "-wal"):
            source = directory / (DB_FILE + suffix)
            if source.exists():
                shutil.copyfile(source, Path(scratch) / (DB_FILE + suffix))
        try:
            conn = driver.sqlcipher3.connect(str(copy))
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = {driver.key_pragma_value(db_key)}")
            report.damaged_pages = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
            tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        except driver.DatabaseError as exc:
            report.damaged_pages.append(f"the database cannot be opened: {exc}")
            return keys
        (out / "tables").mkdir(mode=0o700)
        for table in tables:
            rows, lost = _read_table(conn, table)
            report.tables[table] = len(rows)
            if lost:
                report.unreadable[table] = lost
            if table == "audio_journals":
                keys.update({str(r["file"]): r.pop("data_key") for r in rows if r.get("data_key")})
            for row in rows:
                for column in SECRET_COLUMNS & row.keys():
                    row[column] = None
            text = json.dumps(rows, ensure_ascii=False, indent=1, default=_jsonable)
            atomic_write(out / "tables" / f"{table}.json", text.encode("utf-8"))
        conn.close()
    return keys


def _read_table(conn: Any, table: str) -> tuple[list[dict[str, Any]], int]:
    """Every readable row; a damaged page loses its rows only (read one by one by rowid)."""
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        cur = conn.execute(f"SELECT * FROM {quoted}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()], 0
    except driver.DatabaseError:
        pass
    rows: list[dict[str, Any]] = []
    lost = 0
    try:
        top = conn.execute(f"SELECT max(rowid) FROM {quoted}").fetchone()[0] or 0
    except driver.DatabaseError:
        return rows, -1
    for rowid in range(1, int(top) + 1):
        try:
            cur = conn.execute(f"SELECT * FROM {quoted} WHERE rowid = ?", (rowid,))
            names = [d[0] for d in cur.description]
            rows += [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except driver.DatabaseError:
            lost += 1
    return rows, lost


def _jsonable(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return crypto.b64(bytes(value))
    return str(value)


def _salvage_audio(
    directory: Path,
    keyfile: KeyFile,
    keys: dict[str, bytes],
    recovery: bytes | None,
    out: Path,
    report: SalvageReport,
) -> None:
    import soundfile as sf

    audio_out = out / "audio"
    for path in sorted((directory / AUDIO_DIR).glob("*.journal")):
        uid = path.stem
        key = keys.get(path.name)
        if key is None and recovery is not None and escrow_path(path).exists():
            with contextlib.suppress(crypto.DecryptError, ValueError):
                sealed = crypto.unb64(escrow_path(path).read_text(encoding="ascii").strip())
                key = crypto.open_sealed(
                    crypto.private_from_bytes(recovery), sealed, escrow_aad(keyfile.store_id, uid)
                )
        if key is None:
            report.recording_gaps[path.name] = ["its key could not be read (give the recovery key)"]
            continue
        try:
            found = journal.scan(path, key, uid, salvage=True)
        except journal.JournalError as exc:
            report.recording_gaps[path.name] = [str(exc)]
            continue
        samples = journal.read_samples(found)
        audio_out.mkdir(mode=0o700, exist_ok=True)
        sf.write(str(audio_out / f"{uid}.wav"), np.clip(samples, -1, 1), found.sample_rate, subtype="PCM_16")
        report.recordings[path.name] = round(samples.size / found.sample_rate, 2)
        gaps = [f"chunk {i} failed its integrity check" for i in found.skipped]
        if found.problem is not None and found.problem.chunk not in found.skipped:
            gaps.append(str(found.problem))
        if gaps:
            report.recording_gaps[path.name] = gaps


def backup(conn: Any, db_key: bytes, directory: Path, dest: Path) -> dict[str, int]:
    """A verified copy of the open store in ``directory`` into the empty folder ``dest``.

    Returns the row count per table of the copy (checked equal to the original's).
    """
    if dest.exists() and any(dest.iterdir()):
        raise UsageError(f"The backup folder {dest} already holds files.", "Choose an empty folder.")
    if dest.resolve().is_relative_to(directory.resolve()):
        raise UsageError("The backup cannot go inside the store's own folder.", "Choose another folder.")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    (dest / AUDIO_DIR).mkdir(mode=0o700, exist_ok=True)
    target = dest / DB_FILE
    pragma_key = driver.key_pragma_value(db_key)
    conn.execute(f"ATTACH DATABASE ? AS backup KEY {pragma_key}", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('backup')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA backup.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE backup")
    for name in (KEYS_FILE, "sign-in-throttle.json"):
        if (directory / name).exists():
            shutil.copy2(directory / name, dest / name)
    for item in sorted((directory / AUDIO_DIR).iterdir()):
        if item.suffix in (".journal", ".key"):
            shutil.copy2(item, dest / AUDIO_DIR / item.name)
    fsync_dir(dest / AUDIO_DIR)
    fsync_dir(dest)
    return _verify_copy(conn, db_key, target)


def _verify_copy(conn: Any, db_key: bytes, target: Path) -> dict[str, int]:
    copy = driver.connect(target, db_key)
    try:
        if copy.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise StoreDamagedError("The backup copy failed its check.", "Try again on another disk.")
        counts: dict[str, int] = {}
        tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            here = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            there = copy.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            if here != there:
                raise StoreDamagedError(
                    f"The backup copy differs from the store ({table}).", "Try the backup again."
                )
            counts[table] = int(there)
        return counts
    finally:
        copy.close()
