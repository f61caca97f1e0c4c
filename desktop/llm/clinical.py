"""Is there anything clinical to draft? A consultation of greetings or small talk gets an
empty draft that says so, never a note made up from the prompt's examples.

A line counts as clinical when it names a symptom, a body part, a medicine, a test, an
examination or a diagnosis (English or Chinese), or a drug from the clinic's lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from desktop.core.types import Transcript
from desktop.documents.factguard import load_drug_lexicon

_EN = re.compile(
    r"\b(pains?|painful|aches?|aching|hurts?|hurting|sore|fever\w*|temperature|cough\w*|phlegm|"
    r"breath\w*|wheez\w*|nause\w*|vomit\w*|diarrh\w*|constipat\w*|rash\w*|itch\w*|swell\w*|swollen|"
    r"bleed\w*|blood|dizz\w*|headaches?|migraines?|tired\w*|fatigue|insomnia|appetite|weight|urine|"
    r"urinat\w*|bowels?|stools?|chest|heart|lungs?|abdom\w*|stomach|tummy|throat|ears?|eyes?|knees?|"
    r"joints?|muscles?|skin|mood|anxi\w*|depress\w*|tablets?|pills?|medicines?|medications?|doses?|"
    r"mg|milligrams?|micrograms?|inhalers?|creams?|prescri\w*|allerg\w*|diagnos\w*|infection\w*|"
    r"diabet\w*|pressure|asthma|examin\w*|x-?rays?|scans?|bloods|symptoms?|pregnan\w*|injur\w*|"
    r"wounds?|numb\w*|tingl\w*|smok\w*|alcohol|vaccin\w*|surgery|operation|referr\w*|sick|unwell|"
    r"ill|hospital|pharmac\w*|cholesterol|sugar|kidneys?|liver|bladder|spine|neck|shoulders?|"
    r"wrists?|ankles?|hips?|feet|foot|toes?|fingers?|teeth|tooth|gums?|nose|sinus\w*|period|"
    r"bp|pulse|sats?|ecg|mri|ultrasound|biopsy|physio\w*|antibiotics?|painkillers?|swallow\w*|"
    r"palpitat\w*|faint\w*|seizures?|lumps?)\b",
    re.IGNORECASE,
)
_ZH = re.compile(
    r"痛|發燒|發熱|燒|咳|痰|氣促|氣喘|喘|嘔|肚|瀉|屙|便秘|疹|痕|癢|腫|出血|血壓|血糖|暈|頭|攰|疲倦|"
    r"失眠|瞓唔著|胃口|體重|小便|尿|大便|心口|心跳|心臟|肺|胸|喉|耳|眼|膝|腰|背|關節|皮膚|情緒|"
    r"藥|敏感|過敏|診斷|感染|糖尿|哮喘|檢查|驗|照|症|懷孕|月經|傷|麻|痺|食煙|吸煙|飲酒|打針|"
    r"手術|轉介|覆診|唔舒服|不舒服|病"
)
# Everyday senses of those words, removed before matching: a chat about the weather, a match
# or a trip ("fingers crossed", "the temperature outside", 鐘頭 "an hour", 麻煩你 "excuse me",
# 叉燒 "roast pork", 護照 "passport") names no symptom and no body part.
_EN_EVERYDAY = re.compile(
    r"\b(?:fingers? crossed|cross(?:ed|ing)? (?:my|our|your) fingers|break a leg|"
    r"pain in the (?:neck|backside|bum|butt)|an arm and a leg|all ears|play(?:ing)? it by ear|"
    r"neck and neck|cold feet|foot the bill|put (?:my|your|his|her) foot down|by heart|"
    r"heart'?s content|sick (?:of|and tired)|keep(?:ing)? (?:an|my|your|our) eyes? (?:on|out)|"
    r"eyes peeled|(?:it|that|this) (?:won't|wouldn't|can't|will not|would not) hurt to|"
    r"(?:outside|air|water|room|sea) temperatures?|the temperatures? (?:outside|today|tonight|tomorrow|"
    r"this (?:morning|afternoon|evening|week)|dropped|rose|will)|(?:over|for) a (?:short |long )?period|"
    r"period of time|sugar in (?:my|your|his|her|the) (?:tea|coffee))\b",
    re.IGNORECASE,
)
_ZH_EVERYDAY = re.compile(
    r"頭先|開頭|鐘頭|日頭|外頭|裏頭|裡頭|上頭|後頭|前頭|街頭|碼頭|念頭|老頭|彩頭|噱頭|風頭|兩頭|尾頭|"
    r"照顧|照片|照相|照樣|按照|關照|護照|拍照|照住|照返|睇症|啲症|"
    r"燒烤|燒賣|叉燒|燒肉|燒鵝|燒味|"
    r"麻煩|麻將|芝麻|背景|背包|背囊|耳機|耳環|痕跡|肚餓|"
    r"經驗|體驗|考驗|測驗|"
    # "病人" (the patient) and "醫生" (the doctor) name people, not problems.
    r"病人|醫生"
)


# Chinese drug names heard in Hong Kong consulting rooms, with the English name they are listed by.
CHINESE_DRUGS = {
    "撲熱息痛": "paracetamol",
    "必理痛": "paracetamol",
    "布洛芬": "ibuprofen",
    "阿士匹靈": "aspirin",
    "阿司匹林": "aspirin",
    "二甲雙胍": "metformin",
    "盤尼西林": "penicillin",
    "青黴素": "penicillin",
}


@lru_cache(maxsize=4)
def _drug_pattern(drugs: frozenset[str]) -> re.Pattern[str]:
    names = sorted((d for d in drugs if len(d) >= 4), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(" + "|".join(re.escape(d) for d in names) + r")(?![a-z])")


def find_drugs(text: str, drugs: frozenset[str]) -> list[str]:
    """The lexicon's drug names in ``text`` (longest name first where two overlap), in order."""
    found = list(dict.fromkeys(m.group(1) for m in _drug_pattern(drugs).finditer(text.lower())))
    return found + [name for name in CHINESE_DRUGS if name in text]


def clinical_line(text: str, drugs: frozenset[str] = frozenset()) -> bool:
    if _EN.search(_EN_EVERYDAY.sub(" ", text)) or _ZH.search(_ZH_EVERYDAY.sub("", text)):
        return True
    return bool(drugs) and bool(find_drugs(text, drugs))


def clinical_line_count(transcript: Transcript, vocabulary: Iterable[str] = ()) -> int:
    drugs = frozenset(load_drug_lexicon(vocabulary))
    return sum(1 for seg in transcript.segments if clinical_line(seg.text, drugs))


def has_clinical_content(transcript: Transcript, vocabulary: Iterable[str] = ()) -> bool:
    """At least one line that names something clinical."""
    return clinical_line_count(transcript, vocabulary) >= 1
