"""Domain types: patient header, transcript, SOAP note with evidence links, letters."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Speaker = Literal["doctor", "patient", "other", "unknown"]
SPEAKERS: tuple[str, ...] = ("doctor", "patient", "other", "unknown")
# A speaker label with a confidence below this is uncertain: the transcript marks the line for a check.
SPEAKER_UNCERTAIN_BELOW = 0.6


def speaker_uncertain(confidence: float | None) -> bool:
    """Whether a line's speaker should be checked (no confidence: never labelled)."""
    return confidence is None or confidence < SPEAKER_UNCERTAIN_BELOW


NOTE_SECTIONS: tuple[str, ...] = (
    "subjective",
    "medications",
    "objective",
    "assessment",
    "plan",
    "patient_instructions",
)
SUGGESTED_SECTIONS: frozenset[str] = frozenset({"assessment", "plan"})
# What a line of the medications and allergies part says about the drug.
MED_STATUSES: tuple[str, ...] = ("taking", "started", "changed", "stopped", "allergy")
# Shown among a statement's unsupported items when no transcript line supports it at all.
NO_SOURCE = "no transcript line says this"


@dataclass
class Patient:
    name: str = ""
    name_zh: str = ""
    sex: str = ""
    date_of_birth: str = ""  # ISO date, may be empty
    mrn: str = ""
    age: int | None = None
    placeholder: bool = False  # True when the header was not supplied and stands in

    def computed_age(self, on: date | None = None) -> int | None:
        if self.age is not None:
            return self.age
        if not self.date_of_birth:
            return None
        try:
            born = date.fromisoformat(self.date_of_birth)
        except ValueError:
            return None
        today = on or date.today()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def display_name(self) -> str:
        if self.name and self.name_zh:
            return f"{self.name} {self.name_zh}"
        return self.name or self.name_zh

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Patient:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("age") in ("", None):
            values["age"] = None
        elif "age" in values:
            values["age"] = int(values["age"])
        return cls(**values)

    @classmethod
    def placeholder_header(cls) -> Patient:
        return cls(name="(patient name not given)", mrn="(no MRN)", placeholder=True)


@dataclass
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass
class Correction:
    """A drug name put right after recognition: ``text[start:end]`` of the segment is ``text``.

    ``heard`` is what the recogniser wrote; the doctor sees both and can undo the correction.
    """

    start: int
    end: int
    heard: str
    text: str
    canonical: str = ""
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            heard=str(data["heard"]),
            text=str(data["text"]),
            canonical=str(data.get("canonical", "")),
            score=float(data.get("score", 0.0)),
        )


@dataclass
class TranscriptSegment:
    """One utterance. ``final`` segments never change; tentative ones may be replaced.

    ``corrections`` are drug names put right after recognition (the heard text is kept in
    each); ``live_text`` is what the live view showed, when the saved record text (a second,
    fuller decode) differs from it.
    """

    id: str
    start: float
    end: float
    text: str
    speaker: str = "unknown"
    language: str = ""
    final: bool = True
    speaker_confidence: float | None = None
    words: list[Word] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    live_text: str | None = None

    def heard_text(self) -> str:
        """The text as recognised, every correction undone."""
        text = self.text
        for c in sorted(self.corrections, key=lambda c: c.start, reverse=True):
            text = text[: c.start] + c.heard + text[c.end :]
        return text

    def undo_correction(self, index: int) -> None:
        """Put back what was heard in place of correction ``index`` (the doctor disagrees)."""
        c = self.corrections.pop(index)
        self.text = self.text[: c.start] + c.heard + self.text[c.end :]
        delta = len(c.heard) - (c.end - c.start)
        for other in self.corrections:
            if other.start >= c.end:
                other.start += delta
                other.end += delta

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "speaker": self.speaker,
            "language": self.language,
            "text": self.text,
        }
        if self.speaker_confidence is not None:
            data["speaker_confidence"] = round(self.speaker_confidence, 3)
        if self.corrections:
            data["corrections"] = [c.to_dict() for c in self.corrections]
        if self.live_text is not None and self.live_text != self.text:
            data["live_text"] = self.live_text
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscriptSegment:
        return cls(
            id=str(data["id"]),
            start=float(data.get("start", 0.0)),
            end=float(data.get("end", 0.0)),
            text=str(data.get("text", "")),
            speaker=str(data.get("speaker", "unknown")),
            language=str(data.get("language", "")),
            speaker_confidence=data.get("speaker_confidence"),
            corrections=[Correction.from_dict(c) for c in data.get("corrections", [])],
            live_text=data.get("live_text"),
        )


@dataclass
class Transcript:
    language: str
    segments: list[TranscriptSegment] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "segments": [s.to_dict() for s in self.segments]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            language=str(data.get("language", "")),
            segments=[TranscriptSegment.from_dict(s) for s in data.get("segments", [])],
        )

    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)

    def by_id(self) -> dict[str, TranscriptSegment]:
        return {s.id: s for s in self.segments}

    def to_plain_text(self) -> str:
        lines = []
        for s in self.segments:
            stamp = f"[{_clock(s.start)}-{_clock(s.end)}]"
            label = s.speaker.capitalize() if s.speaker and s.speaker != "unknown" else "Speaker"
            lines.append(f"{stamp} {label}: {s.text}")
        return "\n".join(lines) + ("\n" if lines else "")


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 60:02d}:{total % 60:02d}"


