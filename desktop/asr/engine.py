"""The speech recogniser: faster-whisper (CTranslate2) loaded from a model folder.

The model is chosen by manifest name and resolved to a folder by the model store; this
module only loads what it is given. On CPU it runs int8; on an NVIDIA GPU int8_float16.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop.asr.filters import rejection_reason
from desktop.asr.script import ScriptConverter
from desktop.asr.vocabulary import hotwords
from desktop.audio.decode import SAMPLE_RATE, load_audio
from desktop.core.errors import Cancelled, ModelError, UsageError
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
    ) -> AsrResult:
        samples = load_audio(audio) if isinstance(audio, Path) else np.asarray(audio, dtype=np.float32)
        duration = samples.size / SAMPLE_RATE
        converter = ScriptConverter(script)
        hints = hotwords(vocabulary or [])
        started = time.perf_counter()
        with self._lock:
            segments_iter, info = self.model.transcribe(
                samples,
                language=self.whisper_language(language),
                beam_size=beam_size,
                vad_filter=vad,
                word_timestamps=word_timestamps,
                hotwords=hints or None,
                condition_on_previous_text=condition_on_previous_text,
            )
            detected = str(info.language)
            kept: list[TranscriptSegment] = []
            rejected: Counter[str] = Counter()
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
                    Word(float(w.start), float(w.end), converter.convert(str(w.word)), float(w.probability))
                    for w in (seg.words or [])
                ]
                pieces = sentence_pieces(words) if split_sentences and words else [words]
                for piece in pieces:
                    piece_text = converter.convert("".join(w.text for w in piece).strip()) if piece else text
                    if not piece_text:
                        continue
                    kept.append(
                        TranscriptSegment(
                            id=f"{id_prefix}{len(kept) + 1}",
                            start=piece[0].start if piece else float(seg.start),
                            end=piece[-1].end if piece else float(seg.end),
                            text=piece_text if piece else converter.convert(text),
                            language=language_label(detected, language),
                            words=piece,
                        )
                    )
        if on_progress is not None:
            on_progress(1.0)
        elapsed = time.perf_counter() - started
        log.info(
            "transcribed %.1f s of audio in %.1f s (%d segments, %d rejected)",
            duration,
            elapsed,
            len(kept),
            sum(rejected.values()),
        )
        return AsrResult(
            language=language_label(detected, language),
            language_probability=float(info.language_probability),
            duration=duration,
            segments=kept,
            rejected=rejected,
            compute_seconds=elapsed,
        )


_SENTENCE_END = (".", "?", "!", "。", "？", "！")


def sentence_pieces(words: list[Word], min_words: int = 3) -> list[list[Word]]:
    """Split a Whisper segment (up to 30 s, often several turns) into sentences.

    Shorter segments give the note's evidence links and the speaker labels one
    utterance each. A split happens after sentence-final punctuation, never leaving a
    piece shorter than ``min_words`` words.
    """
    pieces: list[list[Word]] = [[]]
    for w in words:
        pieces[-1].append(w)
        if w.text.strip().endswith(_SENTENCE_END) and len(pieces[-1]) >= min_words:
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
