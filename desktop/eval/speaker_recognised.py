"""Speaker labels on the lines the recogniser makes, every recognised word scored.

The reference turns hide what a doctor sees: the recogniser's lines do not start and end where
the speakers change. Two paths are measured, each with the app's own code:

* **process** (a recording processed after the visit): :meth:`WhisperEngine.transcribe` as
  ``consult-scribe process`` calls it, then :func:`desktop.asr.speakers.transcript.label_transcript`,
  the function ``process`` labels with;
* **live** (the recording screen): :class:`desktop.asr.streaming.live.LiveRecogniser`, fed one
  second at a time, one decode step per second as in a live recording; the labels as shown
  (before Stop) and as saved (after Stop's review) are both scored.

Recognition is slow on a CPU and does not depend on the labeller, so what the recogniser
produced for a consultation is kept in the cache folder (keyed by the audio, language and
model) and replayed when the labeller is measured again; the labelling always runs anew.
Every recognised word is scored against the reference turn at its midpoint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.asr.speakers.embed import Embedder
from desktop.asr.speakers.profile import VoiceProfile
from desktop.core.audio import SAMPLE_RATE
from desktop.core.lines import merge_pieces
from desktop.core.types import TranscriptSegment, Word
from desktop.eval.speaker_metrics import score_live_words
from desktop.eval.speaker_samples import Consultation


@dataclass
class Recognised:
    """What the recogniser made of one consultation (independent of the labeller)."""

    offline: list[TranscriptSegment]
    live_batches: list[list[TranscriptSegment]]  # what each one-second feed returned, then finish()


def _to_dict(seg: TranscriptSegment) -> dict[str, Any]:
    """A segment with its words and finality (what the cache needs, beyond transcript.json's)."""
    return {
        **seg.to_dict(),
        "final": seg.final,
        "words": [[w.start, w.end, w.text, w.probability] for w in seg.words],
    }


def _from_dict(data: dict[str, Any]) -> TranscriptSegment:
    seg = TranscriptSegment.from_dict(data)
    seg.final = bool(data.get("final", True))
    seg.words = [Word(float(a), float(b), str(t), float(p)) for a, b, t, p in data.get("words", [])]
    return seg


def _key(consultation: Consultation, language: str, model: str) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(consultation.samples).tobytes())
    digest.update(f"|{language}|{model}|v3".encode())
    return digest.hexdigest()[:24]


def recognise(engine: Any, model: str, consultation: Consultation, language: str, cache: Path) -> Recognised:
    """Both paths' recognition of ``consultation``, from the cache when it was done before."""
    path = cache / f"recognised_{_key(consultation, language, model)}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return Recognised(
            [_from_dict(s) for s in data["offline"]],
            [[_from_dict(s) for s in batch] for batch in data["live"]],
        )
    mono = consultation.samples if consultation.samples.ndim == 1 else consultation.samples.mean(axis=1)
    result = engine.transcribe(mono.astype(np.float32), language=language, script="hk")
    recorder = _Recorder(engine, language)
    for i in range(0, len(mono), SAMPLE_RATE):
        recorder.feed(mono[i : i + SAMPLE_RATE])
    recorder.finish()
    out = Recognised(list(result.segments), recorder.batches)
    data = {
        "offline": [_to_dict(s) for s in out.offline],
        "live": [[_to_dict(s) for s in batch] for batch in out.live_batches],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return out


class _Recorder:
    """The live recogniser the app runs (paced: one decode step per feed), its output kept."""

    def __init__(self, engine: Any, language: str) -> None:
        from desktop.asr.streaming.recognizer import StreamingOptions, StreamingRecognizer
        from desktop.asr.streaming.session import PacedRecognizer

        self._paced = PacedRecognizer(
            StreamingRecognizer(engine, StreamingOptions(language=language, script="hk"))
        )
        self.batches: list[list[TranscriptSegment]] = []

    def feed(self, mono: np.ndarray) -> None:
        self.batches.append(self._paced.feed(mono))

    def finish(self) -> None:
        self.batches.append(self._paced.finish())


class _Replay:
    """Stands in for the recogniser thread: returns what the real one returned, feed by feed."""

    def __init__(self, batches: list[list[TranscriptSegment]], language: str) -> None:
        self._batches = [[_from_dict(_to_dict(s)) for s in b] for b in batches]  # fresh copies
        self._i = 0
        self.duty_cycle = 0.0
        self.recognizer = type("R", (), {"session_language": language})()

    def feed(self, _samples: np.ndarray) -> list[TranscriptSegment]:
        batch = self._batches[self._i] if self._i < len(self._batches) - 1 else []
        self._i += 1
        return batch

    def finish(self, timeout: float | None = None) -> list[TranscriptSegment]:
        rest = [s for b in self._batches[self._i : -1] for s in b] + self._batches[-1]
        self._i = len(self._batches)
        return rest


@dataclass
class PathScores:
    words: int
    word_accuracy: float  # the labels as saved (live path: after Stop's review)
    word_accuracy_shown: float  # live path: the labels as shown once settled, before Stop
    lines: int
    mixed_lines: int
    changed_while_settling: int  # live path: lines re-sent with another label in their two steps
    changed_at_stop: int  # live path: settled lines that Stop's review gave another label


def score_process(
    recognised: Recognised,
    consultation: Consultation,
    profile: VoiceProfile | None,
    embedder: Embedder | None,
) -> PathScores:
    from desktop.asr.speakers.transcript import label_transcript
    from desktop.core.types import Transcript

    transcript = Transcript(language="", segments=[_from_dict(_to_dict(s)) for s in recognised.offline])
    labelled = label_transcript(transcript, consultation.samples, embedder=embedder, profile=profile)
    scores = score_live_words(labelled.segments, consultation.turns)
    return PathScores(
        scores.words, scores.word_accuracy, scores.word_accuracy, scores.lines, scores.mixed_lines, 0, 0
    )


def score_live(
    engine: Any,
    recognised: Recognised,
    consultation: Consultation,
    language: str,
    profile: VoiceProfile | None,
    embedder: Embedder | None,
) -> PathScores:
    from desktop.asr.streaming.live import LiveRecogniser

    live = LiveRecogniser(engine, language=language, doctor_profile=profile, embedder=embedder, paced=True)
    live._bg = _Replay(recognised.live_batches, language)  # type: ignore[assignment]  # recorded output
    shown: dict[str, str] = {}  # the label each line shows (the last one sent: settled)
    for i in range(0, len(consultation.samples), SAMPLE_RATE):
        for seg in live.feed(consultation.samples[i : i + SAMPLE_RATE]):
            if seg.final:
                shown[seg.id] = seg.speaker
    for seg in live.finish():  # lines first made final at Stop are shown with Stop's labels
        shown.setdefault(seg.id, seg.speaker)
    finals = live.final_segments
    as_shown = [_from_dict({**_to_dict(s), "speaker": shown.get(s.id, s.speaker)}) for s in finals]
    saved = score_live_words(merge_pieces(finals), consultation.turns)
    settled = score_live_words(as_shown, consultation.turns)
    at_stop = sum(1 for s in finals if shown.get(s.id, s.speaker) != s.speaker)
    return PathScores(
        saved.words,
        saved.word_accuracy,
        settled.word_accuracy,
        saved.lines,
        saved.mixed_lines,
        live._settler.changed_after_shown,
        at_stop,
    )
