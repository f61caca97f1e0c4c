"""Saving a processed consultation in one call (``consult-scribe process … --store DIR --user USER``)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop.core.errors import Cancelled, UserFacingError
from desktop.core.types import Patient, SoapNote, Transcript
from desktop.storage.journal import SAMPLE_RATE
from desktop.storage.store import Store

log = logging.getLogger(__name__)

JOURNAL_BYTES_PER_SECOND = 18_500  # FLAC chunks, sealed: about 64 MiB per hour of speech
MIN_FREE_BYTES = 32 * 2**20


@dataclass
class LetterToSave:
    kind: str
    language: str
    fields: dict[str, Any] = field(default_factory=dict)
    rendered: str = ""


@dataclass
class SavedConsultation:
    consultation_id: int
    patient_id: int
    note_version: int | None
    letter_ids: list[int]
    audio_seconds: float


def save_processed(
    store: Store,
    patient: Patient,
    transcript: Transcript,
    note: SoapNote | None = None,
    audio: np.ndarray | None = None,
    letters: Iterable[LetterToSave | dict[str, Any]] = (),
    *,
    consent: bool = True,
    started_at: str | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SavedConsultation:
    """Store a consultation processed from a recording, under ``store.user``.

    The patient is matched by MRN (a new patient record otherwise). Audio, when given
    (float32, 16 kHz mono), goes through the encrypted journal first, so it is on disk
    before the text; the note is saved as the AI draft. ``progress`` gets 0..1;
    ``cancel`` returning True stops between audio chunks (what was written stays, closed).
    """
    patient_id = store.find_patient(patient.mrn) if patient.mrn and not patient.placeholder else None
    if patient_id is None:
        patient_id = store.add_patient(patient)
    cid = store.create_consultation(
        patient_id, language=transcript.language, consent=consent, started_at=started_at
    )
    seconds = 0.0
    if audio is not None and audio.size:
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        cancelled = False
        with store.open_journal(cid) as writer:
            for start in range(0, samples.size, SAMPLE_RATE):
                if cancel is not None and cancel():
                    cancelled = True
                    break
                writer.append(samples[start : start + SAMPLE_RATE])
                if progress is not None:
                    progress(0.8 * min(1.0, (start + SAMPLE_RATE) / samples.size))
        seconds = writer.seconds_written
        if cancelled:
            store.end_consultation(cid)
            raise Cancelled()
    store.save_transcript(cid, transcript)
    version = store.save_note(cid, note, kind="ai_draft") if note is not None else None
    letter_ids = []
    for item in letters:
        letter = item if isinstance(item, LetterToSave) else LetterToSave(**item)
        letter_id, _ = store.save_letter(cid, letter.kind, letter.language, letter.fields, letter.rendered)
        letter_ids.append(letter_id)
    store.end_consultation(cid)
    if progress is not None:
        progress(1.0)
    return SavedConsultation(cid, patient_id, version, letter_ids, seconds)


class ConsultationSaver:
    """Saves a headless job's consultation into the store as it goes, as the app does.

    The record and its audio are written first (through the encrypted journal), then the
    transcript when recognition ends, then the draft and letters. A job killed part-way leaves
    what it had reached; a job that fails (a full disk, an error) leaves the record marked
    incomplete with the reason, which `verify-store` reports. Nothing already written is undone.
    """

    def __init__(self, store: Store, patient: Patient, *, consent: bool = True) -> None:
        self.store = store
        self.patient = patient
        self.consent = consent
        self.consultation_id: int | None = None
        self.patient_id: int | None = None
        self.audio_seconds = 0.0
        self.note_version: int | None = None
        self.letter_ids: list[int] = []
        self.failed = False

    def begin(self, language: str = "") -> int:
        if self.consultation_id is None:
            patient = self.patient
            found = self.store.find_patient(patient.mrn) if patient.mrn and not patient.placeholder else None
            self.patient_id = found if found is not None else self.store.add_patient(patient)
            self.consultation_id = self.store.create_consultation(
                self.patient_id, language=language, consent=self.consent
            )
            # Until finish() clears it, the record says it is not complete: a kill leaves it marked.
            self.store.mark_incomplete(self.consultation_id, "the job that made it has not finished")
        return self.consultation_id

    def audio(self, samples: np.ndarray) -> None:
        """Journal the whole recording before anything else is done with it."""
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        total = data.size / SAMPLE_RATE
        need = JOURNAL_BYTES_PER_SECOND * total * 2 + MIN_FREE_BYTES
        free = shutil.disk_usage(self.store.directory).free
        if free < need:  # refuse before anything is written: no half record
            raise UserFacingError(
                f"The disk holding the record store has {free // 2**20} MB free; this recording needs"
                f" about {int(need) // 2**20} MB.",
                "Free some space on that disk, then run it again.",
            )
        cid = self.begin()
        writer = self.store.open_journal(cid)
        try:
            for start in range(0, data.size, SAMPLE_RATE):
                writer.append(data[start : start + SAMPLE_RATE])
            writer.close()
        except UserFacingError as exc:
            self.audio_seconds = writer.seconds_written
            saved = f"only {self.audio_seconds:.1f} of {total:.1f} s of audio could be saved"
            self.fail(saved)
            raise UserFacingError(
                f"The recording could not be saved in the record store: {saved} (the disk may be full).",
                f"What was saved is kept as consultation {cid}, marked incomplete; free some space and"
                " process the recording again.",
            ) from exc
        self.audio_seconds = writer.seconds_written

    def transcript(self, transcript: Transcript) -> None:
        self.store.save_transcript(self.begin(transcript.language), transcript)

    def note(self, note: SoapNote) -> None:
        self.note_version = self.store.save_note(self.begin(), note, kind="ai_draft")

    def letter(self, letter: LetterToSave) -> None:
        cid = self.begin()
        letter_id, _ = self.store.save_letter(
            cid, letter.kind, letter.language, letter.fields, letter.rendered
        )
        self.letter_ids.append(letter_id)

    def fail(self, reason: str) -> None:
        """Mark the record incomplete (best effort: the disk may be the reason it failed).

        The first reason given is kept: it is the specific one.
        """
        if self.consultation_id is None or self.failed:
            return
        self.failed = True
        try:
            self.store.mark_incomplete(self.consultation_id, reason)
        except (UserFacingError, OSError):
            log.warning("consultation %s could not be marked incomplete", self.consultation_id)

    def finish(self) -> SavedConsultation:
        cid = self.begin()
        self.store.end_consultation(cid)
        self.store.mark_complete(cid)
        assert self.patient_id is not None
        return SavedConsultation(cid, self.patient_id, self.note_version, self.letter_ids, self.audio_seconds)
