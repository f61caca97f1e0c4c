"""What the app needs from the engines, as small Protocols.

The widgets and the Qt workers depend only on these. ``desktop/services/adapters.py`` wraps
the real engines (storage, audio, streaming ASR, LLM drafting, letters) to fit them; tests
use fakes. Nothing here imports Qt, so the ports can be read and typed without a display.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

# The checks' results, as the widgets see them (plain data).
from desktop.checks.model import CheckResult as CheckResult
from desktop.checks.model import Flag as Flag
from desktop.config import ClinicSettings
from desktop.core.types import Patient, SoapNote, Transcript, TranscriptSegment

ROLES = ("doctor", "nurse", "admin")
CONSULTATION_STATES = ("new", "recording", "recorded", "draft", "signed", "cancelled")


def consultation_status(
    recording: bool, note_kind: str, has_transcript: bool, cancelled: bool = False
) -> str:
    """One rule for the list and the open view: recording, cancelled, signed, draft (a note), recorded, new."""
    if recording:
        return "recording"
    if cancelled:
        return "cancelled"
    if note_kind:
        return "signed" if note_kind == "signed" else "draft"
    return "recorded" if has_transcript else "new"


@dataclass
class UserInfo:
    username: str
    display_name: str
    role: str  # "doctor" | "nurse" | "admin"
    registration_no: str = ""
    active: bool = True
    # A new account, or a password an administrator reset: a new password before anything else.
    must_change_password: bool = False

    @property
    def can_sign(self) -> bool:
        return self.role == "doctor"

    @property
    def is_clinician(self) -> bool:
        return self.role in ("doctor", "nurse")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass
class ConsultationInfo:
    id: str
    patient: Patient
    chief_complaint: str = ""
    created_at: datetime = field(default_factory=datetime.now)
    status: str = "new"
    consent: bool = False
    doctor: str = ""  # the consultation's doctor (user name)
    doctor_name: str = ""  # their name and registration number, for the documents (filled when opened)
    doctor_registration: str = ""


@dataclass
class PatientMatch:
    """A patient found by the look-up, with how often and when they were last seen."""

    id: str
    patient: Patient
    visits: int = 0
    last_visit: datetime | None = None


def filter_consultations(
    items: list[ConsultationInfo], query: str = "", day: datetime | None = None
) -> list[ConsultationInfo]:
    needle = query.strip().lower()
    out = []
    for c in items:
        if day is not None and c.created_at.date() != day.date():
            continue
        hay = " ".join([c.patient.name, c.patient.name_zh, c.patient.mrn, c.chief_complaint]).lower()
        if needle and needle not in hay:
            continue
        out.append(c)
    return out


@dataclass
class NoteVersion:
    """One saved version of a note. ``kind`` is "ai_draft", "edit" or "signed"."""

    number: int
    note: SoapNote
    kind: str
    author: str
    created_at: datetime = field(default_factory=datetime.now)
    author_name: str = ""  # display name; the user name when empty

    @property
    def signed(self) -> bool:
        return self.kind == "signed"

    @property
    def by(self) -> str:
        return self.author_name or self.author


@dataclass
class LetterVersion:
    id: str
    kind: str
    number: int
    html: str
    author: str
    values: dict[str, str] = field(default_factory=dict)
    created_at: datetime = field(default_factory=datetime.now)


@dataclass
class AuditEntry:
    at: datetime
    user: str
    action: str
    target: str = ""
    detail: str = ""


class AudioJournalPort(Protocol):
    """The encrypted audio of one consultation: written before it is transcribed."""

    def append(self, samples: np.ndarray) -> object: ...

    def close(self) -> None: ...


class RecordsPort(Protocol):
    """Accounts, consultations, notes, letters and the audit log (the encrypted store)."""

    def needs_setup(self) -> bool: ...

    def initialise(self, username: str, display_name: str, password: str) -> str:
        """Create the store and its first administrator; returns the recovery key to print or save."""
        ...

    def sign_in(self, username: str, password: str) -> UserInfo: ...

    def check_password(self, username: str, password: str) -> bool: ...

    def keyring_ready(self, username: str) -> bool:
        """Whether this PC's system keyring holds a sign-in for ``username`` (asks for nothing)."""
        ...

    def sign_in_with_keyring(self, username: str) -> UserInfo:
        """Sign in from this PC's keyring (only where the clinic policy allows it)."""
        ...

    def set_keyring_sign_in(self, actor: UserInfo, enabled: bool, password: str = "") -> None:
        """Keep (``enabled``, the password confirms it) or remove the signed-in user's keyring sign-in."""
        ...

    def users(self) -> list[UserInfo]: ...

    def add_user(
        self,
        actor: UserInfo,
        username: str,
        display_name: str,
        role: str,
        password: str,
        registration_no: str = "",
    ) -> UserInfo: ...

    def set_user_active(self, actor: UserInfo, username: str, active: bool) -> None:
        """Deactivate an account (its password no longer opens the store; audited)."""
        ...

    def reset_password(self, actor: UserInfo, username: str, new_password: str) -> None:
        """An administrator sets a new password for someone (audited)."""
        ...

    def change_password(self, actor: UserInfo, old_password: str, new_password: str) -> None:
        """The signed-in user changes their own password."""
        ...

    def record_consent(self, actor: UserInfo, consultation_id: str) -> None:
        """The patient's consent to recording, given after the consultation was created (audited)."""
        ...

    def consultations(self, query: str = "", day: datetime | None = None) -> list[ConsultationInfo]: ...

    def create_consultation(
        self, actor: UserInfo, patient: Patient, chief_complaint: str, consent: bool, patient_id: str = ""
    ) -> ConsultationInfo:
        """A new consultation; ``patient_id`` (from :meth:`search_patients`) reuses that patient."""
        ...

    def search_patients(self, query: str) -> list[PatientMatch]:
        """Patients whose name, Chinese name or MRN contains ``query``, the most recently seen first."""
        ...

    def cancel_consultation(self, actor: UserInfo, consultation_id: str, reason: str) -> None:
        """Keep it whole but read-only (audited); :meth:`reopen_consultation` undoes it."""
        ...

    def reopen_consultation(self, actor: UserInfo, consultation_id: str) -> None: ...

    def delete_consultation(self, actor: UserInfo, consultation_id: str) -> None:
        """Remove one started by mistake (audio destroyed; refused once signed or a document was made)."""
        ...

    def open_consultation(self, info: ConsultationInfo) -> ConsultationInfo:
        """The full header of a listed consultation (the opening is audited)."""
        ...

    def set_status(self, actor: UserInfo, consultation_id: str, status: str) -> None: ...

    def set_chief_complaint(self, consultation_id: str, text: str) -> None: ...

    def save_transcript(self, actor: UserInfo, consultation_id: str, transcript: Transcript) -> None: ...

    def transcript(self, consultation_id: str) -> Transcript | None: ...

    def note_versions(self, consultation_id: str) -> list[NoteVersion]: ...

    def save_note(self, actor: UserInfo, consultation_id: str, note: SoapNote, kind: str) -> NoteVersion: ...

    def letters(self, consultation_id: str) -> list[LetterVersion]: ...

    def save_letter(
        self,
        actor: UserInfo,
        consultation_id: str,
        kind: str,
        html: str,
        values: dict[str, str],
        letter_id: str = "",
    ) -> LetterVersion:
        """A new version of letter ``letter_id`` (a new letter when empty)."""
        ...

    def log_event(self, actor: UserInfo | None, action: str, target: str = "", detail: str = "") -> None: ...

    def audit_entries(self, limit: int = 500) -> list[AuditEntry]: ...

    def clinic_policy(self) -> dict[str, Any]:
        """The clinic-wide rules kept in the store (retention_days, auto_lock_minutes, keyring_unlock…)."""
        ...

    def set_clinic_policy(self, actor: UserInfo, values: dict[str, Any]) -> None:
        """Change clinic-wide rules (administrators only; audited)."""
        ...

    def open_journal(self, consultation_id: str) -> AudioJournalPort:
        """The journal to append this consultation's audio to (one writer at a time)."""
        ...

    def read_audio(self, consultation_id: str, start_s: float, end_s: float) -> tuple[np.ndarray, int]:
        """A span of the recorded audio and its sample rate."""
        ...

    def close(self) -> None: ...


