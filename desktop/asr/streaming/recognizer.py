"""Live speech recognition: audio in, tentative and final text out.

Pure Python (no Qt). Feed 16 kHz mono float32 audio as it is captured; the recogniser
returns (and passes to ``on_event``) three kinds of event:

* :class:`TentativeEvent` — the words recognised after the last final word, which may still
  change (shown dimmed); each one replaces the previous one;
* :class:`FinalEvent` — a :class:`~desktop.core.types.TranscriptSegment` that will never
  change; its ``id`` is ``u<utterance>-<part>``;
* :class:`LoadEvent` — the compute duty cycle; ``overloaded`` turns on above 0.9 (the caller
  warns the user) and the recogniser degrades (longer step, greedy decoding) until it is below
  0.6 again.

How words become final (see ``docs/streaming.md``):

1. Silero VAD (bundled with faster-whisper) looks at the audio not yet final. Silence is
   skipped without decoding; an utterance ends after ``vad.min_silence_ms`` of silence.
2. Every ``step_s`` of new audio the window (from the start of the current utterance, or the
   last cut inside a long one) is decoded with a short encoder context
   (:mod:`desktop.asr.streaming.decoder`), prompted with the clinic vocabulary and the tail of
   the final text. LocalAgreement-2 (:mod:`desktop.asr.streaming.policy`) makes final the
   words two successive decodes agree on.
3. At the end of an utterance the whole utterance is decoded once more (wider beam) and every
   word not yet final becomes final; the audio is released.
4. Long utterances without a pause are cut after a final sentence end once the window passes
   ``trim_s``; a window never grows beyond ``max_window_s``.
5. ``finish()`` (Stop) decodes whatever is left, so every captured sample is processed:
   ``stats.processed_samples == stats.fed_samples`` afterwards.

Hallucination defences, each counted in ``stats.rejected``: no decode without speech (VAD),
Whisper's no-speech probability with a low average log-probability (``no_speech``),
repetition loops by compression ratio or repeated tokens (``loop``), subtitle boilerplate
(``boilerplate``) and echoes of the vocabulary prompt (``prompt_echo``).

Languages: ``auto``, ``yue``, ``zh``, ``en``. Models without a ``<|yue|>`` token (all Whisper
before large-v3, including the default base model) decode Cantonese as ``zh``; segments
are still labelled ``yue`` and ``stats.language_note`` says so. In ``auto`` each utterance's
language is guessed among the allowed ones, but the session language only changes after
``language_switch_utterances`` confident utterances in another language: one uncertain
window (a Cantonese sentence with an English drug name) does not flip it. Every final
segment is converted to the clinic's Chinese script with OpenCC.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.asr.drug_names import context_before
from desktop.asr.filters import COPY_LOOKBACK_S, boilerplate_reason, copies_earlier, repetition_reason
from desktop.asr.script import ScriptConverter
from desktop.asr.streaming.decoder import LanguageGuess, WindowDecoder, WindowResult, has_language_token
from desktop.asr.streaming.policy import HypWord, LocalAgreement, count_revision, join_words
from desktop.asr.vad import SpeechRegion, VadSettings, speech_regions
from desktop.asr.vocabulary import echo_start, vocabulary_prompt
from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE
from desktop.core.errors import UsageError
from desktop.core.lines import SENTENCE_END, join_text
from desktop.core.types import TranscriptSegment, Word

if TYPE_CHECKING:
    from desktop.asr.engine import WhisperEngine

log = logging.getLogger(__name__)

LANGUAGES = ("auto", "yue", "zh", "en")
SCRIPTS = ("hk", "tw", "cn")


# -- events ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TentativeEvent:
    """The not-yet-final words after the last final one (replaces the previous tentative)."""

    text: str
    start: float
    end: float
    wall: float  # clock() when emitted
    audio_time: float  # seconds of audio fed when emitted


@dataclass(frozen=True)
class FinalEvent:
    """A final segment. ``first_shown`` holds, per word, when it was first displayed."""

    segment: TranscriptSegment
    wall: float
    audio_time: float
    first_shown: tuple[float, ...]
    first_shown_audio: tuple[float, ...]
    utterance: int
    utterance_end: float | None = None  # end of speech (s) when this segment closed an utterance


@dataclass(frozen=True)
class LoadEvent:
    duty_cycle: float  # compute / audio over the recent window
    overloaded: bool
    degraded: bool
    wall: float
    audio_time: float


StreamEvent = TentativeEvent | FinalEvent | LoadEvent
EventFn = Callable[[StreamEvent], None]


# -- options and statistics ----------------------------------------------------------------
@dataclass
class StreamingOptions:
    language: str = "auto"
    script: str = "hk"
    vocabulary: list[str] = field(default_factory=list)
    step_s: float = 1.0
    beam_size: int = 1  # decodes between utterance ends
    final_beam_size: int = 3  # the decode that closes an utterance
    degraded_step_s: float = 2.0
    trim_s: float = 12.0
    max_window_s: float = 24.0
    keep_silence_s: float = 0.8
    min_decode_s: float = 0.3
    vad: VadSettings = field(default_factory=VadSettings)
    no_speech_prob: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio: float = 2.4
    language_switch_probability: float = 0.8
    language_switch_utterances: int = 2
    language_lock_s: float = 1.5  # speech needed before an utterance's language is fixed
    load_warn: float = 0.9
    load_recover: float = 0.6
    load_window_s: float = 20.0
    load_report_s: float = 2.0
    prompt_chars: int = 600  # vocabulary (up to half) + the tail of the final text
    context_margin_s: float = 3.0

    def validate(self) -> None:
        if self.language not in LANGUAGES:
            raise UsageError(f"Unknown language '{self.language}'.", f"Choose one of {', '.join(LANGUAGES)}.")
        if self.script not in SCRIPTS:
            raise UsageError(
                f"Unknown Chinese script '{self.script}'.", f"Choose one of {', '.join(SCRIPTS)}."
            )
        if self.step_s <= 0 or self.max_window_s > 29 or self.trim_s >= self.max_window_s:
            raise ValueError("step_s > 0 and trim_s < max_window_s <= 29 s are required")


@dataclass
class StreamingStats:
    fed_samples: int = 0
    processed_samples: int = 0
    skipped_silence_samples: int = 0
    decodes: int = 0
    compute_seconds: float = 0.0
    max_recent_duty: float = 0.0
    overload_warnings: int = 0
    degraded_steps: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    tentative_updates: int = 0
    tentative_revisions: int = 0
    final_segments: int = 0
    final_words: int = 0
    utterances: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    language_switches_suppressed: int = 0
    language_note: str = ""

    @property
    def audio_seconds(self) -> float:
        return self.fed_samples / SAMPLE_RATE

    @property
    def duty_cycle(self) -> float:
        return self.compute_seconds / self.audio_seconds if self.fed_samples else 0.0

    @property
    def lost_samples(self) -> int:
        return self.fed_samples - self.processed_samples

    def to_dict(self) -> dict[str, Any]:
        minutes = self.audio_seconds / 60.0
        return {
            "fed_samples": self.fed_samples,
            "processed_samples": self.processed_samples,
            "lost_samples": self.lost_samples,
            "skipped_silence_seconds": round(self.skipped_silence_samples / SAMPLE_RATE, 2),
            "decodes": self.decodes,
            "compute_seconds": round(self.compute_seconds, 3),
            "duty_cycle": round(self.duty_cycle, 3),
            "max_recent_duty": round(self.max_recent_duty, 3),
            "overload_warnings": self.overload_warnings,
            "degraded_steps": self.degraded_steps,
            "rejected": dict(self.rejected),
            "tentative_updates": self.tentative_updates,
            "tentative_revisions": self.tentative_revisions,
            "tentative_revisions_per_min": round(self.tentative_revisions / minutes, 2) if minutes else 0.0,
            "final_segments": self.final_segments,
            "final_words": self.final_words,
            "utterances": self.utterances,
            "languages": dict(self.languages),
            "language_switches_suppressed": self.language_switches_suppressed,
            "language_note": self.language_note,
        }


# -- the recogniser ---------------------------------------------------------------------------
class StreamingRecognizer:
    """One recording's live recogniser. Single-threaded: call ``feed``/``finish`` from one thread.

    ``engine`` is the app's WhisperEngine (or a faster_whisper.WhisperModel); the device and
    compute type are chosen when it is loaded.
    """

    def __init__(
        self,
        engine: WhisperEngine,
        options: StreamingOptions | None = None,
        on_event: EventFn | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        decoder: WindowDecoder | None = None,
        corrector: Any = None,
    ) -> None:
        self.options = options or StreamingOptions()
        self.options.validate()
        # near-miss drug names in final segments put right, marked (desktop/asr/drug_names.py)
        self.corrector = corrector
        self._on_event = on_event
        self._clock = clock
        self.decoder = decoder or WindowDecoder(engine, context_margin_s=self.options.context_margin_s)
        self.converter = ScriptConverter(self.options.script)
        self.stats = StreamingStats()
        model = self.decoder.model
        supports_yue = has_language_token(model, "yue")
        self.allowed_languages: tuple[str, ...] = ("en", "zh", "yue") if supports_yue else ("en", "zh")
        requested = self.options.language
        self._label: str | None = None if requested == "auto" else requested
        if requested == "yue" and not supports_yue:
            self._fixed: str | None = "zh"
            self.stats.language_note = (
                "This speech model has no Cantonese (yue) language token; Cantonese is decoded as "
                "Chinese (zh). A model from Whisper large-v3 on recognises Cantonese directly."
            )
        else:
            self._fixed = None if requested == "auto" else requested
        self._session_language: str | None = self._fixed
        self._switch_candidate: tuple[str, int] = ("", 0)
        # audio not yet released: samples [_base, _fed) of the recording
        self._audio = np.zeros(0, dtype=np.float32)
        self._base = 0
        self._fed = 0
        self._last_step = 0
        self._agree = LocalAgreement()
        self._shown: list[HypWord] = []
        self._shown_text = ""
        self._utt = 1
        self._utt_parts = 0
        self._utt_language: str | None = None
        self._utt_committed: list[HypWord] = []
        self._segments: list[TranscriptSegment] = []
        self._events: list[StreamEvent] = []
        self._load: deque[tuple[float, float]] = deque()
        self._overloaded = False
        self._last_load_report = 0.0
        self._finished = False

    # -- public API ------------------------------------------------------------------------
    @property
    def segments(self) -> list[TranscriptSegment]:
        """Every final segment so far, in order."""
        return list(self._segments)

    @property
    def duty_cycle(self) -> float:
        audio = sum(a for a, _ in self._load)
        compute = sum(c for _, c in self._load)
        return compute / audio if audio > 0 else 0.0

    @property
    def overloaded(self) -> bool:
        return self._overloaded

    @property
    def session_language(self) -> str:
        return self._label or self._session_language or ""

    @property
    def unprocessed_seconds(self) -> float:
        return (self._fed - self._last_step) / SAMPLE_RATE

    def feed(self, samples: np.ndarray) -> list[StreamEvent]:
        """Add captured audio; returns the events it caused (also passed to ``on_event``)."""
        if self._finished:
            raise RuntimeError("feed() after finish()")
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        if len(x):
            self._audio = np.concatenate([self._audio, x]) if len(self._audio) else x.copy()
            self._fed += len(x)
            self.stats.fed_samples = self._fed
        step = self.options.degraded_step_s if self._overloaded else self.options.step_s
        if self._fed - self._last_step >= int(step * SAMPLE_RATE):
            self._step(final=False)
        return self._take_events()

    def finish(self) -> list[StreamEvent]:
        """Stop: recognise everything fed so far and make it final. Idempotent."""
        if self._finished:
            return self._take_events()
        self._step(final=True)
        if len(self._audio):  # nothing may stay unaccounted
            self._release(len(self._audio), silence=False)
        self._show_tentative([])
        self._finished = True
        self._report_load(force=True)
        log.info(
            "streaming finished: %.1f s audio, %d decodes, duty %.2f, %d final segments, rejected %s",
            self.stats.audio_seconds,
            self.stats.decodes,
            self.stats.duty_cycle,
            self.stats.final_segments,
            dict(self.stats.rejected),
        )
        return self._take_events()

    # -- steps -----------------------------------------------------------------------------
    def _step(self, final: bool) -> None:
        started = time.perf_counter()
        advanced = (self._fed - self._last_step) / SAMPLE_RATE
        self._last_step = self._fed
        if self._overloaded:
            self.stats.degraded_steps += 1
        pad = self.options.vad.speech_pad_ms * SAMPLE_RATE // 1000
        regions: list[SpeechRegion] | None = None
        for _ in range(200):  # each pass releases audio; the bound only guards against a bug
            if len(self._audio) == 0:
                break
            if regions is None:
                regions = speech_regions(self._audio, self.options.vad)
            if not regions:
                if self._agree.has_pending or self._utt_parts:
                    # Speech was heard before but the detector no longer sees it: close the utterance.
                    self._finalise(len(self._audio), speech_end=None)
                else:
                    keep = 0 if final else int(self.options.keep_silence_s * SAMPLE_RATE)
                    if len(self._audio) > keep:
                        self._release(len(self._audio) - keep, silence=True)
                break
            first = regions[0]
            if first.start > 0 and not self._agree.has_pending and not self._utt_parts:
                shift = first.start
                self._release(shift, silence=True)
                regions = [SpeechRegion(r.start - shift, r.end - shift, r.closed) for r in regions]
                continue
            if first.closed:
                speech_end = (self._base + max(0, first.end - pad)) / SAMPLE_RATE
                end = first.end
                self._finalise(end, speech_end=speech_end)
                regions = [SpeechRegion(r.start - end, r.end - end, r.closed) for r in regions[1:]]
                regions = [r for r in regions if r.end > 0]
                regions = [SpeechRegion(max(0, r.start), r.end, r.closed) for r in regions]
                continue
            if final:
                self._finalise(len(self._audio), speech_end=None)
                break
            self._agreement_step()
            self._trim()
            break
        self._account(advanced, time.perf_counter() - started)

    def _agreement_step(self) -> None:
        limit = int(self.options.max_window_s * SAMPLE_RATE)
        audio = self._audio[:limit]
        if len(audio) < int(self.options.min_decode_s * SAMPLE_RATE):
            return
        result = self._decode(audio, final=False)
        words = self._accept(result)
        if words is None:
            return
        now, pos = self._clock(), self._fed / SAMPLE_RATE
        update = self._agree.update(words, now, pos)
        self._count_revision(update.committed, update.tentative)
        if update.committed:
            self._emit_final(update.committed, utterance_end=None)
        self._show_tentative(update.tentative)

    def _finalise(self, end: int, speech_end: float | None) -> None:
        """Close the utterance that ends ``end`` samples into the window."""
        limit = int(self.options.max_window_s * SAMPLE_RATE)
        # A window longer than one decode (a backlog caught up at once): finish it in pieces.
        while end > limit:
            audio = self._audio[:limit]
            result = self._decode(audio, final=True)
            words = self._accept(result) or []
            cut_time = (self._base + limit) / SAMPLE_RATE - 2.0
            head = [w for w in words if w.end <= cut_time]
            now, pos = self._clock(), self._fed / SAMPLE_RATE
            committed = self._agree.commit_all(head, now, pos)
            self._emit_final(committed, utterance_end=None)
            cut = round(max(self._agree.committed_end, cut_time) * SAMPLE_RATE) - self._base
            cut = max(SAMPLE_RATE, min(cut, limit))
            self._release(cut, silence=False)
            end -= cut
        final_words: list[HypWord] = []
        if end >= int(self.options.min_decode_s * SAMPLE_RATE):
            result = self._decode(self._audio[:end], final=True)
            accepted = self._accept(result)
            if accepted is None and self._agree.has_pending:
                # The closing decode was rejected (e.g. a loop) while earlier decodes heard words:
                # try once more without the prompt, which is what usually sets a loop off.
                result = self._decode(self._audio[:end], final=True, use_prompt=False)
                accepted = self._accept(result)
            final_words = accepted or []
        now, pos = self._clock(), self._fed / SAMPLE_RATE
        committed = self._agree.commit_all(final_words, now, pos)
        self._count_revision(committed, [])
        self._emit_final(committed, utterance_end=speech_end)
        self._show_tentative([])
        self._release(end, silence=False)
        if self._utt_parts:
            self.stats.utterances += 1
            self.stats.languages[self._segment_language()] += 1
        self._utt += 1 if self._utt_parts else 0
        self._utt_parts = 0
        self._utt_language = None
        self._utt_committed = []

    def _trim(self) -> None:
        """Cut a long window after words already final, so decodes stay short."""
        window_s = len(self._audio) / SAMPLE_RATE
        if window_s <= self.options.trim_s:
            return
        base_s = self._base / SAMPLE_RATE
        cut_s = 0.0
        for w in self._utt_committed:
            if w.end - base_s > 1.0 and w.text.strip().endswith(SENTENCE_END):
                cut_s = w.end - base_s
        if cut_s <= 0 and window_s > self.options.max_window_s - self.options.step_s * 2:
            if self._agree.committed_end - base_s > 1.0:
                cut_s = self._agree.committed_end - base_s
            else:
                # Nothing agreed for a whole window: make the older tentative words final.
                horizon = base_s + window_s - 4.0
                forced = self._agree.force_commit_before(horizon)
                self._emit_final(forced, utterance_end=None)
                self._shown = list(self._agree.pending)
                cut_s = max(self._agree.committed_end - base_s, window_s - 4.0)
        if cut_s > 0:
            self._release(int(cut_s * SAMPLE_RATE), silence=False)

    # -- decoding and filters --------------------------------------------------------------
    def _decode(self, audio: np.ndarray, final: bool, use_prompt: bool = True) -> WindowResult:
        beam = 1 if self._overloaded else self.options.final_beam_size if final else self.options.beam_size
        prompt = ""
        if use_prompt:
            prompt = vocabulary_prompt(
                self.options.vocabulary,
                previous_text=self._text_before_window(),
                limit=self.options.prompt_chars,
            )
        language = self._fixed or self._utt_language
        speech_s = len(audio) / SAMPLE_RATE

        def choose(guess: LanguageGuess) -> str:
            return self._choose_language(guess, lock=final or speech_s >= self.options.language_lock_s)

        def decode(prompt: str) -> WindowResult:
            self.stats.decodes += 1
            return self.decoder.decode(
                audio,
                offset=self._base / SAMPLE_RATE,
                language=language,
                allowed_languages=self.allowed_languages,
                choose_language=choose,
                prompt=prompt,
                beam_size=beam,
            )

        result = decode(prompt)
        if prompt and copies_earlier(result.text, self._recent_final_texts()):
            # Whisper wrote a sentence of its prompt again over speech it did not follow: decode the
            # window once more on its own. A sentence really said again comes back from its audio.
            self.stats.rejected["copied_context"] += 1
            result = decode("")
        return result

    def _finals_before_window(self) -> list[TranscriptSegment]:
        """The last final lines whose audio is already released: what the decoder is prompted with.

        Words still inside the window are left out; the decoder hears them again.
        """
        base_s = self._base / SAMPLE_RATE + 0.01
        return [seg for seg in self._segments[-30:] if seg.end <= base_s]

    def _recent_final_texts(self) -> list[str]:
        """The prompted lines of the last two minutes (what a decode may copy)."""
        base_s = self._base / SAMPLE_RATE
        return [seg.text for seg in self._finals_before_window() if base_s - seg.end <= COPY_LOOKBACK_S]

    def _text_before_window(self) -> str:
        """Final text of the audio already released: the context the decoder is prompted with."""
        text = ""
        for seg in self._finals_before_window():
            text = join_text(text, seg.text)
        return text

    def _choose_language(self, guess: LanguageGuess, lock: bool) -> str:
        session = self._session_language
        candidate, probability = guess.language, guess.probability
        if session is None:
            choice = candidate
            if lock and probability >= 0.5:
                self._session_language = candidate
        elif candidate == session:
            choice = session
            if lock:
                self._switch_candidate = ("", 0)
        elif probability >= self.options.language_switch_probability:
            choice = candidate
            if lock:
                name, count = self._switch_candidate
                count = count + 1 if name == candidate else 1
                self._switch_candidate = (candidate, count)
                if count >= self.options.language_switch_utterances:
                    self._session_language = candidate
                    self._switch_candidate = ("", 0)
        else:
            choice = session
            if lock:
                self.stats.language_switches_suppressed += 1
        if lock:
            self._utt_language = choice
        return choice

    def _accept(self, result: WindowResult) -> list[HypWord] | None:
        """The words of a decode, [] when it heard nothing, None when a defence rejected it."""
        text = result.text.strip()
        if not text or not result.words:
            return []
        o = self.options
        reason = ""
        if result.no_speech_prob > o.no_speech_prob and result.avg_logprob < o.logprob_threshold:
            reason = "no_speech"
        elif boilerplate_reason(text):
            reason = "boilerplate"
        elif result.compression_ratio > o.compression_ratio or repetition_reason(text):
            reason = "loop"
        elif self._echoes_prompt(text):
            reason = "prompt_echo"
        if reason:
            self.stats.rejected[reason] += 1
            return None
        return result.words

    def _echoes_prompt(self, text: str) -> bool:
        return echo_start(text.replace("，", " ").split(), self.options.vocabulary) is not None

    # -- output ----------------------------------------------------------------------------
    def _segment_language(self) -> str:
        if self._label:
            return self._label
        return self._utt_language or self._session_language or ""

    def _emit_final(self, words: list[HypWord], utterance_end: float | None) -> None:
        if not words:
            return
        self._utt_parts += 1
        self._utt_committed.extend(words)
        text = self.converter.convert(join_words(words))
        segment = TranscriptSegment(
            id=f"u{self._utt}-{self._utt_parts}",
            start=words[0].start,
            end=words[-1].end,
            text=text,
            language=self._segment_language(),
            final=True,
            words=[Word(w.start, w.end, self.converter.convert(w.text), w.probability) for w in words],
        )
        if self.corrector is not None:
            previous = self._segments[-1] if self._segments else None
            self.corrector.correct_segment(segment, context=context_before(segment, previous))
        self._segments.append(segment)
        self.stats.final_segments += 1
        self.stats.final_words += len(words)
        now = self._clock()
        self._emit(
            FinalEvent(
                segment=segment,
                wall=now,
                audio_time=self._fed / SAMPLE_RATE,
                first_shown=tuple(w.first_seen or now for w in words),
                first_shown_audio=tuple(w.first_seen_audio for w in words),
                utterance=self._utt,
                utterance_end=utterance_end,
            )
        )
        # What was shown tentatively up to here is now final.
        self._shown = [w for w in self._shown if w.start >= words[-1].end - 0.01]

    def _count_revision(self, committed: list[HypWord], tentative: list[HypWord]) -> None:
        if self._shown:
            self.stats.tentative_revisions += count_revision(self._shown, committed, tentative)

    def _show_tentative(self, words: list[HypWord]) -> None:
        text = self.converter.convert(join_words(words)) if words else ""
        self._shown = list(words)
        if text == self._shown_text:
            return
        self._shown_text = text
        self.stats.tentative_updates += 1
        start = words[0].start if words else self._base / SAMPLE_RATE
        end = words[-1].end if words else start
        self._emit(TentativeEvent(text, start, end, self._clock(), self._fed / SAMPLE_RATE))

    def _emit(self, event: StreamEvent) -> None:
        self._events.append(event)
        if self._on_event is not None:
            self._on_event(event)

    def _take_events(self) -> list[StreamEvent]:
        events, self._events = self._events, []
        return events

    # -- accounting ------------------------------------------------------------------------
    def _release(self, n: int, silence: bool) -> None:
        n = max(0, min(int(n), len(self._audio)))
        if n == 0:
            return
        self._audio = self._audio[n:]
        self._base += n
        self.stats.processed_samples = self._base
        if silence:
            self.stats.skipped_silence_samples += n

    def _account(self, audio_s: float, compute_s: float) -> None:
        self.stats.compute_seconds += compute_s
        self._load.append((audio_s, compute_s))
        while (
            len(self._load) > 1
            and sum(a for a, _ in self._load) - self._load[0][0] >= self.options.load_window_s
        ):
            self._load.popleft()
        duty = self.duty_cycle
        if sum(a for a, _ in self._load) >= min(self.options.load_window_s, 5.0):
            self.stats.max_recent_duty = max(self.stats.max_recent_duty, duty)
            if not self._overloaded and duty > self.options.load_warn:
                self._overloaded = True
                self.stats.overload_warnings += 1
                log.warning("speech recognition cannot keep up (duty cycle %.2f); degrading", duty)
                self._report_load(force=True)
                return
            if self._overloaded and duty < self.options.load_recover:
                self._overloaded = False
                log.info("speech recognition keeps up again (duty cycle %.2f)", duty)
                self._report_load(force=True)
                return
        self._report_load()

    def _report_load(self, force: bool = False) -> None:
        pos = self._fed / SAMPLE_RATE
        if not force and pos - self._last_load_report < self.options.load_report_s:
            return
        self._last_load_report = pos
        self._emit(LoadEvent(self.duty_cycle, self._overloaded, self._overloaded, self._clock(), pos))


def transcript_from_segments(segments: list[TranscriptSegment], language: str) -> list[TranscriptSegment]:
    """Merge the final parts of each utterance (``u<n>-<k>``) into one segment ``u<n>``.

    The text is the parts joined unchanged: nothing final is rewritten, only grouped for the
    saved transcript, which reads better one utterance a line.
    """
    merged: list[TranscriptSegment] = []
    current: TranscriptSegment | None = None
    current_key = ""
    for seg in segments:
        key = seg.id.split("-", 1)[0]
        if current is not None and key == current_key:
            current.text = join_text(current.text, seg.text)
            current.end = seg.end
            current.words.extend(seg.words)
            continue
        current_key = key
        current = TranscriptSegment(
            id=key,
            start=seg.start,
            end=seg.end,
            text=seg.text,
            speaker=seg.speaker,
            language=seg.language or language,
            final=True,
            words=list(seg.words),
        )
        merged.append(current)
    return merged
