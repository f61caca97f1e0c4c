"""Everything the window is given: the engines behind their ports, plus the worker threads.

``desktop/app.py`` builds one :class:`Backend` from the settings; tests build one from fakes.
Widgets receive it and never construct an engine themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject

from desktop.config import Settings, apply_store_policy, store_policy_update
from desktop.core.errors import UserFacingError
from desktop.core.types import SoapNote, Transcript
from desktop.services.db import DbWorker
from desktop.services.intake import IntakePort
from desktop.services.jobs import WorkerThread
from desktop.services.ports import (
    AudioPort,
    CheckResult,
    DrafterPort,
    LettersPort,
    ModelsPort,
    PlayerPort,
    RecordsPort,
    StreamingAsrPort,
    UserInfo,
    VoicePort,
)


@dataclass
class Backend:
    settings: Settings
    records: RecordsPort
    audio: AudioPort
    # Called on the recording thread; ``voice_profile=`` (bytes) passes the clinician's enrolled voice.
    asr_factory: Callable[..., StreamingAsrPort]
    drafter: DrafterPort
    letters: LettersPort
    models: ModelsPort
    player: PlayerPort | None = None
    # (transcript text, statement text) -> numbers, doses and drug names not found in the transcript
    fact_check: Callable[[str, str], list[str]] | None = None
    # (transcript, note) -> omissions and contradictions of the note (desktop.checks); None: no checks
    note_checks: Callable[[Transcript, SoapNote], CheckResult] | None = None
    save_settings: Callable[[Settings], None] | None = None
    demo_audio: str = ""  # demo mode: the sample replayed through the live path
    voice: VoicePort | None = None  # voice enrolment; None hides it
    # The pre-consultation intake (codes, queue, alert, summary); None unless the clinic policy enables it.
    intake: IntakePort | None = None
    threads: dict[str, WorkerThread] = field(default_factory=dict)
    # Loads the speech model ahead of the first Record (on a worker thread); None: nothing to load.
    prepare_speech: Callable[[], object] | None = None
    # Run at shutdown after the worker threads have stopped (free the language model, …).
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)
    _db: DbWorker | None = field(default=None, init=False, repr=False)

    @property
    def db(self) -> DbWorker:
        """The worker thread that owns the store connection (see ``services/db.py``)."""
        if self._db is None:
            self._db = DbWorker(self.records)
        return self._db

    def thread(self, name: str, parent: QObject | None = None) -> WorkerThread:
        """The worker thread owning one resource ("llm", "letters"), created on first use."""
        if name not in self.threads:
            self.threads[name] = WorkerThread(name, parent)
        return self.threads[name]

    def shutdown(self) -> None:
        for t in self.threads.values():
            t.shutdown()
        self.threads.clear()
        if self._db is not None:  # pending saves finish before the store closes
            self._db.shutdown()
            self._db = None
        if self.player is not None:
            self.player.stop()
        for close in self.on_shutdown:
            close()
        self.on_shutdown.clear()
        self.records.close()


def apply_clinic_policy(settings: Settings, records: RecordsPort, user: UserInfo) -> dict[str, object]:
    """At sign-in: the store's clinic-wide rules and letterhead (``STORE_POLICY``) apply on this PC.

    A key IT locked in the policy file keeps IT's value; when an administrator signs in, those
    locked values are written to the store (audited) so the purge and every PC agree with IT.
    Returns what was written to the store.
    """
    try:
        stored = records.clinic_policy()
    except UserFacingError:
        return {}
    updates = apply_store_policy(settings, stored)
    if updates and user.is_admin:
        records.set_clinic_policy(user, updates)
        return updates
    return {}


def save_clinic_policy(settings: Settings, records: RecordsPort, user: UserInfo) -> None:
    """An administrator's edits of the store-kept keys go to the store (clinic-wide, audited)."""
    updates = store_policy_update(settings, records.clinic_policy())
    if updates:
        records.set_clinic_policy(user, updates)
