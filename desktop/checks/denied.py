"""What the consultation denied in words the concept list does not know.

The concept list (``concepts.json``) knows a few hundred findings; a consultation denies many more
("no haloes", "calves soft", "冇光圈"). Here the words right after a negation, or the items of a
question answered with a bare "no", are kept as *denied phrases* (English: up to three content
words; Chinese: two to four characters). A note that states such a phrase as present, where the
consultation never said it without a negation, is told apart by :func:`denied_in_note`.

Only the history and examination carry findings: plan and instructions ("avoid alcohol") are not
read for this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from desktop.checks.negation import bare_no
from desktop.checks.text import Piece, clauses, condition_start, is_question, sentences

# Words that carry no finding: function words, verbs of having and noticing, vague nouns.
_FUNCTION_WORDS = """
    a an the any some no not none nor or and but with without of to in on at for from by as is are was were
    be been being am have has had having do does did doing get got getting i you he she it we they me him
    her them my your his its our their this that these those there here what which who when where how why
    any anything something nothing everything all more much many very really quite too so just only also
    still yet ever never again now today recently lately since ago before after about like feel feels felt
    feeling noticed notice noticing seen see saw think thought know known sure really at all else other
    problem problems trouble issues issue symptoms symptom things thing way bit little lot lots kind sort
    pain pains worse better same changes change new time times day days week weeks month months year years
    left right side both one two three first last well fine okay ok good bad normal history family
