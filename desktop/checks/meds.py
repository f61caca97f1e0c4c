"""Medicines in text: which drug, what was decided about it, its dose and how often.

Drug names come from the shared drug lexicon (``desktop.lexicon.drugs.DrugLexicon``: generic
and brand names with synonyms, so "Ventolin" and "salbutamol" are one drug); more Chinese names
(必理痛, 盤尼西林 …) from ``concepts.json``. What was decided is read from cue words near the
name, in English and Cantonese: stop / hold / avoid (停, 暫停, 唔好食, 避免), start, continue
(照食, 繼續), change (加到, increase) and allergy (敏感, 過敏, allergic). "Don't stop it" and
唔好停 mean continue. A cue inside a condition ("if you get a rash, stop …", 如果…就停藥) is
advice for later, not a decision.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from desktop.asr.script import has_cjk
from desktop.checks.amounts import count_before, doses_in, frequency_in
from desktop.checks.concepts import Concepts
from desktop.checks.text import Piece, clauses, condition_start, sentences


class DrugMentionLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def surface(self) -> str: ...
    @property
    def canonical(self) -> str: ...


class DrugFinder(Protocol):
    """The part of ``desktop.lexicon.drugs.DrugLexicon`` the checks use."""

    def find(self, text: str) -> Sequence[DrugMentionLike]: ...
    def canonical(self, phrase: str) -> str | None: ...


@functools.cache
def default_drug_finder() -> DrugFinder:
    """The shared drug lexicon (generic and brand names with synonyms, Chinese names included)."""
    from desktop.lexicon.drugs import DrugLexicon

    finder: DrugFinder = DrugLexicon.default()
    return finder


@dataclass(frozen=True)
class Med:
    key: str  # canonical name, lower case
    start: int
    end: int
    surface: str


_STRENGTH_WORD = re.compile(r"^(?:low|high|ultra-low|mini)[- ]dose\s+")


class MedFinder:
    """Drug mentions in English and Chinese text, each with a canonical key."""

    def __init__(self, finder: DrugFinder, concepts: Concepts) -> None:
        self.finder = finder
        self.concepts = concepts
        # Chinese names as written; English words for a kind of drug ("sleeping pill") on word
        # boundaries, in any case, plural too
        self._zh = [
            (
                re.compile(rf"\b{re.escape(name)}s?\b", re.IGNORECASE)
                if name.isascii()
                else re.compile(re.escape(name)),
                english,
            )
            for name, english in sorted(concepts.zh_drugs.items(), key=lambda kv: len(kv[0]), reverse=True)
        ]
        self._class_of: dict[str, set[str]] = {}
        self._members: dict[str, set[str]] = {}
        for name, members in concepts.drug_classes.items():
            keys = {self.key(m) for m in [*members, name]}
            self._members[name] = keys
            for k in keys:
                self._class_of.setdefault(k, set()).add(name)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one finder per process, names repeat
    def key(self, name: str) -> str:
        canonical = (self.finder.canonical(name) or name).strip().lower()
        # "low-dose aspirin" is aspirin: the dictionary's strength words name no other drug
        return _STRENGTH_WORD.sub("", canonical) or canonical

    def find(self, text: str) -> list[Med]:
        found: list[Med] = []
        for m in self.finder.find(text):
            found.append(Med(self.key(m.canonical or m.surface), m.start, m.end, m.surface))
        for pattern, english in self._zh:
            for hit in pattern.finditer(text):
                found.append(Med(self.key(english), hit.start(), hit.end(), hit.group(0)))
        found.sort(key=lambda d: (-(d.end - d.start), d.start))
        kept: list[Med] = []
        for d in found:
            if not any(d.start < k.end and k.start < d.end for k in kept):
                kept.append(d)
        return sorted(kept, key=lambda d: d.start)

    def members(self, cls: str) -> set[str]:
        """The drugs of a class the concept list names ("nsaids"): none for a name that is no class."""
        return set(self._members.get(cls, ()))

    def stands_for(self, key: str) -> set[str]:
        """The drugs a word for a kind of drug may name ("diuretic": furosemide, …); none for a drug."""
        return {self.key(n) for n in self.concepts.drug_groups.get(key, ())}

    def group_words(self, key: str) -> list[str]:
        """The words for a kind of drug that may stand for ``key`` (furosemide: "diuretic")."""
        return [g for g in self.concepts.drug_groups if key in self.stands_for(g)]

    def related(self, key: str) -> set[str]:
        """The drug itself and, for a class that cross-reacts in allergy, every member of its class."""
        out = {key}
        for name in self._class_of.get(key, ()):
            out |= self._members[name]
        return out


# ------------------------------------------------------------------ decisions
ALLERGY, STOP, AVOID, CONTINUE, CHANGE, START, TAKING = (
    "allergy",
    "stop",
    "avoid",
    "continue",
    "change",
    "start",
    "taking",
)
# "hold it in place", "hold still", "hold your breath": not holding a drug
_NOT_A_HOLD = (
    r"(?!\s+(?:on\b|still\b|steady\b|your breath|(?:it|them|this|that)\s+(?:in place|still|steady|together|"
    r"there|up)\b))"
)
# "start checking your sugars", "start to feel better": starting something that is no drug
_NOT_A_START = r"(?!\s+(?:kind of |kinda |sort of )?(?!tak|us)[a-z]+ing\b)(?!\s+to (?!take\b|use\b)[a-z]+)"
# "I want you to take ibuprofen 600 mg …", "I'm gonna have you take ten milligrams of melatonin":
# the doctor telling the patient to take a drug at a dose decides it (a bare "take your
# lisinopril" does not)
_DIRECTIVE = re.compile(
    r"\b(?:(?:want|need|like|have|get)\s+you\s+(?:to\s+)?(?:take|use|try)|you\s+(?:can|should)\s+(?:take|use|try))\b"
    r"[^,;.]{0,30}$",
    re.IGNORECASE,
)
_YOUR_BEFORE = re.compile(r"\b(?:your|his|her|the same)\s+$", re.IGNORECASE)
# "stops the thyroxine being absorbed", "stops it from working"
_WHAT_IT_STOPS = re.compile(
    r"\s+(?:the\s+|your\s+|it\s+|them\s+)?(?:[\w-]+\s+){0,2}?(?:being|from|getting|working)\b", re.IGNORECASE
)
KEEP = "keep"  # a negated stop ("don't stop it", 唔好停): read as continue, and it outranks a stop
_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        KEEP,
        re.compile(
            r"\b(?:do not|don't|dont|never|no need to|shouldn't|not to|need not)\s+(?:\w+\s+){0,2}?"
            r"(?:stop|discontinue|hold|withhold)\w*|唔好停|不要停|唔使停|不用停|毋須停|唔好暫停|唔停|"
            r"(?:千祈|切勿|絕對)?(?:唔好|不要|不可|不可以|唔可以|切勿)(?:自己|隨便|突然|擅自|自行)?(?:暫停|停)|"
            # 每排服完即接續下一排，中間不停藥: taken without a break
            r"不停(?:藥|服|用)|(?:無|冇|沒有)停(?:藥|服)",
            re.IGNORECASE,
        ),
    ),
    (
        ALLERGY,
        re.compile(
            r"\b(?:allerg(?!\w*\s+(?:rhinitis|conjunctivitis))\w*|anaphyla\w*|hypersensitiv\w*|intoleran\w*|"
            r"(?:bad |severe |serious |an? )?reactions? to)|"
            r"(?<![鼻膚])(?:敏感|過敏|过敏)(?!性)",
            re.IGNORECASE,
        ),
    ),
    (
        AVOID,
        re.compile(
            r"\b(?:avoid\w*|no longer (?:take|use|have|need)\w*|leav(?:e|ing) (?=(?:the |your )?[\w-]+ out\b)|"
            r"(?:is|'s) (?:a )?(?:definite |firm |clear )?no\b|rather not (?:start|use|give|prescribe)|"
            r"declined|refused|not (?:been |be )?started|"
            r"(?:do not|don't|never|not to|shouldn't|must not|mustn't|can't|cannot|can not) "
            r"(?:take|use|give|have|start|restart|resume|apply)\w*|"
            r"won't (?:give|prescribe|use)|contraindicated|no more(?! than)|not (?:be )?used|not (?:be )?given|"
            r"not (?:be )?prescribed|not (?:recommended|advised)|(?:don't|do not|wouldn't|would not) recommend|"
            r"advised against|recommended against|off the table|out of the question|not an option)\b|不建議|唔建議|唔推介|不推薦|"
            r"唔好(?:再)?(?:食|用|俾|畀|服|打|搽)|不要(?:再)?(?:服|吃|用|給|俾|畀)|(?:唔可以|不可以|唔能夠|不能|唔准|不准)再?(?:食|用|服|吃|搽)|唔會(?:俾|開)|避免|切勿|忌|不宜|"
            # 不處方 Klacid, 不可服用家中的 diclofenac, 不要再於下午加服 Ritalin
            r"不(?:予|會|再)?處方|不可(?:再)?(?:服用|服|食|用)|(?:不要|唔好)再[^，。,]{0,6}?(?:服|食|用|吃)|"
            # 呢類都唔開 "I won't prescribe these"
            r"(?:都)?唔開(?!心|始|估)|不(?:會)?開(?!心|始)|"
            r"唔食得|(?:今次)?唔(?:再)?用(?!擔心|驚|怕)|不(?:使)?用(?!再|擔心|怕|緊張)|唔使住|"
            r"\bno need for\b",
            re.IGNORECASE,
        ),
    ),
    (
        # 停晚上一粒, "stop the evening dose": one dose of the day dropped, the drug goes on
        CHANGE,
        re.compile(
            r"(?:\b(?:stop|drop|omit)(?:ping)? the |停(?:咗|埋)?)\s*(?:evening|morning|night(?:-time)?|lunchtime|midday|"
            r"晚上|夜晚|朝早|早上|晏晝|中午|晚)\s*(?:嗰|的)?\s*(?:一)?(?:粒|次|片|dose|tablet)?",
            re.IGNORECASE,
        ),
    ),
    (
        STOP,
        re.compile(
            # "stop the adrenaline working": what a drug would do, not a decision
            # "a nosebleed that won't stop": not a decision
            r"\b(?:(?<!won't )(?<!doesn't )(?<!does not )(?<!will not )(?<!didn't )"
            r"stop\w*(?!\s+(?:the\s+|your\s+|his\s+|her\s+)?[\w-]+\s+(?:from\s+)?(?:work(?:ing|s)?|being)\b)|"
            r"discontinu\w*|ceas\w*|(?:hold|holding)" + _NOT_A_HOLD + r"|withh[oe]ld\w*|suspend\w*|cut out|"
            r"come off|came off|coming off|(?:switch(?:ed|ing)?|chang(?:e|ed|ing)) (?:(?:him|her|them|you) )?from|"
            r"(?:was|were) (?:also |previously )?on(?= (?:[\w-]+ ){1,3}(?:before|previously|in the past)\b)|"
            r"(?:is|will be|as) (?:the|your) (?:last|final) (?:one|dose|injection|tablet)|last (?:dose|injection)|"
            r"used to (?:take|be on|use)|(?:get|take) (?:you|him|her|them) off)\b|"
            r"最後一(?:次|粒|針|劑|日)|"
            r"停咗|停止|停用|停服|停藥|暫停|(?:唔使|不用|毋須|無須|不需要?|唔需要)再(?:食|用|服|吃|搽)|唔好再(?:食|用)|戒|停",
            re.IGNORECASE,
        ),
    ),
    (
        CHANGE,
        re.compile(
            r"\b(?:increas\w*|decreas\w*|reduc\w*|upped|up (?:it|the dose)|lower\w*|titrat\w*|doubl\w*|halv\w*|"
            r"(?:bring|bringing|brought|take|taking|cut|cutting) (?:(?:it|that|them|the dose|him|her) )?down|"
            r"(?:go|going) (?:down|up) on)\b|"
            r"加到|加至|增加|減到|減至|減少|減低|加大|改為|調整|減做|加做|改做|減為|加為|減藥|加藥",
            re.IGNORECASE,
        ),
    ),
    (
        # "my GP started me on metformin", "I was started on it in March": taken since, not new today
        TAKING,
        re.compile(
            r"\b(?:(?:started|put) (?:me|him|her|them|us) on|(?:since |after |when )?i started(?: taking| on)?|"
            r"(?:was|were|been|got|get) (?:just )?"
            r"(?:started|put) on|started (?:it|this|that|them)(?= (?:[\w-]+ ){0,4}(?:ago|back)\b))\b",
            re.IGNORECASE,
        ),
    ),
    (
        START,
        re.compile(
            r"\b(?:(?:start|restart)\w*"
            + _NOT_A_START
            + r"|resum\w*|begin|commenc\w*|add(?:ed|ing)?|prescrib\w*|"
            r"give(?! (?:me|him|her|them|us)\b)|giving(?! (?:me|him|her|them|us)\b)|"
            r"try|trial|initiat\w*|switch(?:ed)? to|change(?:d)? to|put (?:you|him|her|them) on|rx|instead(?! of))\b|"
            r"開始|開(?![心始])|加(?![到至大重劇深])|試吓|試下|轉食|轉用|改用|改食|(?:食|噴|用|搽)返(?!嚟|去|屋企|學)",
            re.IGNORECASE,
        ),
    ),
    (
        CONTINUE,
        re.compile(
            r"\b(?:continu(?!ous)\w*|cont|keep(?: taking| using| on)?|carry on|carrying on|remain on|stay on|"
            r"(?:not|n't|no need to) (?:\w+ ){0,3}(?:make )?any changes)\b|"
            r"繼續|照食|照舊|照常|維持",
            re.IGNORECASE,
        ),
    ),
    (
        TAKING,
        re.compile(r"\b(?:take|taking|takes|took|use|using|on)\b|食緊|食開|服用|食|服|打緊|用緊|搽|噴", re.I),
    ),
]
# Priority when one drug collects several cues.
RANK = {ALLERGY: 0, KEEP: 1, STOP: 2, AVOID: 3, CHANGE: 4, START: 5, CONTINUE: 6, TAKING: 7}


@dataclass(frozen=True)
class Cue:
    kind: str
    start: int
    end: int


def find_cues(text: str, start: int = 0, end: int | None = None) -> list[Cue]:
    """Decision cues in ``text[start:end]``; a negated stop ("don't stop") is a continue cue."""
    end = len(text) if end is None else end
    taken: list[tuple[int, int]] = []
    cues: list[Cue] = []
    for kind, pattern in _CUES:
        for m in pattern.finditer(text, start, end):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            cues.append(Cue(kind, m.start(), m.end()))
    return sorted(cues, key=lambda c: c.start)


@dataclass
class DrugUse:
    """One drug mention with what the sentence around it says about it."""

    med: Med
    sentence: Piece
    decision: str = TAKING
    decided: bool = False  # a cue was found (TAKING by default otherwise)
    conditional: bool = False
    doses: list[tuple[float, str]] = field(default_factory=list)
    per_day: set[float] = field(default_factory=set)
    as_needed: bool = False
    named_in: str = ""  # the drug whose brackets name this one: "Epiduo (adapalene/benzoyl peroxide)"
    hold_before: bool = False  # "stop the aspirin seven days before the operation"
    resumed: bool = False  # "skip tonight's and tomorrow's, then restart on Saturday": held, then taken again


def drug_uses(text: str, meds: list[Med]) -> list[DrugUse]:
    """What each mention's sentence decides about it, with the dose and frequency after it."""
    uses: list[DrugUse] = []
    for sentence in sentences(text):
        # "lithium level", "digoxin 濃度": a blood test, not the drug
        inside = [
            m
            for m in meds
            if sentence.start <= m.start < sentence.end and not _LEVEL_AFTER.match(text, m.end)
        ]
        if not inside:
            continue
        cond = condition_start(sentence.text)
        cond_at = sentence.start + cond if cond is not None else None
        sentence_uses = [DrugUse(m, sentence) for m in inside]
        for use in sentence_uses:
            use.conditional = _in_condition(use.med.start, cond_at)
        _assign_cues(text, sentence, sentence_uses, cond_at)
        for i, use in enumerate(sentence_uses):
            stop = sentence_uses[i + 1].med.start if i + 1 < len(sentence_uses) else sentence.end
            window = text[use.med.end : stop]
            other = _ANOTHER_DRUG.search(window)
            if other is not None:
                window = window[: other.start()]  # "…Epiduo 都唔好再用，淨係食新嗰隻，二十毫": the new one's
            use.doses = doses_in(window, right_after_name=True)
            use.per_day, use.as_needed = frequency_in(window)
            clause = next(c for c in clauses(sentence) if c.start <= use.med.start < c.end)
            before = max(clause.start, sentence_uses[i - 1].med.end if i else clause.start)
            if not use.doses:
                # "two puffs of salbutamol", 食一粒 cetirizine: a count named before the drug
                use.doses = count_before(text[before : use.med.start])
            if (
                use.decision == TAKING
                and (use.doses or use.as_needed or doses_in(text[before : use.med.start]))
                and not _YOUR_BEFORE.search(text, max(before, use.med.start - 12), use.med.start)
                and not use.conditional
                and _DIRECTIVE.search(text, max(before, use.med.start - 60), use.med.start)
            ):
                use.decision, use.decided = START, True
            if not use.per_day and has_cjk(text[before : use.med.start]):
                # 瞓覺前食一粒 cetirizine: Chinese often names the time before the drug ("Senna 2 tabs
                # nocte while on co-codamol" names the senna's)
                use.per_day, _ = frequency_in(text[before : use.med.start])
        _product_brackets(text, sentence, sentence_uses)
        for use, nxt in itertools.pairwise(sentence_uses):
            brand = _UNKNOWN_BRAND_BEFORE.search(text, max(0, use.med.start - 40), use.med.start)
            if brand is not None and _AND_IN_BRACKETS.fullmatch(text, use.med.end, nxt.med.start):
                # "Epiduo (adapalene/benzoyl peroxide)": the ingredients of a product the lexicon lacks
                use.named_in = brand.group("name").lower()
        for a, b in itertools.pairwise(sentence_uses):
            bracket = bool(_ALSO_NAMED.fullmatch(text, a.med.end, b.med.start))
            if bracket:
                b.named_in = a.named_in or a.med.key
            elif a.named_in and _AND_IN_BRACKETS.fullmatch(text, a.med.end, b.med.start):
                b.named_in = a.named_in  # the bracket's second ingredient
            if (
                not a.doses
                and (b.doses or b.per_day)
                and (bracket or _COMBINED.fullmatch(text, a.med.end, b.med.start))
            ):
                # "Malarone (atovaquone/proguanil) 1 tab daily", 鈣片加維他命D，每日一粒: the dose
                # after the second name is the first one's too
                a.doses, a.per_day, a.as_needed = list(b.doses), set(b.per_day), b.as_needed
        uses += sentence_uses
    _doses_said_after(text, uses)
    return uses


