"""The fact guard: numbers, doses, units and drug names must come from the transcript.

The draft is written by a language model, which can invent a dose or a drug. Every
statement is checked against what was said: a number (with or without its unit) whose
value never occurs in the transcript, or a drug name that was never said, is returned as
*unsupported* and shown to the doctor. Nothing is removed silently; the guard only flags.

Numbers are compared by value, so "500mg", "500 mg" and "five hundred milligrams" agree,
and Chinese numerals (五百毫克) are read as numbers too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.core.types import SoapNote
from desktop.lexicon.drugs import DrugLexicon, looks_like_drug

UNITS = (
    "mg",
    "mcg",
    "µg",
    "ug",
    "g",
    "kg",
    "ml",
    "l",
    "mmhg",
    "mmol/l",
    "mmol",
    "bpm",
    "%",
    "units",
    "unit",
    "iu",
    "cm",
    "mm",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "year",
    "hours",
    "hour",
    "times",
    "tablets",
    "tablet",
    "puffs",
    "puff",
    "°c",
    "degrees",
    "milligrams",
    "micrograms",
    "millilitres",
    "milliliters",
)
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w.])(\d+(?:[.,]\d+)?)(?:\s*(?:/|over)\s*(\d+(?:\.\d+)?))?(?:\s*({_UNIT_RE})(?![a-z]))?",
    re.IGNORECASE,
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "萬": 10000, "万": 10000}
_CN_NUMBER = re.compile(r"[零〇一二兩两三四五六七八九十百千萬万]+")
EN_SMALL_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
EN_SMALL_NUMBERS["nought"] = 0  # "nought point four milligrams"
_EN_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
}
_EN_SCALES = {"hundred": 100, "thousand": 1000}
_WORD = re.compile(r"[a-z][a-z'-]*")
_LETTERS = re.compile(r"[^a-z]+")


def chinese_numeral_value(text: str) -> float | None:
    """Value of a Chinese numeral such as 五百, 一千二百五十, 十五, 三; None if not one."""
    if not text:
        return None
    total = 0
    section = 0
    digit = 0
    last_unit = 0  # the unit just before a final digit: 八百五 is 850, 一千二 1200 (八百零五 is 805)
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            if digit == 0:
                last_unit = 0
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                section = ((section + digit) or 1) * unit
                total += section
                section = 0
            else:
                section += (digit or 1) * unit
            digit = 0
            last_unit = unit
        else:
            return None
    if digit and last_unit >= 100 and text[-2] in _CN_UNITS:
        digit *= last_unit // 10
    return float(total + section + digit)


def english_number_values(text: str) -> set[float]:
    """Numbers spelled in words: 'five hundred' -> 500, 'twenty five' -> 25."""
    values: set[float] = set()
    words = _WORD.findall(text.lower())
    current: int | None = None
    for w in [*words, "."]:
        for part in w.split("-"):
            if part in EN_SMALL_NUMBERS:
                current = (current or 0) + EN_SMALL_NUMBERS[part]
            elif part in _EN_TENS:
                current = (current or 0) + _EN_TENS[part]
            elif part in _EN_SCALES and current is not None:
                current *= _EN_SCALES[part]
            elif part == "and" and current is not None:
                continue
            else:
                if current is not None:
                    values.add(float(current))
                current = None
    return values


def number_values(text: str) -> set[float]:
    values: set[float] = set()
    for m in _NUMBER.finditer(text):
        values.add(_to_float(m.group(1)))
        if m.group(2):
            values.add(_to_float(m.group(2)))
    for m in _CN_NUMBER.finditer(text):
        v = chinese_numeral_value(m.group(0))
        if v is not None:
            values.add(v)
    values |= english_number_values(text)
    return values


def _to_float(s: str) -> float:
    return float(s.replace(",", "."))


def load_drug_lexicon(extra: Iterable[str] = ()) -> set[str]:
    """Every Latin-script drug name the guard knows (generic names, brands, synonyms).

    Clinic vocabulary holds diseases and tests too ("hypertension", "HbA1c"): only its
    drug-shaped words join.
    """
    lexicon = _lexicon(tuple(sorted(_drug_shaped(extra))))
    return set(lexicon.variants()) | {n for n in lexicon.names() if n.isascii()}


def _drug_shaped(terms: Iterable[str]) -> set[str]:
    return {t.lower() for t in terms if t and t.isascii() and looks_like_drug(t)}


@functools.lru_cache(maxsize=8)
def _lexicon(extra: tuple[str, ...]) -> DrugLexicon:
    default = DrugLexicon.default()
    if all(default.canonical(t) for t in extra):
        return default
    return DrugLexicon.load(extra)


def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart for longer words (ASR spelling slips such as 'metformine')."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 6:
        return False
    # one insertion, deletion or substitution
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


@dataclass
class FactGuard:
    """Checks statements against one transcript's text."""

    transcript_text: str
    drugs: frozenset[str]
    _numbers: frozenset[float]
    _words: frozenset[str]
    _lower: str
    _lexicon: DrugLexicon
    _said: frozenset[str]  # generic names of the drugs the transcript names (brands resolved)
    _squashed: str  # the transcript's letters only

    @classmethod
    def for_transcript(cls, transcript_text: str, vocabulary: Iterable[str] = ()) -> FactGuard:
        lower = transcript_text.lower()
        lexicon = _lexicon(tuple(sorted(_drug_shaped(vocabulary))))
        return cls(
            transcript_text=transcript_text,
            drugs=lexicon.names(),
            _numbers=frozenset(number_values(transcript_text)),
            _words=frozenset(_WORD.findall(lower)),
            _lower=lower,
            _lexicon=lexicon,
            _said=frozenset(m.canonical for m in lexicon.find(transcript_text)),
            _squashed=_LETTERS.sub("", lower),
        )

    def _drug_in_transcript(self, drug: str) -> bool:
        if drug in self._lower:
            return True
        squashed = _LETTERS.sub("", drug)
        if len(squashed) >= 6 and squashed in self._squashed:  # "MetroCream" said "metro cream"
            return True
        parts = drug.split()
        if len(parts) > 1:
            return all(any(_close(p, w) for w in self._words) for p in parts)
        return any(_close(drug, w) for w in self._words)

    def check(self, text: str) -> list[str]:
        """The numbers, doses and drug names in ``text`` that the transcript does not support."""
        unsupported: list[str] = []
        for m in _NUMBER.finditer(text):
            values = [_to_float(m.group(1))] + ([_to_float(m.group(2))] if m.group(2) else [])
            if any(v not in self._numbers for v in values):
                unsupported.append(m.group(0).strip())
        for m in _CN_NUMBER.finditer(text):
            v = chinese_numeral_value(m.group(0))
            # single characters such as 一 are usually words ("一直"), not quantities
            if v is not None and len(m.group(0)) > 1 and v not in self._numbers:
                unsupported.append(m.group(0))
        lower = text.lower()
        for value in english_number_values(text):
            if value not in self._numbers:
                unsupported.append(_spelled(value))
        # drugs by name, brand or synonym: "Tylenol" in the note is supported by "paracetamol" said
        seen: set[str] = set()
        for mention in self._lexicon.find(text):
            surface = mention.surface.lower()
            seen.update(_WORD.findall(surface))
            if mention.canonical in self._said or self._drug_in_transcript(surface):
                continue
            unsupported.append(surface)
        # drugs no dictionary knows, recognised by their stem ("zorbaprazole")
        for word in _WORD.findall(lower):
            if word in seen or not looks_like_drug(word):
                continue
            seen.add(word)
            if not self._drug_in_transcript(word):
                unsupported.append(word)
        return _dedupe(unsupported)

    def guard_note(self, note: SoapNote) -> int:
        """Fill ``unsupported`` on every statement (and check the chief complaint); returns the count."""
        count = 0
        for _, st in note.statements():
            st.unsupported = self.check(st.text)
            count += len(st.unsupported)
        return count


def _spelled(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def default_drug_file() -> Path:
    return paths.assets_dir() / "vocabulary" / "drugs.txt"
