"""Hallucination defences: text Whisper emits on silence, noise or coughs.

Each rule returns the reason it fired so callers can count it in their statistics.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

# Boilerplate Whisper learnt from subtitled video; it appears on silence and noise.
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"字幕由.{0,30}(提供|製作|制作)",
        r"字幕(組|组|製作|制作)",
        r"請不吝點贊|请不吝点赞|訂閱|订阅|點贊|点赞|打賞|打赏|轉發|转发",
        r"明鏡與點點|明镜与点点",
        r"優優獨播|优优独播",
        r"thanks? (you )?for watching",
        r"please subscribe",
        r"subtitles? by",
        r"amara\.org",
        r"like and subscribe",
    )
)

MAX_COMPRESSION_RATIO = 2.4
_CJK = re.compile(r"[\u3400-\u9fff]")


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))


def boilerplate_reason(text: str) -> str:
    for pattern in BOILERPLATE_PATTERNS:
        if pattern.search(text):
            return "boilerplate"
    return ""


def repetition_reason(text: str) -> str:
    stripped = text.strip()
    if len(stripped) >= 24 and compression_ratio(stripped) > MAX_COMPRESSION_RATIO:
        return "repetition"
    # Short loops that zlib cannot see: the same token 4+ times in a row ("the the the the").
    if re.search(r"(\b\w+\b)(?:[\s,，]+\1\b){3,}", stripped, re.IGNORECASE):
        return "repetition"
    if re.search(r"(.{1,4})\1{5,}", stripped):  # CJK character loops: 好好好好好好
        return "repetition"
    # A Chinese phrase of five or more characters said twice (at most three characters apart)
    # that makes up most of the text ("您監獄也有馬桶送您監獄也有馬桶送您監獄") is a decoder loop, not speech.
    cjk = "".join(_CJK.findall(stripped))
    loop = re.search(r"([\u3400-\u9fff]{5,15})[\u3400-\u9fff]{0,3}?\1", cjk)
    if loop and 2 * len(loop.group(1)) >= 0.6 * len(cjk):
        return "repetition"
    return ""


# Words said faster than this (seconds a word, over four words or more) are no speech: a decoder
# that loops puts a whole remembered sentence on a fraction of a second ("She has been on
# furosemide for years and" at one instant). Fast English runs about 0.17 s a word, fast
# Cantonese about 0.15 s a character.
MIN_SECONDS_PER_WORD = 0.08
MIN_WORDS_TIMED = 4


def too_fast(starts_ends: list[tuple[float, float]]) -> bool:
    """Whether words with these (start, end) times were said faster than anyone speaks."""
    if len(starts_ends) < MIN_WORDS_TIMED:
        return False
    span = starts_ends[-1][1] - starts_ends[0][0]
    return span < MIN_SECONDS_PER_WORD * len(starts_ends)


# A text this like an earlier one (rapidfuzz ratio, 0-100) is suspected of being copied from the
# decoder's context rather than heard: with the previous text as its prompt, Whisper can write an
# earlier sentence again over speech it did not follow ("Continue the gliclazide and take
# hydrochlorothiazide" came out as the earlier "Continue the dickiccin and take a lopramatite"; a
# Cantonese answer came out as the doctor's "Do you have any fever or shortness of breath?").
COPY_SIMILARITY = 80.0
COPY_MIN_WORDS = 4
COPY_LOOKBACK_S = 120.0
_SENTENCE = re.compile(r"(?<=[.?!。？！])\s*")


def _sentences(text: str) -> list[str]:
    return [p.strip() for p in _SENTENCE.split(text) if p.strip()]


def copies_earlier(text: str, earlier: Iterable[str]) -> bool:
    """Whether ``text``, or one of its sentences, of four words or more repeats one of the
    ``earlier`` texts nearly word for word."""
    from rapidfuzz import fuzz

    lines = [e.strip().lower() for e in earlier if e.strip()]
    if not lines:
        return False
    # The earlier lines as they are and as sentences (a line can end mid-sentence).
    before = {*lines, *_sentences(" ".join(lines))}
    whole = text.strip().lower()
    pieces = {whole, *_sentences(whole)}
    return any(
        len(piece.split()) >= COPY_MIN_WORDS and fuzz.ratio(piece, b) >= COPY_SIMILARITY
        for piece in pieces
        for b in before
    )


def rejection_reason(text: str, no_speech_prob: float = 0.0, avg_logprob: float = 0.0) -> str:
    """'' when the text is kept, else the rule that rejected it."""
    if not text.strip():
        return "empty"
    reason = boilerplate_reason(text) or repetition_reason(text)
    if reason:
        return reason
    if no_speech_prob > 0.6 and avg_logprob < -1.0:
        return "no_speech"
    return ""