"""
_FUNCTION = frozenset(_FUNCTION_WORDS.split())
_EN_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]", re.IGNORECASE)
_ZH_RUN = re.compile(r"[\u3400-\u9fff]{2,4}")
_ZH_STOP_CHARS = "呀啊喎嘅都同或者咩乜嘢過咗緊到得住晒"
_ZH_LEAD = re.compile(r"^(?:咩|乜嘢|乜|有|試過|試|見|覺得|發覺|再)+")
_ITEM_SPLIT = re.compile(r",|，|、|\bor\b|\band\b|或者|或|同埋|同|定係|及", re.IGNORECASE)
_ASK_LEAD = re.compile(
    r"^\s*(?:(?:and|so|okay|ok|now)\s+)?(?:have you (?:had|noticed|got|seen)|do you (?:have|get|feel)|"
    r"did you (?:have|get|notice)|are you|is there|are there|any(?:thing)?|有冇|有無|有沒有|你有冇|會唔會|"
    r"係咪|最近有冇|以前有冇)\s*",
    re.IGNORECASE,
)


def _content_words(text: str) -> list[str]:
    return [w.lower() for w in _EN_WORD.findall(text) if w.lower() not in _FUNCTION]


def _english_phrase(text: str) -> str:
    """The first run of up to three content words (the denied thing), or ''."""
    run: list[str] = []
    for w in _EN_WORD.findall(text):
        lw = w.lower()
        if lw in _FUNCTION:
            if run:
                break
            continue
        run.append(lw.rstrip("s") if len(lw) > 4 and lw.endswith("s") and not lw.endswith("ss") else lw)
        if len(run) == 3:
            break
    return " ".join(run)


def _chinese_phrase(text: str) -> str:
    text = _ZH_LEAD.sub("", text)
    m = _ZH_RUN.match(text)
    if m is None:
        return ""
    phrase = m.group(0)
    for i, ch in enumerate(phrase):
        if ch in _ZH_STOP_CHARS:
            phrase = phrase[:i]
            break
    return phrase if len(phrase) >= 2 else ""


@dataclass
class Denials:
    """Phrases the consultation denied (phrase -> line ids) and the text it affirmed."""

    denied: dict[str, list[str]] = field(default_factory=dict)
    affirmed: list[str] = field(default_factory=list)  # lower-cased text outside negations and questions

    def add(self, phrase: str, lines: Iterable[str]) -> None:
        if phrase:
            known = self.denied.setdefault(phrase, [])
            known.extend(x for x in lines if x not in known)

    def said_without_negation(self, phrase: str) -> bool:
        if _is_chinese(phrase):
            return any(phrase in text for text in self.affirmed)
        pattern = _phrase_pattern(phrase)
        return any(pattern.search(text) for text in self.affirmed)


def _is_chinese(phrase: str) -> bool:
    return bool(_ZH_RUN.search(phrase))


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"\b" + r"s?\W+(?:\w+\W+){0,1}".join(words) + r"(?:s|es)?\b", re.IGNORECASE)


def _phrase(text: str) -> str:
    return _chinese_phrase(text) if _ZH_RUN.match(text.lstrip()) else _english_phrase(text)


def read_denials(
    lines: Sequence[tuple[str, str, str, list[tuple[int, int]]]], covered: Iterable[tuple[str, int, int]] = ()
) -> Denials:
    """``lines``: (id, speaker, text, negated ranges) in order. ``covered``: (line id, start, end)
    spans the concept list already read (their phrases are left to it)."""
    out = Denials()
    known: dict[str, list[tuple[int, int]]] = {}
    for line_id, start, end in covered:
        known.setdefault(line_id, []).append((start, end))
    for i, (line_id, speaker, text, negated) in enumerate(lines):
        spans = known.get(line_id, [])
        kept: list[str] = []
        for s in sentences(text):
            if is_question(s.text):
                nxt = lines[i + 1] if i + 1 < len(lines) and lines[i + 1][1] != speaker else None
                if nxt is not None and bare_no(nxt[2]):
                    for item in _question_items(s):
                        out.add(_phrase(item), [line_id, nxt[0]])
                continue
            pos = s.start
            cond = condition_start(s.text)
            for a, b in sorted(negated):
                if not (s.start <= a < s.end):
                    continue
                if cond is not None and a >= s.start + cond:
                    continue  # "如果…十二個鐘冇小便…就即刻去急症室": a condition, nothing denied
                kept.append(text[pos:a])
                pos = max(pos, b)
                if any(x <= a + 2 and a < y for x, y in spans):
                    continue  # the concept list knows what is denied here
                out.add(_phrase(text[a:b]), [line_id])
            kept.append(text[pos : s.end])
        out.affirmed.append(" ".join(kept).lower())
    return out


def _question_items(sentence: Piece) -> list[str]:
    body = _ASK_LEAD.sub("", sentence.text.strip().rstrip("?？").strip())
    return [part.strip() for part in _ITEM_SPLIT.split(body) if part and part.strip()]


def denied_in_note(
    denials: Denials, text: str, negated: list[tuple[int, int]]
) -> list[tuple[str, list[str]]]:
    """(phrase, lines) for each denied phrase the statement ``text`` states without a negation."""
    found: list[tuple[str, list[str]]] = []
    lower = text.lower()
    for phrase, line_ids in denials.denied.items():
        if _is_chinese(phrase):
            starts = [m.start() for m in re.finditer(re.escape(phrase), text)]
        else:
            if not _specific(phrase):
                continue
            starts = [m.start() for m in _phrase_pattern(phrase).finditer(lower)]
        if not starts:
            continue
        if all(any(a <= s < b for a, b in negated) for s in starts):
            continue
        if denials.said_without_negation(phrase):
            continue
        found.append((phrase, line_ids))
    return found


# "No appetite" is poor appetite: the lack of these is the symptom.
_LACK_IS_THE_SYMPTOM = frozenset(
    {"appetite", "energy", "interest", "motivation", "sleep", "strength", "feeling", "sensation"}
)
_VAGUE_ENDINGS = ("ing", "ed", "ate", "ly", "ful", "ive", "able")


def _specific(phrase: str) -> bool:
    """Whether an English phrase names a finding clearly enough to hold against a note: two or
    more words, or one long technical word ("lymphadenopathy"), not one that is everywhere and
    means different things in different places ("swelling", "planning")."""
    words = phrase.split()
    if any(w in _LACK_IS_THE_SYMPTOM for w in words):
        return False
    if len(words) > 1:
        return not words[0].endswith(("ing", "ed")) or len(words) > 2
    word = words[0]
    return len(word) >= 8 and not word.endswith(_VAGUE_ENDINGS)


def note_clauses(text: str) -> list[Piece]:
    return [c for s in sentences(text) for c in clauses(s)]
