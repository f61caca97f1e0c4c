"""Allergies as a consultation tells them: "allergic to …", a reaction told of a drug (食完 Nurofen
喘, "Amoxil gave me a rash"), the answer to "Any allergies?", and "no known drug allergies"."""

from __future__ import annotations

import itertools
import re

from desktop.checks.concepts import Concepts
from desktop.checks.meds import ALLERGY, AVOID, TAKING, DrugUse, MedFinder, find_cues
from desktop.checks.model import Fact
from desktop.checks.negation import bare_no, bare_yes, is_negated
from desktop.checks.said import Said, _Read
from desktop.checks.text import Piece, is_question

REACTION = re.compile(
    r"\b(?:gave|gives|give|got|get|came out in|come out in|brought) (?:me|her|him|them)?\s*(?:a |an |some )?"
    r"(?:\w+ ){0,2}(?:rash|hives|swelling|swollen|blisters?|itch\w*|wheez\w*|reaction|spasms?|dystonia)|"
    r"(?:食完|食咗|用完|用咗|打完|打)[^，。]{0,16}?(?:出疹|紅疹|出過風癩|風癩|痕|腫|氣喘|喘|水泡)|"
    # 佢細個食 Keflex 出過成身風癩
    r"出過(?:成身|全身)?(?:風癩|紅疹|疹|水泡)|(?:成身|全身)(?:出|起)(?:咗|過)?(?:風癩|紅疹|疹)|"
    # 以前食布洛芬會氣喘, "aspirin makes me wheeze": what the drug does to the patient
    r"(?:會|就)(?:令(?:我|佢))?(?:成身|全身)?(?:出疹|紅疹|起疹|出風癩|起風癩|風癩|痕|腫|氣喘|喘|水泡)|"
    r"\b(?:makes?|made) (?:me|her|him|them) (?:wheez\w*|break out|swell\w*|itch\w*|come out in)|"
    r"\b(?:skin|whole body|body) (?:peeled|blistered)|\b(?:i|she|he) (?:had|got) (?:a )?(?:bad |severe |serious )?"
    r"(?:skin )?(?:reaction|rash|hives|swelling)",
    re.IGNORECASE,
)


def allergy_denied(read: _Read, at: int) -> bool:
    """Every allergy word of the sentence around ``at`` is negated ("no drug allergies", 冇敏感)."""
    sentence = next((s for s in read.sentences if s.start <= at < s.end), None)
    if sentence is None:
        return False
    cues = [c for c in find_cues(read.line.text, sentence.start, sentence.end) if c.kind == ALLERGY]
    return bool(cues) and all(is_negated(read.negated, c.start) for c in cues)


def read_allergies(
    said: Said, read: _Read, answer: _Read | None, meds: MedFinder, concepts: Concepts
) -> None:
    text = read.line.text
    # "You're allergic to sulfa drugs, right?" answered "Yes, a rash": the answer confirms it.
    confirmed = answer is not None and bare_yes(answer.line.text)
    for s in read.sentences:
        asked = is_question(s.text)
        if asked and not confirmed:
            continue
        lines = [read.line.id, answer.line.id] if asked and answer is not None else [read.line.id]
        members: set[str] = set()
        shown: list[str] = []
        cues = [c for c in find_cues(text, s.start, s.end) if c.kind == ALLERGY]
        reacted = _reaction_drug(read, s) if read.line.speaker != "doctor" else None
        for use in read.uses:
            if (
                s.start <= use.med.start < s.end
                and ((use.decision == ALLERGY and not allergy_denied(read, use.med.start)) or use is reacted)
                and not is_negated(read.negated, use.med.start)
            ):
                members.add(use.med.key)
                shown.append(use.med.surface)
        for m in read.mentions:
            if (
                m.category == "allergen"
                and s.start <= m.start < s.end
                and cues
                and not is_negated(read.negated, m.start)
            ):
                members.add(m.concept)
                shown.append(text[m.start : m.end])
        if not members and cues and not any(is_negated(read.negated, c.start) for c in cues):
            phrase = _allergen_phrase(s.text)
            if phrase:
                members.add("raw:" + phrase.lower())
                shown.append(phrase)
        if members:
            _allergy_fact(said, members, shown, lines, meds, concepts)
        elif cues and not asked and any(_denied_near(read, c.start) for c in cues):
            _no_allergy_fact(said, read.line.id)
    _reaction_after_avoid(said, read, meds, concepts)
    if (
        answer is not None
        # "我對 Septrin 敏感㗎，呢隻藥得唔得？": the patient asks about a drug; the doctor's answer
        # lists no allergies
        and read.line.speaker != "patient"
        and any(is_question(s.text) and find_cues(text, s.start, s.end) for s in read.sentences)
    ):
        _allergy_answer(said, read, answer, meds, concepts)