_OPEN_AFTER = re.compile(r"\s*(?:\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?\s*)?[(（]")


def _product_brackets(text: str, sentence: Piece, uses: list[DrugUse]) -> None:
    """ "Femoston 1/10 (estradiol 1 mg / dydrogesterone 10 mg) 1 tab daily": the drugs in the brackets
    are what the product holds, with their own strengths; what follows the brackets is the product's."""
    for i, use in enumerate(uses):
        opened = _OPEN_AFTER.match(text, use.med.end, sentence.end)
        if opened is None:
            continue
        close = next((k for k in range(opened.end(), sentence.end) if text[k] in ")）"), None)
        inside = [u for u in uses[i + 1 :] if opened.end() <= u.med.start < (close or 0)]
        if close is None or not inside:
            continue
        after = next((u.med.start for u in uses[i + 1 :] if u.med.start > close), sentence.end)
        tail = text[close + 1 : after]
        for k, u in enumerate(inside):
            u.named_in = u.named_in or use.med.key
            stop = inside[k + 1].med.start if k + 1 < len(inside) else close
            u.doses = doses_in(text[u.med.end : stop], right_after_name=True)
            u.per_day, u.as_needed = frequency_in(text[u.med.end : stop])
        use.doses = [*use.doses, *(d for d in doses_in(tail) if d not in use.doses)]
        per_day, as_needed = frequency_in(tail)
        use.per_day |= per_day
        use.as_needed = use.as_needed or as_needed


