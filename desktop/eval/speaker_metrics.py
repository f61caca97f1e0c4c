"""Scoring speaker labels against reference turns: word-weighted accuracy, turn accuracy, DER, latency.

Word-weighted accuracy counts every word of the reference text (an English word, or one Chinese
character) as attributed to the role of the line it is in: a long turn labelled wrongly costs
more than a "Yes." labelled wrongly, as it does for a doctor reading the transcript.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop.asr.speakers.embed import Embedder
from desktop.asr.speakers.labeller import SpeakerLabeller
from desktop.asr.speakers.labels import SpeakerLabel
from desktop.asr.speakers.profile import VoiceProfile, enrol
from desktop.core.errors import Cancelled, InputError
from desktop.core.types import TranscriptSegment
from desktop.eval.speaker_samples import Turn

FRAME_S = 0.01


_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+(?:['’.][A-Za-z0-9]+)*")


def word_count(text: str) -> int:
    """Words of ``text`` as scored: Latin words and numbers, and each Chinese character."""
    return len(_WORD.findall(text))


@dataclass
class Scores:
    turns: int
    words: int  # words of the reference text scored
    word_accuracy: float  # share of words whose line has the reference role (live labels)
    word_accuracy_reviewed: float  # the same after SpeakerLabeller.review() at Stop
    accuracy: float  # share of turns whose label equals the reference role
    accuracy_reviewed: float  # the same after SpeakerLabeller.review() at the end
    doctor_accuracy: float  # share of turns correctly called doctor / not doctor
    der: float  # diarisation error rate with the best mapping of labels to reference speakers
    der_reviewed: float
    role_error_time: float  # share of speech time with the wrong role (no remapping)
    uncertain_share: float
    accuracy_when_certain: float
    voices_found: int
    reference_voices: int
    latency_ms_median: float
    latency_ms_p95: float
    latency_ms_max: float
    cpu_ms_median: float  # processor time of the same calls: what the latency is on an unloaded machine
    cpu_ms_p95: float
    calls_ms: list[tuple[float, float]] = field(default_factory=list, repr=False)  # (wall, cpu) per call

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (round(v, 4) if isinstance(v, float) else v)
            for k, v in self.__dict__.items()
            if k != "calls_ms"
        }


def diarisation_error_rate(turns: Sequence[Turn], hypothesis: Sequence[str]) -> float:
    """DER on the reference segments (speaker confusion; no missed or false-alarm speech by design).

    Hypothesis labels are mapped to reference speakers by the one-to-one mapping that
    minimises the error, as in the standard metric; overlapping speech is not modelled.
    """
    ref_names = sorted({t.role for t in turns})
    hyp_names = sorted(set(hypothesis))
    durations = [max(t.end - t.start, 0.0) for t in turns]
    total = sum(durations) or 1.0
    best = total
    pad = hyp_names + [f"_none{i}" for i in range(max(0, len(ref_names) - len(hyp_names)))]
    for perm in itertools.permutations(pad, len(ref_names)):
        mapping = dict(zip(perm, ref_names, strict=True))
        wrong = sum(
            d for t, h, d in zip(turns, hypothesis, durations, strict=True) if mapping.get(h) != t.role
        )
        best = min(best, wrong)
    return best / total


def score(
    turns: Sequence[Turn],
    live: Sequence[SpeakerLabel],
    reviewed: Sequence[SpeakerLabel],
    latencies_s: Sequence[float],
    voices_found: int,
    cpu_s: Sequence[float] = (),
) -> Scores:
    ref = [t.role for t in turns]
    hyp = [lab.speaker for lab in live]
    rev = [lab.speaker for lab in reviewed]
    durations = np.array([t.end - t.start for t in turns])
    wrong_time = float(sum(d for d, r, h in zip(durations, ref, hyp, strict=True) if r != h))
    certain = [(r, h) for r, h, lab in zip(ref, hyp, live, strict=True) if not lab.uncertain]
    lat = np.array(latencies_s) * 1000.0 if latencies_s else np.zeros(1)
    cpu = np.array(cpu_s) * 1000.0 if len(cpu_s) else np.zeros(1)
    n = max(len(ref), 1)
    weights = [max(word_count(t.text), 1) if t.text else 1 for t in turns]
    total_words = sum(weights) or 1
    return Scores(
        turns=len(ref),
        words=sum(weights),
        word_accuracy=sum(w for w, r, h in zip(weights, ref, hyp, strict=True) if r == h) / total_words,
        word_accuracy_reviewed=sum(w for w, r, h in zip(weights, ref, rev, strict=True) if r == h)
        / total_words,
        accuracy=sum(r == h for r, h in zip(ref, hyp, strict=True)) / n,
        accuracy_reviewed=sum(r == h for r, h in zip(ref, rev, strict=True)) / n,
        doctor_accuracy=sum((r == "doctor") == (h == "doctor") for r, h in zip(ref, hyp, strict=True)) / n,
        der=diarisation_error_rate(turns, hyp),
        der_reviewed=diarisation_error_rate(turns, rev),
        role_error_time=wrong_time / (float(durations.sum()) or 1.0),
        uncertain_share=sum(lab.uncertain for lab in live) / n,
        accuracy_when_certain=(sum(r == h for r, h in certain) / len(certain)) if certain else float("nan"),
        voices_found=voices_found,
        reference_voices=len(set(ref)),
        latency_ms_median=float(np.median(lat)),
        latency_ms_p95=float(np.percentile(lat, 95)),
        latency_ms_max=float(np.max(lat)),
        cpu_ms_median=float(np.median(cpu)),
        cpu_ms_p95=float(np.percentile(cpu, 95)),
        calls_ms=[(float(w), float(c)) for w, c in zip(lat, cpu, strict=False)],
    )


def split_into_pieces(turns: Sequence[Turn], piece_s: float) -> tuple[list[Turn], list[int]]:
    """Cut each turn into consecutive pieces of about ``piece_s`` seconds, as a streaming transcript
    finalises a long utterance in parts; the words are shared out in proportion. Returns the
    pieces and, for each, the index of its turn (the utterance it belongs to)."""
    pieces: list[Turn] = []
    owner: list[int] = []
    for index, turn in enumerate(turns):
        count = max(1, round((turn.end - turn.start) / piece_s))
        bounds = np.linspace(turn.start, turn.end, count + 1)
        cjk = not turn.text.isascii()
        units = list(turn.text) if cjk else turn.text.split()
        cuts = np.linspace(0, len(units), count + 1).astype(int)
        for k in range(count):
            part = units[cuts[k] : cuts[k + 1]]
            text = "".join(part) if cjk else " ".join(part)
            pieces.append(Turn(turn.role, float(bounds[k]), float(bounds[k + 1]), text))
            owner.append(index)
    return pieces, owner


def run_labeller(
    samples: np.ndarray,
    turns: Sequence[Turn],
    *,
    profile: VoiceProfile | None,
    embedder: Embedder | None = None,
    use_text: bool = True,
    cancel: Callable[[], bool] | None = None,
    piece_s: float | None = None,
    short_s: float | None = None,
) -> tuple[Scores, list[SpeakerLabel], list[SpeakerLabel]]:
    """Feed the turns one by one, as the streaming transcript would, and score the labels.

    With ``piece_s`` each turn is fed as pieces of that length (one utterance finalised in parts)
    and the scores count pieces.
    """
    owner: list[int | None] = [None] * len(turns)
    if piece_s:
        turns, owners = split_into_pieces(turns, piece_s)
        owner = [*owners]
    labeller = SpeakerLabeller(profile, embedder=embedder, use_text=use_text)
    if short_s is not None:  # a development sweep of the short-utterance allowance
        labeller.short_utterance_s = short_s
    live: list[SpeakerLabel] = []
    latencies: list[float] = []
    cpu: list[float] = []
    for i, turn in enumerate(turns):
        if cancel is not None and cancel():
            raise Cancelled()
        t0, c0 = time.perf_counter(), time.thread_time()
        label = labeller.label(
            samples, turn.start, turn.end, turn.text, segment_id=str(i), buffer_start=0.0, utterance=owner[i]
        )
        latencies.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        live.append(label)
    reviewed_map = labeller.review()
    reviewed = [reviewed_map[str(i)] for i in range(len(turns))]
    return score(turns, live, reviewed, latencies, labeller.voice_count, cpu), live, reviewed


@dataclass
class LiveScores:
    """Labels on the live path, where the lines are the recogniser's, not the reference turns."""

    words: int  # recognised words scored
    word_accuracy: float  # share of words whose line label is the role of the turn they fall in
    lines: int
    mixed_lines: int  # lines holding words of turns with different roles

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def score_live_words(segments: Sequence[TranscriptSegment], turns: Sequence[Turn]) -> LiveScores:
    """Each recognised word is scored against the reference turn at its midpoint (or the nearest)."""
    right = total = mixed = 0
    for seg in segments:
        roles: set[str] = set()
        for w in seg.words:
            mid = (w.start + w.end) / 2
            turn = min(
                turns,
                key=lambda t: 0.0 if t.start <= mid <= t.end else min(abs(mid - t.start), abs(mid - t.end)),
            )
            roles.add(turn.role)
            right += seg.speaker == turn.role
            total += 1
        mixed += len(roles) > 1
    return LiveScores(total, right / total if total else 0.0, len(segments), mixed)


