"""A13: drug names right, and corrections that made a name wrong.

A drug name said in a sentence is *right* when the transcript of that sentence (the words
recognised within its time span) names the same drug: the same generic name through the
drug lexicon (a brand said and its generic written count as right), or, for a name the
lexicon does not know, the same letters. A correction is *wrong* when the drug it wrote is
not one said in that sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.types import TranscriptSegment
from desktop.eval.speech_sets import RenderedFile
from desktop.lexicon import DrugLexicon
from desktop.lexicon.drugs import spoken_key

SLACK_S = 0.6


@dataclass
class DrugScore:
    said: int = 0
    right: int = 0
    corrections: int = 0
    wrong_corrections: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    by_voice: dict[str, list[int]] = field(default_factory=dict)  # voice -> [said, right]

    def add(self, other: DrugScore) -> None:
        for voice, (said, right) in other.by_voice.items():
            mine = self.by_voice.setdefault(voice, [0, 0])
            mine[0] += said
            mine[1] += right
        self.said += other.said
        self.right += other.right
        self.corrections += other.corrections
        self.wrong_corrections += other.wrong_corrections
        self.missed += other.missed
        self.wrong += other.wrong

    def to_dict(self) -> dict[str, Any]:
        return {
            "said": self.said,
            "right": self.right,
            "right_share": round(self.right / self.said, 4) if self.said else None,
            "corrections": self.corrections,
            "wrong_corrections": self.wrong_corrections,
            "wrong_corrections_share_of_names": round(self.wrong_corrections / self.said, 4)
            if self.said
            else None,
            "wrong_corrections_share_of_corrections": round(self.wrong_corrections / self.corrections, 4)
            if self.corrections
            else None,
            "by_voice": {v: {"said": n, "right": r} for v, (n, r) in sorted(self.by_voice.items())},
            "missed": self.missed,
            "wrong": self.wrong,
        }


def sentence_text(segments: Sequence[TranscriptSegment], start: float, end: float) -> tuple[str, list[Any]]:
    """The recognised words whose middle falls in [start, end] (with slack), and the corrections there."""

    def inside(t0: float, t1: float) -> bool:
        return start - SLACK_S <= (t0 + t1) / 2 <= end + SLACK_S

    words: list[str] = []
    corrections: list[Any] = []
    for seg in segments:
        if seg.end < start - SLACK_S or seg.start > end + SLACK_S:
            continue
        words += [w.text for w in seg.words if inside(w.start, w.end)] if seg.words else [" " + seg.text]
        for c in seg.corrections:
            at = next(((w.start, w.end) for w in seg.words if c.text in w.text), (seg.start, seg.end))
            if inside(*at):
                corrections.append(c)
    return "".join(words).strip(), corrections


def _names_in(text: str, lexicon: DrugLexicon) -> tuple[set[str], str]:
    return {m.canonical for m in lexicon.find(text)}, " " + spoken_key(text) + " "


def score_file(file: RenderedFile, segments: Sequence[TranscriptSegment], lexicon: DrugLexicon) -> DrugScore:
    score = DrugScore()
    for sentence in file.sentences:
        if not sentence.drugs:
            continue
        text, corrections = sentence_text(segments, sentence.start, sentence.end)
        found, keyed = _names_in(text, lexicon)
        expected: set[str] = set()
        for name in sentence.drugs:
            score.said += 1
            generic = lexicon.canonical(name)
            expected.add(generic or spoken_key(name))
            ok = generic in found if generic else f" {spoken_key(name)} " in keyed
            score.right += int(ok)
            tally = score.by_voice.setdefault(sentence.voice, [0, 0])
            tally[0] += 1
            tally[1] += int(ok)
            if not ok:
                score.missed.append(f"{name} -> {text!r}")
        for c in corrections:
            score.corrections += 1
            if (c.canonical or spoken_key(c.text)) not in expected:
                score.wrong_corrections += 1
                score.wrong.append(f"{c.heard!r} -> {c.text!r} in {text!r}")
    return score


_LINE = re.compile(r"\[(doctor|patient)\]\s*", re.IGNORECASE)


def corrections_on_clean_text(lines: Sequence[str], corrector: Any) -> dict[str, Any]:
    """Corrections the corrector makes on text people typed (no recognition errors): ideally none."""
    changed: list[str] = []
    for line in lines:
        text = _LINE.sub("", line).strip()
        if not text:
            continue
        _, corrections = corrector.correct_text(text)
        changed += [f"{c.heard!r} -> {c.text!r}" for c in corrections]
    return {"lines": len(lines), "corrections": len(changed), "examples": changed[:40]}
