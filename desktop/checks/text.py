"""Text pieces the checks read: sentences, clauses, questions, conditions and numbers.

English and Chinese (Cantonese as spoken, written Chinese) side by side. A *sentence* ends at
. ? ! 。？！ or a semicolon; a *clause* also ends at a comma or a contrast word (but, 但係,
不過), which is where a negation or a "stop" stops applying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.documents.factguard import EN_SMALL_NUMBERS, chinese_numeral_value

# A full stop that is not a decimal point ("0.5") nor an abbreviation's dot ("Dr.", "e.g.").
# a full stop before a self-correction ("Lactulose 加到 20... 唔係，加到 30 ml") does not end the sentence
_SENTENCE_END = re.compile(
    # "Dr.", "J." do not end a sentence; "A&E." does
    r"(?:(?<=A&E)|(?<!\b[A-Z][a-z])(?<!\b[A-Za-z]))[.](?!\d)(?=\s|$)(?!\s*(?i:唔係|不是|no,|sorry|i mean|or rather))|[?!。？！；;\n]"
)
_CLAUSE_END = re.compile(
    r"[,，:：]|\s(?:but|however|although|though|except|apart from|aside from|whereas)\b|"
    r"但係|但是|不過|可是|但(?=[^係是])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Piece:
    """A span of a longer text: ``text`` is ``source[start:end]``."""

    text: str
    start: int
    end: int


def _split(text: str, pattern: re.Pattern[str], offset: int = 0) -> list[Piece]:
    pieces: list[Piece] = []
    last = 0
    for m in pattern.finditer(text):
        cut = m.end() if m.group(0) in ".?!。？！；;\n,，:：" else m.start()
        if text[last:cut].strip():
            pieces.append(Piece(text[last:cut], offset + last, offset + cut))
        last = cut
    if text[last:].strip():
        pieces.append(Piece(text[last:], offset + last, offset + len(text)))
    return pieces


def sentences(text: str) -> list[Piece]:
    return _split(text, _SENTENCE_END)


def clauses(sentence: Piece) -> list[Piece]:
    return _split(sentence.text, _CLAUSE_END, sentence.start)


_QUESTION = re.compile(
    r"[?？]\s*$|有冇|有無|有沒有|有没有|係咪|係唔係|是不是|是否|幾多|點呀|點樣|邊啲|乜嘢|咩藥|"
    r"^\s*(?:any|do you|did you|have you|has she|has he|is there|are you|are there|is she|is he|how)\b",
    re.IGNORECASE,
)


def is_question(sentence: str) -> bool:
    return bool(_QUESTION.search(sentence))


# Conditions: what follows is advice about what may happen, not what was found.
_CONDITION = re.compile(
    # "Any fever while you're away, see a doctor that same day": a sentence opened by "any …,"
    r"(?:^|(?<=[:：]))\s*(?:and\s+)?any\b(?=[^.?!]{3,120},)|"
    r"\b(?:if|unless|should you|in case|whenever)\b|如果|假如|若果|若然|萬一|要是|一旦|(?:^|[，,。；;:：\s])如(?![何此下今])|"
    # 好返就停 "stop once it is better": the clause before 就 is the condition
    r"(?:^|(?<=[，,。；;:：\s]))(?=(?:好返|好番|好翻|好咗|冇事|退咗燒|唔痛)[晒哂曬]?(?:之後)?就)",
    re.IGNORECASE,
)


def condition_start(sentence: str) -> int | None:
    """Where a condition ("if …", 如果…) begins in the sentence, or None."""
    m = _CONDITION.search(sentence)
    return m.start() if m else None


# ------------------------------------------------------------------ numbers
_ZH_NUMERAL = re.compile(
    r"(?:百分之)?[零〇一二兩两三四五六七八九十百千萬万]+(?:點[零〇一二三四五六七八九]+)?"
)
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_ZH_DIGIT.update({"六": 6, "七": 7, "八": 8, "九": 9})
_DIGITS = re.compile(
    r"(?<![A-Za-z0-9_.])(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?"
)  # 1,000 and 50,000 too
_EN_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(EN_SMALL_NUMBERS, key=len, reverse=True)) + r"|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|a half|half)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    value: float
    start: int
    end: int
    percent: bool = False


def zh_number(text: str) -> float | None:
    """五百 → 500, 零點五 → 0.5, 三十六點八 → 36.8, 百分之八點一 → 8.1; None if not a numeral."""
    body = text.removeprefix("百分之")
    whole, _, frac = body.partition("點")
    if len(whole) > 1 and not any(c in "十百千萬万" for c in whole):
        whole_digits = "".join(str(_ZH_DIGIT[c]) for c in whole if c in _ZH_DIGIT)
        return float(whole_digits) if whole_digits else None  # 九九九: read digit by digit
    value = chinese_numeral_value(whole) if whole else 0.0
    if value is None:
        return None
    if frac:
        digits = "".join(str(_ZH_DIGIT[c]) for c in frac if c in _ZH_DIGIT)
        value += float(f"0.{digits}") if digits else 0.0
    return value


_NOT_A_THOUSAND = re.compile(r"祈|唔|不|要|記|咪|別|莫")


def numbers(text: str) -> list[Number]:
    """Every number in ``text``: digits, Chinese numerals (with 點 decimals) and English words."""
    found: list[Number] = []
    for m in _DIGITS.finditer(text):
        found.append(
            Number(
                float(m.group(0).replace(",", "")),
                m.start(),
                m.end(),
                text[m.end() : m.end() + 2].strip()[:1] == "%",
            )
        )
    for m in _ZH_NUMERAL.finditer(text):
        raw = m.group(0)
        if raw in ("一", "十") and not (
            _zh_quantity_follows(text, m.end()) or _ZH_RANGE_ON.match(text, m.end())
        ):
            continue  # 一直, 十分: words, not quantities (一至兩粒 is one)
        if raw in ("千", "千萬", "萬") and _NOT_A_THOUSAND.match(text, m.end()):
            continue  # 千祈唔好停, 千萬唔好: "be sure not to", no number
        if len(raw) == 2 and all(c in _ZH_DIGIT for c in raw) and _ZH_DIGIT[raw[1]] == _ZH_DIGIT[raw[0]] + 1:
            # 兩三粒, 三四日: "two or three", a range, not 23
            found.append(Number(float(_ZH_DIGIT[raw[0]]), m.start(), m.start() + 1))
            found.append(Number(float(_ZH_DIGIT[raw[1]]), m.start() + 1, m.end()))
            continue
        value = zh_number(raw)
        if value is not None:
            found.append(Number(value, m.start(), m.end(), raw.startswith("百分之")))
    found += _english_numbers(text)
    found = _zh_halves(text, found)
    return sorted(found, key=lambda n: n.start)


_ZH_COUNT_UNIT = "粒片顆支格包匙"
_ZH_RANGE_ON = re.compile(r"(?:至|到|或)[零〇一二兩两三四五六七八九十]")
_ZH_HALF_ALONE = re.compile(rf"(?<![零〇一二兩两三四五六七八九十百])半(?=[{_ZH_COUNT_UNIT}])")


def _zh_halves(text: str, found: list[Number]) -> list[Number]:
    """半粒 is half a tablet; 一粒半 one and a half (the half comes after the unit)."""
    out: list[Number] = []
    for n in found:
        after = text[n.end : n.end + 2]
        if len(after) == 2 and after[0] in _ZH_COUNT_UNIT and after[1] == "半":
            n = Number(n.value + 0.5, n.start, n.end, n.percent)
        out.append(n)
    for m in _ZH_HALF_ALONE.finditer(text):
        out.append(Number(0.5, m.start(), m.end()))
    return out


_ZH_QUANTITY_AFTER = re.compile(
    r"^\s*(?:個|粒|次|日|天|星期|禮拜|週|周|月|年|毫|微|克|單位|下(?!子)|滴|片|顆|度|公斤|小時|鐘|"
    r"(?:mg|mcg|ml|g|units?|iu)(?![A-Za-z]))",
    re.IGNORECASE,
)


def _zh_quantity_follows(text: str, end: int) -> bool:
    return bool(_ZH_QUANTITY_AFTER.match(text[end:]))


def _english_numbers(text: str) -> list[Number]:
    out: list[Number] = []
    run: list[re.Match[str]] = []

    def flush() -> None:
        if not run:
            return
        value = 0.0
        current = 0.0
        for m in run:
            w = m.group(1).lower()
            if m.start() in hundreds:
                current += EN_SMALL_NUMBERS[w] * 100
            elif w in ("half", "a half"):
                current += 0.5
            elif w == "hundred":
                current = (current or 1) * 100
            elif w in EN_SMALL_NUMBERS:
                current += EN_SMALL_NUMBERS[w]
            else:
                current += _TENS[w]
        value += current
        out.append(Number(value, run[0].start(), run[-1].end()))
        run.clear()

    hundreds: set[int] = set()  # "one-twenty over seventy-six": the "one" is a hundred
    last_end = -1
    matches = list(_EN_WORD_NUMBER.finditer(text))
    i = 0
    while i < len(matches):
        m = matches[i]
        gap = text[last_end : m.start()] if last_end >= 0 else ""
        if run and m.group(1).lower() == "hundred" and any(r.group(1).lower() == "hundred" for r in run):
            # "five hundred five hundred milligrams": said twice, not 50,500
            last = run.pop()
            flush()
            run.append(last)
        if (
            len(run) == 1
            and gap == "-"
            and run[0].group(1).lower() in ("one", "two")
            and m.group(1).lower() in _TENS
        ):
            hundreds.add(run[0].start())
        elif run and (gap.strip(" -").lower() not in ("", "and") or _starts_new(run[-1], m)):
            flush()
        run.append(m)
        last_end = m.end()
        i += 1
        # "thirty-eight point nine", "zero point one": digits said one by one after "point"
        point = _POINT.match(text, last_end)
        if point is not None and run:
            digits: list[re.Match[str]] = []
            j, at = i, point.end()
            while (
                j < len(matches) and matches[j].start() == at and matches[j].group(1).lower() in _DIGIT_WORDS
            ):
                digits.append(matches[j])
                at = matches[j].end() + (1 if text[matches[j].end() : matches[j].end() + 1] == " " else 0)
                j += 1
            if digits:
                flush()
                whole = out.pop()
                fraction = float("0." + "".join(str(_DIGIT_WORDS[d.group(1).lower()]) for d in digits))
                out.append(Number(whole.value + fraction, whole.start, digits[-1].end()))
                i, last_end = j, digits[-1].end()
    flush()
    return out


_POINT = re.compile(r"\s+point\s+", re.IGNORECASE)
_DIGIT_WORDS = {w: i for w, i in EN_SMALL_NUMBERS.items() if i < 10}


def _starts_new(previous: re.Match[str], word: re.Match[str]) -> bool:
    """ "two five-hundred milligram tablets": a unit word after a unit or teen word is a new number
    (after "twenty" it is not: twenty-five)."""
    before, now = previous.group(1).lower(), word.group(1).lower()
    return (before in EN_SMALL_NUMBERS and now in EN_SMALL_NUMBERS) or (
        before in EN_SMALL_NUMBERS and now in _TENS
    )


_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS["ninety"] = 90


def number_values(text: str) -> set[float]:
    return {round(n.value, 3) for n in numbers(text)}
