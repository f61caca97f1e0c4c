"""The encrypted audio journal: round trip, chunk format, tampering, truncation, recovery, purge."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.errors import StoreDamagedError, UsageError
from desktop.storage import crypto, journal
from desktop.storage.store import Store
from tests.unit.storage.conftest import tone

QUANT = 1.0 / 32768 + 1e-6  # FLAC stores 16-bit samples


def _records(path: Path) -> list[tuple[int, int]]:
    """(offset, end) of every record after the header."""
    data = path.read_bytes()
    pos = 4 + 7 + data[9] + (data[10] << 8)  # magic | version u8 | rate u32 | uid len u16 | uid
    out = []
    while pos < len(data):
        _, _, length = journal.RECORD_HEADER.unpack_from(data, pos)
        end = pos + journal.RECORD_HEADER.size + length
        out.append((pos, end))
        pos = end
    return out


def _journal_path(store: Store, cid: int) -> Path:
    return next((store.directory / "audio").glob("*.journal"))


def test_a_live_journal_is_not_recovered_and_cannot_be_opened_twice(
    setup, doctor: Store, consultation: int
) -> None:  # type: ignore[no-untyped-def]
    writer = doctor.open_journal(consultation)
    writer.append(tone(1.5))
    other = setup.open("drwong")  # another window on the same store, while the recording goes on
    try:
        assert other.recovered == []
        with pytest.raises(UsageError, match="being recorded by another"):
            other.open_journal(consultation)
        assert other.read_audio(consultation).size == 16000
    finally:
        other.close()
    writer.append(tone(1.0))
    writer.close()
    assert doctor.read_audio(consultation).size == 40000


def test_round_trip_and_ranges(doctor: Store, consultation: int) -> None:
    audio = tone(3.5)
    with doctor.open_journal(consultation) as writer:
        assert writer.append(audio[:8000]) == 0
        assert writer.append(audio[8000:]) == 3  # three full seconds sealed, half a second buffered
        assert writer.seconds_written == 3.0
    back = doctor.read_audio(consultation)
    assert back.dtype == np.float32 and back.size == audio.size
    assert np.max(np.abs(back - audio)) <= QUANT
    part = doctor.read_audio(consultation, start_s=1.25, end_s=2.5)
    assert part.size == 20000
    assert np.max(np.abs(part - audio[20000:40000])) <= QUANT
    assert doctor.verify_audio(consultation).closed


def test_resume_after_close_appends(doctor: Store, consultation: int) -> None:
    with doctor.open_journal(consultation) as w:
        w.append(tone(1.5))
    with doctor.open_journal(consultation) as w:
        w.append(tone(1.0, 300))
    back = doctor.read_audio(consultation)
    assert back.size == 40000
    assert np.max(np.abs(back[24000:] - tone(1.0, 300))) <= QUANT


def test_consent_is_required(doctor: Store) -> None:
    from desktop.core.types import Patient

    cid = doctor.create_consultation(doctor.add_patient(Patient(name="X")), consent=False)
    with pytest.raises(UsageError, match="consent"):
        doctor.open_journal(cid)
    doctor.record_consent(cid)
    doctor.open_journal(cid).close()


@settings(max_examples=15, deadline=None)
@given(
    blocks=st.lists(st.integers(0, 2500), min_size=0, max_size=12),
    chunk=st.integers(50, 1600),
    seed=st.integers(0, 2**16),
)
def test_chunk_format_round_trips_any_blocking(blocks: list[int], chunk: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    key = crypto.random_key()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "j.journal"
        writer = journal.AudioJournal(path, "abc123", key, chunk_samples=chunk)
        parts = [rng.uniform(-1, 1, n).astype(np.float32) for n in blocks]
        for p in parts:
            writer.append(p)
        writer.close()
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        found = journal.scan(path, key, "abc123")
        assert found.problem is None and found.closed
        assert len(found.chunks) == -(-audio.size // chunk)
        assert found.total_samples == audio.size
        back = journal.read_samples(found)
        assert back.size == audio.size
        assert np.all(np.abs(back - audio) <= QUANT)
        # Another consultation's id or another key authenticates nothing.
        with pytest.raises(journal.JournalError):
            journal.scan(path, key, "other")
        if found.chunks:
            bad = journal.scan(path, crypto.random_key(), "abc123")
            assert bad.problem is not None and bad.problem.chunk == 0 and not bad.chunks


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_flipped_byte_names_its_chunk(data: st.DataObject) -> None:
    key = crypto.random_key()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "j.journal"
        with journal.AudioJournal(path, "uid1", key, chunk_samples=800) as w:
            w.append(tone(0.4))  # 8 chunks
        records = _records(path)
        victim = data.draw(st.integers(0, len(records) - 2), label="chunk")
        start, end = records[victim]
        offset = data.draw(st.integers(start, end - 1), label="offset")
        raw = bytearray(path.read_bytes())
        raw[offset] ^= 1 << data.draw(st.integers(0, 7), label="bit")
        path.write_bytes(bytes(raw))
        found = journal.scan(path, key, "uid1")
        assert found.problem is not None
        assert found.problem.chunk == victim
        assert len(found.chunks) == victim  # every chunk before it still reads


def test_flipped_byte_is_reported_and_other_audio_survives(doctor: Store, consultation: int) -> None:
    from desktop.core.types import Patient

    other = doctor.create_consultation(doctor.add_patient(Patient(name="Y")), consent=True)
    with doctor.open_journal(consultation) as w:
        w.append(tone(4.0))
    path = _journal_path(doctor, consultation)
    with doctor.open_journal(other) as w:
        w.append(tone(2.0, 330))
    start, end = _records(path)[2]
    raw = bytearray(path.read_bytes())
    raw[(start + end) // 2] ^= 0x40
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreDamagedError, match="audio chunk 2 failed its integrity check"):
        doctor.read_audio(consultation)
    assert doctor.read_audio(other).size == 32000
    assert doctor.transcript(consultation).language == "en"


def test_swapped_chunks_are_reported(doctor: Store, consultation: int) -> None:
    with doctor.open_journal(consultation) as w:
        w.append(tone(4.0))
    path = _journal_path(doctor, consultation)
    recs = _records(path)
    raw = path.read_bytes()
    (a0, a1), (b0, b1) = recs[1], recs[2]
    swapped = raw[:a0] + raw[b0:b1] + raw[a0:a1] + raw[b1:]
    path.write_bytes(swapped)
    with pytest.raises(
        StoreDamagedError, match=r"audio chunk 1 is out of order \(chunk 2 was found in its place\)"
    ):
        doctor.read_audio(consultation)


def test_truncation_is_reported(doctor: Store, consultation: int) -> None:
    with doctor.open_journal(consultation) as w:
        w.append(tone(4.0))
    path = _journal_path(doctor, consultation)
    recs = _records(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: recs[3][0] + 20])  # cut inside chunk 3
    with pytest.raises(StoreDamagedError, match="audio chunk 3 is cut short"):
        doctor.read_audio(consultation)
    path.write_bytes(raw[: recs[2][1]])  # whole chunks 3 and the end record cut off
    with pytest.raises(StoreDamagedError, match="ends after chunk 2 but 4 chunks were recorded"):
        doctor.read_audio(consultation)


def test_chunk_moved_from_another_consultation_fails(doctor: Store, consultation: int) -> None:
    from desktop.core.types import Patient

    other = doctor.create_consultation(doctor.add_patient(Patient(name="Z")), consent=True)
    with doctor.open_journal(consultation) as w:
        w.append(tone(2.0))
    first = _journal_path(doctor, consultation)
    with doctor.open_journal(other) as w:
        w.append(tone(2.0, 200))
    second = next(p for p in (doctor.directory / "audio").glob("*.journal") if p != first)
    r1, r2 = _records(first), _records(second)
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(a[: r1[0][0]] + b[r2[0][0] : r2[0][1]] + a[r1[0][1] :])
    with pytest.raises(StoreDamagedError, match="audio chunk 0"):
        doctor.read_audio(consultation)


def test_unclosed_journal_is_recovered_on_open(setup, doctor: Store, consultation: int) -> None:  # type: ignore[no-untyped-def]
    writer = doctor.open_journal(consultation)
    writer.append(tone(3.6))  # 3 chunks sealed, 0.6 s in memory
    path = writer.path
    with open(path, "ab") as fh:  # a torn write of the next record
        fh.write(b"CHNK\x03\x00\x00\x00\xff\x00")
    writer._fh.close()  # the process dies: no close(), no end record, the OS drops its lock
    writer._lock_file.release()
    doctor._open_journals.clear()
    doctor._conn.close()
    doctor._conn = None

    again = setup.open("drwong")
    try:
        assert [(r.consultation_id, r.chunks, r.seconds) for r in again.recovered] == [(consultation, 3, 3.0)]
        back = again.read_audio(consultation)
        assert back.size == 48000
        assert again.verify_audio(consultation).closed
    finally:
        again.close()


def test_write_failure_keeps_the_journal_readable_and_the_samples_buffered(
    doctor: Store, consultation: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.errors import UserFacingError

    writer = doctor.open_journal(consultation)
    writer.append(tone(1.0))
    real_fsync = journal.os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "fsync", failing_fsync)
    with pytest.raises(UserFacingError, match="could not be saved"):
        writer.append(tone(1.0, 300))
    assert calls["n"] == 1 and writer.chunks_written == 1
    monkeypatch.setattr(journal.os, "fsync", real_fsync)
    assert doctor.read_audio(consultation).size == 16000  # the torn record was cut off
    assert writer.append(np.zeros(0, np.float32)) == 1  # the buffered second is written now
    writer.close()
    back = doctor.read_audio(consultation)
    assert back.size == 32000 and np.abs(back[16000:] - tone(1.0, 300)).max() <= QUANT


def test_reader_sees_sealed_chunks_while_recording(doctor: Store, consultation: int) -> None:
    writer = doctor.open_journal(consultation)
    writer.append(tone(2.5))
    assert doctor.read_audio(consultation).size == 32000
    writer.append(tone(1.0))
    assert doctor.read_audio(consultation).size == 48000
    writer.close()
    assert doctor.read_audio(consultation).size == 56000


def test_purge_destroys_key_and_file(setup, doctor: Store, consultation: int) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    with doctor.open_journal(consultation) as w:
        w.append(tone(1.0))
    path = _journal_path(doctor, consultation)
    escrow = path.with_name(path.name + ".key")
    assert escrow.exists()  # the recording's key, sealed to the recovery key
    admin = setup.open("it")
    try:
        assert admin.purge(30) == []  # too recent
        assert admin.purge(30, now=datetime.now(UTC) + timedelta(days=31)) == [consultation]
    finally:
        admin.close()
    assert not path.exists() and not escrow.exists()  # no copy of the key outlives the recording
    with pytest.raises(UsageError, match="destroyed"):
        doctor.read_audio(consultation)
    row = doctor._conn.execute("SELECT data_key, state FROM audio_journals").fetchone()
    assert row == (None, "purged")
    assert doctor.transcript(consultation).language == "en"  # the text record is kept


def test_retention_is_applied_for_any_signed_in_user(setup, doctor: Store, consultation: int) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    with doctor.open_journal(consultation) as w:
        w.append(tone(1.0))
    path = _journal_path(doctor, consultation)
    with setup.open("it") as admin:
        before = len(admin.audit_entries())
    assert doctor.apply_retention() == []  # within the policy's 7 years: nothing, and no audit noise
    with setup.open("it") as admin:
        assert len(admin.audit_entries()) == before + 1  # only that sign-in
        admin.set_policy(retention_days=30)
    assert path.exists()
    later = datetime.now(UTC) + timedelta(days=31)
    assert doctor.apply_retention(now=later) == [consultation]  # a doctor's session enforces the rule
    assert not path.exists()
    with pytest.raises(UsageError, match="destroyed"):
        doctor.read_audio(consultation)
    assert doctor.transcript(consultation).language == "en"
    with setup.open("it") as admin:
        actions = [(e.actor, e.action) for e in admin.audit_entries()]
    assert ("drwong", "audio_destroyed") in actions and ("drwong", "purge_run") in actions


def test_salvage_exports_every_intact_chunk_and_names_the_damaged_one(
    doctor: Store, consultation: int
) -> None:
    audio = tone(5.0)
    with doctor.open_journal(consultation) as w:
        w.append(audio)
    path = _journal_path(doctor, consultation)
    start, end = _records(path)[2]
    raw = bytearray(path.read_bytes())
    raw[(start + end) // 2] ^= 0x40
    path.write_bytes(bytes(raw))
    samples, gaps = doctor.salvage_audio(consultation)
    assert gaps == ["chunk 2 failed its integrity check"]
    assert samples.size == audio.size  # the lost second is silence: timing is kept
    rate = journal.SAMPLE_RATE
    assert np.abs(samples[: 2 * rate] - audio[: 2 * rate]).max() < QUANT
    assert not samples[2 * rate : 3 * rate].any()
    assert np.abs(samples[3 * rate :] - audio[3 * rate :]).max() < QUANT


def test_read_back_while_recording(doctor: Store, consultation: int) -> None:
    """The record pass reads what it decodes again back from the encrypted file, not from memory."""
    audio = tone(3.5)
    with doctor.open_journal(consultation) as writer:
        writer.append(audio[:30000])
        back = writer.read_back(8000, 40000)  # two sealed chunks and the buffered rest
        assert back.size == 22000
        assert np.abs(back - audio[8000:30000]).max() <= QUANT
        writer.append(audio[30000:])
        assert np.abs(writer.read_back(0, 56000) - audio).max() <= QUANT
    with doctor.open_journal(consultation) as again:  # a second recording of the same visit
        again.append(audio[:20000])
        assert np.abs(again.read_back(0, 20000) - audio[:20000]).max() <= QUANT
