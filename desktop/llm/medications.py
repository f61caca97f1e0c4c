"""The medications and allergies part of the note, read from the transcript by rule.

Every drug a line names (the drug lexicon plus the clinic's vocabulary) is listed once, with
what the last line about it says: the patient takes it, it was started, changed or stopped,
or the patient is allergic to it. This backs up the model's answer when it is unusable, and
overrules it where the transcript is explicit: a drug the doctor stopped is never listed as
started (a small model once told the patient to take a drug the doctor had just stopped).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

from desktop.core.types import NoteStatement, Transcript
from desktop.documents.factguard import load_drug_lexicon

_ALLERGY = re.compile(r"allerg\w*|anaphyla\w*|敏感|過敏", re.IGNORECASE)
_STOPPED = re.compile(
    r"\b(stop\w*|discontinu\w*|come off|coming off|no longer take|not safe for you)\b|停|唔好再食|不要再",
    re.IGNORECASE,
)
_CHANGED = re.compile(
    r"\b(increas\w*|decreas\w*|reduc\w*|switch\w*|chang\w*|double|halve|up the dose)\b|加到|減到|改為|轉用",
    re.IGNORECASE,
)
_STARTED = re.compile(
    r"\b(start\w*|prescrib\w*|give you|i'll give|i will give|add|adding|begin|try you on|put you on|"
    r"instead)\b|開|處方",
    re.IGNORECASE,
)
_CONTINUED = re.compile(
    r"\b(continu\w*|carry on|keep (?:taking|using|on)|stay on|remain on)\b|繼續|照食|照舊",
    re.IGNORECASE,
)
_DOSE = re.compile(
    r"(\d+(?:\.\d+)?|[一二三四五六七八九十百千兩]+)\s*(mg|milligrams?|micrograms?|mcg|g|grams?|ml|毫克|克|微克)",
    re.IGNORECASE,
)
_CHINESE_DRUGS = {
    "撲熱息痛": "paracetamol",
    "必理痛": "paracetamol",
    "布洛芬": "ibuprofen",
    "阿士匹靈": "aspirin",
    "阿司匹林": "aspirin",
    "二甲雙胍": "metformin",
    "盤尼西林": "penicillin",
    "青黴素": "penicillin",
}


def line_status(text: str) -> str:
    """What one line says about the drugs it names."""
    return _said_status(text) or "taking"


def _said_status(text: str) -> str | None:
    """The status a piece of text says in words; None when it says nothing ("the methotrexate")."""
    if _ALLERGY.search(text):
        return "allergy"
    if _STOPPED.search(text):
        return "stopped"
    if _CHANGED.search(text):
        return "changed"
    if _STARTED.search(text):
        return "started"
    if _CONTINUED.search(text):
        return "taking"
    return None


@lru_cache(maxsize=4)
def _drug_pattern(drugs: frozenset[str]) -> re.Pattern[str]:
    names = sorted((d for d in drugs if len(d) >= 4), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(" + "|".join(re.escape(d) for d in names) + r")(?![a-z])")


def find_drugs(text: str, drugs: frozenset[str]) -> list[str]:
    """The lexicon's drug names in ``text`` (longest name first where two overlap), in order."""
    found = list(dict.fromkeys(m.group(1) for m in _drug_pattern(drugs).finditer(text.lower())))
    return found + [name for name in _CHINESE_DRUGS if name in text]


_CLAUSE = re.compile(r"[,;.，；。]|\b(?:and|then|but|instead of)\b|同埋|然後|再", re.IGNORECASE)


def drug_status(text: str, drug: str, drugs_in_line: int) -> str:
    """What ``text`` says about ``drug``. In a line naming several drugs the clause that names it
    decides ("stop the amlodipine and start the losartan" stops one and starts the other; "stop
    the prednisone and continue the methotrexate" keeps the second); a clause with no word of its
    own ("allergic to penicillin and aspirin") takes the last one said before it."""
    if drugs_in_line <= 1:
        return line_status(text)
    lower = text.lower()
    at = lower.find(drug.lower())
    if at < 0:
        return line_status(text)
    bounds = sorted({0, *(m.end() for m in _CLAUSE.finditer(lower)), len(lower)})
    status = "taking"
    for start, end in itertools.pairwise(bounds):
        if start > at:
            break
        said = _said_status(text[start:end])
        if said is not None:
            status = said
    return status


def _drugs_in(text: str, drugs: frozenset[str]) -> list[str]:
    found = find_drugs(text, drugs)
    # "amoxicillin-clavulanate" names one drug, not also "amoxicillin"
    return [d for d in found if not any(d != o and d in o for o in found)]


def medications_by_rule(transcript: Transcript, vocabulary: Iterable[str] = ()) -> list[NoteStatement]:
    drugs = frozenset(load_drug_lexicon(vocabulary))
    by_drug: dict[str, NoteStatement] = {}
    for seg in transcript.segments:
        text = seg.text.strip()
        if not text or text.endswith(("?", "？")):
            continue  # a question names a drug without saying anything about it
        named = _drugs_in(text, drugs)
        for drug in named:
            status = drug_status(text, drug, len(named))
            # the dose said right after the drug's name ("metformin 500 mg", "撲熱息痛五百毫克")
            at = text.lower().find(drug)
            dose = _DOSE.search(text[at + len(drug) : at + len(drug) + 24]) if at >= 0 else None
            name = drug if drug in _CHINESE_DRUGS else drug.capitalize()
            label = f"{name} {dose.group(0)}" if dose else name
            key = _CHINESE_DRUGS.get(drug, drug)
            prior = by_drug.get(key)
            if prior is not None:
                prior.evidence.append(seg.id)
                if prior.status != "allergy":  # an allergy stays an allergy
                    prior.status = status
                if dose and " " not in prior.text:
                    prior.text = label
                continue
            by_drug[key] = NoteStatement(text=label, evidence=[seg.id], status=status, source="quote")
    return list(by_drug.values())


def stopped_drugs(transcript: Transcript, vocabulary: Iterable[str] = ()) -> dict[str, str]:
    """drug -> segment id, for every drug a line says to stop (or that the patient is allergic to)."""
    drugs = frozenset(load_drug_lexicon(vocabulary))
    out: dict[str, str] = {}
    for seg in transcript.segments:
        named = _drugs_in(seg.text, drugs)
        for drug in named:
            if drug_status(seg.text, drug, len(named)) in ("stopped", "allergy"):
                out[_CHINESE_DRUGS.get(drug, drug)] = seg.id
    return out
