"""One short Whisper decode of a window of audio, for the streaming recogniser.

faster-whisper's ``transcribe`` always pads the audio to 30 seconds before the encoder; on a
two-core CPU that costs ~1.3 s per decode whatever the window length, which makes one decode
a second impossible. Whisper's encoder also runs on a shorter mel input (the positional
embedding is sliced), and with a few seconds of padding after the speech the text is the same
as with the full 30 s (measured on the smoke clips: identical words; with less than ~1 s of
padding the decoder starts looping). This module encodes the window plus
``context_margin_s`` of padding, rounded to whole seconds, and then runs faster-whisper's own
decoding, word alignment and scoring on that encoder output, with ``without_timestamps`` so
one window is one decode. Language identification reads the same encoder output, limited to
the languages the session allows.

It relies on faster-whisper internals (``generate_segments``, ``TranscriptionOptions``,
``Tokenizer``), pinned below version 2 in pyproject; the integration tests exercise it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.asr.streaming.policy import HypWord
from desktop.core.audio import SAMPLE_RATE as SAMPLE_RATE

if TYPE_CHECKING:
    from desktop.asr.engine import WhisperEngine

log = logging.getLogger(__name__)

FRAMES_PER_SECOND = 100  # mel frames (10 ms hop)
MAX_FRAMES = 3000
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"


@dataclass
class LanguageGuess:
    language: str  # Whisper code of the best allowed language
    probability: float  # renormalised over the allowed languages
    raw_top: str  # Whisper's unrestricted best guess
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class WindowResult:
    words: list[HypWord]  # absolute times (offset added)
    text: str
    language: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    compute_seconds: float = 0.0
    guess: LanguageGuess | None = None


def whisper_model_of(engine: Any) -> Any:
    """Accept the app's WhisperEngine (``.model``) or a bare faster_whisper.WhisperModel."""
    model = getattr(engine, "model", None)
    if model is not None and hasattr(model, "feature_extractor"):
        return model
    if hasattr(engine, "feature_extractor") and hasattr(engine, "hf_tokenizer"):
        return engine
    raise TypeError("expected a WhisperEngine or a faster_whisper.WhisperModel")


def has_language_token(model: Any, code: str) -> bool:
    """Whether the model's vocabulary has ``<|code|>`` (Whisper before large-v3 has no ``yue``)."""
    try:
        return model.hf_tokenizer.token_to_id(f"<|{code}|>") is not None
    except Exception:
        return False


class WindowDecoder:
    """Decodes windows of at most 30 s with a short encoder context. Not re-entrant."""

    def __init__(
        self, engine: WhisperEngine, context_margin_s: float = 3.0, min_context_s: float = 8.0
    ) -> None:
        self.model = whisper_model_of(engine)
        self.context_margin_s = context_margin_s
        self.min_context_s = min_context_s
        self.multilingual = bool(self.model.model.is_multilingual)
        self._tokenizers: dict[str, Any] = {}
        self._suppress: dict[str, list[int]] = {}

    def _tokenizer(self, language: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        tok = self._tokenizers.get(language)
        if tok is None:
            tok = Tokenizer(self.model.hf_tokenizer, self.multilingual, task="transcribe", language=language)
            self._tokenizers[language] = tok
        return tok

    def encode(self, audio: np.ndarray) -> tuple[Any, np.ndarray, int]:
        """Mel features and the encoder output of ``audio`` padded to a short context."""
        from faster_whisper.audio import pad_or_trim

        features = self.model.feature_extractor(audio)
        content_frames = features.shape[-1] - 1
        wanted = content_frames + self.context_margin_s * FRAMES_PER_SECOND
        wanted = max(wanted, self.min_context_s * FRAMES_PER_SECOND)
        context = min(MAX_FRAMES, math.ceil(wanted / FRAMES_PER_SECOND) * FRAMES_PER_SECOND)
        encoder_output = self.model.encode(pad_or_trim(features[:, :MAX_FRAMES], context))
        return encoder_output, features[:, : min(content_frames, MAX_FRAMES) + 1], content_frames

    def guess_language(self, encoder_output: Any, allowed: tuple[str, ...]) -> LanguageGuess:
        results = self.model.model.detect_language(encoder_output)[0]
        probs = {str(token)[2:-2]: float(p) for token, p in results}
        raw_top = max(probs, key=lambda k: probs[k]) if probs else ""
        kept = {code: probs.get(code, 0.0) for code in allowed}
        total = sum(kept.values())
        if total <= 0:
            return LanguageGuess(allowed[0], 0.0, raw_top, kept)
        norm = {k: v / total for k, v in kept.items()}
        best = max(norm, key=lambda k: norm[k])
        return LanguageGuess(best, norm[best], raw_top, norm)

    def decode(
        self,
        audio: np.ndarray,
        offset: float,
        language: str | None,
        *,
        allowed_languages: tuple[str, ...] = ("en", "zh"),
        choose_language: Any = None,
        prompt: str = "",
        beam_size: int = 1,
        max_new_tokens: int | None = None,
    ) -> WindowResult:
        """Decode one window. ``language=None`` guesses it (``choose_language(guess)`` decides)."""
        from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

        encoder_output, features, content_frames = self.encode(audio)
        guess: LanguageGuess | None = None
        if language is None:
            guess = self.guess_language(encoder_output, allowed_languages)
            language = choose_language(guess) if choose_language is not None else guess.language
        assert language is not None
        tokenizer = self._tokenizer(language)
        if language not in self._suppress:
            self._suppress[language] = list(get_suppressed_tokens(tokenizer, [-1]))
        if max_new_tokens is None:
            seconds = content_frames / FRAMES_PER_SECOND
            max_new_tokens = int(min(200, 16 + 14 * seconds))
        options = TranscriptionOptions(
            beam_size=beam_size,
            best_of=1,
            patience=1.0,
            length_penalty=1.0,
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
            log_prob_threshold=None,
            no_speech_threshold=None,
            compression_ratio_threshold=None,
            condition_on_previous_text=False,
            prompt_reset_on_temperature=0.5,
            temperatures=[0.0],
            initial_prompt=prompt or None,
            prefix=None,
            suppress_blank=True,
            suppress_tokens=self._suppress[language],
            without_timestamps=True,
            max_initial_timestamp=1.0,
            word_timestamps=True,
            prepend_punctuations=PREPEND_PUNCTUATIONS,
            append_punctuations=APPEND_PUNCTUATIONS,
            multilingual=False,
            max_new_tokens=max_new_tokens,
            clip_timestamps="0",
            hallucination_silence_threshold=None,
            hotwords=None,
        )
        # Only the first window's segment is taken: iterating further would make faster-whisper
        # seek past the last word and encode a fresh 30 s window of the leftover silence.
        generator = self.model.generate_segments(features, tokenizer, options, False, encoder_output)
        segment = next(iter(generator), None)
        if segment is None:
            return WindowResult([], "", language, 0.0, 1.0, 0.0, guess=guess)
        words = [
            HypWord(
                start=round(offset + float(w.start), 3),
                end=round(offset + float(w.end), 3),
                text=str(w.word),
                probability=float(w.probability),
            )
            for w in (segment.words or [])
        ]
        return WindowResult(
            words=words,
            text=str(segment.text),
            language=language,
            avg_logprob=float(segment.avg_logprob),
            no_speech_prob=float(segment.no_speech_prob),
            compression_ratio=float(segment.compression_ratio),
            guess=guess,
        )
