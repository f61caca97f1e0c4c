"""Backups IT can trust, and a way out when one bad byte makes the store unopenable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from desktop.core.errors import StoreDamagedError
from desktop.storage import Store
from desktop.storage.store import DB_FILE
from tests.integration.test_store_cli import cli, filled  # noqa: F401 - the fixture
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, tone


def test_backup_is_a_store_that_opens_with_every_record(filled: StoreSetup, tmp_path: Path) -> None:  # noqa: F811
    copy = tmp_path / "backup"
    out = cli(
        ["admin", "backup", "--store", str(filled.directory), "--as", "it", "--out", str(copy)],
        f"{PASSWORDS['it']}\n",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "checked the copy (1 consultations" in out.stdout
    with Store.open(copy, "drwong", PASSWORDS["drwong"]) as doctor:
        record = doctor.consultation_record(1)
        assert [v["kind"] for v in record["note_versions"]] == ["ai_draft", "signed"]
        assert np.abs(doctor.read_audio(1) - tone(2.0)).max() < 1e-3
    with Store.open(copy, "it", PASSWORDS["it"]) as admin:
        assert admin.check_integrity() == []
    again = cli(
        ["admin", "backup", "--store", str(filled.directory), "--as", "it", "--out", str(copy)],
        f"{PASSWORDS['it']}\n",
        tmp_path,
    )
    assert again.returncode == 2 and "already holds files" in again.stderr


def _flip_a_byte_in_page(directory: Path, page: int, page_size: int) -> None:
    path = directory / DB_FILE
    raw = bytearray(path.read_bytes())
    raw[(page - 1) * page_size + page_size // 2] ^= 0x01
    path.write_bytes(bytes(raw))


def _checkpoint_and_find(directory: Path, table: str) -> tuple[int, int]:
    """Everything into the database file itself (no write-ahead log), as after a clean close;
    returns the root page of ``table`` and the page size."""
    with Store.open(directory, "it", PASSWORDS["it"]) as admin:
        admin.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = admin.db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        size = admin.db.execute("PRAGMA page_size").fetchone()[0]
    return int(root), int(size)


def test_one_bad_byte_salvage_names_the_page_and_keeps_the_rest(filled: StoreSetup, tmp_path: Path) -> None:  # noqa: F811
    # A bad byte in a page of the consultations' rows: that page is lost, every other table is read.
    page, size = _checkpoint_and_find(filled.directory, "consultations")
    _flip_a_byte_in_page(filled.directory, page, size)
    with pytest.raises(StoreDamagedError):
        Store.open(filled.directory, "drwong", PASSWORDS["drwong"])
    before = sorted(p.name for p in filled.directory.rglob("*"))
    out_dir = tmp_path / "salvaged"
    out = cli(
        ["admin", "salvage", "--store", str(filled.directory), "--as", "it", "--out", str(out_dir)],
        f"{PASSWORDS['it']}\n",
        tmp_path,
    )
    assert out.returncode == 5, out.stderr
    assert "damaged:" in out.stdout and "page" in out.stdout.lower()
    assert "Traceback" not in out.stderr
    assert sorted(p.name for p in filled.directory.rglob("*")) == before  # the store was not touched
    report = json.loads((out_dir / "salvage-report.json").read_text(encoding="utf-8"))
    assert any(f"page {page}" in p for p in report["damaged_pages"])
    assert sum(report["tables"].values()) > 10  # most rows still read
    assert report["tables"]["audit"] > 0 and report["unreadable"].get("consultations")
    for table in report["tables"]:
        assert (out_dir / "tables" / f"{table}.json").exists()


def test_a_bad_byte_in_the_schema_page_is_named_and_the_audio_kept(
    filled: StoreSetup,  # noqa: F811
    tmp_path: Path,
) -> None:
    # Page 1 holds the list of tables: without it no row can be found, which salvage says plainly,
    # and the recordings are still decrypted with the recovery key.
    _, size = _checkpoint_and_find(filled.directory, "consultations")
    _flip_a_byte_in_page(filled.directory, 1, size)
    out_dir = tmp_path / "salvaged"
    out = cli(
        ["admin", "salvage", "--store", str(filled.directory), "--recovery", "--out", str(out_dir)],
        f"{filled.recovery_key}\n",
        tmp_path,
    )
    assert out.returncode == 5, out.stderr
    assert "Traceback" not in out.stderr
    report = json.loads((out_dir / "salvage-report.json").read_text(encoding="utf-8"))
    assert any("page 1" in p for p in report["damaged_pages"])
    assert any("cannot be opened" in p for p in report["damaged_pages"]) and report["tables"] == {}
    assert report["recordings"]  # the audio is not lost with the database


def test_with_the_database_gone_the_recovery_key_still_opens_the_recordings(
    filled: StoreSetup,  # noqa: F811
    tmp_path: Path,
) -> None:
    for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm"):
        (filled.directory / name).unlink(missing_ok=True)
    out_dir = tmp_path / "salvaged"
    out = cli(
        ["admin", "salvage", "--store", str(filled.directory), "--recovery", "--out", str(out_dir)],
        f"{filled.recovery_key}\n",
        tmp_path,
    )
    assert out.returncode == 5, out.stderr
    assert "the database cannot be opened" in out.stdout
    wavs = list((out_dir / "audio").glob("*.wav"))
    assert len(wavs) == 1
    samples, rate = sf.read(str(wavs[0]), dtype="float32")
    assert rate == 16000 and np.abs(samples - tone(2.0)).max() < 1e-3
    wrong = cli(
        ["admin", "salvage", "--store", str(filled.directory), "--recovery", "--out", str(tmp_path / "x")],
        "AAAA-AAAA\n",
        tmp_path,
    )
    assert wrong.returncode == 3 and "recovery key is wrong" in wrong.stderr
