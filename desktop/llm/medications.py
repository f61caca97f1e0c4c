"""The medications and allergies part of the note, read from the transcript by rule.

Every drug a line names (the drug lexicon plus the clinic's vocabulary) is listed once, with
what the consultation decided about it: the patient takes it, it was started, changed or
stopped, or the patient is allergic to it. The decision is the checks' reading of the whole
consultation (:mod:`desktop.checks.extract`: cue words scoped to their clause, questions read
with their answers, conditions and negations kept apart), so the note and the check before
signing agree on every drug. A drug the reading does not know (a name only the clinic's
vocabulary has) gets what its last line says. This backs up the model's answer when it is
unusable, and overrules it where the transcript is explicit: a drug the doctor stopped is never
listed as started (a small model once told the patient to take a drug the doctor had just stopped).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from desktop.checks.concepts import Concepts
from desktop.checks.extract import Line, Said, read_consultation
from desktop.checks.meds import (
    ALLERGY,
    AVOID,
    CHANGE,
    CONTINUE,
    KEEP,
    RANK,
    START,
    STOP,
    MedFinder,
    default_drug_finder,
    find_cues,
)
from desktop.core.types import NoteStatement, Transcript
from desktop.documents.factguard import load_drug_lexicon
from desktop.lexicon.english import common_english_words
from desktop.llm.clinical import CHINESE_DRUGS, clinical_line, find_drugs

_DOSE = re.compile(
    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|[一二三四五六七八九十百千兩]+)\s*(mg|milligrams?|micrograms?|mcg|g|grams?|ml|毫克|克|微克)",
    re.IGNORECASE,
)


def line_status(text: str) -> str:
    """What one line says about the drugs it names."""
    return _said_status(text) or "taking"


# A cue word's decision as a medications status (the checks' cue words: desktop.checks.meds).
_CUE_STATUS = {
    ALLERGY: "allergy",
    STOP: "stopped",
    AVOID: "stopped",
    CHANGE: "changed",
    START: "started",
    CONTINUE: "taking",
}


def _said_status(text: str) -> str | None:
    """The status a piece of text says in words; None when it says nothing ("the methotrexate").
    The strongest cue decides (an allergy over a stop, a stop over a start); "don't stop it" keeps."""
    said = [c.kind for c in find_cues(text) if c.kind in _CUE_STATUS or c.kind == KEEP]
    if not said:
        return None
    strongest = min(said, key=lambda kind: RANK[kind])
    return "taking" if strongest == KEEP else _CUE_STATUS[strongest]


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


@lru_cache(maxsize=1)
def _reader() -> tuple[MedFinder, Concepts]:
    concepts = Concepts.default()
    return MedFinder(default_drug_finder(), concepts), concepts


@dataclass(frozen=True)
class Reading:
    """The consultation read once, as the checks read it: drugs with their decisions, allergens,
    and the lines by id."""

    said: Said
    lines: dict[str, Line]


def read_medications(transcript: Transcript) -> Reading:
    """The consultation's reading for :func:`medications_by_rule` and :func:`stopped_drugs`
    (a draft reads it once and passes it to both)."""
    meds, concepts = _reader()
    lines = [Line(s.id, s.speaker, s.text) for s in transcript.segments if s.text.strip()]
    return Reading(read_consultation(lines, meds, concepts), {line.id: line for line in lines})


def _statuses(reading: Reading) -> dict[str, str]:
    """Canonical drug name -> what the consultation decided about it.

    A drug first named as one the patient already takes and later "started" at a dose ("I've
    tried ibuprofen" … "I'm going to prescribe ibuprofen 800 mg") had its dose changed."""
    said, by_id = reading.said, reading.lines
    meds, _ = _reader()
    out: dict[str, str] = {}
    for key, drug in said.drugs.items():
        final = drug.final
        status = _CUE_STATUS.get(final[0], "taking") if final else "taking"
        earlier = [d for d, _ in drug.decisions[:-1]]
        if status == "started" and ("continue" in earlier or "change" in earlier):
            # "let's continue the allopurinol 100 mg … order allopurinol 100 mg": the order is the refill
            status = "changed" if "change" in earlier else "taking"
        if status == "started":
            first_start = next(line for d, line in drug.decisions if d == "start")
            before = drug.lines[: drug.lines.index(first_start)] if first_start in drug.lines else []
            if any(_taken_in(by_id[i], key, meds) for i in before if i in by_id):
                status = "changed"
        out[key] = status
    for key in said.allergens:
        out[key] = "allergy"
    return out


_TAKEN = re.compile(
    r"\b(?:you're on|you are on|i'm on|i am on|been on|taking|takes|take|took|tried|using|used)\b|食緊|食開|有食",
    re.IGNORECASE,
)


def _taken_in(line: Line, key: str, meds: MedFinder) -> bool:
    """The patient names the drug, or a line says it is taken ("you're on lisinopril")."""
    found = [m for m in meds.find(line.text) if m.key == key]
    if not found:
        return False
    if line.speaker == "patient":
        return True
    return any(_TAKEN.search(line.text, max(0, m.start - 40), m.start) for m in found)


def medications_by_rule(
    transcript: Transcript, vocabulary: Iterable[str] = (), reading: Reading | None = None
) -> list[NoteStatement]:
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
            name = drug if drug in CHINESE_DRUGS else drug.capitalize()
            label = f"{name} {dose.group(0)}" if dose else name
            key = CHINESE_DRUGS.get(drug, drug)
            prior = by_drug.get(key)
            if prior is not None:
                prior.evidence.append(seg.id)
                if prior.status != "allergy":  # an allergy stays an allergy
                    prior.status = status
                if dose and " " not in prior.text:
                    prior.text = label
                continue
            by_drug[key] = NoteStatement(text=label, evidence=[seg.id], status=status, source="quote")
    reading = reading or read_medications(transcript)
    decided = _statuses(reading)
    meds, _ = _reader()
    listed: set[str] = set()
    for key, st in by_drug.items():
        listed.add(meds.key(key))
        reading_status = decided.get(meds.key(key))
        if reading_status is not None:
            st.status = reading_status
    _add_from_reading(by_drug, listed, reading, decided)
    return list(by_drug.values())


def _add_from_reading(
    by_drug: dict[str, NoteStatement],
    listed: set[str],
    reading: Reading,
    decided: dict[str, str],
) -> None:
    """Drugs the reading found that no whole line named: inside a question that was answered
    ("Are you still on the lisinopril? Yes, 20 mg"), or in a line that ends with a question; and
    allergens named (not the drugs of their class)."""
    said, by_id = reading.said, reading.lines
    meds, _ = _reader()
    for key, found in said.drugs.items():
        if key in listed or key not in decided:
            continue
        doses = sorted(found.doses)
        label = found.surface[:1].upper() + found.surface[1:]
        if len(doses) == 1:
            label += f" {doses[0][0]:g} {doses[0][1]}".rstrip()
        by_drug[key] = NoteStatement(
            text=label, evidence=list(found.lines), status=decided[key], source="quote"
        )
        listed.add(key)
    for key, where in said.allergens.items():
        named = [i for i in where if i in by_id and any(m.key == key for m in meds.find(by_id[i].text))]
        if key not in listed and named:
            by_drug[key] = NoteStatement(
                text=key.capitalize(), evidence=named, status="allergy", source="quote"
            )
            listed.add(key)


def stopped_drugs(transcript: Transcript, reading: Reading | None = None) -> dict[str, tuple[str, str]]:
    """Generic name -> (why, line id) for every drug the consultation ends with stopped, held or
    to be avoided ("stopped"), and every allergen with the drugs of its class ("allergy"): the
    checks' reading, so a drug stopped and then continued is not stopped."""
    said = (reading or read_medications(transcript)).said
    out: dict[str, tuple[str, str]] = {}
    for key, drug in said.drugs.items():
        final = drug.final
        if final is not None and final[0] in ("stop", "avoid"):
            out[key] = ("stopped", final[1])
    for key, where in said.allergens.items():
        if where:
            out[key] = ("allergy", where[-1])
    return out


def drugs_named(text: str) -> set[str]:
    """The generic names of the drugs ``text`` names (brands, British and Chinese names included)."""
    meds, _ = _reader()
    return {m.key for m in meds.find(text)}


_WORD = re.compile(r"[a-z]{5,}")


def _unknown_name(text: str, source: str) -> bool:
    """A word no dictionary knows that the transcript says ("cisplestan 40 mg"): perhaps a drug
    heard wrong, kept for the doctor to read; "no medications mentioned" and "a1c of six point
    seven" name nothing."""

    common = common_english_words()
    return any(w not in common and w in source and not clinical_line(w) for w in _WORD.findall(text.lower()))


def merge_medications(
    model: list[NoteStatement], rule: list[NoteStatement], answered: bool, source: str
) -> list[NoteStatement]:
    """The model's medications checked against the transcript's reading.

    A statement that names no medicine is dropped; one that names several without a dose is
    split, one drug a line; each drug the reading knows gets the status the consultation decided
    (``rule``) and its lines as evidence; a drug the model left out is added from the transcript."""
    if not answered:
        return [_quoted(st) for st in rule]
    low = source.lower()
    merged: list[NoteStatement] = []
    for st in model:
        keys = drugs_named(st.text)
        if not keys and not _unknown_name(st.text, low):
            continue
        if len(keys) > 1 and not re.search(r"\d", st.text):
            merged += [
                NoteStatement(text=k, evidence=list(st.evidence), status=st.status) for k in sorted(keys)
            ]
            continue
        merged.append(st)
    for med in rule:
        keys = drugs_named(med.text) or {med.text.split()[0].lower()}
        same = [
            st
            for st in merged
            if drugs_named(st.text) & keys or med.text.split()[0].lower() in st.text.lower()
        ]
        if not same:
            merged.append(_quoted(med))
        for st in same:
            st.status = med.status
            st.evidence = list(dict.fromkeys([*st.evidence, *med.evidence]))
    return merged


def _quoted(st: NoteStatement) -> NoteStatement:
    return NoteStatement(text=st.text, evidence=list(st.evidence), status=st.status, source="quote")
