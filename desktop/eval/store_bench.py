"""Store benchmark: open time with a password, journal throughput, size per hour of consultation.

Run ``consult-scribe admin bench-store [--audio WAV] [--minutes M] [--out FILE.json]`` or
``python -m desktop.eval.store_bench``. Uses the production key-derivation cost and a fresh
store in a temporary folder. The audio is the given recording looped (real speech gives
realistic FLAC sizes) or, without one, a synthetic speech-like signal.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment, Word
from desktop.storage.crypto import PRODUCTION_KDF, KdfParams
from desktop.storage.journal import SAMPLE_RATE
from desktop.storage.store import DB_FILE, Store

PASSWORD = "bench-password-1"
WORDS_PER_MINUTE = 150  # conversational speech, both speakers together
WORDS_PER_SEGMENT = 12


def synthetic_speech(seconds: float, seed: int = 7) -> np.ndarray:
    """Noise shaped like speech: voiced harmonics, 4 Hz syllable envelope, pauses between phrases."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) * (np.sin(2 * np.pi * 0.2 * t) > -0.3)
    signal = 0.08 * voiced * envelope + 0.003 * rng.standard_normal(n)
    return signal.astype(np.float32)


def load_loop(path: Path, seconds: float) -> np.ndarray:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        positions = np.arange(0, mono.size, rate / SAMPLE_RATE)
        mono = np.interp(positions, np.arange(mono.size), mono).astype(np.float32)
    reps = int(np.ceil(seconds * SAMPLE_RATE / mono.size))
    return np.tile(mono, reps)[: int(seconds * SAMPLE_RATE)]


def hour_of_text(minutes: float = 60.0) -> tuple[Transcript, SoapNote]:
    rng = np.random.default_rng(3)
    vocab = [
        "pain",
        "cough",
        "fever",
        "throat",
        "days",
        "tablets",
        "twice",
        "daily",
        "since",
        "worse",
        "night",
    ]
    segments = []
    t = 0.0
    n_segments = int(minutes * WORDS_PER_MINUTE / WORDS_PER_SEGMENT)
    for i in range(n_segments):
        words = []
        for _ in range(WORDS_PER_SEGMENT):
            w = str(rng.choice(vocab))
            words.append(Word(t, t + 0.35, w, 0.9))
            t += 0.4
        segments.append(
            TranscriptSegment(
                id=f"s{i}",
                start=words[0].start,
                end=words[-1].end,
                text=" ".join(w.text for w in words),
                speaker="doctor" if i % 2 else "patient",
                language="en",
                speaker_confidence=0.9,
                words=words,
            )
        )
    note = SoapNote(
        chief_complaint="sore throat and cough for five days",
        subjective=[NoteStatement(f"statement {i} " + " ".join(vocab), [f"s{i}"]) for i in range(12)],
        assessment=[NoteStatement("upper respiratory tract infection", ["s3"])],
        plan=[NoteStatement("paracetamol 500 mg four times daily as needed", ["s5"])],
    )
    return Transcript("en", segments), note


def run(
    *,
    minutes: float = 10.0,
    audio: Path | None = None,
    kdf: KdfParams = PRODUCTION_KDF,
    out: Path | None = None,
    repeats: int = 3,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cs-bench-") as tmp:
        directory = Path(tmp) / "store"
        store, _ = Store.create(directory, "admin", PASSWORD, kdf=kdf)
        store.add_user("doctor", PASSWORD, ["doctor"], "Dr Bench", "M00000")
        store.close()

        open_times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            s = Store.open(directory, "doctor", PASSWORD)
            open_times.append(time.perf_counter() - t0)
            s.close()

        store = Store.open(directory, "doctor", PASSWORD)
        pid = store.add_patient(Patient(name="Bench Patient", mrn="B0001"))
        cid = store.create_consultation(pid, language="en", consent=True)
        samples = load_loop(audio, minutes * 60) if audio else synthetic_speech(minutes * 60)
        block = SAMPLE_RATE // 10  # 100 ms blocks, as a microphone delivers them
        writer = store.open_journal(cid)
        t0 = time.perf_counter()
        for start in range(0, samples.size, block):
            writer.append(samples[start : start + block])
        writer.close()
        write_s = time.perf_counter() - t0
        audio_seconds = samples.size / SAMPLE_RATE
        journal_bytes = sum(p.stat().st_size for p in (directory / "audio").iterdir())

        t0 = time.perf_counter()
        back = store.read_audio(cid)
        read_s = time.perf_counter() - t0
        assert back.size == samples.size

        db_before = _db_bytes(directory)
        transcript, note = hour_of_text(60.0)
        cid2 = store.create_consultation(pid, language="en", consent=True)
        store.save_transcript(cid2, transcript)
        store.save_note(cid2, note, kind="ai_draft")
        store.save_note(cid2, note, kind="edit")
        store.sign_note(cid2)
        store.save_letter(cid2, "sick_leave", "en", {"days": 3}, "To whom it may concern ... " * 20)
        store.close()
        db_after = _db_bytes(directory)

    figures: dict[str, Any] = {
        "machine": f"{platform.machine()} {platform.processor() or ''} ({platform.system()})".strip(),
        "kdf": kdf.to_dict(),
        "open_with_password_s": {"median": statistics.median(open_times), "all": open_times},
        "audio_source": str(audio) if audio else "synthetic speech-like signal",
        "journal_audio_seconds": audio_seconds,
        "journal_write_s": write_s,
        "journal_write_x_realtime": audio_seconds / write_s,
        "journal_read_x_realtime": audio_seconds / read_s,
        "journal_bytes_per_hour": int(journal_bytes / audio_seconds * 3600),
        "db_bytes_per_hour_of_text": db_after - db_before,
        "text_per_hour": {
            "words": 60 * WORDS_PER_MINUTE,
            "segments": len(transcript.segments),
            "note_versions": 3,
        },
    }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return figures


def _db_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.glob(DB_FILE + "*"))


def format_table(f: dict[str, Any]) -> str:
    mib = 1024 * 1024
    rows = [
        (
            "open with password (median)",
            f"{f['open_with_password_s']['median']:.3f} s (scrypt N={f['kdf']['n']})",
        ),
        (
            "journal write",
            f"{f['journal_write_x_realtime']:.0f}x real time ({f['journal_audio_seconds']:.0f} s)",
        ),
        ("journal read", f"{f['journal_read_x_realtime']:.0f}x real time"),
        ("audio per hour", f"{f['journal_bytes_per_hour'] / mib:.1f} MiB (FLAC 16-bit, encrypted)"),
        ("database per hour of text", f"{f['db_bytes_per_hour_of_text'] / mib:.2f} MiB"),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.eval.store_bench", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--audio", type=Path, help="a recording to loop (WAV/FLAC)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    figures = run(minutes=args.minutes, audio=args.audio, out=args.out)
    print(format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