# "… push the methotrexate up to twenty milligrams. So eight tablets, once a week": a sentence that
# goes on about the drug before it gives that drug's amount
_GOES_ON = re.compile(r"\s*(?:so|that's|that is|which is|i\.e\.|即係|即|咁即係)\b\s*", re.IGNORECASE)


_THE_STRENGTH = re.compile(
    r"\s*(?:the|a)\s+(\d+(?:\.\d+)?)\s*(mg|milligrams?)?(?:\s+ones?)?\s*[.!]?\s*$", re.I
)
_ONLY_HOW_OFTEN = re.compile(
    r"\s*(?:maybe|about|around|roughly|usually|probably|perhaps|normally|generally|mostly|only)?\s*"
    r"(?:once|twice|three times|four times|every|\d+ times)\b[\w ]{0,20}[.!]?\s*$",
    re.IGNORECASE,
)


def _doses_said_after(text: str, uses: list[DrugUse]) -> None:
    if not uses:
        return
    last = uses[-1]
    for sentence in sentences(text):
        if sentence.start < last.sentence.end or any(
            sentence.start <= u.med.start < sentence.end for u in uses
        ):
            continue
        if sentence.start != last.sentence.end and text[last.sentence.end : sentence.start].strip():
            return
        strength = _THE_STRENGTH.match(sentence.text)
        if strength is not None and not last.doses:
            # "Zopiclone. The 7.5. One every night": the strength named on its own
            last.doses.append((float(strength.group(1)), "mg" if strength.group(2) else ""))
            continue
        named_alone = (
            not text[last.sentence.start : last.sentence.end].replace(last.med.surface, "").strip(" .。:：")
        )
        if not _GOES_ON.match(sentence.text) and not named_alone:
            per_day, _ = frequency_in(sentence.text)
            if per_day and _ONLY_HOW_OFTEN.match(sentence.text) and not doses_in(sentence.text):
                last.per_day |= per_day  # "I take one when an attack builds. Maybe twice a week."
            return
        last.doses += [d for d in doses_in(sentence.text) if d not in last.doses]
        per_day, _ = frequency_in(sentence.text)
        last.per_day |= per_day
        return