_DENIAL_REACH = 24  # "no known allergies", 冇藥物敏感; not "Not for you, the allergy rules out cipro"


def _denied_near(read: _Read, pos: int) -> bool:
    return any(a <= pos < b and pos - a <= _DENIAL_REACH for a, b in read.negated)


def _reaction_after_avoid(said: Said, read: _Read, meds: MedFinder, concepts: Concepts) -> None:
    """ "I can't have Tegretol. I had a bad skin reaction": the patient's reaction, told in the
    sentence after the drug they cannot take, is an allergy to it."""
    if read.line.speaker == "doctor":
        return
    for before, s in itertools.pairwise(read.sentences):
        if not REACTION.search(s.text) or any(s.start <= u.med.start < s.end for u in read.uses):
            continue
        avoided = [
            u
            for u in read.uses
            if before.start <= u.med.start < before.end
            # "Sulfasalazine. I got a rash all over and a temperature": the drug named alone
            and (u.decision == AVOID or not before.text.replace(u.med.surface, "").strip(" .。:：,，"))
        ]
        if avoided:
            members = {u.med.key for u in avoided}
            _allergy_fact(said, members, [u.med.surface for u in avoided], [read.line.id], meds, concepts)


_ALLERGEN_PHRASE = re.compile(
    r"allergic to (?:the |a |an )?(?P<en>[A-Za-z][\w-]*(?: [A-Za-z][\w-]*)?)|"
    r"(?P<en2>[A-Za-z][\w-]*) allergy|對\s*(?P<zh>[^\s，。,]{1,8}?)\s*(?:敏感|過敏)|"
    r"(?:食|用)\s*(?P<zh2>[^\s，。,]{1,8}?)\s*(?:會|就)?\s*(?:敏感|過敏)",
    re.IGNORECASE,
)
_NOT_ALLERGEN = re.compile(
    r"^(?:any|anything|it|them|this|that|medicines?|drugs?|your|my|his|her|their|our|the|an?|no|known|"
    r"藥物|藥|咩|乜|咩嘢|乜嘢|啲乜|啲咩|什麼|甚麼|邊啲藥|咩藥|乜藥|乜嘢藥|邊種藥|邊隻藥|邊隻|邊種|邊啲|什麼藥|甚麼藥)$",
    re.I,
)


def _allergen_phrase(sentence: str) -> str:
    """The allergen in a sentence naming no known drug: "allergic to sulfa drugs", 我食 Septrin 會敏感."""
    m = _ALLERGEN_PHRASE.search(sentence)
    if not m:
        return ""
    phrase = next(g for g in m.groups() if g).strip()
    phrase = re.sub(r"\s+(?:drugs?|tablets?|medicines?)$", "", phrase, flags=re.IGNORECASE)
    return "" if _NOT_ALLERGEN.match(phrase) else phrase


