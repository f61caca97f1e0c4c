"""Note facts on ConsultScribe's own consultations (BENCHMARKS Q2).

``assets/eval/frozen/`` holds a set written and frozen before the drafting was tuned, never
tuned on; ``assets/eval/dev/`` a few separate cases used while developing. Each case lists
the facts its note must hold (``fact:`` lines: ``;``-separated groups, each satisfied by one
of its ``|``-separated alternatives, case-insensitive), the medicines its medications part
must list with their status (``med: NAME = STATUS``), or ``expect: empty`` for a consultation
with nothing clinical in it. Spoken cases (``speech: espeak|piper``) are synthesised and go
through speech recognition and speaker labelling before drafting, as a recording would.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.core.errors import UsageError
from desktop.core.types import Patient, SoapNote, Transcript

SETS = {"frozen": "frozen", "dev": "dev"}


@dataclass
class Case:
    name: str
    language: str
    speech: str  # typed | espeak | piper
    chief_complaint: str
    facts: list[list[list[str]]]  # fact -> groups -> alternatives
    meds: list[tuple[str, str]]
    expect_empty: bool
    turns: list[tuple[str, str]]  # (speaker, text)

    def transcript_text(self) -> str:
        return "\n".join(f"{'D' if s == 'doctor' else 'P'}|{t}" for s, t in self.turns)


@dataclass
class CaseScore:
    name: str
    language: str
    speech: str
    facts: int
    facts_recalled: int
    meds: int
    meds_recalled: int
    expect_empty: bool
    empty_ok: bool
    unsupported: int
    seconds: float
    missed: list[str] = field(default_factory=list)
    note: str = ""  # the draft as note.md shows it, for review


def set_dir(name: str) -> Path:
    if name not in SETS:
        raise UsageError(f"Unknown evaluation set '{name}'.", f"Known: {', '.join(SETS)}.")
    return paths.assets_dir() / "eval" / SETS[name]


def read_case(path: Path) -> Case:
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    meta: dict[str, str] = {}
    facts: list[list[list[str]]] = []
    meds: list[tuple[str, str]] = []
    for line in head.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "fact":
            facts.append([[a.strip().lower() for a in g.split("|") if a.strip()] for g in value.split(";")])
        elif key == "med":
            drug, _, status = value.partition("=")
            meds.append((drug.strip().lower(), status.strip()))
        elif key:
            meta[key] = value
    turns = []
    for line in body.splitlines():
        label, _, text = line.partition("|")
        if text.strip():
            turns.append(("doctor" if label.strip().upper() == "D" else "patient", text.strip()))
    return Case(
        name=path.stem,
        language=meta.get("language", "en"),
        speech=meta.get("speech", "typed"),
        chief_complaint=meta.get("chief_complaint", ""),
        facts=facts,
        meds=meds,
        expect_empty=meta.get("expect", "") == "empty",
        turns=turns,
    )


def read_cases(name: str) -> list[Case]:
    return [read_case(p) for p in sorted(set_dir(name).glob("*.txt"))]


def note_words(note: SoapNote) -> str:
    parts = [note.chief_complaint] + [st.labelled() for _, st in note.statements()]
    return "\n".join(parts).lower()


def score_case(case: Case, note: SoapNote, unsupported: int, seconds: float) -> CaseScore:
    text = note_words(note)
    missed = [
        " ; ".join("|".join(g) for g in fact)
        for fact in case.facts
        if not all(any(alt in text for alt in group) for group in fact)
    ]
    meds_ok = sum(
        1
        for drug, status in case.meds
        if any(drug in st.text.lower() and st.status == status for st in note.medications)
    )
    missed += [
        f"med {d}={s}"
        for d, s in case.meds
        if not any(d in st.text.lower() and st.status == s for st in note.medications)
    ]
    empty = not note.statements() and bool(note.notice)
    return CaseScore(
        name=case.name,
        language=case.language,
        speech=case.speech,
        facts=len(case.facts),
        facts_recalled=len(case.facts) - len([m for m in missed if not m.startswith("med ")]),
        meds=len(case.meds),
        meds_recalled=meds_ok,
        expect_empty=case.expect_empty,
        empty_ok=empty == case.expect_empty,
        unsupported=unsupported,
        seconds=seconds,
        missed=missed,
        note=note.to_markdown(),
    )


DraftFn = Callable[[Transcript, Patient, str], tuple[SoapNote, int]]
HearFn = Callable[[Case], Transcript | None]  # None: this case cannot be heard here (no TTS)


def evaluate_cases(
    cases: list[Case],
    draft: DraftFn,
    hear: HearFn,
    on_case: Callable[[int, int, CaseScore], None] | None = None,
) -> tuple[list[CaseScore], dict[str, Any]]:
    """Draft every case (spoken ones heard first through ``hear``) and score its facts."""
    scores: list[CaseScore] = []
    skipped: list[str] = []
    for i, case in enumerate(cases):
        transcript = hear(case)
        if transcript is None:
            skipped.append(case.name)
            continue
        started = time.perf_counter()
        note, unsupported = draft(transcript, Patient(), case.chief_complaint)
        score = score_case(case, note, unsupported, time.perf_counter() - started)
        scores.append(score)
        if on_case is not None:
            on_case(i + 1, len(cases), score)
    overall = summarise(scores)
    overall["skipped"] = skipped
    return scores, overall


def summarise(scores: list[CaseScore]) -> dict[str, Any]:
    def recall(rows: list[CaseScore]) -> float:
        total = sum(s.facts + s.meds for s in rows)
        return sum(s.facts_recalled + s.meds_recalled for s in rows) / total if total else 0.0

    out: dict[str, Any] = {
        "cases": len(scores),
        "fact_recall": recall(scores),
        "empty_correct": sum(s.empty_ok for s in scores) / len(scores) if scores else 0.0,
        "unsupported_total": sum(s.unsupported for s in scores),
        "seconds_median": statistics.median(s.seconds for s in scores) if scores else 0.0,
    }
    for key, pick in (
        ("typed", lambda s: s.speech == "typed"),
        ("spoken", lambda s: s.speech != "typed"),
        ("english", lambda s: s.language == "en"),
        ("chinese", lambda s: s.language != "en"),
    ):
        rows = [s for s in scores if pick(s) and not s.expect_empty]
        out[f"fact_recall_{key}"] = recall(rows) if rows else None
    return out


def spoken_audio(case: Case) -> Any:
    """The case spoken by two synthetic voices with pauses between turns (16 kHz mono float32)."""
    import numpy as np

    from desktop.eval.tts import TtsVoice, silence, speak

    if case.language == "en":
        patient = TtsVoice("espeak", "en-gb+f3", speed=0.95, pitch=60)
        doctor = TtsVoice("piper", "joe") if case.speech == "piper" else TtsVoice("espeak", "en-us", pitch=40)
    else:
        patient = TtsVoice("espeak", "yue+f3", speed=0.9, pitch=60)
        doctor = TtsVoice("espeak", "yue", speed=0.9, pitch=35)
    pieces = []
    for speaker, text in case.turns:
        pieces += [speak(doctor if speaker == "doctor" else patient, text), silence(0.6)]
    return np.concatenate(pieces).astype(np.float32)
