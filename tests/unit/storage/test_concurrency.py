"""A writer and a reader on the same store from two threads always see whole consultations."""

from __future__ import annotations

import threading

from desktop.core.types import Patient, Transcript, TranscriptSegment
from desktop.storage.store import Store
from tests.unit.storage.conftest import StoreSetup, tone

SEGMENTS = 25
ROUNDS = 12


def _transcript(n: int) -> Transcript:
    return Transcript(
        "en", [TranscriptSegment(f"s{i}", i, i + 1, f"round {n} segment {i}") for i in range(SEGMENTS)]
    )


def test_reader_and_writer_threads(setup: StoreSetup) -> None:
    writer_store = setup.open("drwong")
    reader_store = setup.open("nurse")  # a second connection: WAL gives it consistent snapshots
    errors: list[BaseException] = []
    done = threading.Event()
    seen_counts: list[int] = []

    def write() -> None:
        try:
            pid = writer_store.add_patient(Patient(name="Concurrent"))
            for n in range(ROUNDS):
                cid = writer_store.create_consultation(pid, consent=True)
                writer_store.save_transcript(cid, _transcript(n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                for row in reader_store._conn.execute("SELECT id FROM consultations").fetchall():
                    segments = reader_store._conn.execute(
                        "SELECT count(*) FROM transcript_segments WHERE consultation_id = ?", (row[0],)
                    ).fetchone()[0]
                    assert segments in (0, SEGMENTS), segments  # a transcript is saved whole or not at all
                    seen_counts.append(segments)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(reader_store.list_consultations()) == ROUNDS
    writer_store.close()
    reader_store.close()


def test_one_store_shared_by_a_recording_thread_and_a_db_thread(doctor: Store, consultation: int) -> None:
    """The journal writer and other calls on the same Store may run on different threads."""
    journal = doctor.open_journal(consultation)
    errors: list[BaseException] = []

    def record() -> None:
        try:
            for _ in range(6):
                journal.append(tone(0.5))
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=record)
    t.start()
    for i in range(6):
        doctor.save_transcript(consultation, _transcript(i))
        doctor.read_audio(consultation)
    t.join(timeout=60)
    journal.close()
    assert not errors, errors
    assert doctor.read_audio(consultation).size == 48000
    assert len(doctor.transcript(consultation).segments) == SEGMENTS
