"""The audit log is append-only and hash-chained: edits and deletions under the key are detected."""

from __future__ import annotations

import csv
import io

import pytest

from desktop.storage import driver
from desktop.storage.store import Store
from tests.unit.storage.conftest import StoreSetup


def _tamper(store: Store, *statements: str) -> None:
    """What someone holding the key could do with raw SQL (the triggers must be dropped first)."""
    conn = store._conn
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()


def test_triggers_refuse_update_and_delete(setup: StoreSetup) -> None:
    with setup.open("it") as admin:
        for sql in ("UPDATE audit SET actor = 'x' WHERE id = 1", "DELETE FROM audit WHERE id = 1"):
            with pytest.raises(driver.IntegrityError, match="append-only"):
                admin._conn.execute(sql)
        admin._conn.rollback()
        assert admin.verify_audit().ok


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (["UPDATE audit SET actor = 'someone' WHERE id = 3"], "audit entry 3 was altered"),
        (["UPDATE audit SET detail = 'roles=nurse' WHERE id = 4"], "audit entry 4 was altered"),
        (["DELETE FROM audit WHERE id = 4"], "audit entries 4-4 are missing"),
        (["DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)"], "are missing"),
    ],
    ids=["edit-actor", "edit-detail", "delete-middle", "delete-last"],
)
def test_tampering_is_detected(setup: StoreSetup, statements: list[str], expected: str) -> None:
    with setup.open("it") as admin:
        _tamper(admin, *statements)
    with setup.open("it") as admin:
        report = admin.verify_audit()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_removing_the_last_entries_is_detected_before_anything_follows(setup: StoreSetup) -> None:
    with setup.open("it") as admin:
        _tamper(admin, "DELETE FROM audit WHERE id >= (SELECT max(id) - 1 FROM audit)")
        problems = admin.verify_audit().problems
    assert any("entries were removed from the end" in p for p in problems), problems


def test_rewriting_an_entry_with_a_fresh_hash_still_breaks_the_chain(setup: StoreSetup) -> None:
    from desktop.storage.store import _entry_hash

    with setup.open("it") as admin:
        e = admin._audit_rows()[2]
        forged = _entry_hash(
            e.prev_hash, e.id, e.at, "mallory", e.action, e.record_type, e.record_id, e.detail
        )
        _tamper(admin, f"UPDATE audit SET actor = 'mallory', hash = '{forged}' WHERE id = {e.id}")
    with setup.open("it") as admin:
        problems = admin.verify_audit().problems
    assert any(f"audit entry {e.id + 1} does not follow" in p for p in problems), problems


def test_app_events_are_chained_like_the_rest(setup: StoreSetup) -> None:
    with setup.open("drwong") as doctor:
        doctor.record_event("screen_locked", "user", "drwong", "idle 10 min")
    with setup.open("it") as admin:
        entries = admin.audit_entries()
        assert ("drwong", "app:screen_locked", "idle 10 min") in {
            (e.actor, e.action, e.detail) for e in entries
        }
        assert admin.verify_audit().ok


def test_export_csv_has_every_entry(setup: StoreSetup) -> None:
    with setup.open("it") as admin:
        buf = io.StringIO()
        count = admin.export_audit_csv(buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    assert len(rows) == count + 1
    assert [r[3] for r in rows[1:4]] == ["store_created", "user_added", "user_added"]
    assert rows[-1][3] == "sign_in"


def test_entries_never_hold_clinical_text(setup: StoreSetup) -> None:
    from desktop.core.types import Patient
    from tests.unit.storage.conftest import sample_note, sample_transcript

    with setup.open("drwong") as doctor:
        cid = doctor.create_consultation(doctor.add_patient(Patient(name="Chan Tai Man")), consent=True)
        doctor.save_transcript(cid, sample_transcript())
        doctor.save_note(cid, sample_note(), kind="ai_draft")
        doctor.consultation_record(cid)
    with setup.open("it") as admin:
        text = "\n".join(f"{e.action} {e.record_id} {e.detail}" for e in admin.audit_entries())
    for word in ("Chan", "throat", "Paracetamol", "Tuesday"):
        assert word not in text
    for action in ("patient_added", "transcript_saved", "note_drafted", "record_viewed"):
        assert action in text
