"""Amounts and how often in medicine text: "500 mg", "two 500 mg tablets", 兩三粒, "1,000 units",
"twice a day", 早晚各一粒, "every 8 hours", "once a week", "as needed".

Mass is in mg; a count of tablets, puffs or drops keeps its unit; a bare number right after a
drug's name ("furosemide 40") is a dose without a unit. How often is doses a day (1/7 weekly).
"""

from __future__ import annotations

import re

from desktop.checks.text import numbers

_UNIT = re.compile(
    r"(?:(?<=half)\s+an?\b)?\s*(?P<unit>mg/kg|mg|milligrams?|mcg|micrograms?|µg|ug|g(?![a-z])|grams?|gm|ml|millilit(?:re|er)s?|"
    r"units?|iu|m[Ee]q|milliequivalents?|puffs?|sprays?|tablets?|tabs?|pills?|capsules?|caps?|drops?|%|percent|at a time|"
    r"毫克|微克|克|毫升|毫(?![升米子秒])|個單位|單位|粒|片|顆|下|滴|噴|度(?!半))"
    r"(?:\s*(?:/|per)\s*(?:kg|kilo))?",
    re.IGNORECASE,
)
_UNIT_NAME = {
    "at a time": "tab",  # "two at a time"
    "milligram": "mg",
    "milligrams": "mg",
    "毫克": "mg",
    "毫": "mg",  # 五毫 as Cantonese says milligrams
    "mcg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "µg": "mcg",
    "ug": "mcg",
    "微克": "mcg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "gm": "g",
    "克": "g",
    "ml": "ml",
    "millilitre": "ml",
    "millilitres": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
    "毫升": "ml",
    "unit": "unit",
    "units": "unit",
    "iu": "unit",
    "meq": "mEq",
    "milliequivalent": "mEq",
    "milliequivalents": "mEq",
    "度": "unit",  # 打18度: insulin units as Cantonese says them (a temperature is read apart)
    "個單位": "unit",
    "單位": "unit",
    "puff": "puff",
    "puffs": "puff",
    "spray": "puff",
    "sprays": "puff",
    "下": "puff",
    "噴": "puff",
    "tablet": "tab",
    "tablets": "tab",
    "tab": "tab",
    "tabs": "tab",
    "pill": "tab",
    "pills": "tab",
    "capsule": "tab",
    "capsules": "tab",
    "cap": "tab",
    "caps": "tab",
    "粒": "tab",
    "片": "tab",
    "顆": "tab",
    "drop": "drop",
    "drops": "drop",
    "滴": "drop",
    "%": "%",
    "percent": "%",
}
_SCALE = {"g": ("mg", 1000.0), "mcg": ("mg", 0.001)}


def doses_in(window: str, right_after_name: bool = False) -> list[tuple[float, str]]:
    """Amounts in ``window`` as (value, unit) with mass in mg; a bare number right after the name
    ("furosemide 40") is a dose without a unit."""
    out: list[tuple[float, str]] = []
    found = numbers(window)
    times: set[int] = set()  # strengths multiplied out: "40 mg (8 × 5 mg)" gives 8 tablets, not 5 mg
    for k, n in enumerate(found):
        if k in times:
            continue
        if k + 1 < len(found):
            of_the = _OF_THE_STRENGTH.fullmatch(window, n.end, found[k + 1].start)
            tablets = _STRENGTH_TABLETS.match(window, found[k + 1].end)
            if of_the is not None and tablets is not None:
                # "two of the fifty tablets": two tablets of 50 mg
                out += [(n.value, "tab"), (found[k + 1].value, "mg")]
                times.add(k + 1)
                continue
        m = _UNIT.match(window, n.end)
        if m is None and k and found[k - 1].end == n.start - 1 and window[n.start - 1] == "/":
            continue  # "Symbicort 200/6 to 2 puffs": the second half of a product's strength
        if (
            m is None
            and k + 1 < len(found)
            and _COUNT_OF_STRENGTH.fullmatch(window[n.end : found[k + 1].start])
        ):
            strength = _UNIT.match(window, found[k + 1].end)
            if strength is not None and _UNIT_NAME.get(
                strength.group("unit").lower(), strength.group("unit").lower()
            ) in (
                "mg",
                "mcg",
                "g",
            ):
                out.append((n.value, "tab"))  # "two five-hundred milligram tablets"
                if _TIMES.search(window, n.end, found[k + 1].start):
                    times.add(k + 1)
                continue
        if m is None and k + 1 < len(found) and _RANGE_TO.fullmatch(window[n.end : found[k + 1].start]):
            # "from 75 to 100 micrograms", 由七十五加到一百 microgram: the first number has the unit too
            m = _UNIT.match(window, found[k + 1].end)
        if m is None:
            if n.percent:
                out.append((n.value, "%"))
            elif (
                right_after_name
                and not out
                and _BARE_LEAD.fullmatch(window[: n.start])
                and _bare_dose(window, n.end)
            ):
                out.append((n.value, ""))
            continue
        raw = m.group("unit").lower()
        if raw == "度" and not _INJECTED.search(window):
            continue  # 38度: a temperature, unless the sentence injects (打18度)
        unit = (
            "mg/kg"
            if raw == "mg/kg" or "/" in m.group(0) or "per" in m.group(0)
            else _UNIT_NAME.get(raw, raw)
        )
        value = n.value
        if unit in _SCALE:
            unit, factor = _SCALE[unit]
            value *= factor
        out.append((round(value, 4), unit))
    return out


