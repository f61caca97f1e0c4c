"""Clinical records: transcript fields, note versions and their diff, letters, save_processed."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.errors import Cancelled, UsageError
from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment, Word
from desktop.storage import driver, save_processed
from desktop.storage.service import LetterToSave
from desktop.storage.store import Store
from tests.unit.storage.conftest import StoreSetup, sample_note, sample_transcript, tone


def test_transcript_keeps_every_segment_field(doctor: Store, consultation: int) -> None:
    seg = TranscriptSegment(
        "t1",
        1.5,
        2.75,
        "喉嚨痛三日",
        speaker="patient",
        language="yue",
        final=True,
        speaker_confidence=0.66,
        words=[Word(1.5, 2.0, "喉嚨", 0.9), Word(2.0, 2.75, "痛三日", 0.8)],
    )
    doctor.save_transcript(consultation, Transcript("yue", [seg, TranscriptSegment("t2", 3, 4, "ok")]))
    back = doctor.transcript(consultation)
    assert back.segments[0] == seg
    assert back.segments[1].speaker == "unknown" and back.segments[1].speaker_confidence is None
    doctor.save_transcript(consultation, sample_transcript())  # replaces
    assert [s.id for s in doctor.transcript(consultation).segments] == ["s1", "s2"]


def test_note_versions_signing_and_diff(setup: StoreSetup, doctor: Store, consultation: int) -> None:
    draft = sample_note()
    assert doctor.save_note(consultation, draft, kind="ai_draft") == 1
    with setup.open("nurse") as nurse:
        edited = SoapNote.from_dict(draft.to_dict())
        edited.objective.append(NoteStatement("Temperature 38.2 C.", ["s2"]))
        assert nurse.save_note(consultation, edited) == 2
    final = SoapNote.from_dict(edited.to_dict())
    final.plan = [NoteStatement("Paracetamol 500 mg four times a day.", ["s2"], accepted=True)]
    assert doctor.sign_note(consultation, final) == 3
    versions = doctor.note_versions(consultation)
    assert [(v.version, v.kind, v.author) for v in versions] == [
        (1, "ai_draft", "drwong"),
        (2, "edit", "nurse"),
        (3, "signed", "drwong"),
    ]
    assert versions[0].note.to_dict() == draft.to_dict()  # the AI draft is kept as it was
    assert versions[2].note.plan[0].accepted
    diff = doctor.note_diff(consultation)
    assert "-- AI draft (v1)" in diff and "+++ signed (v3, drwong)" in diff
    assert "+- Temperature 38.2 C. _[s2]_" in diff
    assert "-- Paracetamol 500 mg as needed." in diff.replace("_[s2]_", "").replace(
        " **⚠ not in transcript: 500 mg**", ""
    )
    # Signed versions are never changed in place; a change after signing is a new version.
    with pytest.raises(driver.IntegrityError, match="append-only"):
        doctor._conn.execute("UPDATE note_versions SET content = '{}' WHERE version = 3")
    doctor._conn.rollback()
    assert doctor.save_note(consultation, draft) == 4
    assert doctor.note_versions(consultation)[2].note.to_dict() == versions[2].note.to_dict()


def test_patient_round_trip(doctor: Store) -> None:
    patient = Patient(name="Lee", name_zh="李", sex="F", date_of_birth="", mrn="X1", age=57)
    assert doctor.patient(doctor.add_patient(patient)) == patient
    placeholder = Patient.placeholder_header()
    assert doctor.patient(doctor.add_patient(placeholder)) == placeholder


def test_signing_without_a_note_is_a_usage_error(doctor: Store, consultation: int) -> None:
    with pytest.raises(UsageError, match="no note to sign"):
        doctor.sign_note(consultation)
    with pytest.raises(UsageError, match="no consultation 999"):
        doctor.transcript(999)


def test_letters_have_versions(doctor: Store, consultation: int) -> None:
    lid, v1 = doctor.save_letter(consultation, "referral", "en", {"to": "ENT"}, "Dear colleague, ...")
    lid2, v2 = doctor.save_letter(
        consultation, "referral", "en", {"to": "ENT", "urgent": True}, "Dear...", letter_id=lid, signed=True
    )
    assert (lid2, v1, v2) == (lid, 1, 2)
    letters = doctor.letters(consultation)
    assert [(x["version"], x["signed"], x["fields"]) for x in letters] == [
        (1, False, {"to": "ENT"}),
        (2, True, {"to": "ENT", "urgent": True}),
    ]


def test_save_processed_stores_everything(setup: StoreSetup, doctor: Store) -> None:
    patient = Patient(name="Chan Tai Man", sex="M", mrn="A1234567")
    audio = tone(2.5)
    seen: list[float] = []
    saved = save_processed(
        doctor,
        patient,
        sample_transcript(),
        sample_note(),
        audio,
        letters=[LetterToSave("sick_leave", "en", {"days": 2}, "Sick leave for 2 days.")],
        progress=seen.append,
    )
    assert saved.audio_seconds == 2.5 and saved.note_version == 1 and len(saved.letter_ids) == 1
    assert seen[-1] == 1.0 and seen == sorted(seen)
    again = save_processed(doctor, patient, sample_transcript(), None)
    assert again.patient_id == saved.patient_id  # matched by MRN
    record = doctor.consultation_record(saved.consultation_id)
    assert record["patient"]["name"] == "Chan Tai Man"
    assert record["audio"] == {"state": "closed", "chunks": 3, "seconds": 2.5}
    assert record["note_versions"][0]["kind"] == "ai_draft"
    assert record["consultation"]["consent"] is True
    assert np.abs(doctor.read_audio(saved.consultation_id) - audio).max() < 1e-4
    rows = doctor.list_consultations()
    assert [r["id"] for r in rows] == [again.consultation_id, saved.consultation_id]
    assert rows[1]["note"] == "ai_draft" and rows[1]["audio"] == "closed" and rows[0]["audio"] == ""


def test_save_processed_can_be_cancelled_and_keeps_what_was_written(doctor: Store) -> None:
    calls = iter([False, False, True, True, True])
    with pytest.raises(Cancelled):
        save_processed(
            doctor, Patient(name="X"), sample_transcript(), None, tone(5.0), cancel=lambda: next(calls)
        )
    cid = doctor.list_consultations()[0]["id"]
    assert doctor.read_audio(cid).size == 32000
