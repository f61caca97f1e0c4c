"""A signed note cannot be changed unseen, even by someone holding the database key."""

from __future__ import annotations

from pathlib import Path

from desktop.core.types import Patient
from desktop.storage import driver
from desktop.storage.store import DB_FILE, Store
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, sample_note, sample_transcript


def _signed_consultation(setup: StoreSetup) -> tuple[int, bytes]:
    with setup.open("drwong") as doctor:
        cid = doctor.create_consultation(
            doctor.add_patient(Patient(name="Chan Tai Man", mrn="A1")), consent=True
        )
        doctor.save_transcript(cid, sample_transcript())
        doctor.save_note(cid, sample_note(), kind="ai_draft")
        doctor.sign_note(cid)
        key = doctor._db_key  # what an attacker who unsealed it at a sign-in would hold
    return cid, key


def _tamper(directory: Path, key: bytes, *statements: str) -> None:
    conn = driver.connect(directory / DB_FILE, key)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _problems(setup: StoreSetup) -> list[str]:
    with setup.open("it") as admin:
        return admin.check_integrity()


def test_a_clean_store_passes(setup: StoreSetup) -> None:
    _signed_consultation(setup)
    assert _problems(setup) == []


def test_editing_a_signed_version_with_the_trigger_dropped_is_caught_and_the_trigger_restored(
    setup: StoreSetup,
) -> None:
    cid, key = _signed_consultation(setup)
    _tamper(
        setup.directory,
        key,
        "DROP TRIGGER note_versions_no_update",
        "UPDATE note_versions SET content = replace(content, 'Sore throat', 'Chest pain')"
        f" WHERE consultation_id = {cid} AND kind = 'signed'",
    )
    problems = _problems(setup)
    assert f"consultation {cid}: signed note version 2 was altered after it was signed" in problems[0]
    assert any("the safeguard note_versions_no_update had been removed" in p for p in problems)
    conn = driver.connect(setup.directory / DB_FILE, key)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    assert "note_versions_no_update" in names  # put back at the first sign-in


def test_a_dropped_audit_trigger_is_restored_and_reported(setup: StoreSetup) -> None:
    _, key = _signed_consultation(setup)
    _tamper(setup.directory, key, "DROP TRIGGER audit_no_delete")
    problems = _problems(setup)
    assert len(problems) == 1 and "the safeguard audit_no_delete had been removed" in problems[0]


def test_a_forged_signature_by_another_key_is_caught(setup: StoreSetup) -> None:
    cid, key = _signed_consultation(setup)
    with setup.open("drlee") as other:
        other_key = other._account_private
    assert other_key is not None
    from desktop.storage import crypto
    from desktop.storage.store import _note_message

    conn = driver.connect(setup.directory / DB_FILE, key)
    row = conn.execute(
        "SELECT consultation_id, version, kind, author_id, created_at, content FROM note_versions"
        " WHERE kind = 'signed'"
    ).fetchone()
    forged = crypto.signing_key(other_key)
    message = _note_message(Store.open(setup.directory, "it", PASSWORDS["it"]).store_id, tuple(row))
    conn.execute("DROP TRIGGER signatures_no_update")
    conn.execute(
        "UPDATE signatures SET public_key = ?, signature = ?",
        (forged.public_key().public_bytes_raw(), forged.sign(message)),
    )
    conn.commit()
    conn.close()
    problems = _problems(setup)
    assert f"consultation {cid}: signed note version 2 is signed with a key that is not drwong's" in problems


def test_signatures_survive_a_password_change_and_an_administrator_reset(setup: StoreSetup) -> None:
    _signed_consultation(setup)
    with setup.open("drwong") as doctor:
        doctor.set_password("drwong", "changed-pass-1", old_password=PASSWORDS["drwong"])
    with setup.open("it") as admin:
        admin.set_password("drwong", "reset-pass-22")
        assert admin.check_integrity() == []
    with Store.open(setup.directory, "drwong", "reset-pass-22") as doctor:
        cid = doctor.create_consultation(doctor.add_patient(Patient(name="Lee", mrn="B2")), consent=True)
        doctor.save_note(cid, sample_note(), kind="ai_draft")
        doctor.sign_note(cid)  # signs with the new keys
    assert _problems(setup) == []