@dataclass
class NoteStatement:
    """One statement of the note, linked to the transcript segments it came from.

    ``unsupported`` lists the numbers, doses, units and drug names in ``text`` that do not
    appear in the transcript: the fact guard fills it and the UI shows it.
    """

    text: str
    evidence: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    accepted: bool = False  # suggestions (assessment, plan) become facts only when a doctor accepts
    status: str = ""  # medications part: one of MED_STATUSES
    # "" the model's words; "quote" a speaker's own words from the transcript; "typed" the user's.
    source: str = ""

    def labelled(self) -> str:
        """The text with its medication status in front ("stopped: Amlodipine 5 mg")."""
        return f"{self.status}: {self.text}" if self.status else self.text

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "evidence": list(self.evidence),
            "unsupported": list(self.unsupported),
        }
        if self.status:
            data["status"] = self.status
        if self.source:
            data["source"] = self.source
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> NoteStatement:
        if isinstance(data, str):
            return cls(text=data)
        return cls(
            text=str(data.get("text", "")),
            evidence=[str(e) for e in data.get("evidence", [])],
            unsupported=[str(u) for u in data.get("unsupported", [])],
            accepted=bool(data.get("accepted", False)),
            status=str(data.get("status", "")),
            source=str(data.get("source", "")),
        )


# Inline markup only (the text never starts a line: it follows "- " or a bold label).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def markdown_text(text: str) -> str:
    """``text`` shown literally in Markdown: HTML characters as entities, markup characters escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@dataclass
class SoapNote:
    chief_complaint: str = ""
    subjective: list[NoteStatement] = field(default_factory=list)
    medications: list[NoteStatement] = field(default_factory=list)
    objective: list[NoteStatement] = field(default_factory=list)
    assessment: list[NoteStatement] = field(default_factory=list)
    plan: list[NoteStatement] = field(default_factory=list)
    patient_instructions: list[NoteStatement] = field(default_factory=list)
    # "typed" when the chief complaint is the one the user typed (kept as theirs), "draft" when drafted.
    chief_complaint_source: str = ""
    # Sections made of the speakers' own words because the model's answer was not usable.
    quoted_sections: list[str] = field(default_factory=list)
    # Said at the top of the note, e.g. that the consultation held nothing clinical to draft.
    notice: str = ""

    def section(self, name: str) -> list[NoteStatement]:
        if name not in NOTE_SECTIONS:
            raise KeyError(name)
        value: list[NoteStatement] = getattr(self, name)
        return value

    def statements(self) -> list[tuple[str, NoteStatement]]:
        return [(name, st) for name in NOTE_SECTIONS for st in self.section(name)]

    def unsupported_count(self) -> int:
        return sum(len(st.unsupported) for _, st in self.statements())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"chief_complaint": self.chief_complaint}
        for name in NOTE_SECTIONS:
            data[name] = [st.to_dict() for st in self.section(name)]
        if self.chief_complaint_source:
            data["chief_complaint_source"] = self.chief_complaint_source
        if self.quoted_sections:
            data["quoted_sections"] = list(self.quoted_sections)
        if self.notice:
            data["notice"] = self.notice
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SoapNote:
        note = cls(
            chief_complaint=str(data.get("chief_complaint", "")),
            chief_complaint_source=str(data.get("chief_complaint_source", "")),
            quoted_sections=[str(x) for x in data.get("quoted_sections", []) or []],
            notice=str(data.get("notice", "")),
        )
        for name in NOTE_SECTIONS:
            setattr(note, name, [NoteStatement.from_dict(x) for x in data.get(name, []) or []])
        return note

    def to_markdown(self, patient: Patient | None = None, signed: bool = False) -> str:
        """The note as Markdown; every recorded or typed text is escaped (no markup, no HTML runs).

        A ``signed`` note has an assessment and a plan, without the "suggestion" banners."""
        e = markdown_text
        titles = {
            "subjective": "Subjective",
            "medications": "Medications and allergies",
            "objective": "Objective",
            "assessment": "Assessment" if signed else "Suggested assessment",
            "plan": "Plan" if signed else "Suggested plan",
            "patient_instructions": "Instructions to the patient",
        }
        out: list[str] = ["# Consultation note", ""]
        if patient is not None:
            age = patient.computed_age()
            out += [
                f"- **Patient:** {e(patient.display_name())}",
                f"- **Sex / age:** {e(patient.sex) or '-'} / {age if age is not None else '-'}",
                f"- **MRN:** {e(patient.mrn) or '-'}",
                "",
            ]
        if self.notice:
            out += [f"> {e(self.notice)}", ""]
        typed = " _(as typed by the user)_" if self.chief_complaint_source == "typed" else ""
        out += [f"**Chief complaint:** {e(self.chief_complaint) or '-'}{typed}", ""]
        for name in NOTE_SECTIONS:
            out.append(f"## {titles[name]}")
            if name in SUGGESTED_SECTIONS and not signed:
                out.append("_Suggestions for the doctor to review; not accepted yet._")
            if name in self.quoted_sections:
                out.append("_Quoted from the transcript: the speakers' own words, not a summary._")
            items = self.section(name)
            if not items:
                out.append("- (nothing recorded)")
            for st in items:
                text = f"“{st.text}”" if st.source == "quote" else st.text
                line = f"- **{st.status}:** {e(text)}" if st.status else f"- {e(text)}"
                if st.evidence:
                    line += f" _[{e(', '.join(st.evidence))}]_"
                if st.unsupported:
                    line += f" **⚠ not in transcript: {e(', '.join(st.unsupported))}**"
                out.append(line)
            out.append("")
        return "\n".join(out)