# How far (characters) an "if" reaches. A written sentence ends it; speech recognised without
# punctuation can run a whole consultation into one "sentence" after "if it's okay with you".
_CONDITION_REACH = 150


def _in_condition(pos: int, cond_at: int | None) -> bool:
    return cond_at is not None and cond_at <= pos < cond_at + _CONDITION_REACH


def _assign_cues(text: str, sentence: Piece, uses: list[DrugUse], cond_at: int | None) -> None:
    """Each cue goes to the nearest drug in its clause (the sentence's last drug when the clause has none)."""
    parts = clauses(sentence)
    for clause in parts:
        in_clause = [u for u in uses if clause.start <= u.med.start < clause.end]
        for cue in find_cues(text, clause.start, clause.end):
            if _in_condition(cue.start, cond_at):
                continue
            if any(u.med.start <= cue.start < u.med.end for u in uses):
                continue
            if _no_decision(text, cue, clause, sentence, uses):
                continue
            if cue.kind in (START, CONTINUE) and _LATER_BEFORE.search(text, clause.start, cue.start):
                # "the endoscopy team will say when to restart it": not restarted now
                later = _object_of(text, cue, in_clause)
                if later is not None:
                    later.conditional = True
                continue
            if _PRONOUN_AFTER.match(text, cue.end):
                # "stop it and use paracetamol instead": the pronoun is a drug named before, or
                # something that is not a drug ("stop that, it doesn't mix with sertraline")
                before = [u for u in uses if u.med.end <= cue.start]
                if not before:
                    continue
                targets = before[-1:]
                if (
                    len(before) > 1
                    and _SUBJECT_GAP.fullmatch(text, sentence.start, before[0].med.start)
                    and _SO.match(text, clause.start)
                ):
                    # "Rifampicin interacts with warfarin, so we won't use it": the subject
                    targets = before[:1]
            else:
                obj = _object_of(text, cue, uses)
                # "stop your prednisone and continue with the methotrexate": a verb's object
                # follows it, however near the drug before it ends
                targets = (
                    [obj]
                    if obj is not None
                    else in_clause or [u for u in uses if u.med.start < cue.start][-1:] or uses[:1]
                )
                if obj is None and min(_gap(u.med, cue) for u in targets) > _FAR:
                    continue  # far from every drug: about something else
                if (
                    obj is None
                    and (
                        cue.kind in (START, CONTINUE, CHANGE)
                        # a stop or avoid near its drug ("Stop OTC hydrocortisone") keeps it
                        or (cue.kind in (STOP, AVOID) and min(_gap(u.med, cue) for u in targets) > _NEAR)
                        # "skip the perfume, and keep some cetirizine with you": no drug in its clause
                        or (cue.kind in (STOP, AVOID) and not in_clause)
                    )
                    and _own_object(text, cue, uses, clause.end)
                ):
                    # "start taking your blood sugars", "avoid salty foods", "since we stopped your
                    # birth control": the verb has an object of its own
                    continue
                if (
                    cue.kind == ALLERGY
                    and _ALLERGY_NOUN.fullmatch(text, cue.start, cue.end)
                    and all(
                        u.med.start > cue.end and not _TO_AFTER.search(text, cue.end, u.med.start)
                        for u in targets
                    )
                ):
                    continue  # "a little bit of allergies, maybe we can try some Singulair": what it treats
            nearest = min(targets, key=lambda u: (_gap(u.med, cue), u.med.start < cue.start))
            if cue.kind == STOP and _BEFORE_EVENT.match(text, cue.end, clause.end):
                # "stop the Eliquis two days before the colonoscopy": a hold for later, read as one
                nearest.conditional = nearest.hold_before = True
            if (
                cue.kind == START
                and nearest.decision in (STOP, AVOID)
                and _RESUMED.search(text, max(clause.start, cue.start - 12), cue.end)
            ):
                # "今晚同聽晚都唔好食，停兩晚，之後禮拜六晚先食返": held for two nights, then taken again
                nearest.resumed = True
            if not nearest.decided or RANK[cue.kind] < RANK[nearest.decision]:
                nearest.decision, nearest.decided = cue.kind, True
    _decisions_by_object_and_company(text, parts, uses, cond_at)


