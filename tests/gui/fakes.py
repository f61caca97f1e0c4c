"""Fakes of the app's ports for widget tests (the layers above the engines).

They behave like the real engines at the port level (roles refused, versions numbered, audio
appended, cancellation honoured) so the widgets' logic is exercised without models or a store.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import numpy as np

from desktop.config import ClinicSettings, Settings
from desktop.core.errors import (
    AudioError,
    AuthenticationError,
    Cancelled,
    ModelError,
    PermissionDeniedError,
    UsageError,
)
from desktop.core.types import NOTE_SECTIONS, NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment
from desktop.documents.templates import KINDS
from desktop.services.backend import Backend
from desktop.services.intake import IntakeDetail, IntakeRow, IssuedIntake
from desktop.services.ports import (
    AudioDevice,
    AuditEntry,
    ConsultationInfo,
    LetterField,
    LetterKind,
    LetterVersion,
    ModelInfo,
    NoteVersion,
    PatientMatch,
    ProgressFn,
    RenderedLetter,
    TokenFn,
    UserInfo,
    VoiceStatus,
    filter_consultations,
)

RATE = 16000


class FakeJournal:
    sample_rate = RATE

    def __init__(self, sink: list[np.ndarray]) -> None:
        self.sink = sink
        self.closed = False

    def append(self, samples: np.ndarray) -> int:
        assert not self.closed
        self.sink.append(np.array(samples, dtype=np.float32))
        return 0

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeRecords:
    users_: dict[str, tuple[UserInfo, str]] = field(default_factory=dict)
    setup_needed: bool = False
    infos: dict[str, ConsultationInfo] = field(default_factory=dict)
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    notes: dict[str, list[NoteVersion]] = field(default_factory=dict)
    letters_: dict[str, list[LetterVersion]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    audio: dict[str, list[np.ndarray]] = field(default_factory=dict)
    current: UserInfo | None = None
    # The store's clinic-wide rules, as desktop.storage.store.POLICY_DEFAULTS starts them.
    policy: dict[str, object] = field(
        default_factory=lambda: {"retention_days": 2555, "auto_lock_minutes": 10, "keyring_unlock": False}
    )
    keyring: set[str] = field(default_factory=set)  # user names this PC's keyring can sign in
    patients: dict[str, Patient] = field(default_factory=dict)
    patient_of: dict[str, str] = field(default_factory=dict)  # consultation id -> patient id
    searches: list[tuple[str, str]] = field(default_factory=list)  # (query, thread that ran it)
    deleted: dict[str, ConsultationInfo] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # why a consultation was cancelled

    def add(self, username: str, role: str, password: str = "password1", reg: str = "") -> UserInfo:
        user = UserInfo(username, username.capitalize(), role, reg)
        self.users_[username] = (user, password)
        return user

    def _audit(self, action: str, target: str = "", detail: str = "") -> None:
        who = self.current.username if self.current else "?"
        self.audit.append(AuditEntry(datetime.now(), who, action, target, detail))

    def needs_setup(self) -> bool:
        return self.setup_needed

    def initialise(self, username: str, display_name: str, password: str) -> str:
        self.add(username, "admin", password)
        self.setup_needed = False
        return "ABCD-EFGH-IJKL-MNOP"

    def sign_in(self, username: str, password: str) -> UserInfo:
        entry = self.users_.get(username)
        if entry is None or entry[1] != password or not entry[0].active:
            raise AuthenticationError(
                "The user name or password is wrong.", "Check the spelling and try again."
            )
        self.current = entry[0]
        self._audit("sign_in", username)
        return entry[0]

    def check_password(self, username: str, password: str) -> bool:
        entry = self.users_.get(username)
        return entry is not None and entry[1] == password

    def keyring_ready(self, username: str) -> bool:
        return username in self.keyring

    def sign_in_with_keyring(self, username: str) -> UserInfo:
        if username not in self.keyring:
            raise AuthenticationError("Keyring sign-in is not set up for this account.")
        if not self.policy["keyring_unlock"]:
            raise PermissionDeniedError("The clinic policy does not allow keyring sign-in.")
        self.current = self.users_[username][0]
        self._audit("signed_in_keyring", username)
        return self.current

    def set_keyring_sign_in(self, actor: UserInfo, enabled: bool, password: str = "") -> None:
        if not enabled:
            self.keyring.discard(actor.username)
            self._audit("keyring_disabled", actor.username)
            return
        if not self.policy["keyring_unlock"]:
            raise PermissionDeniedError("The clinic policy does not allow keyring sign-in.")
        if not self.check_password(actor.username, password):
            raise AuthenticationError("The user name or password is wrong.")
        self.keyring.add(actor.username)
        self._audit("keyring_enabled", actor.username)

    def users(self) -> list[UserInfo]:
        return [u for u, _ in self.users_.values()]

    def add_user(
        self,
        actor: UserInfo,
        username: str,
        display_name: str,
        role: str,
        password: str,
        registration_no: str = "",
    ) -> UserInfo:
        if actor.role != "admin":
            raise PermissionDeniedError("Only an administrator can add users.")
        if username in self.users_:
            raise UsageError(f"There is already an account called {username}.", "Choose another user name.")
        user = UserInfo(username, display_name, role, registration_no, must_change_password=True)
        self.users_[username] = (user, password)
        self._audit("user_added", username)
        return user

    def set_user_active(self, actor: UserInfo, username: str, active: bool) -> None:
        if actor.role != "admin":
            raise PermissionDeniedError("Only an administrator can deactivate accounts.")
        if active:
            raise UsageError("A deactivated account cannot be opened again.")
        if username == actor.username:
            raise UsageError("You cannot close your own account.", "Ask another administrator.")
        self.users_[username][0].active = False
        self._audit("user_disabled", username)

    def reset_password(self, actor: UserInfo, username: str, new_password: str) -> None:
        if actor.role != "admin":
            raise PermissionDeniedError("Only an administrator can reset a password.")
        user, _ = self.users_[username]
        user.must_change_password = username != actor.username
        self.users_[username] = (user, new_password)
        self._audit("password_reset", username)

    def change_password(self, actor: UserInfo, old_password: str, new_password: str) -> None:
        user, current = self.users_[actor.username]
        if current != old_password:
            raise AuthenticationError("The current password is wrong.")
        if len(new_password) < 8:
            raise UsageError("The new password needs at least 8 characters.")
        user.must_change_password = False
        self.users_[actor.username] = (user, new_password)
        self._audit("password_changed", actor.username)

    def record_consent(self, actor: UserInfo, consultation_id: str) -> None:
        self.infos[consultation_id].consent = True
        self._audit("consent_recorded", consultation_id)

    def consultations(self, query: str = "", day: datetime | None = None) -> list[ConsultationInfo]:
        return filter_consultations(list(reversed(self.infos.values())), query, day)

    def open_consultation(self, info: ConsultationInfo) -> ConsultationInfo:
        self._audit("record_opened", info.id)
        full = self.infos[info.id]
        doctor = self.users_.get(full.doctor)
        if doctor is not None:
            full.doctor_name, full.doctor_registration = doctor[0].display_name, doctor[0].registration_no
        return full

    def create_consultation(
        self, actor: UserInfo, patient: Patient, chief_complaint: str, consent: bool, patient_id: str = ""
    ) -> ConsultationInfo:
        cid = str(len(self.infos) + len(self.deleted) + 1)
        if patient_id:
            patient = self.patients[patient_id]
        else:
            patient_id = str(len(self.patients) + 1)
            self.patients[patient_id] = patient
        info = ConsultationInfo(cid, patient, chief_complaint, consent=consent, doctor=actor.username)
        self.infos[cid] = info
        self.patient_of[cid] = patient_id
        self._audit("consultation_created", cid, "consent recorded" if consent else "no consent")
        return info

    def search_patients(self, query: str) -> list[PatientMatch]:
        self.searches.append((query, threading.current_thread().name))
        needle = " ".join(query.split()).lower()
        if not needle:
            return []
        out = []
        for pid, p in self.patients.items():
            if needle in p.name.lower() or needle in p.name_zh or needle in p.mrn.lower():
                visits = [
                    self.infos[c].created_at
                    for c, q in self.patient_of.items()
                    if q == pid and c in self.infos
                ]
                out.append(PatientMatch(pid, p, len(visits), max(visits) if visits else None))
        self._audit("patients_searched", "*", f"{len(out)} found")
        return out

    def _writable(self, consultation_id: str) -> ConsultationInfo:
        info = self.infos[consultation_id]
        if info.status == "cancelled":
            raise UsageError(f"Consultation {consultation_id} is cancelled; it is kept as it was, read-only.")
        return info

    def cancel_consultation(self, actor: UserInfo, consultation_id: str, reason: str) -> None:
        self._writable(consultation_id).status = "cancelled"
        self.reasons[consultation_id] = reason
        self._audit("consultation_cancelled", consultation_id)

    def reopen_consultation(self, actor: UserInfo, consultation_id: str) -> None:
        self.infos[consultation_id].status = "new"
        self._audit("consultation_reopened", consultation_id)

    def delete_consultation(self, actor: UserInfo, consultation_id: str) -> None:
        if any(v.signed for v in self.notes.get(consultation_id, [])):
            raise UsageError("A signed note is never deleted.", "Cancel the consultation instead.")
        if self.letters_.get(consultation_id):
            raise UsageError("Documents were made for this consultation, so it cannot be deleted.")
        self.deleted[consultation_id] = self.infos.pop(consultation_id)
        for store in (self.transcripts, self.notes, self.audio):
            store.pop(consultation_id, None)  # type: ignore[attr-defined]
        self._audit("consultation_deleted", consultation_id)

    def set_status(self, actor: UserInfo, consultation_id: str, status: str) -> None:
        self.infos[consultation_id].status = status

    def set_chief_complaint(self, consultation_id: str, text: str) -> None:
        self.infos[consultation_id].chief_complaint = text

    def save_transcript(self, actor: UserInfo, consultation_id: str, transcript: Transcript) -> None:
        self.transcripts[consultation_id] = transcript

    def transcript(self, consultation_id: str) -> Transcript | None:
        return self.transcripts.get(consultation_id)

    def note_versions(self, consultation_id: str) -> list[NoteVersion]:
        return list(self.notes.get(consultation_id, []))

    def save_note(self, actor: UserInfo, consultation_id: str, note: SoapNote, kind: str) -> NoteVersion:
        self._writable(consultation_id)
        if kind == "signed" and actor.role != "doctor":
            raise PermissionDeniedError("Only a doctor can sign.")
        versions = self.notes.setdefault(consultation_id, [])
        copy = SoapNote.from_dict(json.loads(json.dumps(note.to_dict())))
        for (_, a), (_, b) in zip(copy.statements(), note.statements(), strict=True):
            a.accepted = b.accepted
        v = NoteVersion(len(versions) + 1, copy, kind, actor.username, author_name=actor.display_name)
        versions.append(v)
        self._audit(f"note_{kind}", consultation_id, f"version {v.number}")
        return v

    def letters(self, consultation_id: str) -> list[LetterVersion]:
        return list(self.letters_.get(consultation_id, []))

    def save_letter(
        self,
        actor: UserInfo,
        consultation_id: str,
        kind: str,
        html: str,
        values: dict[str, str],
        letter_id: str = "",
    ) -> LetterVersion:
        items = self.letters_.setdefault(consultation_id, [])
        lid = letter_id or str(len({v.id for v in items}) + 1)
        number = 1 + sum(1 for v in items if v.id == lid)
        v = LetterVersion(lid, kind, number, html, actor.username, dict(values))
        items.append(v)
        self._audit("letter_saved", lid, f"{kind} version {number}")
        return v

    def log_event(self, actor: UserInfo | None, action: str, target: str = "", detail: str = "") -> None:
        self._audit(action, target, detail)

    def audit_entries(self, limit: int = 500) -> list[AuditEntry]:
        return list(reversed(self.audit))[:limit]

    def clinic_policy(self) -> dict[str, object]:
        return dict(self.policy)

    def set_clinic_policy(self, actor: UserInfo, values: dict[str, object]) -> None:
        if actor.role != "admin":
            raise PermissionDeniedError("Only an administrator can change the clinic policy.")
        self.policy.update(values)
        self._audit("policy_changed", "policy", ",".join(sorted(values)))

    def open_journal(self, consultation_id: str) -> FakeJournal:
        self._writable(consultation_id)
        return FakeJournal(self.audio.setdefault(consultation_id, []))

    def read_audio(self, consultation_id: str, start_s: float, end_s: float) -> tuple[np.ndarray, int]:
        chunks = self.audio.get(consultation_id, [])
        data = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return data[int(start_s * RATE) : int(end_s * RATE)], RATE

    def close(self) -> None:
        self.current = None


class ControlledSource:
    """A microphone stand-in: delivers 0.1 s blocks while running, until ``finish()``."""

    sample_rate = RATE

    def __init__(self, seconds: float | None = None) -> None:
        self.limit = int(seconds * RATE) if seconds else None
        self.delivered = 0
        self.started = threading.Event()
        self._stop = threading.Event()
        self.release = threading.Event()  # blocks are handed out only while set
        self.release.set()
        self._overflows = 0

    @property
    def overflows(self) -> int:
        return self._overflows

    def start(self) -> None:
        self.started.set()

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if self._stop.is_set() or (self.limit is not None and self.delivered >= self.limit):
            raise EOFError
        if not self.release.wait(timeout):
            return None
        self._stop.wait(0.02)  # a microphone paced at 5x real time
        block = (0.1 * np.sin(np.arange(1600) / 8.0)).astype(np.float32)
        self.delivered += len(block)
        return block

    def stop(self) -> None:
        self._stop.set()


class FakeAudio:
    def __init__(self, seconds: float | None = 3.0) -> None:
        self.seconds = seconds
        self.sources: list[ControlledSource] = []

    def devices(self) -> list[AudioDevice]:
        return [AudioDevice("fake", "Test microphone", default=True)]

    def open(self, device_id: str) -> ControlledSource:
        source = ControlledSource(self.seconds)
        self.sources.append(source)
        return source

    def open_file(self, path: str) -> ControlledSource:
        """A recording on disk: 4 s of audio read faster than real time; only .wav files "decode"."""
        if not path.endswith(".wav"):
            raise UsageError(f"The file {path} could not be read as audio.", "Choose a WAV recording.")
        source = FileLikeSource(4.0)
        self.sources.append(source)
        return source


class FileLikeSource(ControlledSource):
    @property
    def duration(self) -> float:
        return (self.limit or 0) / RATE


class FakeAsr:
    """One segment per second of audio: tentative after half a second, final after a full second."""

    instances: ClassVar[list[FakeAsr]] = []

    def __init__(self, voice_profile: bytes | None = None) -> None:
        self.samples = 0
        self.count = 0
        self.voice_profile = voice_profile
        FakeAsr.instances.append(self)

    @property
    def duty_cycle(self) -> float:
        return 0.25

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        self.samples += len(samples)
        out: list[TranscriptSegment] = []
        while self.samples >= (self.count + 1) * RATE:
            out.append(self._segment(final=True))
            self.count += 1
        if self.samples - self.count * RATE >= RATE // 2:
            out.append(self._segment(final=False))
        return out

    def _segment(self, final: bool) -> TranscriptSegment:
        k = self.count
        speaker = "doctor" if k % 2 == 0 else "patient"
        text = f"BP 150 over 90, take paracetamol {k}" if k == 1 else f"line {k} of the consultation"
        return TranscriptSegment(f"s{k}", float(k), float(k + 1), text, speaker, "en", final)

    def finish(self) -> list[TranscriptSegment]:
        out = []
        if self.samples > self.count * RATE:
            out.append(self._segment(final=True))
            self.count += 1
        return out


class FakeDrafter:
    """Streams a JSON draft section by section; ``hold`` keeps it running until cancelled."""

    def __init__(self, missing_model: bool = False) -> None:
        self.missing_model = missing_model
        self.hold = False
        self.started = threading.Event()
        self.prefilled: list[int] = []  # transcript lines read ahead, one entry per prefill
        self.read: list[Transcript] = []  # what each draft was given

    def prefill(self, transcript: Transcript, patient: Patient, chief_complaint: str) -> None:
        self.load()
        self.prefilled.append(len(transcript.segments))

    def load(self, progress: ProgressFn | None = None) -> None:
        if self.missing_model:
            raise ModelError(
                "The model 'smollm2-135m-instruct' is not installed.",
                "Add it with 'consult-scribe models add PATH --name smollm2-135m-instruct'.",
            )

    def draft(
        self,
        transcript: Transcript,
        patient: Patient,
        chief_complaint: str,
        on_token: TokenFn | None,
        on_progress: ProgressFn | None,
        cancel: threading.Event,
    ) -> SoapNote:
        self.started.set()
        self.read.append(transcript)
        if self.hold:
            cancel.wait(30)
        note = SoapNote(chief_complaint=chief_complaint or "headache")
        first = transcript.segments[0].id if transcript.segments else ""
        second = transcript.segments[1].id if len(transcript.segments) > 1 else first
        note.subjective = [NoteStatement("Headache for two weeks.", [first])]
        # Lines of the patient's intake (i1…) are cited like transcript lines.
        note.subjective += [
            NoteStatement(f"Before the visit: {seg.text}", [seg.id])
            for seg in transcript.segments
            if seg.id.startswith("i") and seg.id[1:].isdigit()
        ][:2]
        note.objective = [NoteStatement("BP 150/90.", [second])]
        note.assessment = [NoteStatement("Possible hypertension.", [second])]
        note.plan = [
            NoteStatement("Start amlodipine 5 mg daily.", [second], unsupported=["amlodipine", "5 mg"])
        ]
        note.patient_instructions = [NoteStatement("Rest for 2 days and drink water.", [first])]
        for i, name in enumerate(NOTE_SECTIONS):
            if cancel.is_set():
                raise Cancelled()
            if on_progress is not None:
                on_progress(name, i / len(NOTE_SECTIONS))
            if on_token is not None:
                text = json.dumps({"items": [st.to_dict() for st in note.section(name)]})
                for k in range(0, len(text), 7):
                    on_token(text[k : k + 7])
        return note


KIND_IDS = KINDS  # the twelve documents, as the app lists them


class FakeLetters:
    def __init__(self) -> None:
        self.exported: list[tuple[str, str]] = []
        self.drafts: list[bool] = []  # the ``draft`` each render was asked for

    def kinds(self) -> Sequence[LetterKind]:
        out = []
        for k in KIND_IDS:
            fields = [LetterField("leave_to", "Sick leave to", type="date")] if k == "sick_leave" else []
            out.append(LetterKind(k, k.replace("_", " ").title(), "", fields))
        return out

    def defaults(
        self, kind: str, note: SoapNote, patient: Patient, clinic: ClinicSettings, draft: bool = False
    ) -> dict[str, str]:
        return {"leave_to": "2026-11-26"} if kind == "sick_leave" else {}

    def render(
        self,
        kind: str,
        note: SoapNote,
        patient: Patient,
        clinic: ClinicSettings,
        values: dict[str, str],
        language: str,
        transcript: Transcript | None,
        cancel: threading.Event,
        progress: ProgressFn | None = None,
        draft: bool = False,
    ) -> RenderedLetter:
        if cancel.is_set():
            raise Cancelled()
        self.drafts.append(draft)
        body = ("<p>DRAFT</p>" if draft else "") + f"<h1>{kind}</h1><p>{patient.display_name()}</p>"
        body += f"<p>{note.chief_complaint}</p>"
        body += "".join(f"<p>{k}: {v}</p>" for k, v in values.items())
        return RenderedLetter(kind, kind, body, f"{kind}\n{patient.display_name()}")

    def export(self, letter: RenderedLetter, path: str, fmt: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(letter.text)
        self.exported.append((path, fmt))


class FakeModels:
    def models(self) -> list[ModelInfo]:
        return [
            ModelInfo("whisper-base", "asr", True, "", 145_000_000, "MIT"),
            ModelInfo("smollm2-135m-instruct", "llm", True, "", 98_000_000, "Apache-2.0"),
        ]

    def check(self, name: str) -> str:
        return ""

    def verify(self, name: str, progress: ProgressFn | None = None) -> str:
        if progress is not None:
            progress(name, 1.0)
        return "" if name != "damaged" else "whisper-base/model.bin does not match its SHA-256."

    def add(self, path: str, progress: ProgressFn | None = None) -> ModelInfo:
        if not path.endswith(".gguf"):
            raise UsageError(f"{path} is not a GGUF model file.", "Choose a llama.cpp .gguf file.")
        return ModelInfo(path.rsplit("/", 1)[-1].removesuffix(".gguf"), "llm", True, "", 1_000_000)


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[tuple[int, int]] = []

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        self.played.append((len(samples), sample_rate))

    def stop(self) -> None:
        pass


class FakeVoice:
    """VoicePort: keeps one profile per user; refuses readings with under 8 s of audio, as enrol does."""

    def __init__(self) -> None:
        self.profiles: dict[str, VoiceStatus] = {}
        self.readings: list[int] = []  # samples of every reading offered

    def prompt(self, language: str) -> str:
        return "請讀出這段文字。" if language == "zh" else "Please read this text aloud."

    def status(self, user: UserInfo) -> VoiceStatus | None:
        return self.profiles.get(user.username)

    def enrol(self, user: UserInfo, samples: np.ndarray, sample_rate: int) -> VoiceStatus:
        self.readings.append(len(samples))
        if len(samples) < 8 * sample_rate:
            raise AudioError(
                f"The enrolment recording has only {len(samples) / sample_rate:.1f} s of speech; "
                "at least 8 s are needed.",
                "Read the whole prompt aloud (about 15 seconds) and record again.",
            )
        status = VoiceStatus("2026-11-24T09:00:00+00:00", len(samples) / sample_rate)
        self.profiles[user.username] = status
        return status

    def delete(self, user: UserInfo) -> bool:
        return self.profiles.pop(user.username, None) is not None

    def profile(self, user: UserInfo) -> bytes | None:
        return b"profile:" + user.username.encode() if user.username in self.profiles else None


class FakeIntake:
    """IntakePort in memory, with the store's rules: one audit entry per change, a nurse's
    category kept, an acknowledged alert gone for everyone, a category raised to 1 alerting again."""

    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.rows: dict[str, IntakeRow] = {}
        self.details: dict[str, IntakeDetail] = {}
        self.threads: list[str] = []  # the thread each call ran on
        self.queue_audits = 0

    def _seen(self) -> None:
        self.threads.append(threading.current_thread().name)

    def add(
        self,
        label: str,
        category: int | None,
        reason: str = "",
        summary: str = "",
        complaint: str = "",
        chat: list[tuple[str, str]] | None = None,
        waiting: int = 5,
        state: str = "confirmed",
    ) -> IntakeRow:
        """An intake as the service leaves it after the patient's answers."""
        iid = str(len(self.rows) + 1)
        row = IntakeRow(
            iid,
            label,
            state,
            category,
            reason,
            "rules" if category else "",
            waiting,
            summary,
            complaint,
            "en",
            alert=category == 1,
        )
        self.rows[iid] = row
        self.details[iid] = IntakeDetail(
            iid,
            label,
            state,
            "en",
            "",
            summary,
            list(chat or []),
            {"complaint": complaint},
            category,
            row.category_source,
            reason,
        )
        return row

    def _issued(self, iid: str) -> IssuedIntake:
        from desktop.intake.codes import qr_svg

        url = f"https://intake.clinic.test:8443/c/ABCDEFGHJK{iid}"
        return IssuedIntake(
            iid, self.rows[iid].label, "ABCDE-FGHJK", url, datetime(2026, 3, 2, 11, 45), qr_svg(url).encode()
        )

    def issue(self, actor: UserInfo, consultation_id: str = "") -> IssuedIntake:
        self._seen()
        row = self.add(f"{len(self.rows) + 1:04d}", None, state="issued", waiting=0)
        row.consultation_id = self.details[row.id].consultation_id = consultation_id
        self.records._audit("intake_code_issued", row.id)
        return self._issued(row.id)

    def reissue(self, actor: UserInfo, intake_id: str) -> IssuedIntake:
        self._seen()
        self.records._audit("intake_code_reissued", intake_id)
        return self._issued(intake_id)

    def queue(self, audit: bool = True) -> list[IntakeRow]:
        self._seen()
        self.queue_audits += int(audit)
        rows = [dataclasses.replace(r) for r in self.rows.values()]
        return sorted(rows, key=lambda r: (r.category or 3, -r.waiting_minutes))

    def get(self, intake_id: str) -> IntakeDetail:
        return self.details[intake_id]

    def for_consultation(self, consultation_id: str) -> IntakeDetail | None:
        self._seen()
        found = [
            d
            for d in self.details.values()
            if d.consultation_id == consultation_id and d.state != "cancelled"
        ]
        return found[-1] if found else None

    def set_category(self, actor: UserInfo, intake_id: str, category: int, reason: str) -> None:
        self._seen()
        row, detail = self.rows[intake_id], self.details[intake_id]
        old = row.category
        row.category = detail.category = category
        row.category_source = detail.category_source = "nurse"
        row.category_reason = detail.category_reason = reason
        if category == 1 and old != 1:
            row.acknowledged = False
        row.alert = category == 1 and not row.acknowledged
        self.records._audit("intake_category_changed", intake_id, f"category {old} -> {category}")

    def acknowledge(self, actor: UserInfo, intake_id: str) -> None:
        self._seen()
        row = self.rows[intake_id]
        if not row.acknowledged:
            row.acknowledged, row.alert = True, False
            self.records._audit("intake_alert_acknowledged", intake_id, f"category {row.category}")

    def link(self, actor: UserInfo, intake_id: str, consultation_id: str) -> None:
        self._seen()
        self.rows[intake_id].consultation_id = self.details[intake_id].consultation_id = consultation_id
        self.records._audit("intake_linked", intake_id, f"consultation {consultation_id}")

    def close(self, actor: UserInfo, intake_id: str) -> None:
        self._seen()
        self.rows[intake_id].state = self.details[intake_id].state = "cancelled"
        self.rows[intake_id].alert = False
        self.records._audit("intake_cancelled", intake_id)


CREATED: list[Backend] = []  # shut down after each test (tests/gui/conftest.py)


def fake_backend(records: FakeRecords | None = None, **kw: object) -> Backend:
    records = records or FakeRecords()
    settings = Settings()
    backend = Backend(
        settings=settings,
        records=records,
        audio=kw.get("audio") or FakeAudio(),  # type: ignore[arg-type]
        asr_factory=FakeAsr,
        drafter=kw.get("drafter") or FakeDrafter(),  # type: ignore[arg-type]
        letters=kw.get("letters") or FakeLetters(),  # type: ignore[arg-type]
        models=FakeModels(),
        player=FakePlayer(),
        fact_check=lambda transcript, statement: [
            w for w in ("amlodipine",) if w in statement.lower() and w not in transcript.lower()
        ],
        voice=kw.get("voice"),  # type: ignore[arg-type]
        intake=kw.get("intake"),  # type: ignore[arg-type]
    )
    CREATED.append(backend)
    return backend
