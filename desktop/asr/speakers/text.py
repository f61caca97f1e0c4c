"""What the words say about who is speaking.

In a consultation the doctor asks questions, dictates examination findings ("BP 165 over 95",
"chest clear") and gives instructions; the patient says "I have…", "my…", "since…"; a relative or
interpreter speaks of "my father", "he", "佢". These cues are weak one by one, so they only decide a
label where the voice itself is ambiguous, and they help to decide which voice is the doctor's
when no voice profile is enrolled.

Scores are log-odds-like numbers: positive means more likely, zero means no evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE

# (pattern, weight). English patterns match whole words; Chinese ones match characters.
_DOCTOR: list[tuple[re.Pattern[str], float]] = [
    (re.compile(r"[?？]\s*$"), 1.0),
    (
        re.compile(
            r"^\s*(do|does|did|have|has|are|is|was|were|can|could|any|how|when|where|what|which|why)\b",
            _FLAGS,
        ),
        0.8,
    ),
    (
        re.compile(r"\b(do you|have you|are you|did you|can you|any (pain|fever|cough|allerg\w*))\b", _FLAGS),
        1.0,
    ),
    (
        re.compile(
            r"\b(bp|blood pressure|pulse|heart rate|temperature|sats|saturation|o2|resp(iratory)? rate)\b",
            _FLAGS,
        ),
        1.2,
    ),
    (re.compile(r"\b\d{2,3}\s*(over|/)\s*\d{2,3}\b", _FLAGS), 1.5),
    (
        re.compile(
            r"\b(on examination|examination|chest (is )?clear|crackles|wheeze|abdomen|"
            r"soft,? non-?tender|pupils|reflexes|heart sounds)\b",
            _FLAGS,
        ),
        1.2,
    ),
    (
        re.compile(
            r"\b(let me|i('ll| will) (examine|check|listen|prescribe|give|refer|write|order)|i('m|"
            r" am) going to)\b",
            _FLAGS,
        ),
        1.2,
    ),
    (
        re.compile(
            r"\b(take a deep breath|breathe in|lie down|open your mouth|say ah|come back|follow up|review)\b",
            _FLAGS,
        ),
        1.0,
    ),
    (
        re.compile(
            r"\b(prescri\w+|milligrams?|mg|twice daily|three times a day|tablets?|refer\w*|referral|"
            r"diagnos\w+)\b",
            _FLAGS,
        ),
        0.6,
    ),
    (
        re.compile(
            r"\b(you should|you need|you must|we('ll| will)|your (blood|chest|heart|test|result))\b", _FLAGS
        ),
        0.6,
    ),
    (re.compile(r"[你妳您]\S{0,8}(有冇|有沒有|嗎|呀[？?]|未)"), 1.2),
    (re.compile(r"(有冇|有沒有|幾耐|幾時|點樣|邊度|多久|哪裡|什麼時候|係咪|是不是)"), 0.8),
    (re.compile(r"(血壓|脈搏|心跳|體溫|体温|血氧|瞳孔|囉音|啰音|肺部|聽診|听诊)"), 1.2),
    (
        re.compile(r"\d{2,3}\s*(上|/|over)\s*\d{2,3}|[一二三四五六七八九十百]+上[一二三四五六七八九十百]+"),
        1.5,
    ),
    (
        re.compile(
            r"(我幫你|我帮你|我開|我开|我寫|我写|我而家幫|深呼吸|吸氣|吸气|呼氣|呼气|瞓低|躺下|覆診|复诊|轉介|转介)"
        ),
        1.2,
    ),
    (re.compile(r"(抗生素|藥|药|毫克|每日|每天)"), 0.4),
]

_PATIENT: list[tuple[re.Pattern[str], float]] = [
    (
        re.compile(
            r"\b(i have|i've|i had|i've been|i feel|i felt|i get|i got|i can't|i cannot|"
            r"i am allergic|it hurts|i'm allergic)\b",
            _FLAGS,
        ),
        1.2,
    ),
    (
        re.compile(
            r"\b(my (head|chest|back|stomach|throat|leg|arm|knee|tummy|eye|ear|skin)|it started|"
            r"since (yesterday|last|this))\b",
            _FLAGS,
        ),
        1.0,
    ),
    (re.compile(r"\b(thank you|thanks),? doctor\b|\bdoctor[,.?]|\bdoctor\s*$", _FLAGS), 1.0),
    # "I take" a medicine, not "I take him home" (a companion)
    (
        re.compile(
            r"\b(i take|i'm taking|i am taking|i was|i think i|it's been|it is getting)\b(?! (him|her)\b)",
            _FLAGS,
        ),
        0.6,
    ),
    (
        re.compile(
            r"(我有|我成日|我覺得|我觉得|我好|我個|我个|我嘅|我的|我對|我对|我每|我頭|我头|我咳|我發燒|我发烧|我痛|我冇|我没)"
        ),
        1.2,
    ),
    (re.compile(r"(醫生|医生)"), 0.8),
    (re.compile(r"(唔該|唔该|多謝|多谢|謝謝|谢谢)"), 0.5),
    (re.compile(r"(開始|开始)咗|咗.{0,3}日|(好痛|好暈|好晕|唔舒服|不舒服)"), 0.6),
]

_OTHER: list[tuple[re.Pattern[str], float]] = [
    (
        re.compile(
            r"\b(my (mother|father|mum|mom|dad|husband|wife|son|daughter|child|baby|grandmother|"
            r"grandfather))\b",
            _FLAGS,
        ),
        1.5,
    ),
    (
        re.compile(
            r"\b(i am|i'm) (his|her|the) (daughter|son|wife|husband|mother|father|carer|interpreter|"
            r"helper)\b",
            _FLAGS,
        ),
        2.0,
    ),
    (re.compile(r"\b(he|she) (has|had|is|was|fell|says|said|takes|can't|doesn't|did)\b", _FLAGS), 1.0),
    (
        re.compile(
            r"\b(i|we)('ll| will| can| could| should)? (take|bring|took|brought|drive|carry) (him|her)\b",
            _FLAGS,
        ),
        1.2,
    ),
    (
        re.compile(r"(我係佢|我是他|我是她|佢個女|佢個仔|我爸爸|我媽媽|我妈妈|我老公|我老婆|我個仔|我個女)"),
        2.0,
    ),
    (re.compile(r"(佢|他|她)(話|说|說|有|今朝|成日|食|跌|好)"), 1.0),
    (re.compile(r"帶佢|带他|带她"), 1.2),
]


@dataclass(frozen=True)
class TextEvidence:
    doctor: float = 0.0
    patient: float = 0.0
    other: float = 0.0

    def strongest(self) -> tuple[str, float]:
        """The role the words point to and by how much it leads the next one (0 = no lead)."""
        ranked = sorted((("doctor", self.doctor), ("patient", self.patient), ("other", self.other)),
                        key=lambda kv: kv[1], reverse=True)  # fmt: skip
        return ranked[0][0], ranked[0][1] - ranked[1][1]

    def doctor_log_odds(self) -> float:
        """Evidence for 'the doctor said it' against 'someone else said it'."""
        return self.doctor - max(self.patient, self.other)


def _score(text: str, patterns: list[tuple[re.Pattern[str], float]]) -> float:
    return sum(weight for pattern, weight in patterns if pattern.search(text))


def text_evidence(text: str | None) -> TextEvidence:
    if not text or not text.strip():
        return TextEvidence()
    t = text.strip()
    return TextEvidence(doctor=_score(t, _DOCTOR), patient=_score(t, _PATIENT), other=_score(t, _OTHER))
