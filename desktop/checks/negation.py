"""Negation in English and Cantonese / written Chinese, NegEx style.

A *trigger* (no, denies, without, 冇, 無, 唔, 否認 …) negates what follows it up to the end of
its clause; a *post trigger* (ruled out, 都冇) negates what precedes it in the clause; a
*pseudo trigger* looks like a negation but is not one (有冇 "is there…?", 唔該 "please",
no change, not only). English negation carries across commas into a list ("nil weakness, numbness or speech
disturbance", "denies nausea, vomiting, diarrhea").

Chinese characters that negate are also parts of words (無力 "weak", 屙唔到尿 "cannot pass
urine"); callers pass the spans of the terms they matched, and a trigger inside one of them
is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from desktop.checks.text import Piece, clauses, sentences

EN_TRIGGERS = (
    r"no|not|never|none|nil|nor|neither|without|nope|denies|denied|deny|denying|"
    r"(?:nearly|almost)(?= (?:fell|fall|fallen|fainted|passed out|collapsed))|"
    r"negative for|free of|absence of|absent|no evidence of|no signs? of|"
    r"haven't|hasn't|hadn't|didn't|doesn't|don't|isn't|wasn't|aren't|weren't|won't|non(?=-)|"
    r"have not|has not|had not|did not|does not|do not|is not|was not|nothing"
)
EN_POST = (
    r"ruled out|(?:is |was |came back |were |are )?negative(?! for)|not present|not seen|absent|resolved|none|"
    # "Chest pain or shortness of breath are not reported": a note's way of writing a denial
    r"not (?:reported|noted|observed|mentioned|described|elicited|complained of)|"
    r"not that I(?:'ve| have)? (?:know of|noticed|can tell)|"
    # "seizure-free for 3 years", "pain-free"
    r"(?<=-)free"
)
EN_PSEUDO = (
    r"no change|no increase|not only|not just|not sure|not certain|not necessarily|no doubt|"
    r"not much better|no further(?= (?:improvement|change|progress|benefit|action|questions?))|no better|not better|not improving|not helping|isn't helping|"
    r"doesn't settle|does not settle|can't|cannot|unable|not as|not so(?! far)|no longer as|"
    # "no, just really just kind of a headache": the "no" answers the question, the rest is said
    r"no,? (?:just|only|actually|mainly|mostly|really just)|"
    # "Weight's the same, isn't it, Rosa?": a tag question asks for agreement, it denies nothing
    r"(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|won't|haven't|hasn't|can't) "
    r"(?:it|he|she|they|you|we|i|there)(?=\s*[,?])"
)
# 險些跌倒, 差啲暈低, "nearly fell": a near miss, not the event
ZH_TRIGGERS = r"(?:險些|差啲|差點|差一點|幾乎)(?=跌|暈|昏)|冇|無|沒有|没有|沒|没|未有|未曾|未試過|冇試過|從未|從來冇|唔|不|否認|並無|否|毋|未|非(?!常|洲|典|凡|但|法|要|得|緊急)"
ZH_POST = r"(?:都冇|都無|都沒有|都唔係|冇晒|全部冇|就冇|就無|就沒有|(?:呈|係|為|屬)?陰性)(?=[呀啊喎囉啦㗎嘅噃\s。，！？!?,.；;]*$)"
ZH_PSEUDO = (
    # 未有BB之前 "before the baby": a time, not a denial
    r"未(?:有|生|懷孕|結婚|開始|食)[^，。,]{0,4}?(?:之前|以前)|"
    r"有冇|有無|有沒有|有没有|係唔係|是不是|唔該|唔知|唔係好|未必|不過|不適|無論|唔單止|不但|不少|唔少|"
    r"唔錯|差唔多|唔使|不用|唔好|不要|唔會|不會|不宜|唔舒服|不舒服|唔得|冇問題|無問題|不良|"
    # 冇咁攰 "not as tired (as before)": less, not absent
    r"(?:冇|無|沒有|唔)(?:以前|之前|上次|平時)?(?:咁|那麼|這麼)|"
    # 瞓唔着, 食唔落, 行唔到: "cannot sleep / eat / walk", a verb's complement that says what is there
    r"(?<=[瞓睡食行睇聽企坐講諗記呼吸屙郁])(?:唔|不)(?:着|著|到|落|清|起|郁|掂|穩|切|晒|曬|入)"
)

_TRIGGER = re.compile(
    rf"(?P<pseudo>\b(?:{EN_PSEUDO})\b|{ZH_PSEUDO})|(?P<post>\b(?:{EN_POST})\b|{ZH_POST})|"
    rf"(?P<pre>\b(?:{EN_TRIGGERS})\b|{ZH_TRIGGERS})",
    re.IGNORECASE,
)
# a list of a few findings, then its verb: the subject of a denial written after it
_LISTED_SUBJECT = re.compile(
    r"\s*[\w'-]+(?:\s+[\w'-]+){0,3}(?:\s*(?:,|\bor\b|\band\b|\bnor\b)\s*[\w'-]+(?:\s+[\w'-]+){0,3}){1,4}"
    r"\s+(?:are|is|were|was)\s+",
    re.IGNORECASE,
)
_LIST_CONTINUES = re.compile(r"^[^.;。；]*\b(?:or|nor)\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:and\s+|or\s+|nor\s+)?(?:[A-Za-z-]+\s*){1,6}[.;,]?\s*$", re.IGNORECASE)


def _inside(pos: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def negated_ranges(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The character ranges of ``text`` that are negated.

    ``protected`` spans are words matched as terms: a negating character inside one of them
    (無力, 屙唔到尿) does not start a negation.
    """
    shield = list(protected)
    ranges: list[tuple[int, int]] = []
    for sentence in sentences(text):
        parts = clauses(sentence)
        for i, clause in enumerate(parts):
            prior_end = clause.start  # where the trigger before this one ended
            for m in _TRIGGER.finditer(clause.text):
                start = clause.start + m.start()
                bound, prior_end = prior_end, clause.start + m.end()
                if m.lastgroup == "pseudo" or _inside(start, shield):
                    continue
                if m.lastgroup == "post":
                    if not clause.text[: m.start()].strip() and i > 0:
                        # "Night sweats, not that I know of": the clause before is what it denies
                        ranges.append((parts[i - 1].start, start))
                    elif m.group(0).isascii():
                        # speech without punctuation runs a whole exam into one clause: "… calf
                        # tenderness negative Homans sign" denies what is just before it
                        reach = max(clause.start, start - _POST_REACH, bound)
                        if _LISTED_SUBJECT.fullmatch(text, clause.start, start):
                            # "Chest pain or shortness of breath are not reported": the whole list
                            reach = max(clause.start, bound)
                        ranges.append((reach, start))
                    else:
                        ranges.append((clause.start, start))
                    continue
                end = clause.end
                end = _extend_list(text, parts, i, end, m.group(0))
                stop = _SCOPE_END.search(text, clause.start + m.end(), end)
                if stop is not None:
                    # "no murmurs rubs or gallops so that's good … the exam shows papilledema"
                    end = stop.start()
                ranges.append((clause.start + m.end(), end))
    return ranges


