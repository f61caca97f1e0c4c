"""Role rules live in the store: every forbidden action raises PermissionDeniedError and is audited."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import PermissionDeniedError
from desktop.core.types import Patient
from desktop.storage.store import Store
from tests.unit.storage.conftest import StoreSetup, sample_note, sample_transcript

Action = Callable[[Store, int], Any]

FORBIDDEN: list[tuple[str, str, Action]] = [
    # administrators see no clinical text
    ("it", "list consultations", lambda s, c: s.list_consultations()),
    ("it", "show a record", lambda s, c: s.consultation_record(c)),
    ("it", "read the transcript", lambda s, c: s.transcript(c)),
    ("it", "read note versions", lambda s, c: s.note_versions(c)),
    ("it", "read letters", lambda s, c: s.letters(c)),
    ("it", "read the patient", lambda s, c: s.patient(1)),
    ("it", "read audio", lambda s, c: s.read_audio(c)),
    ("it", "add a patient", lambda s, c: s.add_patient(Patient(name="X"))),
    ("it", "edit the note", lambda s, c: s.save_note(c, sample_note())),
    ("it", "sign the note", lambda s, c: s.sign_note(c)),
    ("it", "record audio", lambda s, c: s.open_journal(c)),
    ("it", "load a voice profile", lambda s, c: s.load_voice_profile("drwong")),
    # nurses edit but do not sign
    ("nurse", "sign the note", lambda s, c: s.sign_note(c)),
    ("nurse", "sign a letter", lambda s, c: s.save_letter(c, "sick_leave", "en", {}, "text", signed=True)),
    ("nurse", "add a user", lambda s, c: s.add_user("x9", "long-enough-1", ["nurse"], "X")),
    ("nurse", "reset a password", lambda s, c: s.set_password("drwong", "long-enough-1")),
    ("nurse", "change policy", lambda s, c: s.set_policy(retention_days=1)),
    ("nurse", "read the audit log", lambda s, c: s.audit_entries()),
    ("nurse", "verify the audit log", lambda s, c: s.verify_audit()),
    ("nurse", "export the audit log", lambda s, c: s.export_audit_csv(io.StringIO())),
    ("nurse", "purge audio", lambda s, c: s.purge(0)),
    ("nurse", "destroy one recording", lambda s, c: s.destroy_audio(c)),
    ("nurse", "rekey", lambda s, c: s.rekey()),
    ("nurse", "list users", lambda s, c: s.users()),
    ("nurse", "delete a doctor's voice profile", lambda s, c: s.delete_voice_profile("drwong")),
    # doctors do not administer, nor touch a colleague's voice profile
    ("drwong", "add a user", lambda s, c: s.add_user("x9", "long-enough-1", ["nurse"], "X")),
    ("drwong", "purge audio", lambda s, c: s.purge(0)),
    ("drwong", "read the audit log", lambda s, c: s.audit_entries()),
    ("drwong", "change policy", lambda s, c: s.set_policy(retention_days=1)),
    ("drwong", "delete a colleague's voice profile", lambda s, c: s.delete_voice_profile("drlee")),
    ("drwong", "overwrite a colleague's voice profile", lambda s, c: s.save_voice_profile("drlee", b"x")),
]


@pytest.fixture(scope="module")
def populated_template(
    store_template: StoreSetup, tmp_path_factory: pytest.TempPathFactory
) -> tuple[StoreSetup, int]:
    target = tmp_path_factory.mktemp("populated") / "store"
    shutil.copytree(store_template.directory, target)
    return _populate(StoreSetup(target, store_template.recovery_key))


@pytest.fixture
def populated(populated_template: tuple[StoreSetup, int], tmp_path: Path) -> tuple[StoreSetup, int]:
    template, cid = populated_template
    shutil.copytree(template.directory, tmp_path / "store")
    return StoreSetup(tmp_path / "store", template.recovery_key), cid


def _populate(setup: StoreSetup) -> tuple[StoreSetup, int]:
    with setup.open("drwong") as doctor:
        pid = doctor.add_patient(Patient(name="Chan Tai Man", mrn="A1"))
        cid = doctor.create_consultation(pid, consent=True)
        doctor.save_transcript(cid, sample_transcript())
        doctor.save_note(cid, sample_note(), kind="ai_draft")
        with doctor.open_journal(cid) as w:
            import numpy as np

            w.append(np.zeros(16000, np.float32))
        doctor.save_voice_profile("drwong", b"doctor-profile")
    with setup.open("drlee") as lee:
        lee.save_voice_profile("drlee", b"lee-profile")
    return setup, cid


@pytest.mark.parametrize(("user", "what", "action"), FORBIDDEN, ids=[f"{u}-{w}" for u, w, _ in FORBIDDEN])
def test_forbidden_action_raises_and_is_audited(
    populated: tuple[StoreSetup, int], user: str, what: str, action: Action
) -> None:
    setup, cid = populated
    with setup.open(user) as store:
        before = store._conn.execute("SELECT max(id) FROM audit").fetchone()[0]
        with pytest.raises(PermissionDeniedError, match=f"Your account \\({user}\\) is not allowed"):
            action(store, cid)
        rows = store._conn.execute("SELECT actor, action FROM audit WHERE id > ?", (before,)).fetchall()
    assert len(rows) == 1 and rows[0][0] == user and rows[0][1].startswith("denied:")


def test_allowed_actions_by_role(populated: tuple[StoreSetup, int]) -> None:
    setup, cid = populated
    with setup.open("nurse") as nurse:
        assert nurse.save_note(cid, sample_note()) == 2  # nurses edit
        assert nurse.transcript(cid).segments[1].speaker == "patient"
    with setup.open("drwong") as doctor:
        assert doctor.sign_note(cid) == 3
        assert doctor.load_voice_profile("drlee") == b"lee-profile"  # the labelling engine may load it
        assert doctor.delete_voice_profile("drwong") is True
        assert doctor.load_voice_profile("drwong") is None
    with setup.open("it") as admin:
        assert admin.delete_voice_profile("drlee") is True
        assert {u.username for u in admin.users()} == {"it", "drwong", "drlee", "nurse"}
        admin.set_policy(retention_days=30)
        assert admin.policy()["retention_days"] == 30


def test_admin_who_is_also_a_doctor_reads_clinical_text(populated: tuple[StoreSetup, int]) -> None:
    setup, _ = populated
    with setup.open("it") as admin:
        admin.add_user("drboth", "long-enough-1", ["doctor", "admin"], "Dr Both", "M1")
    with Store.open(setup.directory, "drboth", "long-enough-1") as both:
        assert len(both.list_consultations()) == 1
        assert both.verify_audit().ok
