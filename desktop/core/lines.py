"""Lines of a transcript: joining the pieces the live recogniser makes final into the lines people read.

Pure functions over :class:`~desktop.core.types.TranscriptSegment`, shared by the recogniser, the
recording service and the transcript view.
"""

from __future__ import annotations

from desktop.core.types import TranscriptSegment

# Punctuation that ends a sentence, in English and Chinese text.
SENTENCE_END = (".", "?", "!", "。", "？", "！")


def join_text(left: str, right: str) -> str:
    """Join two pieces of transcript: a space between Latin-script words, none around CJK."""
    if not left:
        return right
    if not right:
        return left
    a, b = left[-1], right[0]
    if _is_cjk(a) or _is_cjk(b) or b in ",.?!;:，。？！；：、)]}" or a in "([{":
        return left + right
    return f"{left} {right}"


def utterance_key(segment_id: str) -> str:
    """``u12`` for the live pieces ``u12-3`` and ``u12-3a``; '' for ids that are not live pieces."""
    head, sep, _ = segment_id.partition("-")
    return head if sep and head.startswith("u") else ""


def merge_pieces(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """One line per utterance and speaker: the pieces the live recogniser made final one after
    another (``u3-1``, ``u3-2``…) joined, as they are read, saved and drafted from.

    The merged line keeps the first piece's id; final text is only joined, never changed.
    """
    out: list[TranscriptSegment] = []
    for seg in segments:
        last = out[-1] if out else None
        key = utterance_key(seg.id)
        if (
            last is not None
            and key
            and seg.final
            and last.final
            and utterance_key(last.id) == key
            and last.speaker == seg.speaker
        ):
            confidences = [c for c in (last.speaker_confidence, seg.speaker_confidence) if c is not None]
            out[-1] = TranscriptSegment(
                id=last.id,
                start=last.start,
                end=max(last.end, seg.end),
                text=join_text(last.text, seg.text),
                speaker=last.speaker,
                language=last.language or seg.language,
                final=True,
                speaker_confidence=min(confidences) if confidences else None,
                words=[*last.words, *seg.words],
            )
        else:
            out.append(seg)
    return out


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
