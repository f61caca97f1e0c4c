"""The speech recogniser: faster-whisper (CTranslate2) loaded from a model folder.

The model is chosen by manifest name and resolved to a folder by the model store; this
module only loads what it is given. On CPU it runs int8; on an NVIDIA GPU int8_float16.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop.asr.filters import COPY_LOOKBACK_S, copies_earlier, rejection_reason, too_fast
from desktop.asr.script import ScriptConverter
from desktop.asr.vocabulary import echo_start, hotwords
from desktop.audio.decode import SAMPLE_RATE, load_audio
from desktop.core.errors import Cancelled, ModelError, UsageError
from desktop.core.lines import SENTENCE_END
from desktop.core.types import TranscriptSegment, Word

log = logging.getLogger(__name__)

ProgressFn = Callable[[float], None]


def cuda_available() -> bool:
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count()) > 0
    except Exception:  # a broken CUDA install must not stop the CPU path
        return False


def resolve_device(device: str, compute_type: str) -> tuple[str, str]:
    if device == "auto":
        device = "cuda" if cuda_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise UsageError(f"Unknown device '{device}'.", "Use auto, cpu or cuda.")
    if device == "cuda" and not cuda_available():
        raise UsageError("No NVIDIA GPU is available.", "Choose 'auto' or 'cpu' as the device in Settings.")
    if compute_type == "auto":
        compute_type = "int8_float16" if device == "cuda" else "int8"
    return device, compute_type


@dataclass
class AsrResult:
    language: str
    language_probability: float
    duration: float
    segments: list[TranscriptSegment]
    rejected: Counter[str] = field(default_factory=Counter)
    compute_seconds: float = 0.0
    gaps_redecoded: int = 0  # stretches of speech the first pass skipped, decoded again
    recovered_seconds: float = 0.0  # how much of that gave text


class WhisperEngine:
    """One loaded Whisper model. ``transcribe`` is not re-entrant: one caller at a time."""

    def __init__(
        self,
        model_path: Path,
        device: str = "auto",
        compute_type: str = "auto",
        cpu_threads: int = 0,
        name: str = "",
    ) -> None:
        self.model_path = model_path
        self.name = name or model_path.name
        self.device, self.compute_type = resolve_device(device, compute_type)
        self.cpu_threads = cpu_threads
        try:
            import ctranslate2
            from faster_whisper import WhisperModel

            # faster-whisper falls back to sampling at higher temperatures when a decode looks
            # wrong; a fixed seed makes the same recording give the same transcript every time.
            ctranslate2.set_random_seed(1234)
            started = time.perf_counter()
            self.model: Any = WhisperModel(
                str(model_path),
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=cpu_threads,
                local_files_only=True,
            )
            log.info(
                "loaded ASR model %s on %s/%s in %.2f s",
                self.name,
                self.device,
                self.compute_type,
                time.perf_counter() - started,
            )
        except Exception as exc:
            raise ModelError(
                f"The speech model '{self.name}' could not be loaded from {model_path}.",
                "Run 'consult-scribe models verify' and re-add the model if it is damaged.",
            ) from exc
        self._lock = threading.Lock()

    @property
    def supported_languages(self) -> list[str]:
        return list(getattr(self.model, "supported_languages", []))

    def whisper_language(self, language: str) -> str | None:
        """Map the app's language choice to a Whisper language code (None = detect)."""
        if language in ("", "auto"):
            return None
        if language == "yue" and "yue" not in self.supported_languages:
            # Whisper before large-v3 has no Cantonese token; Chinese decoding is the closest.
            return "zh"
        return language

    def transcribe(
        self,
        audio: np.ndarray | Path,
        language: str = "auto",
        script: str = "hk",
        vocabulary: list[str] | None = None,
        beam_size: int = 5,
        vad: bool = True,
        word_timestamps: bool = True,
        split_sentences: bool = True,
        condition_on_previous_text: bool = True,
        on_progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        id_prefix: str = "s",
        recover_gaps: bool = True,
        prompt: str = "",
    ) -> AsrResult:
        """Transcribe a whole recording.

        Whisper sometimes ends a 30-second window early and skips the speech after it (more
        often with a prompt, and on noisy or synthetic voices). With ``recover_gaps`` every
        stretch that the voice detector calls speech but no recognised word covers is decoded
        again on its own, and what it yields is put back in time order, so no spoken
        sentence goes missing without a trace.
        """
        samples = load_audio(audio) if isinstance(audio, Path) else np.asarray(audio, dtype=np.float32)
        duration = samples.size / SAMPLE_RATE
        options = _DecodeOptions(
            language=language,
            converter=ScriptConverter(script),
            hints=hotwords(vocabulary or []),
            terms=[t for t in (vocabulary or []) if t.isascii()],
            beam_size=beam_size,
            word_timestamps=word_timestamps,
            split_sentences=split_sentences,
            prompt=prompt,
        )
        started = time.perf_counter()
        rejected: Counter[str] = Counter()
        with self._lock:
            detected, probability, kept = self._decode(
                samples,
                0.0,
                options,
                rejected,
                vad=vad,
                condition_on_previous_text=condition_on_previous_text,
                on_progress=on_progress,
                cancel=cancel,
            )
            gaps: list[tuple[float, float]] = []
            recovered_seconds = 0.0
            if recover_gaps and duration > 0:
                # a segment that copies an earlier one is decoded again from its own audio
                kept = without_copies(kept, rejected)
                hint = detected if language in ("", "auto") else None
                kept, gaps, recovered_seconds = self._recover_gaps(
                    samples, kept, options, rejected, cancel, hint
                )
            kept.sort(key=lambda seg: (seg.start, seg.end))
            for i, seg in enumerate(kept, start=1):
                seg.id = f"{id_prefix}{i}"
            label = language_label(detected, language)
            for seg in kept:
                seg.language = label
        if on_progress is not None:
            on_progress(1.0)
        elapsed = time.perf_counter() - started
        log.info(
            "transcribed %.1f s of audio in %.1f s (%d segments, %d rejected, %d gaps re-decoded, "
            "%.1f s recovered)",
            duration,
            elapsed,
            len(kept),
            sum(rejected.values()),
            len(gaps),
            recovered_seconds,
        )
        return AsrResult(
            language=label,
            language_probability=probability,
            duration=duration,
            segments=kept,
            rejected=rejected,
            compute_seconds=elapsed,
            gaps_redecoded=len(gaps),
            recovered_seconds=recovered_seconds,
        )

    def scorer(self, samples: np.ndarray, language: str = "en") -> Callable[[Sequence[str]], list[float]]:
        """How well texts fit ``samples`` (at most 30 s): the returned function gives, for each
        text, the model's log-probability of its tokens given the audio, summed (higher is
        likelier). It can be asked any number of times; the audio is encoded once, at the first.

        Used to choose between spellings of one stretch of speech ("lens appraisal" or
        "lansoprazole"): the texts are scored on the same audio, so only their differences count.
        """
        from faster_whisper.tokenizer import Tokenizer

        code = self.whisper_language(language) or "en"
        if code not in self.supported_languages:
            code = "en"
        model = self.model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=code
        )
        clip = np.asarray(samples, dtype=np.float32)[: 30 * SAMPLE_RATE]
        encoded: list[Any] = []  # [features as the model sees them, their frame count], once asked

        def score(texts: Sequence[str]) -> list[float]:
            if not texts:
                return []
            if clip.size < SAMPLE_RATE // 10:
                return [float("-inf")] * len(texts)
            with self._lock:
                if not encoded:
                    features = model.feature_extractor(clip)
                    # Encoded at its own length, not padded to 30 s: a few-second segment encodes
                    # about five times faster, and on the development sets the same drugs were chosen.
                    frames = int(features.shape[-1]) // 2 * 2
                    encoded.extend([model.encode(features[:, :frames]), frames])
                scores: list[float] = []
                for text in texts:
                    tokens = tokenizer.encode(" " + text.strip())
                    if not tokens:
                        scores.append(float("-inf"))
                        continue
                    result = model.model.align(encoded[0], tokenizer.sot_sequence, [tokens], encoded[1])[0]
                    scores.append(float(sum(math.log(max(p, 1e-12)) for p in result.text_token_probs)))
            return scores

        return score

    def _recover_gaps(
        self,
        samples: np.ndarray,
        kept: list[TranscriptSegment],
        options: _DecodeOptions,
        rejected: Counter[str],
        cancel: threading.Event | None,
        language_hint: str | None,
    ) -> tuple[list[TranscriptSegment], list[tuple[float, float]], float]:
        """Decode again, on its own, every stretch of speech no recognised word covers.

        What comes back is put where it was said: a segment whose words straddle the gap is
        split around it, and only the recovered words inside the gap are kept (the padding's
        words are already in the transcript).
        """
        tried: list[tuple[float, float]] = []
        recovered_seconds = 0.0
        options = dataclasses.replace(options, prompt="")  # a gap is decoded on its own
        for _ in range(GAP_ROUNDS):
            # a stretched word shortened around one gap can uncover the speech it hid further on:
            # look again, and decode what no earlier round tried
            gaps = [g for g in uncovered_speech(samples, kept) if not any(_overlap(g, t) for t in tried)]
            if not gaps:
                break
            tried += gaps
            kept, seconds = self._decode_gaps(samples, kept, gaps, options, rejected, cancel, language_hint)
            recovered_seconds += seconds
        return kept, tried, recovered_seconds

    def _decode_gaps(
        self,
        samples: np.ndarray,
        kept: list[TranscriptSegment],
        gaps: list[tuple[float, float]],
        options: _DecodeOptions,
        rejected: Counter[str],
        cancel: threading.Event | None,
        language_hint: str | None,
    ) -> tuple[list[TranscriptSegment], float]:
        recovered_seconds = 0.0
        for gap_start, gap_end in gaps:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            first = max(0, int((gap_start - GAP_PAD_S) * SAMPLE_RATE))
            last = min(samples.size, int((gap_end + GAP_PAD_S) * SAMPLE_RATE))
            _, _, extra = self._decode(
                samples[first:last],
                first / SAMPLE_RATE,
                options,
                rejected,
                vad=False,  # the detector already found speech here
                condition_on_previous_text=False,
                on_progress=None,
                cancel=cancel,
                language_hint=language_hint,
            )
            inside = _words_inside(extra, gap_start, gap_end)
            if not inside and options.hints:
                # hotwords can set the decoder reciting them again: try once without
                _, _, extra = self._decode(
                    samples[first:last],
                    first / SAMPLE_RATE,
                    dataclasses.replace(options, hints="", terms=[]),
                    rejected,
                    vad=False,
                    condition_on_previous_text=False,
                    on_progress=None,
                    cancel=cancel,
                    language_hint=language_hint,
                )
                inside = _words_inside(extra, gap_start, gap_end)
            if inside:
                recovered_seconds += gap_end - gap_start
                kept = [*_split_around(kept, gap_start, gap_end), *inside]
        return kept, recovered_seconds

    def _decode(
        self,
        samples: np.ndarray,
        offset: float,
        options: _DecodeOptions,
        rejected: Counter[str],
        *,
        vad: bool,
        condition_on_previous_text: bool,
        on_progress: ProgressFn | None,
        cancel: threading.Event | None,
        language_hint: str | None = None,
    ) -> tuple[str, float, list[TranscriptSegment]]:
        """One faster-whisper pass over ``samples``; times are shifted by ``offset`` seconds."""
        duration = samples.size / SAMPLE_RATE
        segments_iter, info = self.model.transcribe(
            samples,
            language=language_hint or self.whisper_language(options.language),
            beam_size=options.beam_size,
            vad_filter=vad,
            word_timestamps=options.word_timestamps,
            hotwords=options.hints or None,
            initial_prompt=options.prompt or None,
            condition_on_previous_text=condition_on_previous_text,
            temperature=FALLBACK_TEMPERATURES,
            best_of=FALLBACK_BEST_OF,
        )
        converter = options.converter
        kept: list[TranscriptSegment] = []
        for seg in segments_iter:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if on_progress is not None and duration > 0:
                on_progress(min(1.0, float(seg.end) / duration))
            text = str(seg.text).strip()
            reason = rejection_reason(text, float(seg.no_speech_prob), float(seg.avg_logprob))
            if reason:
                rejected[reason] += 1
                continue
            words = [
                Word(
                    float(w.start) + offset,
                    float(w.end) + offset,
                    converter.convert(str(w.word)),
                    float(w.probability),
                )
                for w in (seg.words or [])
            ]
            echo = echo_start([w.text for w in words], options.terms) if options.hints else None
            if echo is not None:
                # the decoder recited its hotwords: keep what came before; the speech after is
                # left uncovered and decoded again
                rejected["prompt_echo"] += 1
                words = words[:echo]
                if not words:
                    continue
            pieces = sentence_pieces(words) if options.split_sentences and words else [words]
            for piece in pieces:
                piece_text = converter.convert("".join(w.text for w in piece).strip()) if piece else text
                if not piece_text:
                    continue
                if too_fast([(w.start, w.end) for w in piece]):
                    # a loop's remembered sentence squeezed into an instant; the speech there, if
                    # any, is left uncovered and decoded again
                    rejected["too_fast"] += 1
                    continue
                kept.append(
                    TranscriptSegment(
                        id="",
                        start=piece[0].start if piece else float(seg.start) + offset,
                        end=piece[-1].end if piece else float(seg.end) + offset,
                        text=piece_text if piece else converter.convert(text),
                        language=str(info.language),
                        words=piece,
                    )
                )
        return str(info.language), float(info.language_probability), kept


