"""The live recogniser behind the recording worker: streaming ASR plus speaker labels.

Fits :class:`~desktop.services.ports.StreamingAsrPort`. Recognition runs on its own thread
(:class:`~desktop.asr.streaming.session.BackgroundRecognizer`), so the recording thread that
writes the encrypted journal never waits for a decode. Each final segment gets a speaker label
from the audio it covers; at Stop the labeller reviews every label with everything heard.

In a room with a lapel microphone on the doctor the blocks are two-channel ``(n, 2)``: the
recogniser hears the mono mix and the labeller the two channels, whose balance says who spoke.
Doctor and patient often take turns without a pause long enough to end the utterance: a final
segment is split into its sentences, and with two microphones where the loud one changes, so
that each line has one speaker.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.audio.resample import to_mono
from desktop.core.lines import SENTENCE_END, join_text, utterance_key
from desktop.core.types import TranscriptSegment

if TYPE_CHECKING:
    from desktop.asr.drug_names import DrugNameCorrector
    from desktop.asr.engine import WhisperEngine
    from desktop.asr.speakers.embedders import Embedder
    from desktop.asr.speakers.labeller import SpeakerLabeller
    from desktop.asr.speakers.profile import VoiceProfile
    from desktop.asr.streaming.record import Reader, RecordPass
    from desktop.asr.streaming.session import BackgroundRecognizer, PacedRecognizer

log = logging.getLogger(__name__)

RATE = 16000


class LiveRecogniser:
    def __init__(
        self,
        engine: WhisperEngine,
        *,
        language: str = "auto",
        script: str = "hk",
        vocabulary: list[str] | None = None,
        label_speakers: bool = True,
        doctor_profile: VoiceProfile | None = None,
        doctor_channel: int = 0,
        embedder: Embedder | None = None,
        split_turns: bool = True,
        paced: bool = False,
        record_pass: bool = False,
        corrector: DrugNameCorrector | None = None,
    ) -> None:
        from desktop.asr.streaming.recognizer import StreamingOptions, StreamingRecognizer
        from desktop.asr.streaming.session import BackgroundRecognizer, PacedRecognizer

        options = StreamingOptions(language=language, script=script, vocabulary=list(vocabulary or []))
        recognizer = StreamingRecognizer(engine, options, corrector=corrector)
        # paced: each feed is one decode step on the caller's thread (benchmarks and tests replaying
        # a recording block by block get the pieces a live recording makes, without the wait).
        self._bg: PacedRecognizer | BackgroundRecognizer = (
            PacedRecognizer(recognizer) if paced else BackgroundRecognizer(recognizer)
        )
        # The saved transcript: each completed stretch decoded again (RecordPass), yielding to this one.
        self._record: RecordPass | None = None
        if record_pass:
            from desktop.asr.streaming.record import RecordPass

            self._record = RecordPass(
                engine,
                language=language,
                script=script,
                vocabulary=list(vocabulary or []),
                corrector=corrector,
                background=not paced,
            )
            self._record.bind_live(
                lambda: (float(getattr(self._bg, "backlog_seconds", 0.0)), float(self._bg.duty_cycle)),
                lambda: list(self._final),
            )
        self._labeller: SpeakerLabeller | None = None
        if label_speakers:
            try:
                from desktop.asr.speakers.labeller import SpeakerLabeller

                self._labeller = SpeakerLabeller(
                    doctor_profile, embedder=embedder, doctor_channel=doctor_channel
                )
            except Exception:
                log.warning("speaker labelling is unavailable; segments stay unlabelled", exc_info=True)
        from desktop.asr.speakers.settle import LabelSettler

        self._settler = LabelSettler()  # a shown line's label may change only in the next two steps
        self._audio = _AudioBuffer()
        self._channels = 0  # fixed by the first block: 1 (mono) or 2 (lapel + room)
        self._final: list[TranscriptSegment] = []
        self._split = split_turns  # two channels: a line per side where the loud microphone changes
        # A turn (an utterance, or one side of it after a split) is labelled on all of its audio so
        # far, not on its latest piece alone: live pieces are often a word or two.
        self._turns: dict[str, tuple[float, str]] = {}  # turn key -> (start, text so far)
        self._turn_of: dict[str, str] = {}  # piece id -> turn key
        # utterance -> (number of its current turn, whether its last piece ended a sentence)
        self._current_turn: dict[str, tuple[int, bool]] = {}
        self._turn_side: dict[str, bool] = {}  # turn key -> its first piece's loud microphone is the lapel

    @property
    def duty_cycle(self) -> float:
        return float(self._bg.duty_cycle)

    @property
    def language(self) -> str:
        return str(self._bg.recognizer.session_language)

    def read_from(self, reader: Reader) -> None:
        """Have the record pass read the audio back from the encrypted journal (``reader(start, end)``)."""
        if self._record is not None:
            self._record.use_reader(reader)

    def record_segments(self) -> list[TranscriptSegment]:
        """The saved transcript so far: the record pass's text, then the live lines it has not reached."""
        if self._record is None:
            return list(self._final)
        return list(self._record.record(list(self._final)))

    @property
    def record_stats(self) -> dict[str, Any]:
        return dict(self._record.stats.to_dict()) if self._record is not None else {}

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        block = np.asarray(samples, dtype=np.float32)
        if block.ndim == 2 and block.shape[1] == 1:
            block = block[:, 0]
        if not self._channels:
            self._channels = 2 if block.ndim == 2 else 1
        if self._channels == 2 and block.ndim == 1:  # keep one shape for the whole consultation
            block = np.repeat(block[:, None], 2, axis=1)
        mono = to_mono(block)
        if self._channels == 1:
            block = mono
        self._audio.append(block)
        out = self._label(self._bg.feed(mono))
        if self._record is not None:
            self._record.add(mono)
        return out

    def finish(self) -> list[TranscriptSegment]:
        out = self._label(self._bg.finish())
        self._review()
        if self._record is not None:
            self._record.finish()
        return [s for s in out if s.final]

    @property
    def final_segments(self) -> list[TranscriptSegment]:
        """Every final line so far, labelled (after ``finish``, with the reviewed labels)."""
        return list(self._final)

    def _span(self, start: float, end: float) -> np.ndarray:
        return self._audio.span(max(0, int(start * RATE)), max(0, int(end * RATE)))

    def _label(self, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
        new = self._label_new(segments)
        changed = self._relabel_recent()  # with what the new lines taught the labeller
        self._settler.shown(new)
        return changed + new

    def _relabel_recent(self) -> list[TranscriptSegment]:
        """Lines shown in the last two decode steps whose label changed since (sent again)."""
        if self._labeller is None:
            return []
        try:
            return self._settler.step(self._labeller.labels_now(self._settler.pending_ids()))
        except Exception:
            log.warning("speaker relabel of recent lines failed", exc_info=True)
            return []

    def _label_new(self, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
        out: list[TranscriptSegment] = []
        for seg in segments:
            if not seg.final:
                out.append(seg)
                continue
            pieces = self._split_turns(seg)
            for k, piece in enumerate(pieces):
                side = self._side(piece)
                utterance = self._turn_key(piece, new_turn=k > 0, side=side)
                self._final.append(piece)
                out.append(piece)
                if self._labeller is None:
                    continue
                start, so_far = self._turns.get(utterance, (piece.start, ""))
                text = join_text(so_far, piece.text)
                self._turns[utterance] = (start, text)
                self._turn_of[piece.id] = utterance
                try:
                    result = self._labeller.label(
                        self._span(start, piece.end),
                        start,
                        piece.end,
                        text,
                        segment_id=piece.id,
                        buffer_start=start,
                        utterance=utterance,
                    )
                    piece.speaker, piece.speaker_confidence = result.speaker, result.confidence
                except Exception:
                    log.warning("speaker label failed for one segment", exc_info=True)
        return out

    def _side(self, piece: TranscriptSegment) -> bool | None:
        """With two microphones and turn splitting on: whether the lapel is loud over this piece."""
        if self._labeller is None or not self._split or self._channels != 2:
            return None
        return self._labeller.lapel_side(self._span(piece.start, piece.end))

    def _turn_key(self, piece: TranscriptSegment, *, new_turn: bool, side: bool | None = None) -> str:
        """The turn a piece belongs to: the utterance's current one, or a new one after a split,
        after a piece that ended a sentence (the next speaker may have taken over), or — with two
        microphones — when the piece's loud microphone is not its turn's (``side``: the lapel is)."""
        utterance = utterance_key(piece.id) or piece.id
        current = self._current_turn.get(utterance)
        if current is None:
            index = 0
        else:
            turn_side = self._turn_side.get(f"{utterance}#{current[0]}")
            changed = side is not None and turn_side is not None and side != turn_side
            index = current[0] + (new_turn or current[1] or changed)
        self._current_turn[utterance] = (index, piece.text.rstrip().endswith(SENTENCE_END))
        key = f"{utterance}#{index}"
        if side is not None:
            self._turn_side.setdefault(key, side)
        return key

    def _split_turns(self, seg: TranscriptSegment) -> list[TranscriptSegment]:
        """A final segment cut at its sentence ends, and with two microphones where the loud one changes.

        Doctor and patient often take turns without a pause long enough to end the utterance
        ("…any allergies? I am allergic to…"); each piece then starts a turn of its own
        (:meth:`_turn_key`) and is labelled on its own audio.
        """
        if not self._split or self._labeller is None or len(seg.words) < 2:
            return [seg]
        try:
            from desktop.asr.engine import sentence_pieces
            from desktop.asr.speakers.channels import channel_turns, split_segment, word_channel_ratios

            ranges: list[tuple[int, int]] = []
            for piece in sentence_pieces(seg.words, min_words=1):
                start = ranges[-1][1] if ranges else 0
                ranges.append((start, start + len(piece)))
            if self._channels == 2:
                span = self._span(seg.start, seg.end)
                ratios = word_channel_ratios(seg.words, span, seg.start, self._labeller.doctor_channel)
                threshold = self._labeller.channel_threshold()
                by_channel: list[tuple[int, int]] = []
                for a, b in ranges:
                    by_channel.extend(
                        (a + x, a + y) for x, y in channel_turns(seg.words[a:b], ratios[a:b], threshold)
                    )
                ranges = by_channel
            return split_segment(seg, ranges)
        except Exception:
            log.warning("turn split failed for one segment", exc_info=True)
            return [seg]

    def _review(self) -> None:
        """Better labels for every segment, from everything heard (applied to the final segments)."""
        if self._labeller is None:
            return
        try:
            reviewed = self._labeller.review()
        except Exception:
            log.warning("speaker review failed", exc_info=True)
            return
        for seg in self._final:
            label = reviewed.get(seg.id)
            if label is not None:
                seg.speaker, seg.speaker_confidence = label.speaker, label.confidence
        # Every piece of a turn takes the label of its last piece, decided on the whole turn.
        last: dict[str, TranscriptSegment] = {}
        for seg in self._final:
            turn = self._turn_of.get(seg.id)
            if turn is not None:
                last[turn] = seg
        for seg in self._final:
            turn = self._turn_of.get(seg.id)
            if turn is not None and last[turn] is not seg:
                seg.speaker, seg.speaker_confidence = last[turn].speaker, last[turn].speaker_confidence


class _AudioBuffer:
    """The consultation's audio so far, grown in place (capacity doubles), so cutting out one
    turn never copies the whole recording again; (n,) or (n, 2) as the first block was."""

    def __init__(self) -> None:
        self._data: np.ndarray | None = None
        self._n = 0

    def append(self, block: np.ndarray) -> None:
        if self._data is None:
            self._data = np.zeros((max(len(block), RATE * 60), *block.shape[1:]), dtype=np.float32)
        if self._n + len(block) > len(self._data):
            grown = np.zeros(
                (max(2 * len(self._data), self._n + len(block)), *self._data.shape[1:]), np.float32
            )
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : self._n + len(block)] = block
        self._n += len(block)

    def span(self, a: int, b: int) -> np.ndarray:
        if self._data is None:
            return np.zeros(0, dtype=np.float32)
        return self._data[min(a, self._n) : min(b, self._n)]
