"""Measures for the streaming benchmark (BENCHMARKS.md A1-A10): text normalisation, error
rates, word alignment for latency, script conformity.

Normalisation, pinned so figures compare across runs:

* English (WER): NFKC, lower case, apostrophes kept, every other non-alphanumeric character
  becomes a space, number words zero-twenty become digits (Whisper writes "3" for "three").
* Chinese (CER): both texts converted to Simplified with OpenCC, then only CJK characters,
  letters and digits are kept (punctuation and spaces removed, full/half width folded by NFKC);
  one token per CJK character.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9']+")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_NUMBERS = {w: str(i) for i, w in enumerate(_NUMBER_WORDS.split())}


@functools.lru_cache(maxsize=4)
def _opencc(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def tokens(text: str) -> list[str]:
    """Comparable tokens: one per CJK character, one per Latin word (normalised as above)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if _CJK_CHAR.search(folded):
        folded = str(_opencc("t2s").convert(folded))
    out: list[str] = []
    for tok in _TOKEN.findall(folded):
        tok = tok.strip("'")
        if tok:
            out.append(_NUMBERS.get(tok, tok))
    return out


def is_chinese(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


def error_rate(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edits, reference tokens): WER for English, CER for Chinese, given the tokenisation."""
    ref, hyp = tokens(reference), tokens(hypothesis)
    return edit_distance(ref, hyp), len(ref)


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def align(reference: Sequence[str], hypothesis: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (reference, hypothesis) of tokens that match in an optimal-ish alignment."""
    matcher = difflib.SequenceMatcher(a=list(reference), b=list(hypothesis), autojunk=False)
    pairs: list[tuple[int, int]] = []
    for block in matcher.get_matching_blocks():
        pairs.extend((block.a + k, block.b + k) for k in range(block.size))
    return pairs


def script_conformity(text: str, script: str) -> tuple[int, int]:
    """(conforming, total) CJK characters: Traditional for hk/tw, Simplified for cn.

    A character is Simplified-only when converting it to Traditional changes it, and
    Traditional-only when converting it to Simplified changes it; characters common to both
    scripts conform either way.
    """
    chars = _CJK_CHAR.findall(text)
    if not chars:
        return 0, 0
    to_other = _opencc("s2t") if script in ("hk", "tw") else _opencc("t2s")
    conforming = sum(1 for ch in chars if str(to_other.convert(ch)) == ch)
    return conforming, len(chars)


def coverage(samples: Any, segments: Sequence[Any], big_gap_s: float = 1.0) -> dict[str, Any]:
    """A12: voice-detected speech that no recognised word covers.

    Uses the recogniser's own test (:func:`desktop.asr.engine.uncovered_speech`: Silero VAD
    regions, word edges with 0.4 s of slack, a word stretched over seconds covering only a
    word's length at each end), so the figure shows what the re-decoding could not recover.
    """
    from desktop.asr.engine import uncovered_speech

    gaps = uncovered_speech(samples, list(segments), min_gap_s=0.3)
    big = [(a, b) for a, b in gaps if b - a > big_gap_s]
    return {
        "uncovered_speech_s": round(sum(b - a for a, b in gaps), 2),
        "gaps_over_1s": len(big),
        "longest_gap_s": round(max((b - a for a, b in gaps), default=0.0), 2),
        "gaps": [[round(a, 2), round(b, 2)] for a, b in big],
    }
