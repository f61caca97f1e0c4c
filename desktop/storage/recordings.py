"""Recordings: each consultation's encrypted audio journal, read back, salvaged, recovered after a crash, destroyed."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import numpy as np

from desktop.core.errors import (
    StoreDamagedError,
    UsageError,
)
from desktop.storage import crypto, journal, salvage
from desktop.storage.base import RecoveredJournal, StoreBase, _now
from desktop.storage.layout import AUDIO_DIR

log = logging.getLogger(__name__)


class RecordingsMixin(StoreBase):
    """Each consultation's encrypted audio journal: writing, reading, salvage, crash recovery."""

    # ------------------------------------------------------------------ audio journal
    def _audio_path(self, uid: str) -> Path:
        return self.directory / AUDIO_DIR / f"{uid}.journal"

    def open_journal(
        self, consultation_id: int, *, chunk_samples: int = journal.CHUNK_SAMPLES
    ) -> journal.AudioJournal:
        """Start (or continue) recording this consultation's audio. The patient's consent must be recorded."""
        self._require("write_clinical", "audio", consultation_id)
        row = self._writable_consultation(consultation_id)
        uid, consent = str(row[1]), bool(row[7])
        if not consent:
            raise UsageError(
                f"The patient's consent to recording is not recorded for consultation {consultation_id}.",
                "Record consent before starting the recording.",
            )
        with self._lock:
            if consultation_id in self._open_journals and not self._open_journals[consultation_id].closed:
                raise UsageError(
                    f"Consultation {consultation_id} is already being recorded.", "Stop it first."
                )
            path = self._audio_path(uid)
            path.parent.mkdir(parents=True, exist_ok=True)
            file_lock = journal.JournalLock(path)
            if not file_lock.acquire():
                raise UsageError(
                    f"Consultation {consultation_id} is being recorded by another ConsultScribe window"
                    " or computer.",
                    "Stop that recording first.",
                )
            try:
                key, next_index, next_sample = self._prepare_journal(consultation_id, uid, path)
            except BaseException:
                file_lock.release()
                raise

            def on_close(chunks: int, samples: int) -> None:
                with self._write():
                    self._conn.execute(
                        "UPDATE audio_journals SET state = 'closed', chunks = ?, samples = ?, closed_at = ?"
                        " WHERE consultation_id = ?",
                        (chunks, samples, _now(), consultation_id),
                    )
                    self._audit(
                        "audio_closed", "audio", consultation_id, f"{chunks} chunks, {samples} samples"
                    )
                    self._open_journals.pop(consultation_id, None)

            writer = journal.AudioJournal(
                path,
                uid,
                key,
                chunk_samples=chunk_samples,
                next_index=next_index,
                next_sample=next_sample,
                on_close=on_close,
                lock=file_lock,
            )
            self._open_journals[consultation_id] = writer
            return writer

    def _prepare_journal(self, consultation_id: int, uid: str, path: Path) -> tuple[bytes, int, int]:
        """Create the journal's row and data key, or get a closed/recovered journal ready to continue."""
        next_index = next_sample = 0
        with self._write():
            existing = self._conn.execute(
                "SELECT data_key, state FROM audio_journals WHERE consultation_id = ?", (consultation_id,)
            ).fetchone()
            if existing is None:
                key = crypto.random_key()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._conn.execute(
                    "INSERT INTO audio_journals (consultation_id, file, data_key, state, sample_rate,"
                    " opened_at)"
                    " VALUES (?, ?, ?, 'open', ?, ?)",
                    (consultation_id, path.name, key, journal.SAMPLE_RATE, _now()),
                )
                # The recording stays recoverable with the recovery key if the database is lost.
                salvage.write_escrow(self._keyfile, path, uid, key)
                self._audit("audio_started", "audio", consultation_id)
            elif existing[1] == "purged":
                raise UsageError(
                    f"The audio of consultation {consultation_id} was destroyed under the retention policy.",
                    "Start a new consultation to record again.",
                )
            else:
                key = bytes(existing[0])
                found = self._scan_or_raise(consultation_id, path, key, uid)
                if found.problem is not None and found.problem.kind != "truncated":
                    raise StoreDamagedError(
                        f"Consultation {consultation_id}: {found.problem}.",
                        "The recording cannot be continued; start a new consultation.",
                    )
                _truncate(path, found.good_end)  # drops the end record (or a torn tail) before appending
                next_index = len(found.chunks)
                next_sample = _samples_after(found)
                self._conn.execute(
                    "UPDATE audio_journals SET state = 'open', closed_at = NULL WHERE consultation_id = ?",
                    (consultation_id,),
                )
                self._audit("audio_resumed", "audio", consultation_id)
        return key, next_index, next_sample

    def _journal_info(self, consultation_id: int) -> tuple[str, bytes | None, str, int, int]:
        row = self._consultation_row(consultation_id)
        with self._read() as conn:
            j = conn.execute(
                "SELECT data_key, state, chunks, samples FROM audio_journals WHERE consultation_id = ?",
                (consultation_id,),
            ).fetchone()
        if j is None:
            raise UsageError(f"Consultation {consultation_id} has no recorded audio.", "")
        return str(row[1]), (bytes(j[0]) if j[0] is not None else None), str(j[1]), int(j[2]), int(j[3])

    def _scan_or_raise(self, consultation_id: int, path: Path, key: bytes, uid: str) -> journal.Scan:
        if not path.exists():
            raise StoreDamagedError(
                f"The audio file of consultation {consultation_id} is missing.",
                "Restore the store from a backup.",
            )
        try:
            return journal.scan(path, key, uid)
        except journal.JournalError as exc:
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {exc}.", "Restore the audio file from a backup."
            ) from exc

    def verify_audio(self, consultation_id: int) -> journal.Scan:
        """Check every chunk; raise StoreDamagedError naming the first bad chunk."""
        self._require("read_clinical", "audio", consultation_id)
        uid, key, state, chunks, _samples = self._journal_info(consultation_id)
        if key is None:
            raise UsageError(
                f"The audio of consultation {consultation_id} was destroyed (retention policy).", ""
            )
        found = self._scan_or_raise(consultation_id, self._audio_path(uid), key, uid)
        problem = found.problem
        if problem is not None and not (state == "open" and problem.kind == "truncated"):
            self._audit_now("audio_damaged", "audio", consultation_id, str(problem))
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {problem}.", "Restore the audio file from a backup."
            )
        if state == "closed" and (not found.closed or len(found.chunks) != chunks):
            message = (
                f"Consultation {consultation_id}: the audio ends after chunk {len(found.chunks) - 1}"
                f" but {chunks} chunks were recorded (the file was cut short)."
            )
            self._audit_now("audio_damaged", "audio", consultation_id, "truncated")
            raise StoreDamagedError(message, "Restore the audio file from a backup.")
        return found

    def read_audio(
        self, consultation_id: int, start_s: float | None = None, end_s: float | None = None
    ) -> np.ndarray:
        """The consultation's audio (float32, 16 kHz mono), optionally from ``start_s`` to ``end_s``.

        While the journal is being written, returns what is sealed so far.
        """
        found = self.verify_audio(consultation_id)
        self._audit_now("audio_read", "audio", consultation_id)
        return journal.read_samples(found, start_s, end_s)

    def salvage_audio(self, consultation_id: int) -> tuple[np.ndarray, list[str]]:
        """Every intact chunk of a damaged recording (silence where a chunk failed), and what is missing.

        For exports: a damaged chunk loses one second, not the whole consultation.
        """
        self._require("read_clinical", "audio", consultation_id)
        uid, key, _state, _chunks, _samples = self._journal_info(consultation_id)
        if key is None:
            raise UsageError(
                f"The audio of consultation {consultation_id} was destroyed (retention policy).", ""
            )
        path = self._audio_path(uid)
        if not path.exists():
            raise StoreDamagedError(
                f"The audio file of consultation {consultation_id} is missing.",
                "Restore the store from a backup.",
            )
        try:
            found = journal.scan(path, key, uid, salvage=True)
        except journal.JournalError as exc:
            raise StoreDamagedError(
                f"Consultation {consultation_id}: {exc}.", "Restore the audio file from a backup."
            ) from exc
        gaps = []
        rate = found.sample_rate
        for index in found.skipped:
            gaps.append(f"chunk {index} failed its integrity check")
        if found.problem is not None and found.problem.chunk not in found.skipped:
            gaps.append(f"{found.problem} (nothing after it could be read)")
        samples = journal.read_samples(found)
        self._audit_now("audio_read", "audio", consultation_id, f"salvaged, {len(gaps)} gap(s)")
        log.info("salvaged %.1f s of audio with %d gap(s)", samples.size / rate, len(gaps))
        return samples, gaps

    def recover_journals(self) -> list[RecoveredJournal]:
        """Close journals left open by a crash, keeping every chunk up to the last good one.

        A journal whose writer is still alive (another window or process holds its lock) is left alone.
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.consultation_id, c.uid, a.data_key, a.sample_rate FROM audio_journals a"
                " JOIN consultations c ON c.id = a.consultation_id WHERE a.state = 'open'"
            ).fetchall()
        recovered: list[RecoveredJournal] = []
        for cid, uid, key, rate in rows:
            if cid in self._open_journals:
                continue
            path = self._audio_path(uid)
            file_lock = journal.JournalLock(path)
            if not file_lock.acquire():
                log.info("audio journal of consultation %s is being recorded by another process", cid)
                continue
            try:
                done = self._recover_one(int(cid), str(uid), bytes(key), int(rate), path)
            finally:
                file_lock.release()
            if done is not None:
                recovered.append(done)
        return recovered

    def _recover_one(self, cid: int, uid: str, key: bytes, rate: int, path: Path) -> RecoveredJournal | None:
        try:
            if not path.exists():
                # The crash came before the header reached the disk: an empty journal.
                with open(path, "wb") as fh:
                    fh.write(journal.header_bytes(uid, rate))
            found = journal.scan(path, key, uid)
        except (journal.JournalError, OSError) as exc:
            log.warning("audio journal of consultation %s cannot be recovered: %s", cid, exc)
            self._audit_now("audio_recovery_failed", "audio", cid, str(exc))
            return None
        if found.problem is not None and found.problem.kind != "truncated":
            log.warning("audio journal of consultation %s is damaged at chunk %s", cid, found.problem.chunk)
            self._audit_now("audio_recovery_failed", "audio", cid, str(found.problem))
            return None
        samples = _samples_after(found)
        if not found.closed:
            _truncate(path, found.good_end)
            with open(path, "ab") as fh:
                fh.write(journal.seal_end(key, uid, len(found.chunks), samples))
                fh.flush()
                os.fsync(fh.fileno())
        with self._write():
            self._conn.execute(
                "UPDATE audio_journals SET state = 'closed', chunks = ?, samples = ?, closed_at = ?"
                " WHERE consultation_id = ?",
                (len(found.chunks), samples, _now(), cid),
            )
            self._audit("audio_recovered", "audio", cid, f"{len(found.chunks)} chunks, {samples} samples")
        return RecoveredJournal(cid, len(found.chunks), samples / rate)

    def destroy_audio(self, consultation_id: int, reason: str = "retention") -> None:
        """Delete the consultation's data key (the audio becomes unreadable) and its file."""
        self._require("purge", "audio", consultation_id)
        self._destroy_audio(consultation_id, reason)

    def _destroy_audio(self, consultation_id: int, reason: str) -> None:
        uid = str(self._consultation_row(consultation_id)[1])
        with self._write():
            self._conn.execute(
                "UPDATE audio_journals SET data_key = NULL, state = 'purged', purged_at = ? WHERE"
                " consultation_id = ?",
                (_now(), consultation_id),
            )
            self._audit("audio_destroyed", "audio", consultation_id, reason)
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the key's old page leaves the WAL too
        audio = self._audio_path(uid)
        for leftover in (audio, journal.JournalLock(audio).path, salvage.escrow_path(audio)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _samples_after(found: journal.Scan) -> int:
    if not found.chunks:
        return 0
    last = found.chunks[-1]
    return last.start_sample + journal.decode_chunk(last.encoded).size


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(size)
        fh.flush()
        os.fsync(fh.fileno())
