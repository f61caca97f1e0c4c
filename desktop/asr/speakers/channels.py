"""Two microphones (a lapel microphone on the doctor and a room microphone): the level balance.

The doctor is much louder on the lapel channel than anyone else. These helpers measure the
balance of an utterance or of each word, find the room's threshold between the two groups, and
split a segment where the loud microphone changes for good.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.core.types import TranscriptSegment, Word

SR = sf.SAMPLE_RATE
# Two channels whose difference is this small next to their level carry one microphone.
SAME_CHANNELS = 0.05


def channel_ratio_db(lapel: np.ndarray, room: np.ndarray) -> float:
    """Level difference lapel − room in dB over the loud (speech) frames of the utterance."""
    a = sf._frames(np.asarray(lapel, dtype=np.float64), sf.FRAME, sf.HOP)
    b = sf._frames(np.asarray(room, dtype=np.float64), sf.FRAME, sf.HOP)
    pa, pb = np.mean(a**2, axis=1) + 1e-12, np.mean(b**2, axis=1) + 1e-12
    loud = np.maximum(pa, pb)
    keep = 10 * np.log10(loud) > 10 * np.log10(float(loud.max())) - 25.0
    return float(10 * np.log10(pa[keep].sum() / pb[keep].sum()))


def two_means_split(values: np.ndarray, min_separation_db: float = 10.0) -> float | None:
    """Midpoint between the two groups of a 1-D sample, when it clearly has two groups."""
    v = np.sort(values)
    best_cost, best_low, best_high = float("inf"), 0.0, 0.0
    for i in range(1, len(v)):
        low, high = v[:i], v[i:]
        cost = float(((low - low.mean()) ** 2).sum() + ((high - high.mean()) ** 2).sum())
        if cost < best_cost:
            best_cost, best_low, best_high = cost, float(low.mean()), float(high.mean())
    if not math.isfinite(best_cost) or best_high - best_low < min_separation_db:
        return None
    return (best_low + best_high) / 2.0


# A turn change inside one utterance

MIN_TURN_S = 0.5  # a stretch on the other microphone shorter than this is not a turn
MIN_TURN_WORDS = 2


def word_channel_ratios(
    words: Sequence[Word], audio: np.ndarray, buffer_start: float, doctor_channel: int
) -> list[float | None]:
    """Lapel − room level in dB over each word's span (None where the span holds too little audio)."""
    stereo = np.asarray(audio, dtype=np.float32)
    out: list[float | None] = []
    for w in words:
        a = max(0, round((w.start - buffer_start) * SR))
        b = min(len(stereo), round((w.end - buffer_start) * SR))
        if stereo.ndim != 2 or stereo.shape[1] < 2 or b - a < sf.FRAME:
            out.append(None)
            continue
        span = stereo[a:b]
        out.append(channel_ratio_db(span[:, doctor_channel], span[:, 1 - doctor_channel]))
    return out


def channel_turns(
    words: Sequence[Word],
    ratios: Sequence[float | None],
    threshold_db: float,
    *,
    min_turn_s: float = MIN_TURN_S,
    min_turn_words: int = MIN_TURN_WORDS,
) -> list[tuple[int, int]]:
    """Word ranges ``[i, j)`` of one utterance, split where the loud microphone changes for good.

    Each word goes to the lapel side (the doctor) or the room side by its channel ratio; a word
    without a ratio keeps its neighbour's side. A stretch shorter than ``min_turn_s`` or than
    ``min_turn_words`` words is folded into the stretch before it (the first into the one after),
    so a cough or a misaligned word never splits a line. One range means no turn change.
    """
    n = len(words)
    if n == 0:
        return []
    sides: list[bool | None] = [None if r is None else r > threshold_db for r in ratios]
    known = [x for x in sides if x is not None]
    if not known:
        return [(0, n)]
    last: bool = known[0]
    filled: list[bool] = []
    for side in sides:
        last = last if side is None else side
        filled.append(last)
    runs = _runs(filled)
    while len(runs) > 1:
        short = [
            k
            for k, (i, j) in enumerate(runs)
            if j - i < min_turn_words or words[j - 1].end - words[i].start < min_turn_s
        ]
        if not short:
            break
        k = min(short, key=lambda k: words[runs[k][1] - 1].end - words[runs[k][0]].start)
        i, j = runs[k]
        into = k - 1 if k > 0 else k + 1
        for m in range(i, j):
            filled[m] = filled[runs[into][0]]
        runs = _runs(filled)
    return runs


def _runs(sides: Sequence[bool]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = 0
    for m in range(1, len(sides) + 1):
        if m == len(sides) or sides[m] != sides[start]:
            runs.append((start, m))
            start = m
    return runs


def split_segment(segment: TranscriptSegment, ranges: Sequence[tuple[int, int]]) -> list[TranscriptSegment]:
    """One segment per word range (ids ``<id>a``, ``<id>b``…); the segment itself when one range."""
    if len(ranges) <= 1:
        return [segment]
    pieces: list[TranscriptSegment] = []
    for k, (i, j) in enumerate(ranges):
        words = segment.words[i:j]
        pieces.append(
            replace(
                segment,
                id=f"{segment.id}{chr(ord('a') + k)}",
                start=words[0].start,
                end=words[-1].end,
                text="".join(w.text for w in words).strip(),
                words=list(words),
            )
        )
    return pieces


def split_at_channel_turns(
    segments: Sequence[TranscriptSegment],
    audio: np.ndarray,
    doctor_channel: int,
    threshold_db: float | None = None,
    buffer_start: float = 0.0,
) -> list[TranscriptSegment]:
    """Two-microphone recordings: split every segment in which doctor and patient take turns.

    Without ``threshold_db`` the split between the lapel-loud and room-loud words of the whole
    recording is used (0 dB when the recording does not show both kinds).
    """
    per_segment = [word_channel_ratios(seg.words, audio, buffer_start, doctor_channel) for seg in segments]
    if threshold_db is None:
        values = np.array([r for rs in per_segment for r in rs if r is not None])
        split = two_means_split(values) if len(values) >= 3 else None
        threshold_db = split if split is not None else 0.0
    out: list[TranscriptSegment] = []
    for seg, ratios in zip(segments, per_segment, strict=True):
        out.extend(split_segment(seg, channel_turns(seg.words, ratios, threshold_db)))
    return out
