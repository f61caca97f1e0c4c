"""LocalAgreement-2: which recognised words are final.

The streaming recogniser decodes a growing window of audio again and again. Each decode is
a *hypothesis*: a list of words with absolute times. A word becomes final when two
successive hypotheses agree on it and on every word before it (the longest common prefix,
"LocalAgreement-2" of Macháček, Dabre and Bojar, *Turning Whisper into Real-Time
Transcription System*, 2023). Final words are handed out once and never change; the rest
of the latest hypothesis is the tentative tail shown dimmed.

Because the window still holds audio of words already made final, each hypothesis repeats
them; they are recognised by time (a word that starts before the end of the last final word
belongs to the past) and by text (an n-gram at the head of the hypothesis equal to the tail
of the final text is dropped), as in the reference implementation.

Pure logic, no model: the unit tests drive it with scripted hypotheses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

# Whisper's word times are rounded to 20 ms and wobble between decodes.
TIME_TOLERANCE = 0.1
MAX_NGRAM = 5


@dataclass(frozen=True)
class HypWord:
    """One recognised word. ``text`` keeps Whisper's leading space (English) or none (CJK)."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    first_seen: float = 0.0  # wall-clock time this word was first shown (tentative or final)
    first_seen_audio: float = 0.0  # stream position (s) when it was first shown


_PUNCT_EDGES = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def normalise(word: str) -> str:
    """The form two hypotheses are compared in: case, width and edge punctuation folded."""
    folded = unicodedata.normalize("NFKC", word).strip().lower()
    stripped = _PUNCT_EDGES.sub("", folded)
    return stripped or folded


def join_words(words: Sequence[HypWord]) -> str:
    return "".join(w.text for w in words).strip()


@dataclass
class AgreementUpdate:
    committed: list[HypWord]
    tentative: list[HypWord]


class LocalAgreement:
    """Commits the longest prefix two successive hypotheses agree on."""

    def __init__(self, n_agree: int = 2) -> None:
        if n_agree < 2:
            raise ValueError("LocalAgreement needs at least two hypotheses to agree")
        self.n_agree = n_agree
        self.committed_end = 0.0  # absolute end time of the last final word
        self._committed_tail: list[str] = []  # normalised text of the last final words
        self._history: list[list[HypWord]] = []  # the last n_agree-1 pending hypotheses
        self.pending: list[HypWord] = []  # the latest hypothesis beyond the committed words

    # -- helpers ---------------------------------------------------------------------------
    def _new_part(self, hypothesis: Sequence[HypWord]) -> list[HypWord]:
        """The words of a hypothesis that are not already final."""
        words = [w for w in hypothesis if w.start > self.committed_end - TIME_TOLERANCE and w.text.strip()]
        if words and self._committed_tail and abs(words[0].start - self.committed_end) < 1.0:
            tail = self._committed_tail
            for n in range(min(MAX_NGRAM, len(tail), len(words)), 0, -1):
                if [normalise(w.text) for w in words[:n]] == tail[-n:]:
                    words = words[n:]
                    break
        return words

    def _inherit_first_seen(self, words: list[HypWord], now: float, audio_pos: float) -> list[HypWord]:
        previous = self.pending
        out: list[HypWord] = []
        for i, w in enumerate(words):
            match: HypWord | None = None
            if i < len(previous) and normalise(previous[i].text) == normalise(w.text):
                match = previous[i]
            else:
                for p in previous:
                    if normalise(p.text) == normalise(w.text) and abs(p.start - w.start) < 0.6:
                        match = p
                        break
            if match is not None:
                out.append(replace(w, first_seen=match.first_seen, first_seen_audio=match.first_seen_audio))
            else:
                out.append(replace(w, first_seen=now, first_seen_audio=audio_pos))
        return out

    def _record_commit(self, words: Sequence[HypWord]) -> None:
        if not words:
            return
        self.committed_end = max(self.committed_end, words[-1].end)
        self._committed_tail = (self._committed_tail + [normalise(w.text) for w in words])[-MAX_NGRAM:]

    # -- policy ----------------------------------------------------------------------------
    def update(
        self, hypothesis: Sequence[HypWord], now: float = 0.0, audio_pos: float = 0.0
    ) -> AgreementUpdate:
        """Take a new hypothesis; return the words it makes final and the tentative rest."""
        words = self._inherit_first_seen(self._new_part(hypothesis), now, audio_pos)
        agreed = len(words)
        for older in self._history[-(self.n_agree - 1) :] if self._history else []:
            n = 0
            while n < min(agreed, len(older)) and normalise(older[n].text) == normalise(words[n].text):
                n += 1
            agreed = n
        if not self._history:
            agreed = 0
        committed = words[:agreed]
        tentative = words[agreed:]
        self._record_commit(committed)
        self._history = ([*self._history, tentative])[-(self.n_agree - 1) :]
        self.pending = tentative
        return AgreementUpdate(committed=committed, tentative=tentative)

    def commit_all(
        self, hypothesis: Sequence[HypWord], now: float = 0.0, audio_pos: float = 0.0
    ) -> list[HypWord]:
        """End of an utterance (or of the recording): every new word of this hypothesis is final."""
        words = self._inherit_first_seen(self._new_part(hypothesis), now, audio_pos)
        self._record_commit(words)
        self.reset_pending()
        return words

    def force_commit_before(self, time_limit: float) -> list[HypWord]:
        """Make the pending words that end before ``time_limit`` final (window about to be cut)."""
        words: list[HypWord] = []
        for w in self.pending:
            if w.end > time_limit:
                break
            words.append(w)
        self._record_commit(words)
        rest = self.pending[len(words) :]
        self.pending = rest
        self._history = [rest] if rest else []
        return words

    def reset_pending(self) -> None:
        self.pending = []
        self._history = []

    @property
    def has_pending(self) -> bool:
        return bool(self.pending)


def count_revision(
    previous_shown: Sequence[HypWord], committed: Sequence[HypWord], tentative: Sequence[HypWord]
) -> int:
    """1 when the text shown before is not a prefix of what is shown now (a tentative revision)."""
    before = [normalise(w.text) for w in previous_shown]
    after = [normalise(w.text) for w in [*committed, *tentative]]
    return 0 if after[: len(before)] == before else 1
