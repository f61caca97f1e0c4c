"""The encrypted audio journal: one append-only file per consultation.

File layout::

    header  b"CSAJ" | version u8 | sample rate u32 | uid length u16 | uid (ascii)
    record  marker 4s ("CHNK" or "END.") | index u32 | payload length u32 | payload

A chunk's payload is ``nonce | AES-256-GCM(data key, start sample u64 | FLAC bytes)`` with
the associated data ``consultation uid | record kind | chunk index``. Moving a chunk, moving
it to another consultation's journal or changing one byte therefore fails authentication,
and the reader names the chunk. The closing ``END.`` record seals the chunk and sample
counts, so cutting whole chunks off a closed journal is detected too. Each chunk is
written, flushed and fsynced before :meth:`AudioJournal.append` returns: after a crash
everything but the chunk being filled (at most ``chunk_samples``, one second) survives.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE
from desktop.core.errors import UserFacingError
from desktop.core.files import fsync_dir
from desktop.storage import crypto

MAGIC = b"CSAJ"
VERSION = 1
CHUNK = b"CHNK"
END = b"END."
RECORD_HEADER = struct.Struct("<4sII")
CHUNK_SAMPLES = SAMPLE_RATE  # about one second per chunk
MAX_PAYLOAD = 16 * 1024 * 1024


class JournalError(Exception):
    """The journal cannot be read as written. ``chunk`` names the first bad chunk (0-based)."""

    def __init__(self, message: str, chunk: int | None = None, kind: str = "damaged") -> None:
        super().__init__(message)
        self.chunk = chunk
        self.kind = kind  # damaged | reordered | truncated | header


def _aad(uid: str, kind: bytes, index: int) -> bytes:
    return b"consultscribe-audio\0" + uid.encode("ascii") + b"\0" + kind + struct.pack("<Q", index)


def header_bytes(uid: str, sample_rate: int) -> bytes:
    raw = uid.encode("ascii")
    return MAGIC + struct.pack("<BIH", VERSION, sample_rate, len(raw)) + raw


def encode_chunk(samples: np.ndarray, sample_rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, sample_rate, format="FLAC", subtype="PCM_16")
    return buf.getvalue()


def decode_chunk(data: bytes) -> np.ndarray:
    samples, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return np.asarray(samples, dtype=np.float32)


def seal_chunk(key: bytes, uid: str, index: int, start_sample: int, encoded: bytes) -> bytes:
    payload = crypto.wrap(key, struct.pack("<Q", start_sample) + encoded, _aad(uid, CHUNK, index))
    return RECORD_HEADER.pack(CHUNK, index, len(payload)) + payload


def seal_end(key: bytes, uid: str, chunks: int, samples: int) -> bytes:
    body = json.dumps({"chunks": chunks, "samples": samples}).encode("ascii")
    payload = crypto.wrap(key, body, _aad(uid, END, chunks))
    return RECORD_HEADER.pack(END, chunks, len(payload)) + payload


@dataclass
class Chunk:
    index: int
    offset: int  # where the record starts in the file
    end: int  # where the next record starts
    start_sample: int
    encoded: bytes


@dataclass
class Scan:
    """What a journal file holds: its good chunks in order, whether it was closed, the first problem."""

    uid: str
    sample_rate: int
    chunks: list[Chunk] = field(default_factory=list)
    closed: bool = False
    total_samples: int | None = None  # from the END record
    good_end: int = 0  # file offset just after the last good chunk
    end_record_offset: int | None = None
    problem: JournalError | None = None
    skipped: list[int] = field(default_factory=list)  # chunk indexes passed over by a salvage scan


def scan(path: Path, key: bytes, uid: str, *, salvage: bool = False) -> Scan:
    """Read a journal file's records; stops at the first problem unless ``salvage``.

    With ``salvage`` a chunk that fails its check but whose record header is intact is passed
    over (its index is listed in ``skipped``) and the scan goes on, so intact audio after it can
    still be exported; ``problem`` then names the first damaged chunk.
    """
    data = path.read_bytes()
    fixed = len(MAGIC) + struct.calcsize("<BIH")
    if len(data) < fixed or data[:4] != MAGIC:
        raise JournalError("the audio journal's header is missing or damaged", None, "header")
    version, rate, uid_len = struct.unpack_from("<BIH", data, 4)
    file_uid = data[fixed : fixed + uid_len].decode("ascii", errors="replace")
    if version != VERSION or file_uid != uid:
        raise JournalError("the audio journal belongs to another consultation or is damaged", None, "header")
    result = Scan(uid=uid, sample_rate=int(rate))
    pos = fixed + uid_len
    result.good_end = pos
    expected = 0
    while pos < len(data):
        if len(data) - pos < RECORD_HEADER.size:
            result.problem = JournalError(f"audio chunk {expected} is cut short", expected, "truncated")
            break
        marker, index, length = RECORD_HEADER.unpack_from(data, pos)
        body_start = pos + RECORD_HEADER.size
        if marker not in (CHUNK, END) or length > MAX_PAYLOAD:
            result.problem = JournalError(f"audio chunk {expected} is damaged", expected, "damaged")
            break
        if body_start + length > len(data):
            result.problem = JournalError(f"audio chunk {expected} is cut short", expected, "truncated")
            break
        payload = data[body_start : body_start + length]
        if marker == END:
            try:
                info = json.loads(crypto.unwrap(key, payload, _aad(uid, END, expected)))
            except (crypto.DecryptError, ValueError):
                result.problem = JournalError(
                    f"the end of the audio journal after chunk {expected - 1} is damaged or chunks are"
                    " missing",
                    expected,
                    "truncated",
                )
                break
            result.closed = True
            result.total_samples = int(info["samples"])
            result.end_record_offset = pos
            if body_start + length != len(data):
                result.problem = JournalError(
                    "the audio journal has data after its end record", expected, "damaged"
                )
            break
        try:
            plain = crypto.unwrap(key, payload, _aad(uid, CHUNK, expected))
        except crypto.DecryptError:
            problem = _classify(key, uid, payload, expected, index)
            result.problem = result.problem or problem
            if salvage and marker == CHUNK and index == expected:
                result.skipped.append(expected)
                pos = body_start + length
                expected += 1
                continue
            break
        if index != expected:
            result.problem = JournalError(f"audio chunk {expected} has a damaged header", expected, "damaged")
            break
        start_sample = struct.unpack_from("<Q", plain)[0]
        result.chunks.append(Chunk(expected, pos, body_start + length, start_sample, plain[8:]))
        pos = body_start + length
        result.good_end = pos
        expected += 1
    return result


def _classify(key: bytes, uid: str, payload: bytes, expected: int, stated: int) -> JournalError:
    if stated != expected:
        try:
            crypto.unwrap(key, payload, _aad(uid, CHUNK, stated))
        except crypto.DecryptError:
            pass
        else:
            return JournalError(
                f"audio chunk {expected} is out of order (chunk {stated} was found in its place)",
                expected,
                "reordered",
            )
    return JournalError(
        f"audio chunk {expected} failed its integrity check (altered or damaged)", expected, "damaged"
    )


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a new file is readable by this user only (0600)."""
    return os.open(path, flags, 0o600)