@dataclass
class _DecodeOptions:
    language: str
    converter: ScriptConverter
    hints: str
    beam_size: int
    word_timestamps: bool
    split_sentences: bool
    prompt: str = ""  # text said before this audio (the record so far), as the decoder's context
    terms: list[str] = field(default_factory=list)  # the hotword terms, to catch a decoder reciting them


# A decode that loops (compression ratio) or is unsure (log probability) is tried again with
# sampling at these temperatures. faster-whisper's default (six steps, five samples each) spent
# 10-14 s on the silent tail of a 4 s Mandarin clip, looping at every step before giving up; three
# steps of two samples give the same text in a third of the time (measured on the smoke clips).
FALLBACK_TEMPERATURES = (0.0, 0.4, 0.8)
FALLBACK_BEST_OF = 2

# Speech longer than this that no recognised word covers is decoded again on its own.
MIN_GAP_S = 1.0
# A word's edges are fuzzy by a few tenths of a second; nearer than this counts as covered.
COVER_SLACK_S = 0.4
# Audio kept either side of a gap when it is decoded again.
GAP_PAD_S = 0.25
# Times the recording is searched again for speech left uncovered (each round decodes new gaps only).
GAP_ROUNDS = 3


def without_copies(segments: list[TranscriptSegment], rejected: Counter[str]) -> list[TranscriptSegment]:
    """The segments less those that repeat an earlier one nearly word for word (``copies_earlier``);
    their stretch is left uncovered, so the gap recovery decodes it again on its own, without the
    earlier text."""
    kept: list[TranscriptSegment] = []
    for seg in sorted(segments, key=lambda s: s.start):
        recent = [earlier.text for earlier in kept if seg.start - earlier.end <= COPY_LOOKBACK_S]
        if copies_earlier(seg.text, recent):
            rejected["copied_context"] += 1
            continue
        kept.append(seg)
    return kept


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def uncovered_speech(
    samples: np.ndarray, segments: list[TranscriptSegment], min_gap_s: float = MIN_GAP_S
) -> list[tuple[float, float]]:
    """Stretches (start, end in seconds) that the voice detector calls speech but no segment covers."""
    from desktop.asr.vad import VadSettings, speech_regions

    covered = covered_spans(segments)
    gaps: list[tuple[float, float]] = []
    for region in speech_regions(samples, VadSettings(min_silence_ms=500)):
        start, end = region.start / SAMPLE_RATE, region.end / SAMPLE_RATE
        cursor = start
        for c_start, c_end in covered:
            if c_end + COVER_SLACK_S <= cursor:
                continue
            if c_start - COVER_SLACK_S >= end:
                break
            if c_start - COVER_SLACK_S > cursor:
                gaps.append((cursor, c_start - COVER_SLACK_S))
            cursor = max(cursor, c_end + COVER_SLACK_S)
        if cursor < end:
            gaps.append((cursor, end))
    merged: list[tuple[float, float]] = []
    for g_start, g_end in gaps:
        if merged and g_start - merged[-1][1] < COVER_SLACK_S:
            merged[-1] = (merged[-1][0], g_end)
        else:
            merged.append((g_start, g_end))
    return [(a, b) for a, b in merged if b - a >= min_gap_s]