@dataclass
class AudioDevice:
    id: str
    name: str
    default: bool = False


class AudioSourcePort(Protocol):
    """A started source of 16 kHz float32 blocks (microphone or a file replayed in real time).

    Blocks are mono ``(n,)``, or ``(n, 2)`` where a lapel microphone is on one channel.
    """

    sample_rate: int

    def start(self) -> None: ...

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        """The next block, ``None`` when nothing arrived within ``timeout``; raises EOFError at the end of a file."""
        ...

    def stop(self) -> None: ...

    @property
    def overflows(self) -> int: ...


class AudioPort(Protocol):
    def devices(self) -> list[AudioDevice]: ...

    def open(self, device_id: str) -> AudioSourcePort: ...

    def open_file(self, path: str) -> AudioSourcePort:
        """A recording on disk, read as fast as it can be transcribed; decoded when started.

        After ``start()`` the source's ``duration`` (seconds) is known, for progress.
        """
        ...


class StreamingAsrPort(Protocol):
    """One consultation's streaming recogniser: audio in, tentative and final segments out."""

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        """Segments changed by this audio (mono or ``(n, 2)``): tentative ones replace the tentative tail."""
        ...

    def finish(self) -> list[TranscriptSegment]:
        """Flush everything queued; every returned segment is final."""
        ...

    @property
    def duty_cycle(self) -> float:
        """Compute time / audio time over the recent window (≥ 1 means it cannot keep up)."""
        ...


