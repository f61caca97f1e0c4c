"""Values a document takes from the SOAP note, by name.

Each extractor reads the note (never the language model) and returns text, a list of
lines, or ``None`` when the note has nothing for it. Templates refer to them as
``source = "note", key = NAME`` or ``default = "note:NAME"``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, timedelta

from desktop.core.types import NoteStatement, SoapNote

Value = str | list[str] | None

_NUM = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|a|[一二兩三四五六七八九十])"

_DOSE = re.compile(
    r"\b\d+(\.\d+)?\s*(mg|mcg|µg|g|ml|mL|units?|iu|IU|puffs?|tabs?|tablets?|caps?|capsules?|drops?|sachets?)\b"
    r"|\b(bd|tds|tid|qid|od|qd|bid|prn|nocte|mane|stat|q\d+h)\b"
    r"|毫克|毫升|藥|處方",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z-]{3,}")


@functools.lru_cache(maxsize=1)
def _drug_names() -> frozenset[str]:
    from desktop.documents.factguard import load_drug_lexicon

    return frozenset(load_drug_lexicon())


def is_medication_line(text: str) -> bool:
    """A plan line that prescribes: a dose or dosing frequency, or a known drug name."""
    if _DOSE.search(text):
        return True
    return any(word in _drug_names() for word in _WORD.findall(text.lower()))


_REST = re.compile(
    rf"{_NUM}\s*(-\s*)?days?'?\s*(of\s+)?(sick\s+|medical\s+)?(leave|rest|off)"
    rf"|(rest|leave|off work)\s+(for\s+)?{_NUM}\s*days?"
    rf"|(休息|病假|放假)\s*{_NUM}\s*(日|天)|{_NUM}\s*(日|天)\s*(病假|休息)",
    re.IGNORECASE,
)
_FOLLOW = re.compile(r"follow[- ]?up|review|come back|return|revisit|覆診|覆查|回來", re.IGNORECASE)
_FOLLOW_WHEN = re.compile(
    rf"(in|after)\s+{_NUM}\s*(day|week|month)s?|{_NUM}\s*(日|天|星期|週|周|個月)(後|之後)", re.IGNORECASE
)
_LAB = re.compile(
    r"\b(blood tests?|labs?|laboratory|hba1c|cbc|fbc|lft|rft|lipid|glucose|urine|urinalysis|culture|"
    r"renal function|liver function|thyroid|tsh|creatinine|electrolytes|esr|crp|swab)\b|驗血|驗尿|化驗",
    re.IGNORECASE,
)
_IMAGING = re.compile(
    r"\b(x-?ray|cxr|ct|mri|ultrasound|usg|scan|mammogra\w*|echo\w*|imaging|radiograph\w*)\b|照肺|X光|超聲波|掃描",
    re.IGNORECASE,
)
_REFER = re.compile(
    r"refer(?:ral|red)?\s+(?:to\s+)?(?:an?\s+|the\s+)?([A-Za-z][A-Za-z ]{2,40}?)"
    r"(?:\s+(?:clinic|specialist|department|team|for)\b|[.,;]|$)",
    re.IGNORECASE,
)


def _lines(items: list[NoteStatement]) -> list[str]:
    return [st.text.strip() for st in items if st.text.strip()]


def _number(token: str) -> int | None:
    """A count written as digits, an English word ("a" counts as one) or a Chinese numeral."""
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token == "a":
        return 1
    from desktop.documents.factguard import chinese_numeral_value, english_number_values

    values = english_number_values(token)
    if values:
        return int(next(iter(values)))
    value = chinese_numeral_value(token)
    return int(value) if value is not None else None


def rest_days(note: SoapNote) -> int | None:
    """Days of rest or sick leave the plan (or the instructions) mention."""
    for st in [*note.plan, *note.patient_instructions, *note.assessment]:
        match = _REST.search(st.text)
        if match:
            for group in match.groups():
                if group and _number(group) is not None:
                    days = _number(group)
                    if days and 0 < days <= 365:
                        return days
    return None


def follow_up_days(note: SoapNote) -> int | None:
    for st in [*note.plan, *note.patient_instructions]:
        if not _FOLLOW.search(st.text):
            continue
        match = _FOLLOW_WHEN.search(st.text)
        if not match:
            continue
        groups = [g for g in match.groups() if g]
        count = next((_number(g) for g in groups if _number(g) is not None), None)
        if count is None:
            continue
        unit = next((g for g in groups if _number(g) is None and g.lower() not in ("in", "after")), "day")
        unit = unit.lower()
        if unit.startswith(("week", "星期", "週", "周")):
            return count * 7
        if unit.startswith(("month", "個月")):
            return count * 30
        return count
    return None


def _matching(items: list[NoteStatement], pattern: re.Pattern[str]) -> list[str]:
    return [line for line in _lines(items) if pattern.search(line)]


def _specialty(note: SoapNote) -> str | None:
    for st in [*note.plan, *note.assessment]:
        match = _REFER.search(st.text)
        if match:
            name = match.group(1).strip()
            if name.lower() not in ("him", "her", "them", "patient", "the patient"):
                return name
    return None


def _iso(day: date) -> str:
    return day.isoformat()


def _leave_to(note: SoapNote, today: date) -> Value:
    days = rest_days(note)
    return _iso(today + timedelta(days=days - 1)) if days else None


def _follow_up_date(note: SoapNote, today: date) -> Value:
    days = follow_up_days(note)
    return _iso(today + timedelta(days=days)) if days else None


_LABEL = re.compile(
    r"^\s*(assessment|impression|diagnosis|dx|ddx|working diagnosis|診斷|印象|评估|評估)\s*[:：-]\s*",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"^(the\s+)?(patient|pt|he|she)\s+(probably\s+|likely\s+|most likely\s+)?"
    r"(has|have|is having|presents with|with)\s+",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(a|an)\s+", re.IGNORECASE)
# Where a diagnosis phrase ends: a clause mark (a full stop only before a space or the end, so
# "7.5" and "e.g." inside stay), a dash between words, or a plan joined on with "and"/"so".
_CLAUSE_END = re.compile(
    r"[;；，,。]|\.(?=\s|$)|\s[-–—]\s|[:：]\s"
    r"|\s(and|so|then|—)\s+(to\s+)?(start|started|starting|prescribe|prescribed|advise|advised|continue|"
    r"refer|referred|review|arrange|give|given|plan|treat|treated|take|recommend|follow)\b",
    re.IGNORECASE,
)
_PLAN_START = re.compile(
    r"^(start|prescribe|advise|continue|refer|review|arrange|give|plan|treat|take|recommend|follow|"
    r"return|rest|check|order|repeat|increase|decrease|stop|avoid|開始|處方|建議|繼續|轉介|覆診|休息)",
    re.IGNORECASE,
)
_JOINT = re.compile(r"\s(with|and|but|because|since|who|which)\s", re.IGNORECASE)
MAX_DIAGNOSIS_CHARS = 80


def diagnosis_phrase(text: str) -> str:
    """The diagnosis a form's field takes from an assessment line: its first clause, without a
    label ("Impression:"), the patient as subject ("The patient has") or a plan joined on.

    "Likely viral URTI; start paracetamol 500 mg qid and rest 2 days" → "Likely viral URTI".
    Empty when the line is a plan rather than a diagnosis ("Start amlodipine 5 mg daily").
    """
    phrase = " ".join(text.split())
    phrase = _LABEL.sub("", phrase)
    phrase = _ARTICLE.sub("", _SUBJECT.sub("", phrase))
    match = _CLAUSE_END.search(phrase)
    if match is not None:
        phrase = phrase[: match.start()]
    phrase = phrase.strip(" .,;:-–—()[]")
    first = _WORD.match(phrase.lower())
    starts_with_drug = first is not None and first.group(0) in _drug_names()
    if not phrase or _PLAN_START.match(phrase) or _DOSE.search(phrase) or starts_with_drug:
        return ""
    if len(phrase) > MAX_DIAGNOSIS_CHARS:  # one long clause: cut before a joined-on part, else a word
        joint = _JOINT.search(phrase, 8, MAX_DIAGNOSIS_CHARS)
        cut = phrase[: joint.start()] if joint else phrase[:MAX_DIAGNOSIS_CHARS]
        phrase = cut if joint or " " not in cut else cut.rsplit(" ", 1)[0]
    return phrase[:1].upper() + phrase[1:]


def _diagnosis(note: SoapNote, today: date) -> Value:
    """The first assessment line that names a diagnosis, as a short phrase; else the chief complaint's."""
    for line in _lines(note.assessment):
        phrase = diagnosis_phrase(line)
        if phrase:
            return phrase
    return diagnosis_phrase(note.chief_complaint) or None