def _no_decision(text: str, cue: Cue, clause: Piece, sentence: Piece, uses: list[DrugUse]) -> bool:
    """A cue that decides nothing about a drug: a hope, what a drug does, advice for later, a limit,
    a caution, a course that ends, food kept off, when to take it."""
    if cue.kind in (STOP, START, CHANGE) and _HOPE.search(text, max(clause.start, cue.start - 40), cue.start):
        return True  # "hopefully we can eventually get you off that lisinopril": not decided today
    if (
        cue.kind == STOP
        and text[cue.start : cue.end].lower() == "stops"
        and (
            any(not text[u.med.end : cue.start].strip() for u in uses if u.med.end <= cue.start)
            or _WHAT_IT_STOPS.match(text, cue.end, clause.end)
        )
    ):
        # "the Gaviscon stops the iron being absorbed", "calcium stops the thyroxine being
        # absorbed": what something does, not a decision
        return True
    if cue.kind == START and _USUALLY.search(text, max(clause.start, cue.start - 20), cue.start):
        return True  # "平時我會開 Augmentin, 不過…", "normally I'd use amoxicillin, but": not today's
    if cue.kind in (STOP, AVOID) and _CONDITION_AFTER.match(text, cue.end, clause.end):
        return True  # "Stop the colchicine if you get diarrhoea": advice for later, not a decision
    if cue.kind == START and _RESUME_LATER.match(text, cue.start, clause.end):
        return True  # "restart it when you finish the antibiotics": not today
    if cue.kind == AVOID and _LIMIT_AFTER.match(text, cue.end, clause.end):
        return True  # 唔好食多過兩日 "not more than two days": a limit, not "avoid"
    if cue.kind == AVOID and _IN_PREGNANCY_AFTER.match(text, cue.end, clause.end):
        return True  # "adapalene mustn't be used in pregnancy": a caution, not a stop
    if cue.kind == STOP and _AFTER_FINISHING.search(text, clause.start, cue.start):
        return True  # 食完 omeprazole 之後停兩個禮拜: a pause after the course, not a stop now
    if (
        cue.kind == STOP
        and _THEN_BEFORE.search(text, max(clause.start, cue.start - 12), cue.start)
        and _CLAUSE_ENDS.match(text, cue.end)
        # ("reduce to 3.75 mg for a week, then stop": a taper, which does stop it)
        and not _TAPER.search(text, sentence.start, cue.start)
    ):
        return True  # "for five days, then just stop", 食完就停: the course ends, nothing stopped
    if cue.kind in (STOP, AVOID) and _FOOD_AFTER.match(text, cue.end, clause.end):
        return True  # 服鐵丸前後兩小時避免茶, "avoid alcohol with it": food and drink kept off
    # 避免與奶茶或鈣片同服, "avoid taking it with milk or calcium": when, not whether
    return bool(cue.kind in (STOP, AVOID) and _TOGETHER_AFTER.match(text, cue.end, clause.end))


