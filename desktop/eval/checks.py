"""Scoring the omission and contradiction checks on written cases (BENCHMARKS Q1).

Each case is a consultation transcript and a note, clean or with one injected error. An error
counts as found when a flag of the expected class cites one of the case's lines; every flag on a
clean note is a false alarm.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.asr.transcript_file import parse_transcript_text
from desktop.checks.model import (
    ALLERGY_DRUG,
    CONTRADICTION,
    DOSE,
    FREQUENCY,
    NEGATION,
    OMISSION,
    STOPPED_DRUG,
    CheckResult,
    Flag,
)
from desktop.core.types import NOTE_SECTIONS, NoteStatement, SoapNote, Transcript

CASES = Path(__file__).resolve().parents[1] / "checks" / "cases"
ERROR_TYPES = (
    "dropped_allergy",
    "dropped_drug",
    "stopped_drug_continued",
    "negation_flipped",
    "dose_changed",
    "safety_net_dropped",
)
# The flags that find each injected error: (kind, types).
EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "dropped_allergy": (OMISSION, ("allergy",)),
    "dropped_drug": (OMISSION, ("medication",)),
    "stopped_drug_continued": (CONTRADICTION, (STOPPED_DRUG, ALLERGY_DRUG)),
    "negation_flipped": (CONTRADICTION, (NEGATION,)),
    "dose_changed": (CONTRADICTION, (DOSE, FREQUENCY)),
    "safety_net_dropped": (OMISSION, ("safety_net",)),
}


@dataclass
class Case:
    id: str
    scenario: str
    lang: str
    error: str | None
    lines: list[str]
    transcript: Transcript
    note: SoapNote


@dataclass
class CaseResult:
    id: str
    lang: str
    error: str | None
    found: bool
    flags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def false_alarms(self) -> int:
        return len(self.flags) if self.error is None else 0


def _note(data: dict[str, Any]) -> SoapNote:
    note = SoapNote(chief_complaint=str(data.get("chief_complaint", "")))
    for name in NOTE_SECTIONS:
        setattr(note, name, [NoteStatement(str(t)) for t in data.get(name, [])])
    return note


def apply_edits(note: SoapNote, edits: list[dict[str, str]]) -> SoapNote:
    """The note with each edit applied in order; a statement an edit empties is removed."""
    out = SoapNote.from_dict(note.to_dict())
    for edit in edits:
        hits = [
            (name, i)
            for name in NOTE_SECTIONS
            for i, st in enumerate(out.section(name))
            if edit["find"] in st.text
        ]
        if len(hits) != 1:
            raise ValueError(f"edit {edit['find']!r} matches {len(hits)} statements")
        name, i = hits[0]
        statement = out.section(name)[i]
        statement.text = statement.text.replace(edit["find"], edit["replace"]).strip()
        if not statement.text:
            del out.section(name)[i]
    return out


def load_cases(set_name: str, folder: Path = CASES) -> list[Case]:
    path = folder / f"{set_name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    cases: list[Case] = []
    for scenario in data["scenarios"]:
        transcript = parse_transcript_text("\n".join(scenario["transcript"]))
        base = _note(scenario["note"])
        for case in scenario["cases"]:
            note = apply_edits(base, case.get("edits", []))
            cases.append(
                Case(
                    str(case["id"]),
                    str(scenario["id"]),
                    str(scenario["lang"]),
                    case.get("error"),
                    list(case.get("lines", [])),
                    transcript,
                    note,
                )
            )
    return cases


def found(case: Case, result: CheckResult) -> bool:
    if case.error is None:
        return result.clean
    kind, types = EXPECTED[case.error]
    flags: list[Flag] = result.omissions if kind == OMISSION else result.contradictions
    return any(f.type in types and set(f.lines) & set(case.lines) for f in flags)


def score(cases: list[Case], check: Callable[[Transcript, SoapNote], CheckResult]) -> dict[str, Any]:
    results: list[CaseResult] = []
    started = time.perf_counter()
    for case in cases:
        result = check(case.transcript, case.note)
        flags = [{"kind": f.kind, **f.to_dict()} for f in result.flags]
        results.append(CaseResult(case.id, case.lang, case.error, found(case, result), flags))
    seconds = time.perf_counter() - started
    errors = [r for r in results if r.error is not None]
    clean = [r for r in results if r.error is None]
    per_type = {
        t: {
            "cases": sum(1 for r in errors if r.error == t),
            "found": sum(1 for r in errors if r.error == t and r.found),
        }
        for t in ERROR_TYPES
    }
    for counts in per_type.values():
        counts["recall"] = round(counts["found"] / counts["cases"], 4) if counts["cases"] else None  # type: ignore[assignment]
    per_lang: dict[str, dict[str, float]] = {}
    for lang in sorted({r.lang for r in results}):
        e = [r for r in errors if r.lang == lang]
        c = [r for r in clean if r.lang == lang]
        per_lang[lang] = {
            "error_cases": len(e),
            "recall": round(sum(r.found for r in e) / len(e), 4) if e else 0.0,
            "clean_notes": len(c),
            "false_alarms_per_clean_note": round(sum(r.false_alarms for r in c) / len(c), 3) if c else 0.0,
        }
    return {
        "error_cases": len(errors),
        "found": sum(r.found for r in errors),
        "recall": round(sum(r.found for r in errors) / len(errors), 4) if errors else 0.0,
        "per_type": per_type,
        "clean_notes": len(clean),
        "false_alarms": sum(r.false_alarms for r in clean),
        "false_alarms_per_clean_note": round(sum(r.false_alarms for r in clean) / len(clean), 3)
        if clean
        else 0.0,
        "clean_notes_with_any_flag": sum(1 for r in clean if r.flags),
        "per_language": per_lang,
        "seconds_per_case": round(seconds / max(1, len(results)), 4),
        "missed": [{"id": r.id, "error": r.error, "flags": r.flags} for r in errors if not r.found],
        "false_alarm_flags": [{"id": r.id, "flags": r.flags} for r in clean if r.flags],
    }


# ------------------------------------------------------------------ ACI-Bench drafts
_PLAN_HEADING = re.compile(r"\b(plan|instructions?|recommendations?)\b", re.IGNORECASE)
_HEADING = re.compile(r"^[A-Z][A-Z &/,-]{2,}$")


def reference_note(text: str) -> SoapNote:
    """An ACI-Bench reference note as a SoapNote: lines under a plan or instructions heading are the
    plan, every other line is history (the headings themselves are left out)."""
    note = SoapNote()
    section = "subjective"
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _HEADING.match(line):
            section = "plan" if _PLAN_HEADING.search(line) else "subjective"
            continue
        note.section(section).append(NoteStatement(line))
    return note


def flags_per_note(
    rows: list[dict[str, str]],
    draft: Callable[[Transcript], SoapNote],
    check: Callable[[Transcript, SoapNote], CheckResult],
) -> dict[str, Any]:
    """The flags a clinician would face on each ACI-Bench dialogue's draft, and on its reference note."""
    from desktop.eval.notes import dialogue_to_transcript

    per_note: list[dict[str, Any]] = []
    started = time.perf_counter()
    for row in rows:
        transcript = dialogue_to_transcript(row["dialogue"])
        drafted = check(transcript, draft(transcript))
        reference = check(transcript, reference_note(row.get("note", "")))
        per_note.append(
            {
                "encounter_id": row.get("encounter_id", ""),
                "facts": drafted.facts,
                "draft": _counts(drafted),
                "reference": _counts(reference),
            }
        )
    seconds = time.perf_counter() - started

    def summary(which: str) -> dict[str, Any]:
        totals = [n[which]["omissions"] + n[which]["contradictions"] for n in per_note]
        red = [n[which]["contradictions"] for n in per_note]
        by_type: dict[str, int] = {}
        for n in per_note:
            for t, k in n[which]["by_type"].items():
                by_type[t] = by_type.get(t, 0) + k
        return {
            "flags_per_note_mean": round(statistics.mean(totals), 2) if totals else 0.0,
            "flags_per_note_median": statistics.median(totals) if totals else 0,
            "flags_per_note_max": max(totals, default=0),
            "contradictions_per_note_mean": round(statistics.mean(red), 2) if red else 0.0,
            "notes_with_a_contradiction": sum(1 for r in red if r),
            "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        }

    return {
        "notes": len(per_note),
        "facts_per_dialogue_mean": round(statistics.mean(n["facts"] for n in per_note), 2)
        if per_note
        else 0.0,
        "draft": summary("draft"),
        "reference": summary("reference"),
        "seconds_per_note": round(seconds / max(1, len(per_note)) / 2, 3),
        "per_note": per_note,
    }


def _counts(result: CheckResult) -> dict[str, Any]:
    by_type: dict[str, int] = {}
    for f in result.flags:
        name = f"{f.kind}:{f.type}"
        by_type[name] = by_type.get(name, 0) + 1
    return {
        "omissions": len(result.omissions),
        "contradictions": len(result.contradictions),
        "by_type": by_type,
    }