def _words_inside(
    segments: list[TranscriptSegment], gap_start: float, gap_end: float
) -> list[TranscriptSegment]:
    """The recovered segments cut to the words said inside the gap (the padding's words dropped)."""
    out: list[TranscriptSegment] = []
    for seg in segments:
        if not seg.words:
            middle = (seg.start + seg.end) / 2
            if gap_start - GAP_PAD_S <= middle <= gap_end + GAP_PAD_S:
                out.append(seg)
            continue
        words = [w for w in seg.words if gap_start - 0.1 <= (w.start + w.end) / 2 <= gap_end + 0.1]
        if words:
            out.append(_with_words(seg, words))
    return out


def _split_around(
    segments: list[TranscriptSegment], gap_start: float, gap_end: float
) -> list[TranscriptSegment]:
    """Segments whose words straddle a gap, cut in two around it; a word stretched into it is shortened."""
    out: list[TranscriptSegment] = []
    for seg in segments:
        if not seg.words or seg.words[0].start >= gap_start or seg.words[-1].end <= gap_end:
            out.append(seg)
            continue
        before = [w for w in seg.words if w.start < gap_start]
        after = [w for w in seg.words if w.start >= gap_start]
        for w in before:
            w.end = min(w.end, gap_start)
        for w in after:
            w.start = max(w.start, min(gap_end, w.end))
        out += [_with_words(seg, part) for part in (before, after) if part]
    return out


