"""The record pass: what is saved is a second, fuller decode of what was recorded.

The live recogniser decodes each utterance on its own, within a second or two, with a short
encoder context and greedy search; its text is what the doctor watches. The transcript that
is *saved*, and that the note is drafted from, is made here instead: while the recording goes
on, each completed stretch of about 30 seconds (read back from the encrypted audio journal,
cut in a pause) is decoded again as ``process`` decodes a file — the whole stretch in one
window, beam search, the clinic vocabulary, the record so far as the prompt, speech the first
pass skipped decoded again — and drug names are checked (:mod:`desktop.asr.drug_names`).

The record pass runs on its own thread and yields to the live one: it starts a decode only
while the live recogniser keeps up (its backlog under ``max_live_backlog_s`` and its duty cycle
under ``max_live_duty``), so under load it falls behind rather than slowing the live text, and
catches up after Stop (:meth:`RecordPass.finish`). ``background=False`` runs every stretch on
the caller's thread as soon as it is complete (a file replayed as fast as possible).

Each record segment carries ``live_text``: what the live view showed over the same stretch of
time, so the transcript can mark where the two differ.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.asr.drug_names import AudioScorer
from desktop.asr.vad import VadSettings, speech_regions
from desktop.core.audio import SAMPLE_RATE
from desktop.core.lines import join_text
from desktop.core.types import TranscriptSegment

if TYPE_CHECKING:
    from desktop.asr.drug_names import DrugNameCorrector
    from desktop.asr.engine import WhisperEngine

log = logging.getLogger(__name__)

Reader = Callable[[int, int], np.ndarray]
PAUSE_PAD_S = 0.2  # kept of a pause either side of a cut


@dataclass
class RecordOptions:
    # A stretch is cut after about ``stretch_s`` of audio, in the longest pause of its last
    # ``search_s`` seconds, so that it fits one 30 s Whisper window (a second, short window is
    # prompted with the first one's text and copies from it).
    stretch_s: float = 26.0
    search_s: float = 4.0
    min_pause_s: float = 0.3
    beam_size: int = 5
    prompt_chars: int = 0  # the tail of the record so far as the decoder prompt: off (it set Whisper
    # copying earlier sentences into the silence at the end of a stretch)
    max_live_backlog_s: float = 1.0
    max_live_duty: float = 0.6
    poll_s: float = 0.2


@dataclass
class RecordStats:
    stretches: int = 0
    compute_seconds: float = 0.0
    waited_seconds: float = 0.0  # time a ready stretch waited for the live pass
    finish_seconds: float = 0.0  # Stop → record complete
    stretches_at_stop: int = 0  # decoded after Stop (caught up)
    gaps_redecoded: int = 0
    corrections: int = 0
    lengths_s: list[float] = field(default_factory=list)
    bounds_s: list[tuple[float, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stretches": self.stretches,
            "compute_seconds": round(self.compute_seconds, 2),
            "waited_seconds": round(self.waited_seconds, 2),
            "finish_seconds": round(self.finish_seconds, 2),
            "stretches_at_stop": self.stretches_at_stop,
            "gaps_redecoded": self.gaps_redecoded,
            "corrections": self.corrections,
            "stretch_lengths_s": [round(x, 1) for x in self.lengths_s],
            "stretches_s": [[round(a, 2), round(b, 2)] for a, b in self.bounds_s],
        }


class RecordPass:
    """Decodes completed stretches of a recording again; :attr:`segments` is the record so far.

    ``reader(start, end)`` returns samples [start, end) of this recording (the audio journal's
    read-back); without one the pass keeps its own copy of the audio. ``live_state()`` returns
    (backlog seconds, duty cycle) of the live recogniser; ``live_segments()`` its final segments.
    """

    def __init__(
        self,
        engine: WhisperEngine,
        *,
        language: str = "auto",
        script: str = "hk",
        vocabulary: list[str] | None = None,
        corrector: DrugNameCorrector | None = None,
        reader: Reader | None = None,
        live_state: Callable[[], tuple[float, float]] | None = None,
        live_segments: Callable[[], list[TranscriptSegment]] | None = None,
        options: RecordOptions | None = None,
        background: bool = True,
    ) -> None:
        self.engine = engine
        self.language = language
        self.script = script
        self.vocabulary = list(vocabulary or [])
        self.corrector = corrector
        self.options = options or RecordOptions()
        self.stats = RecordStats()
        self._reader = reader
        self._own: list[np.ndarray] = []  # the audio, when no reader is given
        self._live_state = live_state
        self._live_segments = live_segments
        self._total = 0  # samples recorded
        self._cut = 0  # samples already handed to a stretch
        self._ready: list[tuple[int, int]] = []
        self._segments: list[TranscriptSegment] = []
        self._done_until = 0  # samples the record covers
        self._cv = threading.Condition()
        self._closing = False
        self._error: BaseException | None = None
        self._background = background
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="record-pass", daemon=True)
            self._thread.start()

    def bind_live(
        self,
        live_state: Callable[[], tuple[float, float]],
        live_segments: Callable[[], list[TranscriptSegment]],
    ) -> None:
        """Tell the pass how the live recogniser is doing (it yields to it) and what it showed."""
        self._live_state = live_state
        self._live_segments = live_segments

    def use_reader(self, reader: Reader) -> None:
        """Read the audio back through ``reader`` (the journal) instead of keeping a copy."""
        with self._cv:
            if self._total:
                raise RuntimeError("use_reader() after audio was added")
            self._reader = reader

    # -- recording thread --------------------------------------------------------------------
    def add(self, block: np.ndarray) -> None:
        """Audio recorded (after the journal has it): mark the stretches it completes."""
        n = int(np.asarray(block).reshape(-1).size)
        if not n:
            return
        if self._reader is None:
            self._own.append(np.asarray(block, dtype=np.float32).reshape(-1).copy())
        with self._cv:
            self._total += n
            if (self._total - self._cut) / SAMPLE_RATE >= self.options.stretch_s:
                cut = self._find_cut(self._cut, self._total)
                if cut is not None:
                    end, next_start = cut
                    self._ready.append((self._cut, end))
                    self._cut = next_start
                    self._cv.notify()
        if not self._background:
            self._drain(wait_for_live=False)

    def finish(self, timeout: float | None = None) -> list[TranscriptSegment]:
        """Stop: decode what is left (the stretches waiting and the tail) and return the record."""
        started = time.perf_counter()
        with self._cv:
            if self._total > self._cut:
                self._ready.append((self._cut, self._total))
                self._cut = self._total
            self.stats.stretches_at_stop = len(self._ready)
            self._closing = True
            self._cv.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError("the record pass did not finish in time")
        else:
            self._drain(wait_for_live=False)
        if self._error is not None:
            raise self._error
        self.stats.finish_seconds = time.perf_counter() - started
        log.info(
            "record pass: %d stretches, %.1f s compute, %d after Stop in %.1f s",
            self.stats.stretches,
            self.stats.compute_seconds,
            self.stats.stretches_at_stop,
            self.stats.finish_seconds,
        )
        return self.segments

    @property
    def segments(self) -> list[TranscriptSegment]:
        with self._cv:
            return list(self._segments)

    @property
    def covered_seconds(self) -> float:
        """How much of the recording the record covers so far."""
        return self._done_until / SAMPLE_RATE

    # -- cutting -----------------------------------------------------------------------------
    def _find_cut(self, start: int, end: int) -> tuple[int, int] | None:
        """Where this stretch ends and the next begins: around the longest pause of the last
        ``search_s`` seconds, leaving the pause itself out (Whisper invents text in a silent
        tail, such as the stretch's first sentence again). None: wait for more audio."""
        o = self.options
        window_start = max(start, end - int(o.search_s * SAMPLE_RATE))
        audio = self._read(window_start, end)
        regions = speech_regions(
            audio, VadSettings(min_silence_ms=int(o.min_pause_s * 1000), speech_pad_ms=100)
        )
        pauses: list[tuple[int, int]] = []
        cursor = 0
        for r in regions:
            if r.start - cursor >= o.min_pause_s * SAMPLE_RATE:
                pauses.append((cursor, r.start))
            cursor = max(cursor, r.end)
        if regions and regions[-1].closed and len(audio) - cursor >= o.min_pause_s * SAMPLE_RATE:
            pauses.append((cursor, len(audio)))
        if not regions:
            return end, end  # silence throughout
        if not pauses:
            if (end - start) / SAMPLE_RATE >= o.stretch_s + o.search_s:
                return end, end  # no pause in sight: a stretch is never longer than this
            return None
        a, b = max(pauses, key=lambda p: p[1] - p[0])
        pad = int(PAUSE_PAD_S * SAMPLE_RATE)
        stop = window_start + min(a + pad, (a + b) // 2)
        return stop, max(stop, window_start + max(b - pad, (a + b) // 2))

    def _read(self, start: int, end: int) -> np.ndarray:
        if self._reader is not None:
            return np.asarray(self._reader(start, end), dtype=np.float32)
        joined = np.concatenate(self._own) if len(self._own) > 1 else (self._own[0] if self._own else None)
        if joined is None:
            return np.zeros(0, dtype=np.float32)
        self._own = [joined]
        return joined[start:end]

    # -- the pass ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._drain(wait_for_live=True)
        except BaseException as exc:  # surfaced by finish()
            log.exception("the record pass failed")
            self._error = exc

    def _drain(self, wait_for_live: bool) -> None:
        while True:
            with self._cv:
                while not self._ready and not self._closing and self._background:
                    self._cv.wait()
                if not self._ready:
                    return
                stretch = self._ready[0]
                closing = self._closing
            if wait_for_live and not closing and not self._live_keeps_up():
                waited = time.perf_counter()
                with self._cv:
                    self._cv.wait(self.options.poll_s)
                self.stats.waited_seconds += time.perf_counter() - waited
                continue
            self._decode(*stretch)
            with self._cv:
                self._ready.pop(0)

    def _live_keeps_up(self) -> bool:
        if self._live_state is None:
            return True
        backlog, duty = self._live_state()
        return backlog <= self.options.max_live_backlog_s and duty <= self.options.max_live_duty

    def _decode(self, start: int, end: int) -> None:
        audio = self._read(start, end)
        offset = start / SAMPLE_RATE
        started = time.perf_counter()
        result = self.engine.transcribe(
            audio,
            language=self.language,
            script=self.script,
            vocabulary=self.vocabulary,
            beam_size=self.options.beam_size,
            prompt=self._prompt(),
            condition_on_previous_text=False,
            id_prefix="r",
        )
        self.stats.compute_seconds += time.perf_counter() - started
        self.stats.stretches += 1
        self.stats.gaps_redecoded += int(result.gaps_redecoded)
        self.stats.lengths_s.append((end - start) / SAMPLE_RATE)
        self.stats.bounds_s.append((start / SAMPLE_RATE, end / SAMPLE_RATE))
        segments: list[TranscriptSegment] = []
        for seg in _drop_too_fast(result.segments):
            seg.start += offset
            seg.end += offset
            for w in seg.words:
                w.start += offset
                w.end += offset
            segments.append(seg)
        if self.corrector is not None:
            # the speech model chooses between heard words and near drug names on this stretch's audio
            with self._cv:
                previous = self._segments[-1] if self._segments else None
            self.corrector.correct(segments, AudioScorer(self.engine, audio, offset), previous)
            self.stats.corrections += sum(len(seg.corrections) for seg in segments)
        with self._cv:
            base = len(self._segments)
            for i, seg in enumerate(segments, start=1):
                seg.id = f"r{base + i}"
            self._segments.extend(segments)
            self._done_until = end

    def _prompt(self) -> str:
        if self.options.prompt_chars <= 0:
            return ""
        with self._cv:
            text = ""
            for seg in self._segments[-20:]:
                text = join_text(text, seg.text)
        return text[-self.options.prompt_chars :]

    # -- the record with the live view beside it ---------------------------------------------
    def record(self, live: list[TranscriptSegment] | None = None) -> list[TranscriptSegment]:
        """The record so far, then the live final segments after it; every record segment
        carries the live text over its time span (``live_text``) and the speaker heard there."""
        live = list(live if live is not None else (self._live_segments() if self._live_segments else []))
        record = self.segments
        until = self._done_until / SAMPLE_RATE
        heard: dict[int, list[TranscriptSegment]] = {i: [] for i in range(len(record))}
        for s in live:
            if not record or (s.start + s.end) / 2 >= until:
                continue
            best = max(range(len(record)), key=lambda i: (_overlap(s, record[i]), -_distance(s, record[i])))
            heard[best].append(s)
        for i, seg in enumerate(record):
            seg.live_text = " ".join(s.text for s in heard[i]).strip()
            speaker = _speaker_by_overlap(seg, heard[i])
            if speaker:
                seg.speaker = speaker
        tail = [s for s in live if (s.start + s.end) / 2 >= until]
        return [*record, *tail]


def _overlap(a: TranscriptSegment, b: TranscriptSegment) -> float:
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def _distance(a: TranscriptSegment, b: TranscriptSegment) -> float:
    return abs((a.start + a.end) / 2 - (b.start + b.end) / 2)


def _speaker_by_overlap(seg: TranscriptSegment, live: list[TranscriptSegment]) -> str:
    weights: dict[str, float] = {}
    for s in live:
        if s.speaker and s.speaker != "unknown":
            weights[s.speaker] = weights.get(s.speaker, 0.0) + _overlap(s, seg)
    best = max(weights, key=lambda k: weights[k], default="")
    return best if best and weights[best] > 0 else ""


MAX_LETTERS_PER_S = 30.0  # twice fast speech


def _drop_too_fast(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """The segments without those whose text could not have been said in their time.

    At the edge of a stretch Whisper sometimes writes a sentence it made up (the stretch's
    first words again, "How do I take antibiotics?") into half a second or none: more than
    ``MAX_LETTERS_PER_S`` letters a second is not speech.
    """
    out: list[TranscriptSegment] = []
    for seg in segments:
        letters = sum(1 for ch in seg.text if ch.isalpha())
        if letters >= 8 and letters / max(seg.end - seg.start, 0.05) > MAX_LETTERS_PER_S:
            continue
        out.append(seg)
    return out
