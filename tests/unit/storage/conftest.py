"""Fixtures for the store tests: cheap key derivation (never the production default) and a populated store."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment
from desktop.storage import KdfParams, Store

FAST_KDF = KdfParams(n=2**10, r=8, p=1)
PASSWORDS = {
    "it": "admin-pass-1",
    "drwong": "doctor-pass-1",
    "nurse": "nurse-pass-1",
    "drlee": "doctor-pass-2",
}


@dataclass
class StoreSetup:
    directory: Path
    recovery_key: str

    def open(self, user: str) -> Store:
        return Store.open(self.directory, user, PASSWORDS[user])


def make_store(directory: Path) -> StoreSetup:
    store, recovery = Store.create(directory, "it", PASSWORDS["it"], display_name="IT Admin", kdf=FAST_KDF)
    store.add_user("drwong", PASSWORDS["drwong"], ["doctor"], "Dr Wong Ka Yan", "M12345")
    store.add_user("drlee", PASSWORDS["drlee"], ["doctor"], "Dr Lee", "M67890")
    store.add_user("nurse", PASSWORDS["nurse"], ["nurse"], "Nurse Ho")
    store.close()
    return StoreSetup(directory, recovery)


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> StoreSetup:
    return make_store(tmp_path_factory.mktemp("template") / "store")


@pytest.fixture
def setup(tmp_path: Path, store_template: StoreSetup) -> StoreSetup:
    """A fresh copy of a store with accounts it (admin), drwong and drlee (doctors), nurse."""
    target = tmp_path / "store"
    shutil.copytree(store_template.directory, target)
    return StoreSetup(target, store_template.recovery_key)


@pytest.fixture
def doctor(setup: StoreSetup) -> Iterator[Store]:
    store = setup.open("drwong")
    yield store
    store.close()


def sample_transcript() -> Transcript:
    return Transcript(
        "en",
        [
            TranscriptSegment(
                "s1", 0.0, 3.2, "What brings you in today?", speaker="doctor", speaker_confidence=0.91
            ),
            TranscriptSegment(
                "s2",
                3.4,
                8.0,
                "A sore throat and fever since Tuesday.",
                speaker="patient",
                speaker_confidence=0.72,
            ),
        ],
    )


def sample_note() -> SoapNote:
    return SoapNote(
        chief_complaint="sore throat and fever",
        subjective=[NoteStatement("Sore throat and fever since Tuesday.", ["s2"])],
        plan=[NoteStatement("Paracetamol 500 mg as needed.", ["s2"], unsupported=["500 mg"])],
    )


def tone(seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def consultation(doctor: Store) -> int:
    pid = doctor.add_patient(
        Patient(name="Chan Tai Man", sex="M", date_of_birth="1970-02-03", mrn="A1234567")
    )
    return doctor.create_consultation(pid, language="en", consent=True)


Factory = Callable[..., int]