def _decisions_by_object_and_company(
    text: str, parts: list[Piece], uses: list[DrugUse], cond_at: int | None
) -> None:
    """Decisions that go by the verb's object ("order you some Ultram", "settle off doxycycline") or
    by the drug named beside ("Stop oral diclofenac (Voltaren)", "Do not take losartan or metformin")."""
    for clause in parts:
        # "I'll order you some Ultram 50 mg": a start only of the drug it names; "settle off
        # doxycycline": a stop only of the drug right after it
        for kind, pattern in ((START, _ORDERED), (STOP, _OFF)):
            for m in pattern.finditer(text, clause.start, clause.end):
                if _in_condition(m.start(), cond_at) or (
                    kind == STOP and _HOPE.search(text, max(clause.start, m.start() - 40), m.start())
                ):
                    continue
                obj = _object_of(text, Cue(kind, m.start(), m.end()), uses)
                if obj is not None and kind == STOP and _BEFORE_EVENT.match(text, m.end(), clause.end):
                    obj.conditional = True  # "be off the omeprazole for two weeks before that test"
                if obj is not None and (not obj.decided or RANK[kind] < RANK[obj.decision]):
                    obj.decision, obj.decided = kind, True
    for clause in parts:  # "Stop oral diclofenac (Voltaren)": one drug named twice, one decision
        in_clause = [u for u in uses if clause.start <= u.med.start < clause.end]
        for use in in_clause:
            if not use.decided:
                same = [u for u in in_clause if u.med.key == use.med.key and u.decided]
                if same:
                    use.decision, use.decided = same[0].decision, True
    for clause in parts:  # "Do not take losartan or metformin", "losartan 同 metformin hold 咗": one verb
        in_clause = [u for u in uses if clause.start <= u.med.start < clause.end]
        for a, b in itertools.pairwise(in_clause):
            if _COORDINATED.fullmatch(text, a.med.end, b.med.start) and a.decided != b.decided:
                source, target = (a, b) if a.decided else (b, a)
                target.decision, target.decided = source.decision, True
            elif (
                a.decision == START
                and b.decision == TAKING
                and _GIVEN_TOGETHER.fullmatch(text, a.med.end, b.med.start)
                and not _YOUR_BEFORE.search(text, max(0, a.med.start - 12), a.med.start)
            ):
                b.decision, b.decided = START, True
    for use in uses:
        if use.decision == KEEP:
            use.decision = CONTINUE


