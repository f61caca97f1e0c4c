"""The encrypted store behind the app's :class:`~desktop.services.ports.RecordsPort`.

One :class:`StoreRecords` per app: it opens the store for the account that signs in and
translates the store's rows into the ports' types. The store checks roles and writes the
audit log itself.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.core.errors import UsageError, UserFacingError
from desktop.core.types import Patient, SoapNote, Transcript
from desktop.services.ports import (
    AudioJournalPort,
    AuditEntry,
    ConsultationInfo,
    LetterVersion,
    NoteVersion,
    PatientMatch,
    UserInfo,
    consultation_status,
    filter_consultations,
)

if TYPE_CHECKING:
    from desktop.storage import Store
    from desktop.storage.base import User

log = logging.getLogger(__name__)

ROLE_ORDER = ("doctor", "nurse", "admin")


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.now()
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)  # shown in local time
    return value


def _user_info(user: User) -> UserInfo:
    roles = set(user.roles)
    role = next((r for r in ROLE_ORDER if r in roles), "nurse")
    return UserInfo(
        username=user.username,
        display_name=user.display_name or user.username,
        role=role,
        registration_no=user.registration_no,
        must_change_password=bool(getattr(user, "must_change_password", False)),
    )


class StoreRecords:
    """RecordsPort over :class:`desktop.storage.Store` (one store opened per signed-in account).

    The store checks roles and writes the audit log itself; this adapter only translates types.
    Status is derived from what the store holds: an open audio journal is "recording", a signed
    last version "signed", any note "draft".
    """

    def __init__(self, directory: Path, kdf: Any = None, keyring_backend: Any = None) -> None:
        self.directory = Path(directory)
        self._kdf = kdf
        self._keyring = keyring_backend  # None: the OS keyring through the keyring library
        self._store: Store | None = None
        self._complaints: dict[str, str] = {}
        self._lock = threading.RLock()

    @property
    def store(self) -> Store:
        if self._store is None:
            raise UsageError("Nobody is signed in.", "Sign in again.")
        return self._store

    def needs_setup(self) -> bool:
        return not (self.directory / "keys.json").exists()

    def initialise(self, username: str, display_name: str, password: str) -> str:
        from desktop.storage import PRODUCTION_KDF, Store

        self.close()
        store, recovery = Store.create(
            self.directory,
            username,
            password,
            display_name=display_name or username,
            roles=("admin",),
            kdf=self._kdf or PRODUCTION_KDF,
        )
        store.close()
        return str(recovery)

    def sign_in(self, username: str, password: str) -> UserInfo:
        from desktop.storage import Store

        with self._lock:
            self.close()
            self._store = Store.open(self.directory, username, password)
            self._apply_retention()
            return _user_info(self._store.user)

    def _apply_retention(self) -> None:
        """Recordings past the clinic's retention period are destroyed at sign-in (audited)."""
        try:
            destroyed = self.store.apply_retention()
        except UserFacingError:
            log.warning("retention could not be applied at sign-in", exc_info=True)
            return
        if destroyed:
            log.info("retention: destroyed the audio of %d consultation(s)", len(destroyed))

    def check_password(self, username: str, password: str) -> bool:
        return bool(self.store.check_password(username, password))

    def keyring_ready(self, username: str) -> bool:
        from desktop.storage import Store

        return bool(Store.keyring_ready(self.directory, username, self._keyring))

    def sign_in_with_keyring(self, username: str) -> UserInfo:
        from desktop.storage import Store

        with self._lock:
            self.close()
            self._store = Store.open_with_keyring(self.directory, username, self._keyring)
            self._apply_retention()
            return _user_info(self._store.user)

    def set_keyring_sign_in(self, actor: UserInfo, enabled: bool, password: str = "") -> None:
        if enabled:
            self.store.enable_keyring_unlock(password, self._keyring)
        else:
            self.store.disable_keyring_unlock(self._keyring)

    def users(self) -> list[UserInfo]:
        return [_user_info(u) for u in self.store.users()]

    def add_user(
        self,
        actor: UserInfo,
        username: str,
        display_name: str,
        role: str,
        password: str,
        registration_no: str = "",
    ) -> UserInfo:
        return _user_info(self.store.add_user(username, password, [role], display_name, registration_no))

    def set_user_active(self, actor: UserInfo, username: str, active: bool) -> None:
        if active:
            raise UsageError(
                "A deactivated account cannot be opened again.",
                "Add a new account for this person (with a new user name).",
            )
        self.store.disable_user(username)

    def reset_password(self, actor: UserInfo, username: str, new_password: str) -> None:
        self.store.set_password(username, new_password)

    def change_password(self, actor: UserInfo, old_password: str, new_password: str) -> None:
        self.store.set_password(actor.username, new_password, old_password)

    def record_consent(self, actor: UserInfo, consultation_id: str) -> None:
        self.store.record_consent(int(consultation_id))

    def consultations(self, query: str = "", day: datetime | None = None) -> list[ConsultationInfo]:
        rows = self.store.list_consultations()
        out = []
        for r in rows:
            cid = str(r["id"])
            audio = str(r.get("audio") or "")
            status = consultation_status(
                audio == "open",
                str(r.get("note") or ""),
                audio not in ("", "cancelled"),
                cancelled=r.get("state") == "cancelled",
            )
            info = ConsultationInfo(
                id=cid,
                patient=Patient(
                    name=str(r.get("name", r.get("patient", ""))),
                    name_zh=str(r.get("name_zh", "")),
                    mrn=str(r.get("mrn", "")),
                ),
                chief_complaint=self._complaints.get(cid, ""),
                created_at=_when(str(r.get("started_at", ""))),
                status=status,
                doctor=str(r.get("doctor", "")),
            )
            out.append(info)
        return filter_consultations(out, query, day)

    def open_consultation(self, info: ConsultationInfo) -> ConsultationInfo:
        """The full header (patient, consent, chief complaint from the latest note)."""
        record = self.store.consultation_record(int(info.id), purpose="opened")
        patient = Patient.from_dict(record["patient"])
        versions = record.get("note_versions") or []
        complaint = self._complaints.get(info.id, "")
        if versions:
            complaint = str(versions[-1]["note"].get("chief_complaint", "")) or complaint
        doctor = str(record["consultation"]["doctor"])
        clinician = self.store.clinician(doctor) if doctor else None
        cancelled = record["consultation"].get("state") == "cancelled"
        return replace(
            info,
            status="cancelled" if cancelled else ("new" if info.status == "cancelled" else info.status),
            patient=patient,
            chief_complaint=complaint,
            consent=bool(record["consultation"]["consent"]),
            doctor=doctor,
            doctor_name=(clinician.display_name or doctor) if clinician is not None else doctor,
            doctor_registration=clinician.registration_no if clinician is not None else "",
        )

    def create_consultation(
        self, actor: UserInfo, patient: Patient, chief_complaint: str, consent: bool, patient_id: str = ""
    ) -> ConsultationInfo:
        store = self.store
        pid = int(patient_id) if patient_id else None
        if pid is None and patient.mrn:
            pid = store.find_patient(patient.mrn)
        if pid is None:
            pid = store.add_patient(patient)
        cid = str(store.create_consultation(pid, consent=consent))
        self._complaints[cid] = chief_complaint
        return ConsultationInfo(
            id=cid, patient=patient, chief_complaint=chief_complaint, consent=consent, doctor=actor.username
        )

    def search_patients(self, query: str) -> list[PatientMatch]:
        return [
            PatientMatch(str(m.id), m.patient, m.visits, _when(m.last_visit) if m.last_visit else None)
            for m in self.store.search_patients(query)
        ]

    def cancel_consultation(self, actor: UserInfo, consultation_id: str, reason: str) -> None:
        self.store.cancel_consultation(int(consultation_id), reason)

    def reopen_consultation(self, actor: UserInfo, consultation_id: str) -> None:
        self.store.reopen_consultation(int(consultation_id))

    def delete_consultation(self, actor: UserInfo, consultation_id: str) -> None:
        self.store.delete_consultation(int(consultation_id))
        self._complaints.pop(consultation_id, None)

    def set_status(self, actor: UserInfo, consultation_id: str, status: str) -> None:
        return None  # derived from the journal and note versions

    def set_chief_complaint(self, consultation_id: str, text: str) -> None:
        # The store keeps the chief complaint inside each note version; until the first draft
        # it is held for this session.
        self._complaints[consultation_id] = text

    def save_transcript(self, actor: UserInfo, consultation_id: str, transcript: Transcript) -> None:
        self.store.save_transcript(int(consultation_id), transcript)

    def transcript(self, consultation_id: str) -> Transcript | None:
        t = self.store.transcript(int(consultation_id))
        return t if t.segments else None

    def note_versions(self, consultation_id: str) -> list[NoteVersion]:
        return [
            NoteVersion(
                number=v.version,
                note=v.note,
                kind=v.kind,
                author=v.author,
                created_at=_when(v.created_at),
                author_name=v.author_name,
            )
            for v in self.store.note_versions(int(consultation_id))
        ]

    def save_note(self, actor: UserInfo, consultation_id: str, note: SoapNote, kind: str) -> NoteVersion:
        cid = int(consultation_id)
        number = (
            self.store.sign_note(cid, note)
            if kind == "signed"
            else self.store.save_note(cid, note, kind=kind)
        )
        if note.chief_complaint:
            self._complaints[consultation_id] = note.chief_complaint
        return NoteVersion(
            number=int(number), note=note, kind=kind, author=actor.username, author_name=actor.display_name
        )

    def letters(self, consultation_id: str) -> list[LetterVersion]:
        return [
            LetterVersion(
                id=str(r["letter_id"]),
                kind=str(r["kind"]),
                number=int(r["version"]),
                html=str(r["rendered"]),
                author=str(r["author"]),
                values={str(k): str(v) for k, v in dict(r["fields"]).items()},
                created_at=_when(str(r["created_at"])),
            )
            for r in self.store.letters(int(consultation_id))
        ]

    def save_letter(
        self,
        actor: UserInfo,
        consultation_id: str,
        kind: str,
        html: str,
        values: dict[str, str],
        letter_id: str = "",
    ) -> LetterVersion:
        language = values.get("_language", "")
        fields = {k: v for k, v in values.items() if not k.startswith("_")}
        lid, version = self.store.save_letter(
            int(consultation_id),
            kind,
            language,
            fields,
            html,
            letter_id=int(letter_id) if letter_id else None,
        )
        return LetterVersion(
            id=str(lid), kind=kind, number=int(version), html=html, author=actor.username, values=fields
        )

    def log_event(self, actor: UserInfo | None, action: str, target: str = "", detail: str = "") -> None:
        if self._store is None:
            return
        try:
            self._store.record_event(action, "app", target, detail)
        except UserFacingError:
            log.warning("could not write the audit entry %s", action)

    def audit_entries(self, limit: int = 500) -> list[AuditEntry]:
        entries = self.store.audit_entries()[-limit:]
        return [
            AuditEntry(
                at=_when(e.at),
                user=e.actor,
                action=e.action,
                target=f"{e.record_type} {e.record_id}".strip(),
                detail=e.detail,
            )
            for e in reversed(entries)
        ]

    def clinic_policy(self) -> dict[str, Any]:
        return dict(self.store.policy())

    def set_clinic_policy(self, actor: UserInfo, values: dict[str, Any]) -> None:
        self.store.set_policy(**values)  # the store checks the role and audits the change

    def open_journal(self, consultation_id: str) -> AudioJournalPort:
        journal: AudioJournalPort = self.store.open_journal(int(consultation_id))
        return journal

    def read_audio(self, consultation_id: str, start_s: float, end_s: float) -> tuple[np.ndarray, int]:
        return self.store.read_audio(int(consultation_id), start_s, end_s), 16000

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