def _with_words(seg: TranscriptSegment, words: list[Word]) -> TranscriptSegment:
    return TranscriptSegment(
        id=seg.id,
        start=words[0].start,
        end=words[-1].end,
        text="".join(w.text for w in words).strip(),
        speaker=seg.speaker,
        language=seg.language,
        final=seg.final,
        words=list(words),
    )


def plausible_word_seconds(text: str) -> float:
    """How long a word can take to say: generous (slow speakers, drawn-out words)."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    letters = sum(1 for ch in text if ch.isalnum()) - cjk
    return 0.4 + 0.1 * letters + 0.45 * cjk


def covered_spans(segments: list[TranscriptSegment]) -> list[tuple[float, float]]:
    """The stretches of time the recognised words account for, sorted.

    Whisper's word timings sometimes stretch a word over seconds of speech it never
    transcribed ("a" lasting 4 s where "fever, pain in your back or vomiting" was said):
    such a word covers only a word's length at either end, so the speech in its middle
    still counts as uncovered and is decoded again.
    """
    spans: list[tuple[float, float]] = []
    for seg in segments:
        words = seg.words or [Word(seg.start, seg.end, seg.text)]
        for w in words:
            longest = plausible_word_seconds(w.text)
            if w.end - w.start > 2 * longest:
                spans += [(w.start, w.start + longest), (w.end - longest, w.end)]
            else:
                spans.append((w.start, w.end))
    spans.sort()
    return spans


def sentence_pieces(words: list[Word], min_words: int = 3) -> list[list[Word]]:
    """Split a Whisper segment (up to 30 s, often several turns) into sentences.

    Shorter segments give the note's evidence links and the speaker labels one
    utterance each. A split happens after sentence-final punctuation, never leaving a
    piece shorter than ``min_words`` words.
    """
    pieces: list[list[Word]] = [[]]
    for w in words:
        pieces[-1].append(w)
        if w.text.strip().endswith(SENTENCE_END) and len(pieces[-1]) >= min_words:
            pieces.append([])
    if not pieces[-1]:
        pieces.pop()
    if len(pieces) > 1 and len(pieces[-1]) < min_words:
        tail = pieces.pop()
        pieces[-1].extend(tail)
    return pieces


def language_label(detected: str, requested: str) -> str:
    """The language recorded on a segment: the requested one when fixed, else what was detected."""
    if requested == "yue":
        return "yue"
    if requested not in ("", "auto"):
        return requested
    return detected