# 度 counts insulin units only where the sentence injects (打18度); the brands stay in the clinic's
# drug list, not copied here
_INJECTED = re.compile(r"打|針|注射|胰島素|insulin", re.IGNORECASE)

# "Keppra 維持 750", "furosemide up to 80": a word that leads to a bare strength after the name
_BARE_LEAD = re.compile(
    r"\s*(?:(?:維持|照舊|繼續|保持|加到|減到|加至|減至|改做|改為)\s*|(?:at|up to|down to|stays? at|kept at)\s+)?",
    re.IGNORECASE,
)

COUNT_UNITS = frozenset({"tab", "puff", "drop"})  # units that count what is taken at once
# "from 75 to 100 micrograms", "two to three tablets", 兩三粒, 由七十五加到一百 microgram
_RANGE_TO = re.compile(
    r"\s*(?:to|up to|down to|or|加到|加至|減到|減至|改做|改為|改到|至|或|->|→|-|–|~)\s*|", re.IGNORECASE
)
_TIMES = re.compile(r"[x×*]")
_OF_THE_STRENGTH = re.compile(r"\s+of\s+(?:the|your|those|these|his|her)\s+", re.IGNORECASE)
_STRENGTH_TABLETS = re.compile(
    # "two of the 50s": tablets of 50 mg
    r"s\b|(?:[- ]?(?:mg|milligrams?)\b)?[- ]?(?:mg\s+)?(?:tablets?|tabs?|pills?|capsules?|caps?)\b",
    re.IGNORECASE,
)
_COUNT_OF_STRENGTH = re.compile(r"\s*(?:[x×*]\s*)?")  # "2 × 50 mg": two tablets of 50 mg
_LEADS_TO_NAME = re.compile(r"\s*(?:of\s+(?:the\s+|your\s+|my\s+)?)?$", re.IGNORECASE)
_OF_NAME = re.compile(r"\s*of\s+(?:the\s+|your\s+|my\s+)?$", re.IGNORECASE)


def count_before(window: str) -> list[tuple[float, str]]:
    """A count of tablets, puffs or drops that ends right before the drug's name ("two puffs
    of", 一粒), or an amount joined to it by "of" ("100 mg of sertraline"); amounts further back
    belong to something else."""
    for n in reversed(numbers(window)):
        m = _UNIT.match(window, n.end)
        if m is None:
            continue
        found = doses_in(window[n.start : m.end()])
        if found and found[0][1] in COUNT_UNITS and _LEADS_TO_NAME.match(window, m.end()):
            return found[:1]
        if found and _OF_NAME.match(window, m.end()):
            return found[:1]  # "up to one hundred milligrams of sertraline"
        return []
    return []


def _bare_dose(window: str, end: int) -> bool:
    rest = window[end : end + 8].lower()
    return not re.match(
        r"\s*(?:/|x|days?|weeks?|months?|years?|hours?|times?|minutes?|日|天|次|個|歲|年|星期|禮拜|週|周|分鐘|鐘|點|"
        # "加到 20... 唔係，加到 30 ml": a number taken back
        r"\.\.|…|[,，]?\s*(?:唔係|不是|no\b|sorry|i mean))",
        rest,
    )


