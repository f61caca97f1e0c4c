"""The clinic vocabulary: drug names and medical terms the recogniser should get right.

A plain text file, one term a line (``#`` starts a comment), shipped in
``assets/vocabulary/clinic_terms.txt`` and replaceable by the clinic. The terms are
passed to the decoder as a prompt so Whisper prefers their spelling.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from desktop import paths
from desktop.core.errors import UsageError

DEFAULT_FILE = "clinic_terms.txt"
# Whisper's prompt is at most half its 448-token context; keep well inside it.
MAX_PROMPT_CHARS = 600


def default_vocabulary_file() -> Path:
    return paths.assets_dir() / "vocabulary" / DEFAULT_FILE


def load_vocabulary(path: Path | None = None) -> list[str]:
    source = path or default_vocabulary_file()
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(
            f"The clinic vocabulary file {source} does not exist.",
            "Choose an existing file in Settings, or clear the setting to use the shipped list.",
        ) from exc
    terms: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        term = line.split("#", 1)[0].strip()
        if term and term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms


def hotwords(terms: list[str], limit: int = MAX_PROMPT_CHARS // 2) -> str:
    """The Latin-script terms (drug names, English medical words) as decoder hotwords.

    Chinese terms are left out: with the smaller Whisper models they make the decoder
    loop on Mandarin and Cantonese speech, while the English drug names inside Chinese
    sentences are exactly what the hint is for.
    """
    words = " ".join(t for t in terms if t.isascii())
    return words[:limit].rsplit(" ", 1)[0] if len(words) > limit else words


def vocabulary_prompt(terms: list[str], previous_text: str = "", limit: int = MAX_PROMPT_CHARS) -> str:
    """Decoder prompt: vocabulary first, then the tail of what was already said.

    Only Latin-script terms go in, for the reason given in :func:`hotwords`.
    """
    vocab = ", ".join(t for t in terms if t.isascii())
    if len(vocab) > limit // 2:
        vocab = vocab[: limit // 2].rsplit(",", 1)[0]
    room = max(0, limit - len(vocab) - 2)
    tail = previous_text[-room:] if room else ""
    prompt = f"{vocab}. {tail}".strip() if vocab else tail
    return prompt


_TERM_TOKEN = re.compile(r"[a-z0-9]+")


def _term_tokens(text: str) -> list[str]:
    return _TERM_TOKEN.findall(text.lower())


def echo_start(words: list[str], terms: list[str], run: int = 3) -> int | None:
    """Index of the first word where the decoder starts reciting the vocabulary prompt, else None.

    Whisper sometimes reads its prompt back instead of the speech ("warfarin hypertension
    diabetes hyperlipidaemia warfarin …" where the patient named two drugs): ``run`` vocabulary
    terms in a row, in the order of the prompt, are an echo. A mangled term just before the run
    ("liramidogrel" for clopidogrel) belongs to it.
    """
    sequences = [_term_tokens(t) for t in terms if t.isascii() and _term_tokens(t)]
    if len(sequences) < run:
        return None
    tokens = [" ".join(_term_tokens(w)) for w in words]
    for i in range(len(tokens)):
        for k in range(len(sequences) - run + 1):
            pos = i
            for seq in sequences[k : k + run]:
                if tokens[pos : pos + len(seq)] != seq:
                    break
                pos += len(seq)
            else:
                before = " ".join(sequences[k - 1]) if k > 0 else ""
                if i > 0 and before and difflib.SequenceMatcher(a=tokens[i - 1], b=before).ratio() >= 0.6:
                    return i - 1
                return i
    return None
