"""Degenerate answers found and repaired, section by section.

Small models answer in ways that look like a note and are not one: the same sentence in
every section, a statement whose cited line says something else, the question echoed back.
Each such statement is removed; a section that loses half its statements or more this way
is replaced by the speakers' own words sorted into it (a quotation, and the note says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.types import NOTE_SECTIONS, NoteStatement, SoapNote, Transcript
from desktop.llm.evidence import tokens


@dataclass
class Repairs:
    echoes: int = 0
    duplicates: int = 0
    bad_citations: int = 0
    recited: int = 0
    quoted_sections: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.echoes + self.duplicates + self.bad_citations + self.recited


def _key(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".。 ")


def echoes_question(text: str, question: str, prompt_words: set[str]) -> bool:
    """Most of the statement's words come from the question or the instructions, not the visit."""
    words = tokens(text)
    if not words:
        return True
    asked = tokens(question) | prompt_words
    return len(words & asked) / len(words) >= 0.8


def citation_disagrees(st: NoteStatement, transcript: Transcript) -> bool:
    """The statement cites lines, and none of them shares a content word with it."""
    by_id = transcript.by_id()
    cited = [by_id[e] for e in st.evidence if e in by_id]
    if not cited:
        return False
    words = tokens(st.text)
    return bool(words) and not any(words & tokens(seg.text) for seg in cited)


def copied_line(st: NoteStatement, transcript: Transcript) -> str | None:
    """The id of the line a statement copies when that is not a line it cites: nearly all of its
    content words are in one other line, and its cited lines hold far fewer of them (a model that
    quotes one line and cites its neighbour)."""
    words = tokens(st.text)
    if len(words) < 4:
        return None

    def share(seg_text: str) -> float:
        return len(words & tokens(seg_text)) / len(words)

    by_id = transcript.by_id()
    cited = max((share(by_id[e].text) for e in st.evidence if e in by_id), default=0.0)
    best = max(transcript.segments, key=lambda seg: share(seg.text), default=None)
    if best is None or best.id in st.evidence:
        return None
    return best.id if share(best.text) >= 0.8 and cited < 0.6 else None


def repair_note(
    note: SoapNote,
    transcript: Transcript,
    backbone: dict[str, list[NoteStatement]],
    questions: dict[str, str],
    prompt_words: set[str],
    model_sections: set[str],
) -> Repairs:
    """Remove degenerate statements from the sections the model wrote (``model_sections``);
    a section left with less than half of them becomes its backbone quotation."""
    found = Repairs()
    homes = _homes(note, backbone)
    for name in NOTE_SECTIONS:
        if name not in model_sections:
            continue
        items = note.section(name)
        kept: list[NoteStatement] = []
        for st in items:
            copied = copied_line(st, transcript)
            if copied is not None:
                found.recited += 1
                st.evidence = [copied]  # it cites the line it says
                if _belongs_elsewhere(note, backbone, name, copied):
                    found.duplicates += 1  # that line's own section already says it
                    continue
            if name == "medications" and not st.status:
                found.echoes += 1  # a medicine line with no status is not an answer to the question
            elif echoes_question(st.text, questions.get(name, ""), prompt_words):
                found.echoes += 1
            elif homes.get(_key(st.text), name) != name:
                found.duplicates += 1
            elif citation_disagrees(st, transcript):
                found.bad_citations += 1
            else:
                kept.append(st)
        if items and len(kept) * 2 < len(items):
            quotes = backbone.get(name, [])
            setattr(note, name, [quote(st) for st in quotes])
            if quotes:
                found.quoted_sections.append(name)
        else:
            setattr(note, name, kept)
    return found


def _belongs_elsewhere(
    note: SoapNote, backbone: dict[str, list[NoteStatement]], name: str, line: str
) -> bool:
    """``line`` was not sorted into section ``name``, and another section of the note cites it."""
    if any(line in q.evidence for q in backbone.get(name, [])):
        return False
    return any(line in st.evidence for other in NOTE_SECTIONS if other != name for st in note.section(other))


def _homes(note: SoapNote, backbone: dict[str, list[NoteStatement]]) -> dict[str, str]:
    """The one section each statement stays in when it was written into several: the first
    whose backbone holds a line it cites, else the first it appears in."""
    sections: dict[str, list[tuple[str, NoteStatement]]] = {}
    for name in NOTE_SECTIONS:
        for st in note.section(name):
            sections.setdefault(_key(st.text), []).append((name, st))
    homes: dict[str, str] = {}
    for key, places in sections.items():
        home = places[0][0]
        for name, st in places:
            lines = {e for q in backbone.get(name, []) for e in q.evidence}
            if set(st.evidence) & lines:
                home = name
                break
        homes[key] = home
    return homes


def quote(st: NoteStatement) -> NoteStatement:
    return NoteStatement(text=st.text, evidence=list(st.evidence), status=st.status, source="quote")