TokenFn = Callable[[str], None]
ProgressFn = Callable[[str, float], None]


@dataclass
class VoiceStatus:
    """A clinician's enrolled voice profile: when it was made and from how much speech."""

    created: str
    speech_seconds: float


class VoicePort(Protocol):
    """The signed-in clinician's voice profile, which tells their voice from the patient's."""

    def prompt(self, language: str) -> str:
        """The text to read aloud (about 15 s): ``en`` or ``zh`` (Cantonese)."""
        ...

    def status(self, user: UserInfo) -> VoiceStatus | None:
        """The stored profile, or None when this clinician has not enrolled."""
        ...

    def enrol(self, user: UserInfo, samples: np.ndarray, sample_rate: int) -> VoiceStatus:
        """Build and store (replacing any earlier) a profile; refuses unusable audio with a message."""
        ...

    def delete(self, user: UserInfo) -> bool: ...

    def profile(self, user: UserInfo) -> bytes | None:
        """The stored profile for the recogniser; None when not enrolled or unreadable."""
        ...


class DrafterPort(Protocol):
    def load(self, progress: ProgressFn | None = None) -> None:
        """Load the model (slow on first use); raises ModelError when it is missing."""
        ...

    def draft(
        self,
        transcript: Transcript,
        patient: Patient,
        chief_complaint: str,
        on_token: TokenFn | None,
        on_progress: ProgressFn | None,
        cancel: threading.Event,
    ) -> SoapNote:
        """Draft the note; raises Cancelled when ``cancel`` is set.

        ``on_progress(step, fraction)`` names the section being written ("subjective", …) so the
        streamed tokens can be shown in the right editor.
        """
        ...

    def prefill(self, transcript: Transcript, patient: Patient, chief_complaint: str) -> None:
        """Read the transcript so far into the model while recording, so the draft at Stop is quicker."""
        ...


@dataclass
class LetterField:
    key: str
    label: str
    default: str = ""
    required: bool = True
    type: str = "text"  # "text", "date" (a date picker) or "lines"
    label_zh: str = ""


@dataclass
class LetterKind:
    id: str
    title: str
    title_zh: str = ""
    fields: list[LetterField] = field(default_factory=list)
    shortcut: str = ""


@dataclass
class RenderedLetter:
    kind: str
    title: str
    html: str
    text: str
    data: Any = None  # the engine's own document object, handed back to export


class LettersPort(Protocol):
    def kinds(self) -> Sequence[LetterKind]: ...

    def defaults(
        self, kind: str, note: SoapNote, patient: Patient, clinic: ClinicSettings, draft: bool = False
    ) -> dict[str, str]:
        """The values the short form starts with (dates, what the note already says); from a
        ``draft`` (an unsigned note) only what the doctor has accepted."""
        ...

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
        """Write and render one document; raises UserFacingError naming missing values, Cancelled.

        A ``draft`` (from a note that is not signed) is marked DRAFT and takes nothing from
        suggestions the doctor has not accepted."""
        ...

    def export(self, letter: RenderedLetter, path: str, fmt: str) -> None:
        """Write ``letter`` as "pdf" or "docx" to ``path``."""
        ...


@dataclass
class ModelInfo:
    name: str
    role: str
    usable: bool
    problem: str = ""
    size: int = 0
    licence: str = ""
    source: str = ""


class ModelsPort(Protocol):
    def models(self) -> list[ModelInfo]: ...

    def check(self, name: str) -> str:
        """'' when the model is usable, else the problem in plain words with the next step."""
        ...

    def verify(self, name: str, progress: ProgressFn | None = None) -> str:
        """Hash every file of the model (slow): '' when it matches the manifest, else the problem."""
        ...

    def add(self, path: str, progress: ProgressFn | None = None) -> ModelInfo:
        """Install a clinic-supplied model (a Whisper CTranslate2 folder or a .gguf file)."""
        ...


class PlayerPort(Protocol):
    def play(self, samples: np.ndarray, sample_rate: int) -> None: ...

    def stop(self) -> None: ...
