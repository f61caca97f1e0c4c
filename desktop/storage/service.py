"""Saving a processed consultation in one call (``consult-scribe process … --store DIR --user USER``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop.core.errors import Cancelled
from desktop.core.types import Patient, SoapNote, Transcript
from desktop.storage.journal import SAMPLE_RATE
from desktop.storage.store import Store


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


def save_pipeline_result(store: Store, patient: Patient, result: Any) -> SavedConsultation:
    """Save what ``desktop.pipeline.process`` produced: transcript, note draft, audio, referral letter."""
    letters = []
    for path in getattr(result, "files", []):
        if path.name == "referral.txt":
            letters.append(LetterToSave("referral", "en", {}, path.read_text(encoding="utf-8")))
    return save_processed(
        store,
        patient,
        result.transcript,
        result.note,
        getattr(result, "samples", None),
        letters,
    )