_POST_REACH = 30  # characters an English post trigger ("ruled out", "negative") reaches back

# Words that start a new thought end an English negation (NegEx termination terms); speech
# recognised without punctuation otherwise negates on to the end of a long line.
_SCOPE_END = re.compile(
    r"\b(?:but|however|although|though|except|apart from|aside from|so|because|which|whereas|"
    r"that's|that is|it's|there's|i'm|we're|you're|now|you know|there (?:is|are|was|were)|"
    # a new clause with its own subject ("no history of tobacco and you limit alcohol", "no bruits
    # your lung exam you have some crackles")
    r"(?:and |but )?(?:i|you|he|she|we|they) (?:do|did|have|has|had|get|got|kinda|kind of|limit\w*|"
    r"drink\w*|feel|felt|notice\w*)(?! not\b| n't\b)|(?:on )?(?:your|his|her|the) \w+ exam)\b|"
    # "no weight loss (weight stable at 58 kg)": an aside in brackets with a measurement says
    # something of its own ("no hypoglycaemic symptoms (tremor, sweating)" lists what is denied)
    r"(?<!\bno)(?<!\bnot)(?<!\bwithout)\s\((?=[A-Za-z][^)]*\d)",
    re.IGNORECASE,
)


def _extend_list(text: str, parts: list[Piece], i: int, end: int, trigger: str) -> int:
    """English "no X, Y or Z", "denies A, B, C and D": the negation runs on over the commas into
    the list (items of up to four words, or a part joined by "or")."""
    if not trigger.isascii():
        return end
    j = i + 1
    while j < len(parts) and text[parts[j - 1].end - 1 : parts[j - 1].end] in ",":
        nxt = parts[j]
        if _TRIGGER.search(nxt.text) or not (_LIST_CONTINUES.search(nxt.text) or _LIST_ITEM.match(nxt.text)):
            break
        end = nxt.end
        j += 1
    return end


