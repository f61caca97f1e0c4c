"""No plaintext at rest: every byte of every file the store wrote is free of the consultation's words."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment
from desktop.storage import Store, save_processed
from desktop.storage.service import LetterToSave
from tests.unit.storage.conftest import FAST_KDF

PATIENT = Patient(name="Wong Siu Ming", name_zh="黃小明", sex="F", date_of_birth="1961-05-09", mrn="Z9988776")
SEGMENTS = [
    ("doctor", "en", "Good morning, how is the wheezing since you started the salbutamol inhaler?"),
    ("patient", "en", "Still breathless at night, and the phlegm turned greenish on Thursday."),
    ("patient", "yue", "我隻膝頭哥好痛，行樓梯好辛苦"),
    ("doctor", "en", "I will prescribe amoxicillin and arrange a chest radiograph."),
]
DISTINCTIVE = [
    "wheezing",
    "salbutamol",
    "breathless",
    "phlegm",
    "greenish",
    "amoxicillin",
    "radiograph",
    "膝頭哥",
]


def _needles() -> list[bytes]:
    words = [*DISTINCTIVE, PATIENT.name, "Siu Ming", PATIENT.name_zh, PATIENT.mrn]
    out = []
    for w in words:
        out += [w.encode("utf-8"), w.encode("utf-16-le"), w.lower().encode("utf-8")]
    return out


def _speech(text: str, tmp: Path) -> np.ndarray:
    wav = tmp / "speech.wav"
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, capture_output=True, timeout=60)
        import soundfile as sf

        data, rate = sf.read(str(wav), dtype="float32")
        positions = np.arange(0, data.size, rate / 16000)
        return np.interp(positions, np.arange(data.size), data).astype(np.float32)
    t = np.arange(16000 * 6) / 16000
    return (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _scan(paths: list[Path]) -> list[str]:
    hits = []
    needles = _needles()
    for path in paths:
        data = path.read_bytes()
        hits += [f"{path.name}: {n!r}" for n in needles if n in data]
    return hits


def test_no_plaintext_at_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmpdir"  # SQLite would put temp files here; the store keeps them in memory
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("SQLITE_TMPDIR", str(scratch))
    directory = tmp_path / "store"
    admin, _ = Store.create(directory, "it", "admin-pass-1", kdf=FAST_KDF)
    admin.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M12345")
    admin.close()

    transcript = Transcript(
        "en",
        [
            TranscriptSegment(
                f"s{i}", 4.0 * i, 4.0 * i + 3.5, text, speaker=spk, language=lang, speaker_confidence=0.8
            )
            for i, (spk, lang, text) in enumerate(SEGMENTS)
        ],
    )
    note = SoapNote(
        chief_complaint="wheezing and greenish phlegm",
        subjective=[NoteStatement("Breathless at night; phlegm greenish since Thursday.", ["s1"])],
        plan=[NoteStatement("Amoxicillin; chest radiograph.", ["s3"])],
    )
    audio = _speech(" ".join(text for _, lang, text in SEGMENTS if lang == "en"), tmp_path)
    doctor = Store.open(directory, "drwong", "doctor-pass-1")
    saved = save_processed(
        doctor,
        PATIENT,
        transcript,
        note,
        audio,
        letters=[
            LetterToSave(
                "referral", "en", {"reason": "wheezing"}, "Dear colleague, Wong Siu Ming, amoxicillin"
            )
        ],
    )
    doctor.sign_note(saved.consultation_id)
    doctor.save_voice_profile("drwong", b"profile")
    assert (
        doctor.consultation_record(saved.consultation_id)["patient"]["name"] == PATIENT.name
    )  # it is stored

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "speech.wav"]
    assert any(p.name.endswith("-wal") for p in written), "expected the WAL while the store is open"
    assert any(p.suffix == ".journal" for p in written)
    assert _scan(written) == []  # while open: database, WAL, shared memory, journal, key file, temp files

    doctor.close()
    from desktop.core.errors import AuthenticationError

    with pytest.raises(AuthenticationError):  # the sealed failed sign-in record is scanned too
        Store.open(directory, "Wong Siu Ming", "wrong-password")
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "speech.wav"]
    assert _scan(written) == []
    assert not [p for p in scratch.rglob("*") if p.is_file()]
