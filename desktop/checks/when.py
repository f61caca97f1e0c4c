"""When a consultation says to come back: intervals ("2 weeks", 兩個禮拜, the shorthand 2/52) in
days, and days of the week ("Monday", 星期一)."""

from __future__ import annotations

import re

from desktop.checks.text import numbers

_INTERVAL = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|[一二兩三四五六七八九十]+|one|two|three|four|five|six|eight|ten|twelve|a)\s*"
    r"(?:-\s*)?(?P<u>hours?|hrs?|h\b|days?|weeks?|wks?|months?|mths?|years?|個鐘|小時|日|天|個星期|星期|個禮拜|禮拜|週|周|個月|月|年)(?![-\s]*old)",
    re.IGNORECASE,
)
_DAYS = {
    "h": 1 / 24,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "個鐘": 1 / 24,
    "小時": 1 / 24,
    "day": 1,
    "日": 1,
    "天": 1,
}
_DAYS.update({"week": 7, "wk": 7, "星期": 7, "個星期": 7, "禮拜": 7, "個禮拜": 7, "週": 7, "周": 7})
_DAYS.update({"month": 30, "mth": 30, "個月": 30, "月": 30, "year": 365, "年": 365})
WEEKDAYS = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|(?:星期|禮拜)([一二三四五六日天])",
    re.IGNORECASE,
)


_SHORTHAND = re.compile(r"(?<![\d/.])(\d{1,2})\s*/\s*(7|52|12)(?![\d/])")
_SHORTHAND_DAYS = {"7": 1, "52": 7, "12": 30}


def intervals(text: str) -> set[float]:
    """Intervals named in ``text``, in days ("2 weeks", 兩個禮拜 and the clinical shorthand 2/52 are all 14)."""
    out: set[float] = {
        float(int(m.group(1)) * _SHORTHAND_DAYS[m.group(2)]) for m in _SHORTHAND.finditer(text)
    }
    for m in _INTERVAL.finditer(text):
        raw = m.group("n").lower()
        n = 1.0 if raw == "a" else (numbers(raw)[0].value if numbers(raw) else None)
        unit = m.group("u").lower().rstrip("s") if m.group("u").isascii() else m.group("u")
        if n is not None and unit in _DAYS:
            out.add(round(n * _DAYS[unit], 3))
    return out


def weekdays(text: str) -> set[str]:
    return {(m.group(1) or m.group(2)).lower() for m in WEEKDAYS.finditer(text)}