def enrol_from(samples: np.ndarray | None, embedder: Embedder | None = None) -> VoiceProfile | None:
    if samples is None:
        return None
    return enrol(samples, [embedder] if embedder is not None else None)


def read_reference(path: Path) -> list[Turn]:
    """Reference turns from JSON (``[{"start", "end", "speaker", "text"}]`` or ``{"segments": […]}``,
    as in transcript.json) or RTTM (``SPEAKER file 1 start duration <NA> <NA> name <NA> <NA>``)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot read the reference labels {path}.", "Check the path.") from exc
    turns: list[Turn] = []
    try:
        if path.suffix.lower() == ".rttm":
            for line in raw.splitlines():
                parts = line.split()
                if len(parts) >= 8 and parts[0] == "SPEAKER":
                    start, dur = float(parts[3]), float(parts[4])
                    turns.append(Turn(parts[7].lower(), start, start + dur, ""))
        else:
            data = json.loads(raw)
            items = data.get("segments", []) if isinstance(data, dict) else data
            for item in items:
                turns.append(
                    Turn(
                        str(item["speaker"]).lower(),
                        float(item["start"]),
                        float(item["end"]),
                        str(item.get("text", "")),
                    )
                )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"The reference labels in {path.name} are not in a known format.",
            "Use transcript-style JSON with start, end and speaker per segment, or an RTTM file.",
        ) from exc
    turns = [t for t in sorted(turns, key=lambda t: t.start) if t.end > t.start]
    if not turns:
        raise InputError(f"{path.name} has no reference turns.", "Label at least one turn with a speaker.")
    return turns
