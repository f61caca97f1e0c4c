"""The note in the clinic's language: English, or written Chinese in the clinic's script.

``note.language`` chooses English (``en``), written Chinese (``zh``) or the language most of the
consultation was in (``same-as-consultation``). Every text the model writes goes through
OpenCC to the clinic's script (the model sometimes writes Simplified 暂 where the clinic
writes 暫), and colloquial Cantonese (唔該, 成日, 冇) becomes standard written Chinese
(謝謝, 經常, 沒有) from a replaceable list, ``assets/vocabulary/cantonese_written.tsv``.
The transcript itself is never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from desktop import paths
from desktop.asr.script import ScriptConverter, cjk_characters
from desktop.core.types import SoapNote, Transcript

NOTE_LANGUAGES = ("en", "zh", "same-as-consultation")


def note_language(setting: str, transcript: Transcript) -> str:
    """``en`` or ``zh``: the language the note is written in for this consultation."""
    if setting in ("en", "zh"):
        return setting
    text = transcript.text()
    cjk = len(cjk_characters(text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    # A Chinese character carries about as much as an English word; drug names inside a
    # Cantonese sentence do not make it an English consultation.
    return "zh" if cjk > latin_words else "en"


@lru_cache(maxsize=1)
def _pairs() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    path = paths.assets_dir() / "vocabulary" / "cantonese_written.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        spoken, written = line.split("\t", 1)
        if spoken.strip():
            table[spoken.strip()] = written.strip()
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), table


def written_chinese(text: str) -> str:
    """Colloquial Cantonese words replaced by standard written Chinese, in one pass (longest first)."""
    if not cjk_characters(text):
        return text
    pattern, table = _pairs()
    return pattern.sub(lambda m: table[m.group(0)], text)


def to_note_text(text: str, script: str, language: str) -> str:
    """One statement as the note shows it: the clinic's script; written Chinese for a Chinese note."""
    if language == "zh":
        # Before the script conversion too: OpenCC's Hong Kong variant writes 晒 as 曬, and
        # "唔該晒" must still read as one word.
        text = written_chinese(text)
    out = ScriptConverter(script).convert(text)
    if language == "zh":
        out = ScriptConverter(script).convert(written_chinese(out))
    return " ".join(out.split())


def convert_note(note: SoapNote, script: str, language: str) -> None:
    """Every text of the note through :func:`to_note_text` (quotations included: the transcript
    keeps the spoken words, the note the written ones)."""
    if note.chief_complaint_source != "typed":  # what the user typed stays as they typed it
        note.chief_complaint = to_note_text(note.chief_complaint, script, language)
    for _, st in note.statements():
        st.text = to_note_text(st.text, script, language)
