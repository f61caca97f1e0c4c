"""A consultation's end other than signing: cancelled (kept whole, read-only) or deleted; and
finding a patient again (by name, Chinese name or MRN) when a consultation starts.

* **Cancel** keeps everything — audio, transcript, every note version, letters — and the audit
  trail; the consultation becomes read-only (nothing can be recorded, drafted or saved) until it
  is reopened. For a visit that did not happen, or one started for the wrong patient after a
  note was signed.
* **Delete** is for a consultation started by mistake. It is refused when a note version is
  signed or a document was made: cancel those instead. Otherwise the audio's data key and file
  are destroyed, and the transcript and the unsigned note versions are removed. The row stays as
  a tombstone (state ``deleted``, who and when), so the audit log's entries about it still name
  a record; a linked intake is unlinked and kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from desktop.core.errors import UsageError
from desktop.core.types import Patient
from desktop.storage.base import _guarded, _now
from desktop.storage.recordings import RecordingsMixin

log = logging.getLogger(__name__)

MAX_RESULTS = 20


@dataclass
class PatientMatch:
    id: int
    patient: Patient
    visits: int
    last_visit: str  # ISO time of the latest consultation, "" when none


def _like(text: str) -> str:
    escaped = re.sub(r"([\\%_])", r"\\\1", text)
    return f"%{escaped}%"


class LifecycleMixin(RecordingsMixin):
    """Patient look-up; cancelling, reopening and deleting consultations (all audited)."""

    @_guarded
    def search_patients(self, query: str, limit: int = MAX_RESULTS) -> list[PatientMatch]:
        """Patients whose name, Chinese name or MRN contains ``query`` (case-insensitive), the
        most recently seen first. The audit entry counts the matches; the words searched are
        not written to it."""
        self._require("read_clinical", "patient", "search")
        words = " ".join(query.split())
        if not words:
            return []
        pattern = _like(words)
        with self._read() as conn:
            rows = conn.execute(
                """SELECT p.id, p.name, p.name_zh, p.sex, p.date_of_birth, p.mrn, p.age, p.placeholder,
                          count(c.id), coalesce(max(c.started_at), '')
                   FROM patients p
                   LEFT JOIN consultations c ON c.patient_id = p.id AND c.state != 'deleted'
                   WHERE p.placeholder = 0 AND (p.name LIKE ? ESCAPE '\\' OR p.name_zh LIKE ? ESCAPE '\\'
                         OR p.mrn LIKE ? ESCAPE '\\')
                   GROUP BY p.id
                   ORDER BY max(c.started_at) IS NULL, max(c.started_at) DESC, p.id DESC
                   LIMIT ?""",
                (pattern, pattern, pattern, max(1, min(limit, 100))),
            ).fetchall()
        self._audit_now("patients_searched", "patient", "*", f"{len(rows)} found")
        return [
            PatientMatch(
                id=int(r[0]),
                patient=Patient(
                    name=r[1],
                    name_zh=r[2],
                    sex=r[3],
                    date_of_birth=r[4],
                    mrn=r[5],
                    age=None if r[6] is None else int(r[6]),
                    placeholder=bool(r[7]),
                ),
                visits=int(r[8]),
                last_visit=str(r[9]),
            )
            for r in rows
        ]

    def consultation_state(self, consultation_id: int) -> str:
        """``open``, ``cancelled`` (raises for a deleted one, like every read)."""
        self._require("read_clinical", "consultation", consultation_id)
        return str(self._consultation_row(consultation_id)[8])

    def cancel_consultation(self, consultation_id: int, reason: str = "") -> None:
        """Keep the consultation whole but read-only (audited; the reason stays in the record)."""
        self._require("write_clinical", "consultation", consultation_id)
        self._writable_consultation(consultation_id)
        self._refuse_while_recording(consultation_id)
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET state = 'cancelled', closed_at = ?, closed_by = ?, close_reason = ?"
                " WHERE id = ?",
                (_now(), self.user.id, reason.strip()[:500], consultation_id),
            )
            self._audit("consultation_cancelled", "consultation", consultation_id)

    def reopen_consultation(self, consultation_id: int) -> None:
        """A consultation cancelled by mistake can be changed again (audited)."""
        self._require("write_clinical", "consultation", consultation_id)
        if self._consultation_row(consultation_id)[8] != "cancelled":
            return
        with self._write():
            self._conn.execute(
                "UPDATE consultations SET state = 'open', closed_at = NULL, closed_by = NULL, close_reason = ''"
                " WHERE id = ?",
                (consultation_id,),
            )
            self._audit("consultation_reopened", "consultation", consultation_id)

    def delete_consultation(self, consultation_id: int) -> None:
        """Remove a consultation started by mistake; refused once a note is signed or a document made."""
        self._require("write_clinical", "consultation", consultation_id)
        self._consultation_row(consultation_id)
        self._refuse_while_recording(consultation_id)
        with self._read() as conn:
            signed = conn.execute(
                "SELECT count(*) FROM note_versions WHERE consultation_id = ? AND kind = 'signed'",
                (consultation_id,),
            ).fetchone()[0]
            letters = conn.execute(
                "SELECT count(*) FROM letters WHERE consultation_id = ?", (consultation_id,)
            ).fetchone()[0]
            journal = conn.execute(
                "SELECT state FROM audio_journals WHERE consultation_id = ?", (consultation_id,)
            ).fetchone()
        if signed:
            raise UsageError(
                "A signed note is never deleted.",
                "Cancel the consultation instead: it is kept, read-only, with its audit trail.",
            )
        if letters:
            raise UsageError(
                "Documents were made for this consultation, so it cannot be deleted.",
                "Cancel the consultation instead: it is kept, read-only, with its audit trail.",
            )
        if journal is not None and journal[0] != "purged":
            self._destroy_audio(consultation_id, "consultation deleted")
        with self._write():
            conn = self._conn
            segments = conn.execute(
                "DELETE FROM transcript_segments WHERE consultation_id = ?", (consultation_id,)
            ).rowcount
            versions = conn.execute(
                "DELETE FROM note_versions WHERE consultation_id = ?", (consultation_id,)
            ).rowcount
            conn.execute(
                "UPDATE intake_sessions SET consultation_id = NULL WHERE consultation_id = ?",
                (consultation_id,),
            )
            conn.execute(
                "UPDATE consultations SET state = 'deleted', closed_at = ?, closed_by = ?, incomplete = NULL"
                " WHERE id = ?",
                (_now(), self.user.id, consultation_id),
            )
            self._audit(
                "consultation_deleted",
                "consultation",
                consultation_id,
                f"{segments} transcript lines, {versions} note versions removed;"
                f" audio {'destroyed' if journal is not None else 'none'}",
            )

    def _refuse_while_recording(self, consultation_id: int) -> None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT state FROM audio_journals WHERE consultation_id = ?", (consultation_id,)
            ).fetchone()
        if (row is not None and row[0] == "open") or consultation_id in self._open_journals:
            raise UsageError("This consultation is being recorded.", "Stop the recording first.")
