"""The bilingual concept lexicon (``concepts.json``): findings, diagnoses, tests, specialties,
allergens, Chinese drug names and the drug classes that cross-react in an allergy.

One concept has terms in English and Chinese, so a Cantonese transcript and an English note
agree (冇發燒 and "no fever" are the same finding).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("finding", "diagnosis", "test", "specialty", "allergen")
_NEGATING = re.compile(
    r"冇|無|沒|没|唔|未|不|否|\b(?:not|isn't|wasn't|aren't|doesn't|don't|never|no)\b", re.I
)
_LATIN = re.compile(r"[A-Za-z]")
_TEST_AFTER = re.compile(
    r"\s*(?:cultures?|tests?|swabs?|samples?|smears?|specimens?|microscopy|analysis|PCR|[- ]?creatinine ratio|"
    r"ratio|load|serology|titres?|titers?)\b|培養|化驗|樣本",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    category: str
    concept: str
    start: int
    end: int
    negated_inside: bool = False  # a pattern's skipped characters hold a negation (頭就唔痛)
    absent_term: bool = False  # the term itself says "absent" (afebrile); negated it says present

    def negated(self, ranges: list[tuple[int, int]]) -> bool:
        """Whether the mention says the finding is absent, given the line's negated ranges."""
        outside = any(a <= self.start < b for a, b in ranges)
        if self.absent_term:
            return not outside  # "not sleeping well" is poor sleep
        return self.negated_inside or outside


@dataclass
class _Term:
    pattern: re.Pattern[str]
    concept: str
    is_regex: bool
    absent: bool = False  # the term itself says the finding is absent (afebrile, 體溫正常)


def _term_pattern(term: str) -> tuple[re.Pattern[str], bool]:
    if term.startswith("re:"):
        return re.compile(term[3:]), True
    if term.startswith("re!:"):
        # a pattern whose negating words are the finding itself ("四日冇大便", "can't breathe")
        return re.compile(term[4:]), False
    if not _LATIN.search(term):
        return re.compile(re.escape(term)), False
    body = re.escape(term).replace(r"\ ", r"[\s-]+")
    if term.isupper() or any(c.isupper() for c in term[1:]):
        return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z])"), False
    return re.compile(rf"(?<![A-Za-z]){body}(?:s|es)?(?![A-Za-z])", re.IGNORECASE), False


class Concepts:
    """Matches the lexicon's concepts in text."""

    def __init__(self, data: dict[str, object]) -> None:
        self._terms: dict[str, list[_Term]] = {}
        for category in CATEGORIES:
            table = data.get(category, {})
            assert isinstance(table, dict)
            terms: list[_Term] = []
            for concept, words in table.items():
                for word in words:
                    absent = str(word).startswith("no:")
                    pattern, is_regex = _term_pattern(str(word)[3:] if absent else str(word))
                    terms.append(_Term(pattern, str(concept), is_regex, absent))
            self._terms[category] = terms
        zh = data.get("zh_drug", {})
        assert isinstance(zh, dict)
        self.zh_drugs: dict[str, str] = {str(k): str(v) for k, v in zh.items() if v}
        classes = data.get("drug_class", {})
        assert isinstance(classes, dict)
        self.drug_classes: dict[str, list[str]] = {
            str(name): [str(n) for n in spec["names"]]
            for name, spec in classes.items()
            if isinstance(spec, dict) and spec.get("cross_reactive")
        }
        groups = data.get("drug_group", {})
        assert isinstance(groups, dict)
        # a word for a kind of drug (去水丸 "water pill") -> the drugs it may stand for
        self.drug_groups: dict[str, list[str]] = {str(k): [str(n) for n in v] for k, v in groups.items()}
        parts = data.get("combination", {})
        assert isinstance(parts, dict)
        # a combination product's name -> the drugs it holds ("co-codamol" -> codeine, paracetamol)
        self.combinations: dict[str, list[str]] = {str(k): [str(n) for n in v] for k, v in parts.items()}
        links = data.get("allergen_class", {})
        assert isinstance(links, dict)
        self.allergen_class: dict[str, str] = {str(k): str(v) for k, v in links.items()}

    @classmethod
    @functools.cache
    def default(cls) -> Concepts:
        path = Path(__file__).with_name("concepts.json")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def find(self, text: str, categories: tuple[str, ...] = CATEGORIES) -> list[Mention]:
        """Mentions of each category; within a category the longest match wins an overlap."""
        out: list[Mention] = []
        for category in categories:
            found: list[tuple[int, int, _Term]] = []
            for term in self._terms[category]:
                for m in term.pattern.finditer(text):
                    if m.end() > m.start():
                        found.append((m.start(), m.end(), term))
            found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
            taken: list[tuple[int, int]] = []
            for start, end, term in found:
                if any(start < b and a < end for a, b in taken):
                    continue
                taken.append((start, end))
                if category in ("finding", "diagnosis") and _TEST_AFTER.match(text, end):
                    # "sputum culture", "stool sample", "viral load": the name of a test
                    continue
                inside = term.is_regex and bool(_NEGATING.search(text[start:end]))
                out.append(Mention(category, term.concept, start, end, inside, term.absent))
        return sorted(out, key=lambda m: (m.start, m.category))

    def concepts(self, text: str, category: str) -> set[str]:
        return {m.concept for m in self.find(text, (category,))}
