"""Link note statements to the transcript lines they came from.

The model is asked to cite segment ids; ids that do not exist are dropped, and a
statement left without evidence is linked by word overlap with the transcript (English
content words, numbers, Chinese character pairs). A statement that matches nothing keeps
an empty evidence list, which the editor shows as "no source in the transcript".
"""

from __future__ import annotations

import re

from desktop.core.types import SoapNote, Transcript

_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "you",
        "your",
        "she",
        "his",
        "her",
        "they",
        "them",
        "what",
        "when",
        "how",
        "not",
        "but",
        "any",
        "all",
        "can",
        "will",
        "would",
        "could",
        "should",
        "from",
        "into",
        "about",
        "there",
        "their",
        "been",
        "also",
        "very",
        "some",
        "just",
        "patient",
        "doctor",
    ]
)
_TOKEN = re.compile(r"[a-z][a-z'-]{2,}|\d+(?:\.\d+)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def tokens(text: str) -> set[str]:
    lower = text.lower()
    out = {t for t in _TOKEN.findall(lower) if t not in _STOP}
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return out


def align(text: str, transcript: Transcript, limit: int = 3, threshold: float = 0.34) -> list[str]:
    wanted = tokens(text)
    if not wanted:
        return []
    scored = []
    for seg in transcript.segments:
        overlap = len(wanted & tokens(seg.text))
        score = overlap / len(wanted)
        if score >= threshold:
            scored.append((score, seg.start, seg.id))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [sid for _, _, sid in scored[:limit]]


def link_evidence(note: SoapNote, transcript: Transcript) -> None:
    by_id = transcript.by_id()
    for _, st in note.statements():
        words = tokens(st.text)
        # A cited line must share at least one content word with the statement to count.
        cited = [e for e in dict.fromkeys(st.evidence) if e in by_id and words & tokens(by_id[e].text)]
        st.evidence = cited or align(st.text, transcript)
