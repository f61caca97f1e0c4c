"""A damaged database is reported as such, and nothing else is lost."""

from __future__ import annotations

import pytest

from desktop.core.errors import PermissionDeniedError, StoreDamagedError
from desktop.core.types import Patient
from desktop.storage.store import DB_FILE, Store
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, tone


def _fill(setup: StoreSetup) -> None:
    with setup.open("drwong") as doctor:
        pid = doctor.add_patient(Patient(name="Chan"))
        for _ in range(40):
            cid = doctor.create_consultation(pid, consent=True)
            doctor.save_letter(cid, "sick_leave", "en", {"pad": "x" * 2000}, "y" * 2000)
        with doctor.open_journal(cid) as w:
            w.append(tone(1.0))


def test_truncated_database(setup: StoreSetup) -> None:
    _fill(setup)
    db = setup.directory / DB_FILE
    audio_before = {p.name: p.read_bytes() for p in (setup.directory / "audio").iterdir()}
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(StoreDamagedError, match="damaged and cannot be opened"):
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"])
    assert db.stat().st_size == size // 2  # nothing written to it
    assert {p.name: p.read_bytes() for p in (setup.directory / "audio").iterdir()} == audio_before


def test_truncated_to_less_than_a_page(setup: StoreSetup) -> None:
    db = setup.directory / DB_FILE
    db.write_bytes(db.read_bytes()[:100])
    with pytest.raises(StoreDamagedError):
        Store.open(setup.directory, "it", PASSWORDS["it"])


def test_flipped_byte_in_the_database(setup: StoreSetup) -> None:
    _fill(setup)
    db = setup.directory / DB_FILE
    raw = bytearray(db.read_bytes())
    raw[len(raw) // 3] ^= 0x01
    db.write_bytes(bytes(raw))
    with pytest.raises(StoreDamagedError, match="damaged"):
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"])


def test_missing_database_file(setup: StoreSetup) -> None:
    (setup.directory / DB_FILE).unlink()
    with pytest.raises(StoreDamagedError, match=r"database .* is missing"):
        Store.open(setup.directory, "it", PASSWORDS["it"])


def test_damage_found_while_reading_a_large_store(setup: StoreSetup, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the size checked in full at sign-in, a bad page is reported when it is read."""
    from desktop.storage import store as store_module

    _fill(setup)
    monkeypatch.setattr(store_module, "QUICK_CHECK_LIMIT", 0)
    db = setup.directory / DB_FILE
    raw = bytearray(db.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    db.write_bytes(bytes(raw))
    with (
        Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor,
        pytest.raises(StoreDamagedError, match="part of the database cannot be read"),
    ):
        for cid in range(1, 41):
            doctor.letters(cid)


def test_check_integrity_names_damaged_audio(setup: StoreSetup) -> None:
    _fill(setup)
    with setup.open("it") as admin:
        assert admin.check_integrity() == []
    journal_file = next((setup.directory / "audio").glob("*.journal"))
    raw = bytearray(journal_file.read_bytes())
    raw[-10] ^= 0x10  # inside the end record
    journal_file.write_bytes(bytes(raw))
    with setup.open("it") as admin:
        problems = admin.check_integrity()
    assert len(problems) == 1 and problems[0].startswith("consultation 40: the end of the audio journal")
    with setup.open("nurse") as nurse, pytest.raises(PermissionDeniedError):
        nurse.check_integrity()
