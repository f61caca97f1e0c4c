"""Fact recall on PriMock57 (BENCHMARKS L6): how many of a clinician's critical facts a note keeps.

PriMock57's clinicians wrote a checklist for 20 of the mock consultations: every fact a good
note should hold, marked critical (``c``), non-critical (``nc``) or irrelevant (``i``). Recall
is the share of critical items whose content appears in the generated note.

How an item is matched (the recipe leaves it to the evaluator; this is it): the item's content
words (lower case, letters and digits, stop words and the checklist's ``*`` markers removed,
a final ``s`` dropped, number words 0–19 as digits) must appear in the note's words; an item
counts as recalled when at least 60 % of its content words do. The same matching scores the
whole transcript copied as the note on every run: the ceiling of what word matching finds (items
the clinicians paraphrased beyond their words are missed even there).
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.errors import UsageError
from desktop.core.types import Patient, SoapNote, Transcript, TranscriptSegment
from desktop.documents.factguard import EN_SMALL_NUMBERS

MATCH_SHARE = 0.6
_WORD = re.compile(r"[a-z0-9]+")
_LINE = re.compile(
    r"^\[(?P<start>[\d.]+)-(?P<end>[\d.]+)\]\s*(?P<who>Doctor|Patient)\s*:\s*(?P<text>.*)$", re.I
)
_CHECKLIST = re.compile(r"day_(\d+)_consultation_(\d+)__Checklist\.csv$")
_NUMBERS = {word: str(value) for word, value in EN_SMALL_NUMBERS.items()}  # zero … nineteen
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "without",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "any",
        "some",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "him",
        "them",
        "you",
        "your",
        "i",
        "me",
        "my",
        "we",
        "our",
        "us",
        "if",
        "so",
        "than",
        "then",
        "there",
        "here",
        "what",
        "when",
        "where",
        "which",
        "who",
        "how",
        "about",
        "into",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "again",
        "very",
        "just",
        "also",
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "must",
        "per",
        "e",
        "g",
        "eg",
        "etc",
    ]
)


@dataclass
class ChecklistItem:
    text: str
    critical: bool


@dataclass
class Consultation:
    encounter_id: str  # e.g. day1_consultation01
    transcript: Transcript
    items: list[ChecklistItem]


@dataclass
class RecallScore:
    encounter_id: str
    critical_items: int
    recalled: int
    recall: float
    transcript_recall: float  # the same matching with the whole transcript as the note
    unsupported: int
    seconds: float
    missed: list[str] = field(default_factory=list)


def content_words(text: str) -> set[str]:
    out: set[str] = set()
    for w in _WORD.findall(text.lower()):
        w = _NUMBERS.get(w, w)
        if w in _STOP:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return out


def recalled(item: str, note_words: set[str]) -> bool | None:
    """True/False, or None when the item has no content words to look for."""
    words = content_words(item)
    if not words:
        return None
    return len(words & note_words) >= MATCH_SHARE * len(words)


def read_primock57(data_dir: Path) -> list[Consultation]:
    root = data_dir / "primock57" / "consultation_checklists_csv" / "Clinician_1"
    dialogues = data_dir / "derived" / "primock57_dialogues"
    if not root.is_dir() or not dialogues.is_dir():
        raise UsageError(
            f"The PriMock57 evaluation data is not in {data_dir}.",
            "Point --data at the folder that holds primock57/ and derived/ (the shared evaluation data).",
        )
    out: list[Consultation] = []
    for path in sorted(root.glob("*__Checklist.csv")):
        m = _CHECKLIST.search(path.name)
        if m is None:
            continue
        encounter = f"day{int(m.group(1))}_consultation{int(m.group(2)):02d}"
        dialogue = dialogues / f"{encounter}.txt"
        if not dialogue.exists():
            continue
        out.append(Consultation(encounter, read_dialogue(dialogue), read_checklist(path)))
    if not out:
        raise UsageError(f"No PriMock57 checklists were found under {root}.")
    return sorted(out, key=lambda c: c.encounter_id)


def read_checklist(path: Path) -> list[ChecklistItem]:
    items: list[ChecklistItem] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in list(csv.reader(fh))[1:]:
            if len(row) < 2 or not row[0].strip():
                continue
            mark = row[1].strip().lower()
            if mark in ("c", "nc"):
                items.append(ChecklistItem(row[0].strip().lstrip("*").strip(), mark == "c"))
    return items


def read_dialogue(path: Path) -> Transcript:
    segments: list[TranscriptSegment] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m is None or not m.group("text").strip():
            continue
        segments.append(
            TranscriptSegment(
                id=f"s{len(segments) + 1}",
                start=float(m.group("start")),
                end=float(m.group("end")),
                text=m.group("text").strip(),
                speaker=m.group("who").lower(),
            )
        )
    return Transcript(language="en", segments=segments)


def note_text(note: SoapNote) -> str:
    parts = [note.chief_complaint] + [st.text for _, st in note.statements()]
    return "\n".join(p for p in parts if p)


def evaluate_recall(
    consultations: list[Consultation],
    draft: Callable[[Transcript, Patient], tuple[SoapNote, int, list[str]]],
    on_note: Callable[[int, int, RecallScore], None] | None = None,
) -> tuple[list[RecallScore], dict[str, float]]:
    scores: list[RecallScore] = []
    for i, c in enumerate(consultations):
        started = time.perf_counter()
        note, unsupported, _ = draft(c.transcript, Patient())
        seconds = time.perf_counter() - started
        words = content_words(note_text(note))
        ceiling = content_words(c.transcript.text())
        hits, ceiling_hits, total, missed = 0, 0, 0, []
        for item in c.items:
            if not item.critical:
                continue
            found = recalled(item.text, words)
            if found is None:
                continue
            total += 1
            hits += found
            ceiling_hits += bool(recalled(item.text, ceiling))
            if not found:
                missed.append(item.text)
        score = RecallScore(
            c.encounter_id,
            total,
            hits,
            hits / total if total else 0.0,
            ceiling_hits / total if total else 0.0,
            unsupported,
            seconds,
            missed,
        )
        scores.append(score)
        if on_note is not None:
            on_note(i + 1, len(consultations), score)
    items = sum(s.critical_items for s in scores)
    overall = {
        "recall_mean": statistics.mean(s.recall for s in scores) if scores else 0.0,
        "recall_pooled": sum(s.recalled for s in scores) / items if items else 0.0,
        "transcript_recall_mean": statistics.mean(s.transcript_recall for s in scores) if scores else 0.0,
        "critical_items": float(items),
        "unsupported_total": float(sum(s.unsupported for s in scores)),
        "unsupported_per_note": statistics.mean(s.unsupported for s in scores) if scores else 0.0,
    }
    return scores, overall
