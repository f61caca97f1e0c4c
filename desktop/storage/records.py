"""The clinical records: patients, consultations, transcripts, note versions and their signatures, letters."""

from __future__ import annotations

import difflib
import json
import logging
import secrets
from typing import Any

from desktop.core.errors import (
    AuthenticationError,
    UsageError,
)
from desktop.core.types import Correction, Patient, SoapNote, Transcript, TranscriptSegment, Word
from desktop.storage import crypto
from desktop.storage.base import NoteVersion, StoreBase, _guarded, _now

log = logging.getLogger(__name__)


class RecordsMixin(StoreBase):
    """Patients, consultations, transcripts, note versions (signed ones signed), letters."""

    # ------------------------------------------------------------------ patients and consultations
    def add_patient(self, patient: Patient) -> int:
        self._require("write_clinical", "patient", "new")
        with self._write():
            cur = self._conn.execute(
                "INSERT INTO patients (name, name_zh, sex, date_of_birth, mrn, age, placeholder, created_at,"
                " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient.name,
                    patient.name_zh,
                    patient.sex,
                    patient.date_of_birth,
                    patient.mrn,
                    patient.age,
                    int(patient.placeholder),
                    _now(),
                    self.user.id,
                ),
            )
            pid = int(cur.lastrowid)
            self._audit("patient_added", "patient", pid)
        return pid

    def find_patient(self, mrn: str) -> int | None:
        self._require("read_clinical", "patient", "mrn")
        if not mrn:
            return None
        with self._read() as conn:
            row = conn.execute("SELECT id FROM patients WHERE mrn = ? ORDER BY id LIMIT 1", (mrn,)).fetchone()
        return int(row[0]) if row else None

    def patient(self, patient_id: int) -> Patient:
        self._require("read_clinical", "patient", patient_id)
        with self._read() as conn:
            row = conn.execute(
                "SELECT name, name_zh, sex, date_of_birth, mrn, age, placeholder FROM patients WHERE id = ?",
                (patient_id,),
            ).fetchone()
        if row is None:
            raise UsageError(
                f"There is no patient {patient_id}.", "List records with `consult-scribe records list`."
            )
        return Patient(
            name=row[0],
            name_zh=row[1],
            sex=row[2],
            date_of_birth=row[3],
            mrn=row[4],
            age=None if row[5] is None else int(row[5]),
            placeholder=bool(row[6]),
        )

    def create_consultation(
        self,
        patient_id: int,
        *,
        language: str = "",
        consent: bool = False,
        started_at: str | None = None,
        doctor: str | None = None,
    ) -> int:
        """A new consultation; the doctor is the signed-in user unless ``doctor`` names another account."""
        self._require("write_clinical", "consultation", "new")
        with self._write():
            doctor_id = self.user.id
            if doctor and doctor != self.user.username:
                row = self._conn.execute("SELECT id FROM users WHERE username = ?", (doctor,)).fetchone()
                if row is None:
                    raise UsageError(f"There is no account called {doctor}.", "Check the user name.")
                doctor_id = int(row[0])
            now = _now()
            cur = self._conn.execute(
                "INSERT INTO consultations (uid, patient_id, doctor_id, started_at, language, consent,"
                " consent_at,"
                " consent_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    secrets.token_hex(16),
                    patient_id,
                    doctor_id,
                    started_at or now,
                    language,
                    int(consent),
                    now if consent else None,
                    self.user.id if consent else None,
                    now,
                ),
            )
            cid = int(cur.lastrowid)
            self._audit("consultation_created", "consultation", cid, "consent recorded" if consent else "")
        return cid

    def record_consent(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        self._writable_consultation(consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET consent = 1, consent_at = ?, consent_by = ? WHERE id = ?",
                (_now(), self.user.id, consultation_id),
            )
            self._audit("consent_recorded", "consultation", consultation_id)

    def end_consultation(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET ended_at = ? WHERE id = ?", (_now(), consultation_id)
            )
            self._audit("consultation_ended", "consultation", consultation_id)

    def mark_incomplete(self, consultation_id: int, reason: str) -> None:
        """Record that saving this consultation stopped part-way; what was written stays."""
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET incomplete = ? WHERE id = ?", (reason, consultation_id)
            )
            self._audit("consultation_incomplete", "consultation", consultation_id, reason)

    def mark_complete(self, consultation_id: int) -> None:
        self._require("write_clinical", "consultation", consultation_id)
        with self._write():
            self._conn.execute("UPDATE consultations SET incomplete = NULL WHERE id = ?", (consultation_id,))

    @_guarded
    def list_consultations(self) -> list[dict[str, Any]]:
        self._require("read_clinical", "consultation", "*")
        with self._read() as conn:
            rows = conn.execute(
                """SELECT c.id, c.started_at, p.name, p.name_zh, p.mrn, u.username, c.language,
                          (SELECT kind FROM note_versions n WHERE n.consultation_id = c.id
                           ORDER BY version DESC LIMIT 1),
                          (SELECT state FROM audio_journals a WHERE a.consultation_id = c.id),
                          c.state
                   FROM consultations c JOIN patients p ON p.id = c.patient_id
                   JOIN users u ON u.id = c.doctor_id
                   WHERE c.state != 'deleted'
                   ORDER BY c.started_at DESC, c.id DESC"""
            ).fetchall()
        self._audit_now("records_listed", "consultation", "*", f"{len(rows)} consultations")
        return [
            {
                "id": r[0],
                "started_at": r[1],
                "patient": " ".join(x for x in (r[2], r[3]) if x),
                "mrn": r[4],
                "doctor": r[5],
                "language": r[6],
                "note": r[7] or "",
                "audio": r[8] or "",
                "state": r[9],
                "name": r[2],
                "name_zh": r[3],
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ transcript
    def save_transcript(self, consultation_id: int, transcript: Transcript) -> None:
        """Store the transcript's segments (replacing the previous final transcript of this consultation)."""
        self._require("write_clinical", "consultation", consultation_id)
        self._writable_consultation(consultation_id)
        with self._write():
            self._conn.execute(
                "DELETE FROM transcript_segments WHERE consultation_id = ?", (consultation_id,)
            )
            self._conn.executemany(
                'INSERT INTO transcript_segments (consultation_id, seq, segment_id, start, "end", text,'
                " speaker,"
                " speaker_confidence, language, final, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        consultation_id,
                        seq,
                        s.id,
                        s.start,
                        s.end,
                        s.text,
                        s.speaker,
                        s.speaker_confidence,
                        s.language or transcript.language,
                        int(s.final),
                        _words_json(s),
                    )
                    for seq, s in enumerate(transcript.segments)
                ],
            )
            if transcript.language:
                self._conn.execute(
                    "UPDATE consultations SET language = ? WHERE id = ? AND language = ''",
                    (transcript.language, consultation_id),
                )
            self._audit(
                "transcript_saved", "consultation", consultation_id, f"{len(transcript.segments)} segments"
            )

    @_guarded
    def transcript(self, consultation_id: int) -> Transcript:
        self._require("read_clinical", "consultation", consultation_id)
        row = self._consultation_row(consultation_id)
        with self._read() as conn:
            rows = conn.execute(
                'SELECT segment_id, start, "end", text, speaker, speaker_confidence, language, final, words'
                " FROM transcript_segments WHERE consultation_id = ? ORDER BY seq",
                (consultation_id,),
            ).fetchall()
        segments = [
            TranscriptSegment(
                id=r[0],
                start=float(r[1]),
                end=float(r[2]),
                text=r[3],
                speaker=r[4],
                speaker_confidence=r[5],
                language=r[6],
                final=bool(r[7]),
            )
            for r in rows
        ]
        for seg, r in zip(segments, rows, strict=True):
            _read_words_json(seg, r[8])
        return Transcript(language=str(row[6]), segments=segments)

    # ------------------------------------------------------------------ notes
    def save_note(self, consultation_id: int, note: SoapNote, *, kind: str = "edit") -> int:
        """Add a version of the note: ``ai_draft`` (the model's draft) or ``edit``. Returns the version."""
        if kind not in ("ai_draft", "edit"):
            raise UsageError(
                f"Unknown note version kind '{kind}'.", "Use ai_draft or edit; sign with sign_note."
            )
        self._require("write_clinical", "note", consultation_id)
        self._writable_consultation(consultation_id)
        return self._add_note_version(consultation_id, note, kind)

    def sign_note(self, consultation_id: int, note: SoapNote | None = None) -> int:
        """Sign the note (doctors only): a new ``signed`` version; earlier versions stay as they were."""
        self._require("sign_note", "note", consultation_id)
        self._writable_consultation(consultation_id)
        if note is None:
            versions = self._note_rows(consultation_id)
            if not versions:
                raise UsageError("There is no note to sign yet.", "Draft or write the note first.")
            note = versions[-1].note
        return self._add_note_version(consultation_id, note, "signed")

    def _add_note_version(self, consultation_id: int, note: SoapNote, kind: str) -> int:
        with self._write():
            row = self._conn.execute(
                "SELECT coalesce(max(version), 0) FROM note_versions WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
            version = int(row[0]) + 1
            created, content = _now(), json.dumps(_note_dict(note), ensure_ascii=False)
            values = (consultation_id, version, kind, self.user.id, created, content)
            if kind == "signed":
                self._sign("note", f"{consultation_id}:{version}", _note_message(self.store_id, values))
            self._conn.execute(
                "INSERT INTO note_versions (consultation_id, version, kind, author_id, created_at, content)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
            action = {"ai_draft": "note_drafted", "edit": "note_edited", "signed": "note_signed"}[kind]
            self._audit(action, "note", consultation_id, f"version {version}")
        return version

    def _sign(self, record_type: str, record_key: str, message: bytes) -> None:
        """Sign with the signed-in account's key. Call inside ``_write``."""
        if self._account_private is None:
            raise AuthenticationError(
                "Signing needs your password: this session was not opened with it.",
                "Sign out and sign in with your password, then sign again.",
            )
        key = crypto.signing_key(self._account_private)
        self._conn.execute(
            "INSERT INTO signatures (record_type, record_key, signer, public_key, signature)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                record_type,
                record_key,
                self.user.username,
                key.public_key().public_bytes_raw(),
                key.sign(message),
            ),
        )

    def _signature_problems(self, conn: Any) -> list[str]:
        """Every signed note version must carry a signature that checks, by a key its signer holds."""
        problems = []
        signatures = {
            str(r[0]): (str(r[1]), bytes(r[2]), bytes(r[3]))
            for r in conn.execute(
                "SELECT record_key, signer, public_key, signature FROM signatures WHERE record_type = 'note'"
            )
        }
        rows = conn.execute(
            "SELECT consultation_id, version, kind, author_id, created_at, content FROM note_versions"
            " WHERE kind = 'signed' ORDER BY consultation_id, version"
        ).fetchall()
        for row in rows:
            values = (int(row[0]), int(row[1]), str(row[2]), int(row[3]), str(row[4]), str(row[5]))
            where = f"consultation {values[0]}: signed note version {values[1]}"
            found = signatures.get(f"{values[0]}:{values[1]}")
            if found is None:
                problems.append(f"{where} has no signature")
                continue
            signer, public, signature = found
            if not crypto.verify_signature(public, signature, _note_message(self.store_id, values)):
                problems.append(f"{where} was altered after it was signed (its signature does not match)")
                continue
            slot = self._keyfile.slots.get(signer)
            if slot is not None and public not in (slot.signing_public, *slot.previous_signing):
                problems.append(f"{where} is signed with a key that is not {signer}'s")
        return problems

    @_guarded
    def _note_rows(self, consultation_id: int) -> list[NoteVersion]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT n.version, n.kind, u.username, n.created_at, n.content, u.display_name"
                " FROM note_versions n"
                " JOIN users u ON u.id = n.author_id WHERE n.consultation_id = ? ORDER BY n.version",
                (consultation_id,),
            ).fetchall()
        return [
            NoteVersion(int(r[0]), r[1], r[2], r[3], SoapNote.from_dict(json.loads(r[4])), str(r[5] or r[2]))
            for r in rows
        ]

    def note_versions(self, consultation_id: int) -> list[NoteVersion]:
        self._require("read_clinical", "note", consultation_id)
        return self._note_rows(consultation_id)

    def note_diff(self, consultation_id: int) -> str:
        """Unified diff from the AI draft to the signed version (or to the latest version if unsigned)."""
        versions = self.note_versions(consultation_id)
        draft = next((v for v in versions if v.kind == "ai_draft"), None)
        signed = [v for v in versions if v.kind == "signed"]
        target = signed[-1] if signed else (versions[-1] if versions else None)
        if draft is None or target is None:
            return ""
        before = draft.note.to_markdown().splitlines(keepends=True)
        after = target.note.to_markdown().splitlines(keepends=True)
        return "".join(
            difflib.unified_diff(
                before,
                after,
                f"AI draft (v{draft.version})",
                f"{target.kind} (v{target.version}, {target.author})",
            )
        )

    # ------------------------------------------------------------------ letters
    def save_letter(
        self,
        consultation_id: int,
        kind: str,
        language: str,
        fields: dict[str, Any],
        rendered: str,
        *,
        letter_id: int | None = None,
        signed: bool = False,
    ) -> tuple[int, int]:
        """Save a letter's new version; returns (letter id, version). Signing a letter needs a doctor."""
        self._require("sign_note" if signed else "write_clinical", "letter", letter_id or consultation_id)
        self._writable_consultation(consultation_id)
        with self._write():
            if letter_id is None:
                cur = self._conn.execute(
                    "INSERT INTO letters (consultation_id, kind, language, created_at, created_by) VALUES"
                    " (?, ?, ?, ?, ?)",
                    (consultation_id, kind, language, _now(), self.user.id),
                )
                letter_id = int(cur.lastrowid)
            row = self._conn.execute(
                "SELECT coalesce(max(version), 0) FROM letter_versions WHERE letter_id = ?", (letter_id,)
            ).fetchone()
            version = int(row[0]) + 1
            self._conn.execute(
                "INSERT INTO letter_versions (letter_id, version, author_id, created_at, fields, rendered,"
                " signed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    letter_id,
                    version,
                    self.user.id,
                    _now(),
                    json.dumps(fields, ensure_ascii=False),
                    rendered,
                    int(signed),
                ),
            )
            self._audit(
                "letter_signed" if signed else "letter_saved",
                "letter",
                letter_id,
                f"{kind} version {version}",
            )
        return letter_id, version

    @_guarded
    def letters(self, consultation_id: int) -> list[dict[str, Any]]:
        self._require("read_clinical", "letter", consultation_id)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT l.id, l.kind, l.language, v.version, u.username, v.created_at, v.fields,"
                " v.rendered, v.signed"
                " FROM letters l JOIN letter_versions v ON v.letter_id = l.id JOIN users u ON u.id ="
                " v.author_id"
                " WHERE l.consultation_id = ? ORDER BY l.id, v.version",
                (consultation_id,),
            ).fetchall()
        return [
            {
                "letter_id": r[0],
                "kind": r[1],
                "language": r[2],
                "version": r[3],
                "author": r[4],
                "created_at": r[5],
                "fields": json.loads(r[6]),
                "rendered": r[7],
                "signed": bool(r[8]),
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ whole record
    @_guarded
    def consultation_record(self, consultation_id: int, *, purpose: str = "viewed") -> dict[str, Any]:
        """Everything about one consultation as plain data (for ``records show/export``)."""
        self._require("read_clinical", "consultation", consultation_id)
        row = self._consultation_row(consultation_id)
        patient = self.patient(int(row[2]))
        with self._read() as conn:
            audio = conn.execute(
                "SELECT state, chunks, samples, sample_rate FROM audio_journals WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
        record = {
            "consultation": {
                "id": row[0],
                "doctor": row[3],
                "started_at": row[4],
                "ended_at": row[5],
                "language": row[6],
                "consent": bool(row[7]),
                "state": row[8],
            },
            "patient": patient.to_dict(),
            "transcript": self.transcript(consultation_id).to_dict(),
            "note_versions": [
                {
                    "version": v.version,
                    "kind": v.kind,
                    "author": v.author,
                    "created_at": v.created_at,
                    "note": _note_dict(v.note),
                }
                for v in self.note_versions(consultation_id)
            ],
            "note_diff": self.note_diff(consultation_id),
            "letters": self.letters(consultation_id),
            "audio": None
            if audio is None
            else {"state": audio[0], "chunks": audio[1], "seconds": round(audio[2] / audio[3], 3)},
        }
        self._audit_now(f"record_{purpose}", "consultation", consultation_id)
        return record


def _note_dict(note: SoapNote) -> dict[str, Any]:
    data = note.to_dict()
    for name, st in note.statements():
        if st.accepted:
            index = note.section(name).index(st)
            data[name][index]["accepted"] = True
    return data


def _note_message(store_id: str, values: tuple[int, int, str, int, str, str]) -> bytes:
    """What a note version's signature covers: where it belongs, who wrote it when, and its content."""
    cid, version, kind, author, created, content = values
    head = f"consultscribe-note\0{store_id}\0{cid}\0{version}\0{kind}\0{author}\0{created}\0"
    return head.encode("utf-8") + content.encode("utf-8")


def _words_json(segment: TranscriptSegment) -> str:
    """The segment's word timings; with drug-name corrections or the live text beside the record
    text, an object that carries those too (older rows hold the plain list)."""
    words = [[w.start, w.end, w.text, w.probability] for w in segment.words]
    if not segment.corrections and segment.live_text is None:
        return json.dumps(words, ensure_ascii=False)
    data: dict[str, object] = {"words": words, "corrections": [c.to_dict() for c in segment.corrections]}
    if segment.live_text is not None:
        data["live_text"] = segment.live_text
    return json.dumps(data, ensure_ascii=False)


def _read_words_json(segment: TranscriptSegment, raw: str) -> None:
    data = json.loads(raw)
    if isinstance(data, dict):
        segment.corrections = [Correction.from_dict(c) for c in data.get("corrections", [])]
        live = data.get("live_text")
        segment.live_text = str(live) if live is not None else None
        data = data.get("words", [])
    segment.words = [Word(float(w[0]), float(w[1]), str(w[2]), float(w[3])) for w in data]