def _history(note: SoapNote, today: date) -> Value:
    lines = _lines(note.subjective)
    return " ".join(lines) if lines else None


def _clinical_summary(note: SoapNote, today: date) -> Value:
    parts = [note.chief_complaint.strip(), *_lines(note.assessment)[:2]]
    text = "; ".join(p for p in parts if p)
    return text or None


def _prescribed(note: SoapNote, today: date) -> Value:
    """What a prescription lists: the medicines started or changed in the note's medications and
    allergies part; a note without that part falls back to the plan lines that prescribe."""
    started = [
        st.text.strip() for st in note.medications if st.status in ("started", "changed") and st.text.strip()
    ]
    return started or [line for line in _lines(note.plan) if is_medication_line(line)] or None


def _section(name: str) -> Callable[[SoapNote, date], Value]:
    def extract(note: SoapNote, today: date) -> Value:
        return _lines(note.section(name)) or None

    return extract


def _pattern(section: str, pattern: re.Pattern[str]) -> Callable[[SoapNote, date], Value]:
    def extract(note: SoapNote, today: date) -> Value:
        return _matching(note.section(section), pattern) or None

    return extract


def _rest_days_text(note: SoapNote, today: date) -> Value:
    days = rest_days(note)
    return str(days) if days else None


EXTRACTORS: dict[str, Callable[[SoapNote, date], Value]] = {
    "chief_complaint": lambda note, today: note.chief_complaint.strip() or None,
    "subjective": _section("subjective"),
    "objective": _section("objective"),
    "assessment": _section("assessment"),
    "plan": _section("plan"),
    "patient_instructions": _section("patient_instructions"),
    "diagnosis": _diagnosis,
    "history": _history,
    "clinical_summary": _clinical_summary,
    "medications": _prescribed,
    # "Not recorded" (not "none"): a note without an allergy line does not say there is none.
    "allergies": lambda note, today: (
        "; ".join(st.text.strip() for st in note.medications if st.status == "allergy" and st.text.strip())
        or "Not recorded"
    ),
    "follow_up": _pattern("plan", _FOLLOW),
    "lab_tests": _pattern("plan", _LAB),
    "imaging": _pattern("plan", _IMAGING),
    "specialty": lambda note, today: _specialty(note),
    "rest_days": _rest_days_text,
    "leave_to": _leave_to,
    "follow_up_date": _follow_up_date,
}


def extract(name: str, note: SoapNote, today: date) -> Value:
    return EXTRACTORS[name](note, today)


def unsupported_in(note: SoapNote, texts: list[str]) -> list[str]:
    """Fact-guard flags already on the note statements a document copies."""
    wanted = {t.strip() for t in texts}
    flags: list[str] = []
    for _, st in note.statements():
        if st.text.strip() in wanted:
            flags.extend(st.unsupported)
    return flags