def _reaction_drug(read: _Read, s: Piece) -> DrugUse | None:
    """The drug a reaction is told of ("enalapril gave me a swollen tongue", 食咗會出紅疹): the
    nearest one named before the reaction in the sentence."""
    m = REACTION.search(read.line.text, s.start, s.end)
    if m is None:
        return None
    before = [u for u in read.uses if s.start <= u.med.start < m.end()]  # 食完 Nurofen 喘: inside it too
    return before[-1] if before else None


_SWITCHED_TO = re.compile(
    r"(?:轉|改|換)(?:咗|做|用|食)?\s*$|\b(?:switched|changed|moved|put) (?:me |him |her )?(?:on)?to\s*$|"
    r"\binstead (?:on|to)\s*$",
    re.IGNORECASE,
)


def _allergy_answer(said: Said, read: _Read, answer: _Read, meds: MedFinder, concepts: Concepts) -> None:
    """An answer to "Any allergies?": "Doxycycline, it gave me a rash", "codeine 呀", "No"."""
    asked_allergy = any(
        c.kind == ALLERGY
        for s in read.sentences
        if is_question(s.text)
        for c in find_cues(read.line.text, s.start, s.end)
    )
    if not asked_allergy:
        return
    denied = any(
        c.kind == ALLERGY and is_negated(answer.negated, c.start) for c in find_cues(answer.line.text)
    )
    if bare_no(answer.line.text) or denied:
        # "我食緊 simvastatin…。冇藥物敏感。": the drugs answer the other question
        _no_allergy_fact(said, answer.line.id)
        return
    first = answer.sentences[0] if answer.sentences else None
    if first is None:
        return
    if not any(c.kind == ALLERGY for c in find_cues(answer.line.text, first.start, first.end)):
        # "咩藥？有冇藥物敏感？" answered "tamsulosin，每晚一粒。敏感就……食 Voltaren 會腫嘴唇": the
        # first sentence answers the first question; the allergy is told where its word is
        told = next(
            (
                s
                for s in answer.sentences[1:]
                if any(c.kind == ALLERGY for c in find_cues(answer.line.text, s.start, s.end))
            ),
            None,
        )
        if told is not None:
            return  # that sentence is read as an allergy of its own (a drug and its reaction)
    text = answer.line.text
    members = {
        u.med.key
        for u in answer.uses
        if first.start <= u.med.start < first.end
        and u.decision in (TAKING, ALLERGY)
        # "…食咗兩個禮拜出rash，所以先轉valproate": what was taken instead is no allergen
        and not _SWITCHED_TO.search(text, max(first.start, u.med.start - 10), u.med.start)
    }
    shown = [u.med.surface for u in answer.uses if u.med.key in members]
    for m in answer.mentions:
        if m.category == "allergen" and first.start <= m.start < first.end:
            members.add(m.concept)
            shown.append(answer.line.text[m.start : m.end])
    if members:
        _allergy_fact(said, members, shown, [read.line.id, answer.line.id], meds, concepts)


def _allergy_fact(
    said: Said, members: set[str], shown: list[str], lines: list[str], meds: MedFinder, concepts: Concepts
) -> None:
    key = "allergy:" + "+".join(sorted(members))
    for fact in said.facts:
        if fact.kind == "allergy" and fact.key == key:
            for line_id in lines:
                fact.add_line(line_id)
            break
    else:
        label = "allergy to " + ", ".join(dict.fromkeys(shown))
        said.facts.append(Fact("allergy", key, label, list(lines), {"members": sorted(members)}))
    for member in members:
        cls = concepts.allergen_class.get(member)
        related = meds.related(member) | (meds.related(cls) | {cls} if cls else set())
        for key in related:
            said.allergens.setdefault(key, []).extend(
                x for x in lines if x not in said.allergens.get(key, [])
            )


def _no_allergy_fact(said: Said, line_id: str) -> None:
    for fact in said.facts:
        if fact.kind == "allergy" and fact.key == "allergy:none":
            fact.add_line(line_id)
            return
    said.facts.append(Fact("allergy", "allergy:none", "no known drug allergies", [line_id], {"members": []}))