# 星期日朝早 "Sunday morning": the time on the day named, not every morning
_NOT_A_WEEKDAY = r"(?<!星期[一二三四五六日天])(?<!禮拜[一二三四五六日天])"
_A_DAY = r"(?:\s+(?:a|per|each|every)\s+day|\s+daily|/day|/d)?"
# 一日兩次, and with the verb between: 每日食兩次, 一日搽一次, 每天噴兩次
# 每日薄塗患處三次: a few words around the verb too
_ZH_VERB_GAP = r"[^\s，。,；;：:一二兩两三四五六七八九十0-9次粒片]"
_ZH_DAY = rf"(?:一日|每日|一天|每天)(?:{_ZH_VERB_GAP}{{0,2}}?(?:食|搽|用|噴|服|服用|飲|滴|打|塗|貼){_ZH_VERB_GAP}{{0,3}}?)?"
_PER_DAY: list[tuple[re.Pattern[str], float]] = [
    # a few times a week or every other day first: "twice a week" is not twice a day
    (
        re.compile(
            r"\b(?:three times|3 times|3x) (?:(?:a|per|each|every) week|weekly)\b|(?:一個|每個)?(?:禮拜|星期)[^，。,\d]{0,2}[三3]次",
            re.I,
        ),
        3 / 7,
    ),
    (
        re.compile(
            r"\b(?:twice|two times|2 times|2x) (?:(?:a|per|each|every) week|weekly)\b|(?:一個|每個)?(?:禮拜|星期)[^，。,\d]{0,2}[兩二2]次",
            re.I,
        ),
        2 / 7,
    ),
    (
        re.compile(
            r"\b(?:every other day|alternate days|on alternate days|every second day)\b|隔日|隔天", re.I
        ),
        0.5,
    ),
    (re.compile(r"(?:一日|每日|一天|每天)最多[四4]次"), 4),
    (
        re.compile(
            rf"\b(?:four times|4 times|4x|qds|qid|q\.i\.d){_A_DAY}\b|{_ZH_DAY}\s*[四4]\s*次",
            re.I,
        ),
        4,
    ),
    (
        re.compile(
            rf"\b(?:three times|3 times|3x|tds|tid|t\.d\.s|t\.i\.d){_A_DAY}\b|{_ZH_DAY}\s*[三3]\s*次|三餐",
            re.I,
        ),
        3,
    ),
    (
        re.compile(
            # 朝早一粒，夜晚一粒: a dose named for the morning and one for the night
            r"(?:朝早|早上|朝)[^，。；;]{0,4}?[一二兩半1-9](?:粒|片|顆|次|下|滴)[，,、\s]*(?:夜晚|晚上|夜|晚)[^，。；;]{0,4}?[一二兩半1-9](?:粒|片|顆|次|下|滴)|"
            rf"\b(?:twice|two times|2 times|2x|bd|bid|b\.d|b\.i\.d){_A_DAY}\b|{_ZH_DAY}\s*[兩二2]\s*次|早晚|朝晚|日夜各|朝同晚|早上同晚上|朝早同夜晚|"
            r"\b(?:one|1) in the morning and (?:one|1) (?:in the evening|at night|at bedtime)\b|"
            r"\bmorning and (?:evening|night)\b",
            re.I,
        ),
        2,
    ),
    (
        re.compile(
            r"\b(?:once (?:a|per|each) day|once daily|daily|every day|each day|od|qd|o\.d|mane|nocte|"
            r"every (?:morning|night|evening)|each (?:morning|night|evening)|in the morning|at night|"
            r"at bedtime|bedtime|qhs|once a day|(?:one|1) (?:tablet|tab|capsule|pill|dose) (?:a|per|each) day)\b|"
            r"(?<![A-Za-z])(?-i:ON)(?![A-Za-z])|"
            rf"{_ZH_DAY}\s*[一1]\s*次|每日(?![^，。,]{{0,4}}(?:早晚|朝晚|[兩二三四2-4]次))|每天(?![^，。,]{{0,4}}(?:早晚|朝晚|[兩二三四2-4]次))|每朝|{_NOT_A_WEEKDAY}(?:朝早|晚上)|晚晚|每晚|瞓覺前|瞓前|睡前",
            re.I,
        ),
        1,
    ),
    (
        re.compile(
            r"\b(?:weekly|once a week|every week|each week|every (?:monday|tuesday|wednesday|thursday|friday|"
            r"saturday|sunday)|on (?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays))\b|"
            r"每星期|每個禮拜|每週|每周|逢星期|一個(?:禮拜|星期)(?:食|服|用|打)?一(?:次|粒|片|針)",
            re.I,
        ),
        1 / 7,
    ),
]
_MEAL = re.compile(
    r"\b(?:breakfast|lunch|dinner|supper|evening meal)\b|(?<![三兩])(?:早餐|午餐|午飯|晏晝飯|晚飯|晚餐)",
    re.IGNORECASE,
)
_EVERY_HOURS = re.compile(
    r"\b(?:every|q)\s*(\d+|one|two|three|four|six|eight|twelve|twenty-four|twenty four)\s*(?:hours?|hrs?|h)\b|\bq(\d+)h\b|(\d+)[- ]hourly|每\s*(\S{1,3}?)\s*(?:個鐘|小時)",
    re.IGNORECASE,
)
_AS_NEEDED = re.compile(
    r"\b(?:as needed|when needed|as required|when required|if needed|prn|p\.r\.n|when (?:one|it) starts|"
    r"at (?:the )?(?:start|onset))\b|有需要|需要時|有需要時",
    re.IGNORECASE,
)