class JournalLock:
    """An exclusive OS lock held by the process writing a journal (a separate ``.lock`` file, so
    readers are never blocked). The OS drops it when that process dies, even by SIGKILL, which is
    how recovery tells a crashed recording from one still going on in another process."""

    def __init__(self, journal_path: Path) -> None:
        self.path = journal_path.with_name(journal_path.name + ".lock")
        self._fh: Any = None

    def acquire(self) -> bool:
        fh = open(self.path, "a+b", opener=private_opener)  # noqa: SIM115 - held while the lock is held
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            if os.name == "nt":
                import msvcrt

                self._fh.seek(0)
                msvcrt.locking(self._fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None


class JournalBusyError(Exception):
    """Another process is recording into this journal."""


class AudioJournal:
    """Writer for one consultation's journal. Safe for one writing thread plus readers of the file.

    ``append`` takes float32 mono samples at 16 kHz in blocks of any size, cuts them into
    chunks of ``chunk_samples`` and seals, writes and fsyncs every completed chunk before it
    returns. ``close`` writes the remainder as a short chunk and the end record.
    """

    def __init__(
        self,
        path: Path,
        uid: str,
        key: bytes,
        *,
        sample_rate: int = SAMPLE_RATE,
        chunk_samples: int = CHUNK_SAMPLES,
        next_index: int = 0,
        next_sample: int = 0,
        on_close: Callable[[int, int], None] | None = None,
        lock: JournalLock | None = None,
    ) -> None:
        self.path = path
        if lock is None:
            lock = JournalLock(path)
            if not lock.acquire():
                raise JournalBusyError(str(path))
        self._lock_file = lock
        self.uid = uid
        self._key = key
        self.sample_rate = sample_rate
        self.chunk_samples = chunk_samples
        self._index = next_index
        self._written_samples = next_sample
        self._first_sample = next_sample  # where this recording session starts in the journal
        self._records: list[tuple[int, int, int, int]] = []  # (index, start sample, offset, length)
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._lock = threading.Lock()
        self._on_close = on_close
        new = not path.exists()
        self._fh = open(path, "ab", opener=private_opener)  # noqa: SIM115 - held open for the journal's life
        if new:
            self._fh.write(header_bytes(uid, sample_rate))
            self._sync()
            fsync_dir(path.parent)
        self.closed = False

    @property
    def chunks_written(self) -> int:
        return self._index

    @property
    def seconds_written(self) -> float:
        """Audio that is on disk (sealed and fsynced), in seconds."""
        return self._written_samples / self.sample_rate

    def append(self, samples: np.ndarray) -> int:
        """Buffer ``samples``; returns how many chunks were sealed and fsynced by this call."""
        block = np.asarray(samples, dtype=np.float32)
        if block.ndim != 1:
            raise ValueError("the audio journal takes mono samples (a 1-D array)")
        with self._lock:
            if self.closed:
                raise ValueError("the audio journal is closed")
            if block.size:
                self._pending.append(block)
                self._pending_len += block.size
            written = 0
            while self._pending_len >= self.chunk_samples:
                joined = np.concatenate(self._pending)
                self._write_chunk(joined[: self.chunk_samples])
                rest = joined[self.chunk_samples :]
                self._pending = [rest] if rest.size else []
                self._pending_len = rest.size
                written += 1
            return written

    def read_back(self, start: int, end: int) -> np.ndarray:
        """Samples [start, end) of this recording session, read back from the encrypted file
        (each chunk authenticated again); what is not sealed yet comes from memory."""
        first = self._first_sample + max(0, start)
        last = self._first_sample + max(start, end)
        with self._lock:
            records = [r for r in self._records if r[1] < last and r[1] + self.chunk_samples > first]
            pending = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.float32)
            pending_start = self._written_samples
        parts: list[np.ndarray] = []
        position = first
        with open(self.path, "rb") as fh:
            for index, chunk_start, offset, length in records:
                fh.seek(offset + RECORD_HEADER.size)
                plain = crypto.unwrap(self._key, fh.read(length), _aad(self.uid, CHUNK, index))
                samples = decode_chunk(plain[8:])
                lo, hi = max(0, position - chunk_start), min(samples.size, last - chunk_start)
                if hi > lo:
                    parts.append(samples[lo:hi])
                    position = chunk_start + hi
        if position < last and pending.size:
            lo, hi = max(0, position - pending_start), min(pending.size, last - pending_start)
            if hi > lo:
                parts.append(pending[lo:hi])
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)

    def close(self) -> None:
        """Write what is buffered and the end record. Safe to call twice."""
        with self._lock:
            if self.closed:
                return
            if self._pending_len:
                self._write_chunk(np.concatenate(self._pending))
                self._pending, self._pending_len = [], 0
            self._fh.write(seal_end(self._key, self.uid, self._index, self._written_samples))
            self._sync()
            self._fh.close()
            self._lock_file.release()
            self.closed = True
        if self._on_close is not None:
            self._on_close(self._index, self._written_samples)

    def abandon(self) -> None:
        """Give up a journal that cannot be finished (the disk is full): the file keeps every sealed
        chunk and no end record, so the next sign-in recovers it up to the last good chunk."""
        with self._lock:
            if self.closed:
                return
            with contextlib.suppress(OSError):
                self._fh.close()
            self._lock_file.release()
            self.closed = True

    def __enter__(self) -> AudioJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_chunk(self, samples: np.ndarray) -> None:
        clipped = np.clip(samples, -1.0, 1.0)
        record = seal_chunk(
            self._key, self.uid, self._index, self._written_samples, encode_chunk(clipped, self.sample_rate)
        )
        start = self._fh.tell()
        try:
            self._fh.write(record)
            self._sync()
            self._records.append(
                (self._index, self._written_samples, start, len(record) - RECORD_HEADER.size)
            )
        except OSError as exc:
            # Disk full or removed: cut the torn record off so the journal stays readable, keep the
            # samples buffered (the caller may retry) and say so in plain words.
            with contextlib.suppress(OSError):
                self._fh.truncate(start)
                self._fh.seek(start)
            raise UserFacingError(
                "The recording could not be saved to disk (the disk may be full or unavailable).",
                "Free some space; the audio not yet saved is kept in memory and saved on the next attempt.",
            ) from exc
        self._index += 1
        self._written_samples += samples.size

    def _sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())


