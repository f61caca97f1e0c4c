"""Reading transcripts typed or exported as text: one turn per line.

Accepted line shapes: ``D|…`` / ``P|…`` / ``O|…`` and ``Doctor: …`` / ``Patient: …`` /
``Other: …`` (also 醫生：/病人：). A line without a label continues the previous turn.
Times are estimated from the length of each turn (about 150 words or 240 Chinese
characters a minute) so that evidence links and letters still have an order.
"""

from __future__ import annotations

import re
from pathlib import Path

from desktop.asr.script import ScriptConverter, cjk_characters
from desktop.core.errors import InputError
from desktop.core.types import Transcript, TranscriptSegment

_LABELS = {
    "d": "doctor",
    "doctor": "doctor",
    "dr": "doctor",
    "醫生": "doctor",
    "医生": "doctor",
    "p": "patient",
    "patient": "patient",
    "pt": "patient",
    "病人": "patient",
    "o": "other",
    "other": "other",
    "relative": "other",
    "family": "other",
    "interpreter": "other",
    "parent": "other",
    "mother": "other",
    "father": "other",
    "carer": "other",
    "son": "other",
    "daughter": "other",
    "wife": "other",
    "husband": "other",
    "partner": "other",
    "sister": "other",
    "brother": "other",
    "nurse": "other",
    "helper": "other",
    "家長": "other",
    "家长": "other",
    "媽媽": "other",
    "妈妈": "other",
    "爸爸": "other",
    "家人": "other",
    "女兒": "other",
    "女儿": "other",
    "兒子": "other",
    "儿子": "other",
    "仔": "other",
    "太太": "other",
    "老婆": "other",
    "老公": "other",
    "丈夫": "other",
    "姐姐": "other",
    "哥哥": "other",
    "護士": "other",
    "工人": "other",
    "翻譯": "other",
}
_CHINESE_LABELS = "|".join(k for k in _LABELS if not k.isascii())
_LINE = re.compile(rf"^\s*\[?([A-Za-z]+|{_CHINESE_LABELS})\]?\s*(?:\||:|：)\s*(.*)$")


def parse_transcript_text(text: str, language: str = "auto", script: str = "hk") -> Transcript:
    turns: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m and m.group(1).lower() in _LABELS:
            body = m.group(2).strip()
            if body:
                turns.append((_LABELS[m.group(1).lower()], body))
        elif turns:
            speaker, body = turns[-1]
            turns[-1] = (speaker, f"{body} {line}")
    if not turns:
        raise InputError(
            "The transcript file has no turns.",
            "Write one turn per line, starting with 'D|' or 'P|' (or 'Doctor:' / 'Patient:'; "
            "a relative or interpreter as 'O|' or 'Mother:', 'Son:', '媽媽：').",
        )
    all_text = " ".join(t for _, t in turns)
    if language in ("", "auto"):
        language = "zh" if len(cjk_characters(all_text)) > len(all_text) * 0.2 else "en"
    converter = ScriptConverter(script)
    segments: list[TranscriptSegment] = []
    clock = 0.0
    for i, (speaker, body) in enumerate(turns, start=1):
        body = converter.convert(body)
        cjk = len(cjk_characters(body))
        words = len(body.split())
        seconds = max(1.0, cjk / 4.0 + max(0, words - cjk) / 2.5)
        segments.append(
            TranscriptSegment(
                id=f"s{i}", start=clock, end=clock + seconds, text=body, speaker=speaker, language=language
            )
        )
        clock += seconds + 0.3
    return Transcript(language=language, segments=segments)


def read_transcript_file(path: Path, language: str = "auto", script: str = "hk") -> Transcript:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not a UTF-8 text file.", "Save the transcript as UTF-8 text."
        ) from exc
    return parse_transcript_text(text, language=language, script=script)