_ALSO_NAMED = re.compile(r"\s*[(（]\s*")
_UNKNOWN_BRAND_BEFORE = re.compile(r"\b(?P<name>[A-Z][A-Za-z0-9-]{2,})\s*[(（]\s*$")
_COMBINED = re.compile(r"\s*(?:加|\+)\s*")
_AND_IN_BRACKETS = re.compile(r"\s*(?:/|\+|,|and|with|、|及|和)\s*", re.IGNORECASE)
_PRONOUN_AFTER = re.compile(
    r"\s*(?:it|that|this|them|those|these)\b|\s*(?:佢|呢隻|嗰隻|呢個|嗰個)(?=[，。,.！!？?；;\s]|$)", re.I
)
_LEVEL_AFTER = re.compile(r"\s*(?:(?:blood )?levels?\b|血藥濃度|濃度)", re.IGNORECASE)
_SUBJECT_GAP = re.compile(r"\s*(?:(?:the|your|his|her|their)\s+)?", re.IGNORECASE)
_SO = re.compile(r"\s*(?:so|and so|therefore|which is why)\b|\s*(?:所以|因此|咁)", re.IGNORECASE)
_COORDINATED = re.compile(
    r"(?:\s*[\w.]+\s*(?:mg|mcg|micrograms?|milligrams?|g|ml|units?|毫克|微克))?"
    r"\s*(?:,|and|or|&|/|、|同|及|和|或|或者)\s*(?:(?:the|your)\s+)?",
    re.IGNORECASE,
)
# Two drugs given together in speech, each with its dose and how often: "meloxicam 15 milligrams
# once a day along with some Ultram", "some Naprosyn and some Flexeril" (for a start only).
_GIVEN_TOGETHER = re.compile(
    r"(?:\s*(?:[\w.]+\s+){0,4}(?:mg|mcg|micrograms?|milligrams?|g|ml|units?|puffs?|tablets?))?"
    r"(?:\s*(?:once|twice|(?:three|four) times|a|per|day|daily|nightly|at night|in the morning|as needed|"
    r"every \w+ hours?|with food|as well))*"
    r"\s*,?\s*(?:and|or|along with|as well as|plus|,)\s*(?:(?:the|your|some|also)\s+)*",
    re.IGNORECASE,
)
# A verb followed by a thing that is neither a drug nor a word for one ("start checking your
# sugars", "stop the exercises"); a pronoun or "the tablets" may still be a drug named before.
# Verbs that start a drug only when the drug is their object: "order you some Ultram 50 mg",
# "I'll write you for Flexeril 5 mg", "dispense", "recommend" (an x-ray is ordered too).
_ORDERED = re.compile(
    r"\b(?:order(?:ed|ing)?|write (?:you|him|her) (?:a prescription )?for|dispens\w*|recommend\w*|"
    # "switched her from furosemide to torsemide": the drug after "to" is started
    r"from (?:an? |the |your |her |his )?[\w-]+ to)\b",
    re.IGNORECASE,
)
_BEFORE_EVENT = re.compile(
    r"[^,;.，；。]{0,60}?\bbefore (?:the |your |that |this |a |an |his |her )?(?:\w+ )?(?:test|scan|procedure|operation|"
    r"surgery|op|colonoscopy|endoscopy|gastroscopy|biopsy|x-ray|mri|ct|breath test|extraction|injection)\b|"
    r"[^，。；]{0,12}(?:手術|檢查|照|驗|做)[^，。；]{0,8}前",
    re.IGNORECASE,
)
_RESUMED = re.compile(
    r"(?:之後|然後|跟住|再|由)[^，。,.;]{0,10}?(?:食|用|服)返|\b(?:then|after that|from)\b[^,;.]{0,25}?\b(?:restart|resume|start again|go back on)",
    re.IGNORECASE,
)
_RESUME_LATER = re.compile(
    r"(?:restart|resume|re-start|go back on)\w*\b[^,;.]{0,40}?\b(?:when|once|after|as soon as)\b",
    re.IGNORECASE,
)
_ALLERGY_NOUN = re.compile(r"allerg(?:y|ies)", re.IGNORECASE)
_TO_AFTER = re.compile(r"\bto\b|:|-|–|—|：|\bsays\b|\bis\b", re.IGNORECASE)
_NEAR = 20  # characters: a stop this close to a drug is about it, whatever word follows the verb
_OFF = re.compile(r"\b(?:off|stopping|without)\b", re.IGNORECASE)
_OWN_OBJECT = re.compile(
    r"\s+(?:to\s+(?!take\b|use\b|keep\b|stay\b))?(?:(?:you|me|him|her|them|us)\s+)?(?:(?:taking|using|doing|on)\s+)?(?:(?:the|your|a|an|some|any)\s+)?"
    r"(?!(?:it|that|this|them|those|these|you|him|her|what|something|called|the|your|some|any|taking|using|doing|"
    r"are|is|was|were|will|would|can|could|should|going|gon|gonna|tablets?|pills?|medicines?|medications?|doses?|capsules?|"
    r"inhalers?|injections?|drops?|creams?|one|ones|each|all|low|high|course|prescription|because|for|due|and|"
    r"but|if|until|now|today|then|after|before|when|since|from|with|instead|again|back|off|soon|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|half)\b)"
    r"(?P<word>[a-z]{3,})",
    re.IGNORECASE,
)