def read_samples(found: Scan, start_s: float | None = None, end_s: float | None = None) -> np.ndarray:
    """Decode the chunks of ``found`` that overlap [start_s, end_s) and cut to that range."""
    rate = found.sample_rate
    first = 0 if start_s is None else max(0, round(start_s * rate))
    last = None if end_s is None else max(first, round(end_s * rate))
    parts: list[np.ndarray] = []
    position = first
    for chunk in found.chunks:
        if last is not None and chunk.start_sample >= last:
            break
        if found.skipped and chunk.start_sample > position:
            # A chunk passed over by a salvage scan: silence in its place keeps the timing.
            parts.append(np.zeros(chunk.start_sample - position, dtype=np.float32))
        samples = decode_chunk(chunk.encoded)
        position = max(position, chunk.start_sample + samples.size)
        chunk_end = chunk.start_sample + samples.size
        if chunk_end <= first:
            continue
        lo = max(first - chunk.start_sample, 0)
        hi = samples.size if last is None else min(samples.size, last - chunk.start_sample)
        parts.append(samples[lo:hi])
    if found.skipped and last is None and found.total_samples and found.total_samples > position:
        parts.append(np.zeros(found.total_samples - position, dtype=np.float32))  # lost final chunk
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts).astype(np.float32, copy=False)