def is_negated(ranges: list[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b for a, b in ranges)


# An answer that is only "no" (to "Any chest pain or fever?"): it negates what was asked.
_BARE_NO = re.compile(
    r"^(?:no+(?: no+)*|nope|nah|none|nothing|never|not really|not anymore|not at all|none at all|no none at all|"
    r"nothing like that|neither|no,? (?:none|nothing|never)(?: at all)?|no,? not (?:at all|really|anymore)|"
    r"(?:no,? )?none of (?:that|those|them|these)|no to (?:both|all|all of them|either)|neither of (?:them|those)|"
    r"no,? (?:it|i|they|he|she|we) (?:don't|doesn't|does not|do not|didn't|did not|isn't|is not|wasn't|"
    r"was not|hasn't|has not|haven't|have not|am not|'m not|won't|can't)|"
    r"not that i(?:'ve| have)? (?:know of|noticed|can tell)|i don't think so|don't think so|"
    r"冇|無|沒有|没有|冇啊|冇呀|冇喎|冇㗎|冇嘅|都冇|兩樣都冇|全部都冇|未試過|冇試過|唔係|冇冇|"
    r"(?:冇\s*)?(?:都|完全|一啲都|從來都)?冇(?:咩|乜|過|見過|試過|諗過|感覺)?(?:咁嘅嘢|呢啲嘢|嗰啲嘢|呢樣嘢)?|都唔係|唔覺(?:有)?)$",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(r"[,，.。!！~…]+")
_BARE_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|i do|i have|有|有呀|有啊|有㗎|係|係呀|係啊|是|有的)$", re.IGNORECASE
)


def _first_clause(answer: str) -> str:
    first = sentences(answer)
    if not first:
        return ""
    parts = clauses(first[0])
    text = parts[0].text if parts else first[0].text
    return " ".join(_PUNCTUATION.sub(" ", text).split()).lower()


_NO_BUT = re.compile(
    r"^\s*no+\W+(?:but|it did|i did|it was|it has|i have|it used to|i used to|well|only|just)\b",
    re.IGNORECASE,
)


def bare_no(answer: str) -> bool:
    """True when the answer opens with nothing but a "no" (冇喎, nothing like that, not anymore);
    "no, it did get bad for a while" and "no, but …" go on to say otherwise."""
    if _NO_BUT.match(answer):
        return False
    head = _first_clause(answer)
    while head and head[-1] in "呀啊喎囉啦㗎嘅噃咧嘛喇":
        head = head[:-1]
    return bool(head) and bool(_BARE_NO.match(head))


def bare_yes(answer: str) -> bool:
    return bool(_BARE_YES.match(_first_clause(answer)))
