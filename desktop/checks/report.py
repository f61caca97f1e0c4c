"""The checks in plain words: for the terminal (``consult-scribe check``) and for ``note.md``.

Each flag says what is wrong, where the note (or a letter) says it, quoting the statement, and
when in the consultation it was said and by whom, quoting the line: the doctor can judge it
without opening the JSON.
"""

from __future__ import annotations

import re

from desktop.checks.model import CheckResult, Flag
from desktop.core.types import SoapNote, Transcript, clock, markdown_text

_SECTIONS = {
    "chief_complaint": "Chief complaint",
    "subjective": "Subjective",
    "medications": "Medications and allergies",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
    "patient_instructions": "Instructions to the patient",
}
_PLACE = re.compile(r"^(?P<section>[a-z_]+)\[(?P<index>\d+)\]$")
_QUOTE_CHARS = 90  # a quoted line or statement is cut here, with "…"
_MOST_LINES = 3  # lines quoted per flag; the rest are counted


def _cut(text: str, around: str = "") -> str:
    """``text`` short enough to quote on one line, showing ``around`` (the drug or finding) when
    it is named further in."""
    text = " ".join(text.split())
    if len(text) <= _QUOTE_CHARS:
        return text
    at = text.lower().find(around.lower()) if around else -1
    if at + len(around) < _QUOTE_CHARS - 1:
        return text[: _QUOTE_CHARS - 1].rstrip() + "…"
    start = max(0, min(at - _QUOTE_CHARS // 3, len(text) - _QUOTE_CHARS + 2))
    piece = text[start : start + _QUOTE_CHARS - 2].strip()
    return "…" + piece + ("…" if start + _QUOTE_CHARS - 2 < len(text) else "")


def _subject(flag: Flag) -> str:
    """What the flag is about, as the note may name it: the end of its id ("…:amlodipine")."""
    return flag.id.rpartition(":")[2].replace("_", " ")


def left_out(flag: Flag) -> str:
    """An omission as one line of a list of what was left out: "Allergy to penicillin."."""
    text = flag.message.removeprefix("Not in the note: ")
    return text[:1].upper() + text[1:]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def said_at(lines: list[str], transcript: Transcript | None, around: str = "") -> list[str]:
    """Each line a flag rests on, as "00:37, doctor: “…”" (the line id where the line is unknown)."""
    by_id = transcript.by_id() if transcript is not None else {}
    out = []
    for line_id in lines[:_MOST_LINES]:
        seg = by_id.get(line_id)
        if seg is None:
            out.append(f"line {line_id}")
            continue
        who = f", {seg.speaker}" if seg.speaker and seg.speaker != "unknown" else ""
        out.append(f"{clock(seg.start)}{who}: “{_cut(seg.text, around)}”")
    if len(lines) > _MOST_LINES:
        out.append(f"and {len(lines) - _MOST_LINES} more line(s)")
    return out


def place(where: str, note: SoapNote | None = None, around: str = "") -> str:
    """Where a statement is, in words: "Plan, statement 2: “…”", "the letter ‘referral’"."""
    if where.startswith("letter:"):
        return f"the letter ‘{where.removeprefix('letter:')}’"
    if where == "chief_complaint":
        text = note.chief_complaint if note is not None else ""
        return "the chief complaint" + (f": “{_cut(text, around)}”" if text else "")
    m = _PLACE.match(where)
    if m is None or m["section"] not in _SECTIONS:
        return where
    name, index = m["section"], int(m["index"])
    words = f"{_SECTIONS[name]}, statement {index + 1}"
    statements = note.section(name) if note is not None else []
    if index < len(statements):
        words += f": “{_cut(statements[index].text, around)}”"
    return words


def plain_text(
    result: CheckResult,
    transcript: Transcript | None = None,
    note: SoapNote | None = None,
    folder: str = "DIR",
) -> str:
    """Contradictions first, then omissions, each with where it is and what was said; a single
    line when nothing is flagged. With the transcript and the note, lines and statements are
    quoted; ``folder`` is the consultation folder the next command is given."""
    if result.clean:
        return (
            f"Checked the note against {result.facts} point(s) from the consultation "
            "(medicines, allergies, measurements, diagnoses, tests, referrals, follow-up, advice): "
            "nothing left out, nothing contradicted.\n"
        )
    out: list[str] = []
    if result.contradictions:
        count = _count(len(result.contradictions), "contradiction", "contradictions")
        out.append(f"{count}: the note says otherwise than the consultation. Correct these first.")
        for i, flag in enumerate(result.contradictions, 1):
            subject = _subject(flag)
            out.append(f"  {i}. {flag.message}")
            for where in flag.where:
                letter = where.startswith("letter:")
                out.append(f"     {'Also in' if letter else 'In the note:'} {place(where, note, subject)}")
            out += [f"     Said at {line}" for line in said_at(flag.lines, transcript, subject)]
        out.append("")
    if result.omissions:
        things = _count(
            len(result.omissions), "thing said in the consultation is", "things said in the consultation are"
        )
        out.append(f"{things} not in the note:")
        for i, flag in enumerate(result.omissions, 1):
            out.append(f"  {i}. {left_out(flag)}")
            out += [f"     Said at {line}" for line in said_at(flag.lines, transcript, _subject(flag))]
        out.append("")
    else:
        out += ["Nothing said in the consultation is missing from the note.", ""]
    out.append("Correct the note (note.json) and run this check again.")
    if any(w.startswith("letter:") for f in result.contradictions for w in f.where):
        out.append(f"Then make the letters again from it: consult-scribe letters --from {folder}")
    return "\n".join(out) + "\n"


def markdown(result: CheckResult, transcript: Transcript | None = None) -> str:
    """A ``## Checks`` section for ``note.md``."""
    out = ["## Checks against the transcript", ""]
    if result.clean:
        out.append("- Nothing left out, nothing contradicted.")

    def said(flag: Flag) -> str:
        lines = said_at(flag.lines, transcript)
        return f" _(said at {markdown_text('; '.join(lines))})_" if lines else ""

    for f in result.contradictions:
        out.append(f"- **⚠ Contradiction:** {markdown_text(f.message)}{said(f)}")
    for f in result.omissions:
        out.append(f"- **Left out:** {markdown_text(left_out(f))}{said(f)}")
    return "\n".join(out) + "\n"