def _own_object(text: str, cue: Cue, uses: list[DrugUse], end: int) -> bool:
    m = _OWN_OBJECT.match(text, cue.end, end)
    return m is not None and not any(u.med.start == m.start("word") for u in uses)


_USUALLY = re.compile(
    r"(?:平時|通常|一般)(?:我)?(?:哋)?(?:會|都會)|\b(?:normally|usually|typically|ordinarily) (?:i|we)(?:'d| would)?\b|"
    r"\b(?:i|we)(?:'d| would) (?:normally|usually|typically)\b",
    re.IGNORECASE,
)
_HOPE = re.compile(
    r"\b(?:eventually|hopefully|one day|someday|some day|in the long run|down the road)\b", re.I
)
_IN_PREGNANCY_AFTER = re.compile(
    r"[^,.;，。；]{0,14}?(?:\b(?:in|during) pregnancy\b|\bif (?:you (?:are|become|get) |you're )?pregnant\b|"
    r"\bwhile (?:pregnant|breastfeeding)\b|懷孕期間|懷孕時|孕期)",
    re.IGNORECASE,
)
_THEN_BEFORE = re.compile(r"(?:\bthen\s+(?:just\s+)?|(?:食完|用完|搽完|完成療程)(?:就|便)?)$", re.IGNORECASE)
_AFTER_FINISHING = re.compile(
    r"(?:食完|用完|搽完|完成)[^，。,]{0,24}(?:之後|以後|後)\s*$|\bafter (?:finishing|completing)\b[^,.;]{0,30}$",
    re.IGNORECASE,
)
_TAPER = re.compile(
    r"\b(?:reduc\w*|taper\w*|halv\w*|wean\w*|decreas\w*|cut (?:it )?down)\b|減", re.IGNORECASE
)
_CLAUSE_ENDS = re.compile(r"(?:\w*)\s*(?:[,.;:，。；：]|$)")
_ANOTHER_DRUG = re.compile(
    r"新嗰隻|新個隻|新嘅藥|另一隻|另外一隻|\bthe (?:new|other) (?:one|tablet|medicine)\b", re.IGNORECASE
)
_FOOD_AFTER = re.compile(
    r"\s*(?:飲|食|drinking|eating|taking)?\s*(?:茶|咖啡|奶|酒|西柚|\b(?:tea|coffee|milk|dairy|alcohol|grapefruit|caffeine)\b)",
    re.IGNORECASE,
)
_TOGETHER_AFTER = re.compile(
    r"\s*(?:(?:taking|having|using)\s+(?:it|them)\s+)?(?:與|同|和|跟|\bwith\b)[^，。,;.]{0,14}?"
    r"(?:同服|一齊|一起|同時|together|at the same time)",
    re.IGNORECASE,
)
_LIMIT_AFTER = re.compile(r"\s*(?:多過|超過|多於|more than|over)", re.IGNORECASE)
_LATER_BEFORE = re.compile(
    r"(?:\b(?:when|whether|if) to|\buntil (?:told|advised|asked|we tell you|i tell you) to|"
    r"幾時(?:可以)?|等[^，。]{0,8}先)\s*$",
    re.IGNORECASE,
)
_OBJECT_GAP = re.compile(
    r"(?:\s*(?:\b(?:with|on|the|your|his|her|their|to|taking|using|a|an|of|him|them|you|me|us|some|low|"
    r"dose|course|prescription|for|chemotherapy|treatment|therapy|injection|shot|"
    # "stop taking any nonsteroidal medicines such as your advil", "any of the nonsteroidals that
    # you're taking, the motrin"
    r"any|all|such|as|like|including|nonsteroidals?|nsaids?|anti-inflammator\w*|medicines?|medications?|"
    r"painkillers?|that|you're|you are|uh|um|different|new|another|other)\b|,))*\s*|"
    r"\s*(?:食|用|服|搽|噴|咗|埋|返|落)*\s*",
    re.IGNORECASE,
)
_CONDITION_AFTER = re.compile(
    r"[^,;:，；]{0,60}?\b(?:if|when|should)\b|[^,;:，；]{0,30}?(?:如果|若果|假如)", re.I
)


def _object_of(text: str, cue: Cue, uses: list[DrugUse]) -> DrugUse | None:
    """The drug right after a cue with only small words between ("continue with the methotrexate",
    "start you on a different medication, losartan")."""
    after = next((u for u in uses if u.med.start >= cue.end), None)
    if after is not None and _OBJECT_GAP.fullmatch(text, cue.end, after.med.start):
        return after
    return None


# How far (characters) a cue may be from the drug it is given to, unless the drug is its object.
# Speech recognised without punctuation runs a whole plan into one sentence: "i'll prescribe
# ibuprofen 800 mg … i also want to get you a referral to nutrition, just to try to help you".
_FAR = 80


def _gap(med: Med, cue: Cue) -> int:
    return max(med.start - cue.end, cue.start - med.end, 0)