_NOT_THIS_OFTEN = re.compile(
    r"\b(?:never|not|isn't|n't be)\s+(?:taken\s+)?(?:daily|every day|each day|once a day)\b|"
    r"(?:唔係|不是|不可|唔好|並非)(?:日日|每日|每天)|"
    # "twice daily almost every day", 差唔多日日都食: how regularly, not how often a day
    r"\b(?:almost|nearly|practically|most)\s+(?:every day|days|daily)\b|差唔多日日|幾乎每日|"
    # 每日不多於8粒: a most for the day, not how often; 每星期量2–3次, 每週大便一次: how often
    # something else is done
    r"(?:每日|一日|每天)(?:不多於|不超過|唔好超過|唔可以超過|最多)(?=[^，。,次]{0,4}粒)|"
    r"(?:每|一個)?(?:星期|禮拜|週|周)[^，。,\d]{0,3}?(?:量|測|度|磅|大便|屙|去廁所|運動|游水)",
    re.IGNORECASE,
)
_WEEKLY_LIMIT = re.compile(
    r"(?:每|一個)(?:星期|禮拜|週|周)最多[一二兩三四五六七1-7](?:晚|次|日|天)|"
    r"\b(?:up to|at most|max(?:imum)?|no more than|not more than)\s+\w+\s+(?:nights?|times|days)\s+(?:a|per|each)\s+week\b",
    re.IGNORECASE,
)


def frequency_in(window: str) -> tuple[set[float], bool]:
    """Doses a day named in ``window`` ({2.0} for twice daily; 1/7 for weekly) and whether as needed."""
    per_day: set[float] = set()
    taken: list[tuple[int, int]] = []
    for m in _EVERY_HOURS.finditer(window):
        raw = next(g for g in m.groups() if g)
        hours = numbers(raw)
        if hours and hours[0].value:
            per_day.add(round(24 / hours[0].value, 3))
            taken.append((m.start(), m.end()))
    for m in _NOT_THIS_OFTEN.finditer(window):
        taken.append((m.start(), m.end()))  # "never daily", 唔係日日食: how often it is not taken
    for m in _WEEKLY_LIMIT.finditer(window):
        taken.append((m.start(), m.end()))  # "一個禮拜最多三晚", "no more than 3 nights a week": a limit
    for pattern, count in _PER_DAY:
        for m in pattern.finditer(window):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            per_day.add(round(count, 3))
    meals = _MEAL.findall(window)
    if not per_day and 1 <= len(meals) <= 3:
        # "one with dinner", 晚飯同食一粒: each meal named is a dose
        per_day.add(len(set(m.lower() for m in meals)))
    return per_day, bool(_AS_NEEDED.search(window))
