"""Cancelled and deleted consultations, patient look-up, and the forced password change."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.errors import UsageError
from desktop.core.types import Patient
from desktop.storage import driver, schema
from desktop.storage import intake as store_intake
from desktop.storage.store import Store
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, sample_note, sample_transcript, tone


def _actions(store: Store) -> list[tuple[str, str, str]]:
    rows = store._conn.execute("SELECT action, record_id, detail FROM audit ORDER BY id").fetchall()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_a_cancelled_consultation_is_kept_whole_and_read_only(doctor: Store, consultation: int) -> None:
    doctor.save_transcript(consultation, sample_transcript())
    doctor.save_note(consultation, sample_note(), kind="ai_draft")
    doctor.sign_note(consultation)
    doctor.cancel_consultation(consultation, "patient left before being seen")
    assert doctor.consultation_state(consultation) == "cancelled"
    # Everything stays readable: transcript, versions (the signed one included), the list entry.
    assert len(doctor.transcript(consultation).segments) == 2
    assert [v.kind for v in doctor.note_versions(consultation)] == ["ai_draft", "signed"]
    listed = {r["id"]: r for r in doctor.list_consultations()}
    assert listed[consultation]["state"] == "cancelled"
    # … and nothing can change it.
    for change in (
        lambda: doctor.save_note(consultation, sample_note()),
        lambda: doctor.save_transcript(consultation, sample_transcript()),
        lambda: doctor.open_journal(consultation),
        lambda: doctor.save_letter(consultation, "sick_leave", "en", {}, "<p/>"),
    ):
        with pytest.raises(UsageError, match="cancelled"):
            change()
    doctor.reopen_consultation(consultation)
    assert doctor.save_note(consultation, sample_note()) == 3
    assert [a for a, rid, _ in _actions(doctor) if rid == str(consultation)][-3:] == [
        "consultation_cancelled",
        "consultation_reopened",
        "note_edited",
    ]


def test_a_signed_note_or_a_document_is_never_deleted(doctor: Store, consultation: int) -> None:
    doctor.save_note(consultation, sample_note())
    doctor.sign_note(consultation)
    with pytest.raises(UsageError, match="signed note is never deleted"):
        doctor.delete_consultation(consultation)
    pid = doctor.add_patient(Patient(name="Ho"))
    other = doctor.create_consultation(pid, consent=True)
    doctor.save_letter(other, "sick_leave", "en", {}, "<p>leave</p>")
    with pytest.raises(UsageError, match="Documents were made"):
        doctor.delete_consultation(other)
    assert len(doctor.note_versions(consultation)) == 2  # untouched


def test_deleting_removes_audio_transcript_and_drafts_but_keeps_the_audit_trail(
    setup: StoreSetup, doctor: Store, consultation: int
) -> None:
    journal = doctor.open_journal(consultation)
    journal.append(tone(1.0))
    journal.close()
    uid = doctor._consultation_row(consultation)[1]
    audio_file = setup.directory / "audio" / f"{uid}.journal"
    assert audio_file.exists()
    doctor.save_transcript(consultation, sample_transcript())
    doctor.save_note(consultation, sample_note(), kind="ai_draft")
    issued = store_intake.issue_code(doctor, consultation_id=consultation)
    before = len(_actions(doctor))
    doctor.delete_consultation(consultation)
    assert not audio_file.exists()
    counts = doctor._conn.execute(
        "SELECT (SELECT count(*) FROM transcript_segments WHERE consultation_id = ?),"
        " (SELECT count(*) FROM note_versions WHERE consultation_id = ?),"
        " (SELECT data_key IS NULL FROM audio_journals WHERE consultation_id = ?),"
        " (SELECT state FROM consultations WHERE id = ?)",
        (consultation, consultation, consultation, consultation),
    ).fetchone()
    assert tuple(counts) == (0, 0, 1, "deleted")
    assert consultation not in {r["id"] for r in doctor.list_consultations()}
    with pytest.raises(UsageError, match="was deleted"):
        doctor.transcript(consultation)
    # The intake stays (unlinked); the audit log only grew and names what was removed.
    assert store_intake.get(doctor, issued.session_id).consultation_id is None
    after = _actions(doctor)
    assert len(after) > before
    deleted = [d for a, rid, d in after if a == "consultation_deleted" and rid == str(consultation)]
    assert deleted == ["2 transcript lines, 1 note versions removed; audio destroyed"]
    assert any(a == "audio_destroyed" for a, _, _ in after)
    admin = setup.open("it")
    assert admin.verify_audit().ok
    admin.close()


def test_patient_look_up_by_name_chinese_name_or_mrn(doctor: Store) -> None:
    chan = doctor.add_patient(Patient(name="CHAN Tai Man", name_zh="陳大文", mrn="HK-1001", sex="M"))
    doctor.add_patient(Patient(name="CHAN Siu Ming", name_zh="陳小明", mrn="HK-2002"))
    doctor.add_patient(Patient(name="LEE Ka Yan", name_zh="李嘉欣", mrn="HK-3003"))
    doctor.add_patient(Patient(name="100% real_name", mrn="X"))
    doctor.create_consultation(chan, consent=True)
    assert [m.patient.name for m in doctor.search_patients("chan")] == ["CHAN Tai Man", "CHAN Siu Ming"]
    first = doctor.search_patients("chan")[0]
    assert first.id == chan and first.visits == 1 and first.last_visit
    assert [m.patient.mrn for m in doctor.search_patients("陳小")] == ["HK-2002"]
    assert [m.patient.name_zh for m in doctor.search_patients("hk-3003")] == ["李嘉欣"]
    assert [m.patient.mrn for m in doctor.search_patients("  tai   man ")] == ["HK-1001"]
    assert doctor.search_patients("%") == [m for m in doctor.search_patients("100%")]  # no wildcards
    assert doctor.search_patients("_") and doctor.search_patients("x_y") == []
    assert doctor.search_patients("   ") == []
    searched = [d for a, _, d in _actions(doctor) if a == "patients_searched"]
    assert searched and all(d.endswith("found") and "chan" not in d.lower() for d in searched)


def test_new_accounts_and_reset_passwords_must_be_changed(setup: StoreSetup) -> None:
    admin = setup.open("it")
    admin.add_user("drnew", "first-pass-1", ["doctor"], "Dr New", "M999")
    admin.close()
    first = Store.open(setup.directory, "drnew", "first-pass-1")
    assert first.user.must_change_password
    first.set_password("drnew", "my-own-pass-1", "first-pass-1")
    assert not first.user.must_change_password
    first.close()
    again = Store.open(setup.directory, "drnew", "my-own-pass-1")
    assert not again.user.must_change_password
    again.close()
    admin = setup.open("it")
    admin.set_password("drnew", "reset-pass-1")
    assert not admin.user.must_change_password  # the administrator's own flag is untouched
    admin.close()
    reset = Store.open(setup.directory, "drnew", "reset-pass-1")
    assert reset.user.must_change_password
    reset.close()
    # The store's first administrator chose their own password.
    assert not Store.open(setup.directory, "it", PASSWORDS["it"]).user.must_change_password


def test_migration_7_keeps_consultations_open_and_accounts_unflagged(tmp_path: Path) -> None:
    conn = driver.connect(tmp_path / "old.db", bytes(range(32)), create=True)
    schema.migrate(conn, target=6)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO users (username, display_name, roles, created_at) VALUES ('d', 'D', 'doctor', 't')"
    )
    conn.execute("INSERT INTO patients (name, created_at) VALUES ('P', 't')")
    conn.execute(
        "INSERT INTO consultations (uid, patient_id, doctor_id, started_at, created_at) VALUES ('u', 1, 1, 't', 't')"
    )
    conn.execute(
        "INSERT INTO intake_sessions (label, code_hash, state, created_at, created_by, expires_at, category)"
        " VALUES ('0001', 'h', 'confirmed', 't', 1, 't', 1)"
    )
    conn.execute("COMMIT")
    assert schema.migrate(conn) == list(range(7, schema.LATEST + 1))
    assert conn.execute("SELECT state, close_reason FROM consultations").fetchone() == ("open", "")
    assert conn.execute("SELECT must_change_password FROM users").fetchone() == (0,)
    assert conn.execute("SELECT alert_ack_at FROM intake_sessions").fetchone() == (None,)
    with pytest.raises(driver.IntegrityError):
        conn.execute("UPDATE consultations SET state = 'gone'")
