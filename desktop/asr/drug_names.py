"""Drug names heard slightly wrong, put right where the sentence is clearly about a drug.

Whisper spells an unfamiliar drug by its sound: "lisinopril" comes out as "this in opera",
"simvastatin" as "sympathatin". After recognition each final segment is read for drug
contexts — a dose after the word ("… 40 milligrams"), or a word before it that prescribes
("take", "start", "stop", "allergic to", "on", 食, 開, 停) — and a word (or two or three
words) there that is not a known drug but close to one, by spelling and by sound, is replaced
by the dictionary name (:mod:`desktop.lexicon`).

Every replacement is recorded on the segment as a :class:`~desktop.core.types.Correction`:
the text shows the dictionary name, the heard text is kept beside it, and the doctor can undo
it. Nothing outside a drug context is touched, and a near-miss that is as close to two
different drugs is left as heard.

Scores (0-1): spelling is rapidfuzz's normalised Indel similarity of the letters; sound is
the same similarity of the two names' Metaphone codes (jellyfish), which hears "f" and "ph",
"c" and "k" alike. On text alone a candidate is taken when the mean of the two reaches
``threshold`` and beats the best other drug by ``margin``.

When the audio is at hand (``process`` and the record pass), the speech model itself chooses:
each near drug (up to two per stretch, spelling and sound at least ``listen_floor``) is written
into the sentence in place of the heard words, and the model scores every version of the
sentence on the same audio (:meth:`WhisperEngine.scorer`). The evidence for a drug is
``gain + listen_weight * (score - threshold)``, ``gain`` being how much likelier (log-probability)
its sentence is than the heard one. A drug is taken when its evidence is at least
``-listen_slack`` and beats every other drug for the same words by ``listen_margin``. Heard
words that are all ordinary English words ("lens appraisal") are a reading of their own: they
need a closer spelling and sound (``common_floor``) and evidence of at least ``-common_slack``.
That lets the audio pick "atorvastatin" or "pravastatin" for one heard "aburvastatin", which
spelling alone cannot tell, and leave two words that were said as they were.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop.core.audio import SAMPLE_RATE
from desktop.core.errors import Cancelled
from desktop.core.types import Correction, TranscriptSegment, Word
from desktop.lexicon import DrugLexicon
from desktop.lexicon.drugs import spoken_key
from desktop.lexicon.english import common_english_words

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)?|[\u3400-\u9fff]")
_UNITS = re.compile(
    r"^(mg|mgs|milligrams?|micrograms?|mcg|ug|g|grams?|ml|millilit(?:re|er)s?|units?|iu|tablets?|tabs?|"
    r"capsules?|caps?|puffs?|drops?|sachets?|patch|patches|毫|克|粒|片)$",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBER_WORDS = _words(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty twenty-five thirty
    forty fifty sixty seventy eighty ninety hundred thousand half a point"""
)
# Words after which a drug name is expected ("take …", "allergic to …", "stop the …").
_CUES = _words(
    """take takes taking took start starts starting started stop stops stopping stopped prescribe
    prescribes prescribed prescribing give gives giving gave given continue continues continuing
    add added adding switch switched switching increase increased reduce reduced on allergic allergy
    allergies to with of the your my his her some dose using use used tried try inhaler cream
    食 開 停 服 用 藥 转 轉 加 減"""
)
# A cue only counts when one of these verbs (or a dose) makes the sentence about medicines.
_STRONG_CUES = _words(
    """take takes taking took start starts starting started stop stops stopping stopped prescribe
    prescribes prescribed prescribing give gives giving gave given continue continuing add added
    switch switched increase increased reduce reduced allergic allergy allergies dose inhaler tried
    carry keep 食 開 停 服 藥"""
)
_NOT_DRUGS = _words(
    """the a an and or but to of in on at for with your my his her their our this that these those
    it its is are was were be been being have has had do does did not no yes it's i you he she we
    they me him them us tablet tablets pill pills medicine medicines milligrams dose doses day days
    night morning evening week weeks month months year years time times once twice daily a day
    before after food water pain blood pressure sugar heart infection now today instead well as
    also then again same when need needed usual usually more less other one two three
    statin statins antibiotic antibiotics steroid steroids inhaler inhalers antihistamine
    antihistamines nsaid nsaids painkiller painkillers vitamin vitamins vaccine supplement supplements"""
)
# "been on …", "is on …": on a medicine
_BEING_ON = frozenset(["been", "is", "was", "are", "am", "stay", "keep", "still", "now", "currently"])
_BREAKS = frozenset(
    ["the", "a", "an", "and", "or", "but", "to", "of", "your", "my", "his", "her", "on", "for", "with"]
)
MAX_SPAN = 3
CONTEXT_GAP_S = 2.0  # a segment starting this soon after the one before continues its sentence

# Scores versions of one sentence against its audio: the texts -> log-likelihoods.
Listen = Callable[[Sequence[str]], list[float]]


@dataclass(frozen=True)
class Candidate:
    name: str  # the dictionary name written into the text
    canonical: str
    score: float
    spelling: float
    sound: float


class DrugNameCorrector:
    """Corrects near-miss drug names in drug contexts. Thread-safe after construction."""

    def __init__(
        self,
        lexicon: DrugLexicon | None = None,
        *,
        threshold: float = 0.75,
        margin: float = 0.08,
        use_sound: bool = True,
        use_spelling: bool = True,
        common_words: Iterable[str] = (),
        listen_floor: float = 0.60,
        common_floor: float = 0.78,
        listen_weight: float = 80.0,
        listen_slack: float = 12.0,
        listen_candidates: int = 2,
        listen_margin: float = 9.0,
        common_slack: float = 3.0,
    ) -> None:
        import jellyfish
        from rapidfuzz import process
        from rapidfuzz.distance import Indel

        self.lexicon = lexicon or DrugLexicon.default()
        self.threshold = threshold
        self.margin = margin
        self.use_sound = use_sound
        self.use_spelling = use_spelling
        self.listen_floor = listen_floor
        self.common_floor = common_floor
        self.listen_weight = listen_weight
        self.listen_slack = listen_slack
        self.listen_candidates = listen_candidates
        self.listen_margin = listen_margin
        self.common_slack = common_slack
        self._process = process
        self._indel = Indel
        self._metaphone = jellyfish.metaphone
        self.common_words = frozenset(w.lower() for w in common_words) | common_english_words()
        names: dict[str, str] = {}  # squashed letters -> the name written into the text
        canon: dict[str, str] = {}
        clinic_terms = self.lexicon.clinic_terms()
        for key, generic in self.lexicon.variants().items():
            squashed = key.replace(" ", "")
            if len(squashed) < 6 or not squashed.isalpha():
                continue
            # Targets: generic names (one or two words), and the names in the clinic's own lists.
            # The dictionary's ~10,000 other brands are obscure look-alikes of ordinary words.
            if key in clinic_terms:
                written = generic if key == spoken_key(generic) else _brand(key)
            elif key == spoken_key(generic) and len(key.split()) <= 2:
                written = generic
            else:
                continue
            names.setdefault(squashed, written)
            canon.setdefault(squashed, generic)
        self._names = names
        self._canon = canon
        self._keys = list(names)
        self._sounds = [self._metaphone(k) for k in self._keys]
        self._clinic = self.lexicon.clinic_names()

    @classmethod
    def for_model(cls, model_path: Path | None, **kwargs: Any) -> DrugNameCorrector:
        """A corrector that knows the speech model's whole-word tokens as common words."""
        return cls(common_words=whole_word_tokens(model_path) if model_path else frozenset(), **kwargs)

    # -- scoring -----------------------------------------------------------------------------
    def ranked(self, heard: str) -> list[Candidate]:
        """Dictionary drugs near ``heard``, closest first, one entry per drug."""
        query = re.sub(r"[^a-z]", "", heard.lower())
        if len(query) < 4:
            return []
        pool: set[int] = set()
        for _, _, i in self._process.extract(
            query, self._keys, scorer=self._indel.normalized_similarity, limit=12
        ):
            pool.add(i)
        sound = self._metaphone(query)
        if sound:
            for _, _, i in self._process.extract(
                sound, self._sounds, scorer=self._indel.normalized_similarity, limit=12
            ):
                pool.add(i)
        scored: list[Candidate] = []
        for i in pool:
            key = self._keys[i]
            if not 0.6 <= len(key) / len(query) <= 1.6:
                continue
            spelling = float(self._indel.normalized_similarity(query, key))
            heard_sound = float(self._indel.normalized_similarity(sound, self._sounds[i])) if sound else 0.0
            parts = [p for p, on in ((spelling, self.use_spelling), (heard_sound, self.use_sound)) if on]
            score = sum(parts) / len(parts)
            if self._canon[key] in self._clinic:
                score += 0.02  # the clinic's own drugs are the likelier ones
            scored.append(Candidate(self._names[key], self._canon[key], score, spelling, heard_sound))
        scored.sort(key=lambda c: c.score, reverse=True)
        distinct: list[Candidate] = []
        for cand in scored:
            if all(cand.canonical != c.canonical for c in distinct):
                distinct.append(cand)
        return distinct

    def best(self, heard: str) -> tuple[Candidate | None, Candidate | None]:
        """The closest dictionary drug to ``heard`` and the closest *other* drug (for the margin)."""
        ranked = self.ranked(heard)
        return (ranked[0] if ranked else None), (ranked[1] if len(ranked) > 1 else None)

    def _text_proposal(self, heard: str) -> Candidate | None:
        """The drug ``heard`` is on spelling and sound alone: close enough, and clearly closer than any other."""
        top, other = self.best(heard)
        if top is None or top.score < self.threshold:
            return None
        if other is not None and top.score - other.score < self.margin:
            return None
        return top

    def _listen_proposals(
        self, text: str, spans: list[tuple[int, int, bool, str]], tokens: list[re.Match[str]], listen: Listen
    ) -> list[tuple[float, int, int, Candidate]]:
        """Near drugs for each span, kept where the speech model finds them fit the audio."""
        versions: list[str] = [text]
        options: list[tuple[int, int, Candidate]] = []
        for i, j, all_common, heard in spans:
            floor = self.common_floor if all_common else self.listen_floor
            for cand in self.ranked(heard)[: self.listen_candidates]:
                if cand.score < floor:
                    break
                start, end = tokens[i].start(), tokens[j - 1].end()
                versions.append(text[:start] + cand.name + text[end:])
                options.append((i, j, cand))
        if not options:
            return []
        scores = listen(versions)
        heard_score = scores[0]
        if not math.isfinite(heard_score):
            return []  # no audio to ask (a clip too short to score)
        rated = [
            ((score - heard_score) + self.listen_weight * (cand.score - self.threshold), i, j, cand)
            for (i, j, cand), score in zip(options, scores[1:], strict=True)
        ]
        out: list[tuple[float, int, int, Candidate]] = []
        common = {(i, j): all_common for i, j, all_common, _ in spans}
        for evidence, i, j, cand in rated:
            # ordinary words heard ("lens appraisal") are a reading of their own: the drug must
            # fit the audio nearly as well; a non-word ("syprophloxacin") is no rival
            if evidence < -(self.common_slack if common[(i, j)] else self.listen_slack):
                continue
            rival = max(
                (e for e, a, b, c in rated if c.canonical != cand.canonical and a < j and i < b),
                default=-math.inf,
            )
            if evidence - rival >= self.listen_margin:  # no other drug fits these words nearly as well
                out.append((evidence, i, j, cand))
        return out

    # -- text --------------------------------------------------------------------------------
    def correct_text(
        self, text: str, listen: Listen | None = None, context: str = ""
    ) -> tuple[str, list[Correction]]:
        """``text`` with near-miss drug names in drug contexts replaced, and the replacements.

        ``listen`` scores versions of ``text`` on its audio (then the speech model chooses);
        ``context`` is the text said just before (a cue there, "allergic to", counts).
        """
        tokens = list(_TOKEN.finditer(text))
        if not tokens:
            return text, []
        before = [t.group(0).lower() for t in _TOKEN.finditer(context)][-4:]
        low = before + [t.group(0).lower() for t in tokens]
        glue = [False] * len(before) + [
            re.fullmatch(r"[ \-]*", text[a.end() : b.start()]) is not None
            for a, b in itertools.pairwise(tokens)
        ]
        lead = len(before)
        chosen: list[tuple[int, int, Candidate]] = []
        taken: set[int] = set()
        spans: list[tuple[int, int, bool, str]] = []
        for i, j, all_common in self._spans(low, glue, with_common=listen is not None):
            if i < lead:
                continue  # the context is only read, never corrected
            i, j = i - lead, j - lead
            heard = text[tokens[i].start() : tokens[j - 1].end()]
            if re.sub(r"[^a-z]", "", heard.lower()) in self._names:
                continue
            spans.append((i, j, all_common, heard))
        proposals: list[tuple[float, int, int, Candidate]] = []
        if listen is not None:
            proposals = self._listen_proposals(text, spans, tokens, listen)
        else:
            for i, j, all_common, heard in spans:
                top = None if all_common else self._text_proposal(heard)
                if top is not None:
                    proposals.append((top.score, i, j, top))
        for _, i, j, top in sorted(proposals, key=lambda p: p[0], reverse=True):
            if any(k in taken for k in range(i, j)):
                continue
            taken.update(range(i, j))
            chosen.append((i, j, top))
        if not chosen:
            return text, []
        out: list[str] = []
        corrections: list[Correction] = []
        cursor = 0
        for i, j, top in sorted(chosen, key=lambda c: c[0]):
            start, end = tokens[i].start(), tokens[j - 1].end()
            out.append(text[cursor:start])
            new_start = sum(len(p) for p in out)
            out.append(top.name)
            corrections.append(
                Correction(
                    start=new_start,
                    end=new_start + len(top.name),
                    heard=text[start:end],
                    text=top.name,
                    canonical=top.canonical,
                    score=round(top.score, 3),
                )
            )
            cursor = end
        out.append(text[cursor:])
        return "".join(out), corrections

    def _spans(
        self, low: list[str], glue: list[bool], with_common: bool = False
    ) -> Iterable[tuple[int, int, bool]]:
        """Token spans [i, j) in a drug context that could be a drug name heard wrong, and whether
        all its words are common English words.

        A span never crosses punctuation (``glue[k]``: token k+1 follows token k after spaces or a
        hyphen only) and never holds a drug the dictionary knows. A span of common English words
        only ("reflux", "have pain", "left kidney") is offered only ``with_common`` (when the
        audio can be asked).
        """
        n = len(low)
        known = [
            self.lexicon.canonical(w) is not None or self.lexicon.canonical(w.rstrip("s")) is not None
            for w in low
        ]
        for i in range(n):
            if self._breaks(low[i]) or known[i]:
                continue
            for j in range(i + 1, min(n, i + MAX_SPAN) + 1):
                if j - 1 > i and not glue[j - 2]:
                    break
                if self._breaks(low[j - 1]) or known[j - 1]:
                    break
                if all(w in _NOT_DRUGS for w in low[i:j]):
                    continue
                all_common = all(w in _NOT_DRUGS or w in self.common_words for w in low[i:j])
                if all_common and not with_common:
                    continue
                if not self._drug_context(low, i, j, known):
                    continue
                if self.lexicon.canonical(" ".join(low[i:j])) is not None:
                    break  # already a drug the dictionary knows
                yield i, j, all_common

    def _drug_context(self, low: list[str], i: int, j: int, known: list[bool]) -> bool:
        """Whether tokens [i, j) stand where a drug is named: after a prescribing word ("take",
        "stop the", "allergic to", "been on", 食, 開), before a dose ("… 40 milligrams"), or after
        "and"/"or" in a list that already named a drug or a dose."""
        before = low[max(0, i - 4) : i]
        if any(w in _STRONG_CUES for w in before):
            return True
        if i >= 2 and low[i - 1] == "on" and low[i - 2] in _BEING_ON:
            return True
        if any(self._dose_at(low, k) for k in range(j, min(len(low), j + 3))):
            return True
        listed = any(known[:i]) or any(self._dose_at(low, k) for k in range(i))
        return listed and any(w in ("and", "or") for w in low[max(0, i - 2) : i])

    def _breaks(self, word: str) -> bool:
        """Words a drug name never spans: numbers, units, cue verbs, articles and conjunctions."""
        return (
            not word[0].isalpha()
            or not word.isascii()
            or "'" in word
            or word in _STRONG_CUES
            or word in _BREAKS
            or bool(_UNITS.match(word))
        )

    @staticmethod
    def _dose_at(low: list[str], k: int) -> bool:
        """A dose starts at token k: a number (digits or words) followed by a unit."""
        if not (low[k][0].isdigit() or low[k] in _NUMBER_WORDS):
            return False
        for m in range(k + 1, min(len(low), k + 5)):
            if _UNITS.match(low[m]):
                return True
            if not (low[m][0].isdigit() or low[m] in _NUMBER_WORDS or low[m] == "and"):
                return False
        return False

    # -- segments ----------------------------------------------------------------------------
    def correct_segment(
        self, segment: TranscriptSegment, listen: Listen | None = None, context: str = ""
    ) -> TranscriptSegment:
        """The segment with its drug names put right (words merged where a name was split); in place.

        ``listen`` scores versions of the segment's text on its audio; ``context`` is the text
        of the segment before it.
        """
        if segment.corrections:
            return segment  # already read once: a correction the doctor undid stays undone
        text, corrections = self.correct_text(segment.text, listen, context)
        if not corrections:
            return segment
        words = _rewrite_words(segment.words, segment.text, text, corrections)
        # read once more: a name just put right makes what follows a list of drugs
        # ("carry on with the lisinopril and the metforming")
        again, more = self.correct_text(text, listen, context)
        if more:
            words = _rewrite_words(words, text, again, more)
            corrections = sorted([*_shifted(corrections, more), *more], key=lambda c: c.start)
            text = again
        segment.words = words
        segment.text = text
        segment.corrections = corrections
        return segment

    def correct(
        self,
        segments: Iterable[TranscriptSegment],
        audio: AudioScorer | None = None,
        previous: TranscriptSegment | None = None,
        cancel: threading.Event | None = None,
    ) -> list[TranscriptSegment]:
        """Every segment read in turn, each with the one before (``previous`` for the first) as
        context; with ``audio``, the speech model chooses between the heard words and the near drugs."""
        out: list[TranscriptSegment] = []
        for seg in segments:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            listen = audio.listener(seg) if audio is not None else None
            out.append(self.correct_segment(seg, listen, context_before(seg, previous)))
            previous = seg
        return out


def context_before(segment: TranscriptSegment, previous: TranscriptSegment | None) -> str:
    """The text said just before ``segment`` when it continues the same sentence, else ""."""
    if previous is None or segment.start - previous.end >= CONTEXT_GAP_S:
        return ""
    return previous.text


class Scores(Protocol):
    """What scores texts on audio (:meth:`desktop.asr.engine.WhisperEngine.scorer`)."""

    def scorer(self, samples: np.ndarray, language: str = "en") -> Listen: ...


class AudioScorer:
    """The recording and the speech model that heard it: scores versions of a segment's text."""

    def __init__(self, engine: Scores, samples: np.ndarray, offset: float = 0.0, pad_s: float = 0.3) -> None:
        self.engine = engine
        self.samples = samples
        self.offset = offset  # the recording time of samples[0]
        self.pad_s = pad_s

    def listener(self, segment: TranscriptSegment) -> Listen:
        """Scores versions of ``segment``'s text on its stretch of the recording (encoded once)."""
        first = max(0, int((segment.start - self.pad_s - self.offset) * SAMPLE_RATE))
        last = min(len(self.samples), int((segment.end + self.pad_s - self.offset) * SAMPLE_RATE))
        return self.engine.scorer(self.samples[first:last], segment.language or "en")


def _shifted(earlier: list[Correction], later: list[Correction]) -> list[Correction]:
    """``earlier`` corrections moved to where they stand after ``later`` ones (made on the text
    the earlier ones produced, never overlapping them) changed the lengths before them."""
    moves: list[tuple[int, int]] = []  # (start in the earlier text, change in length)
    grown = 0
    for c in sorted(later, key=lambda c: c.start):
        delta = len(c.text) - len(c.heard)
        moves.append((c.start - grown, delta))
        grown += delta
    out = []
    for c in earlier:
        shift = sum(delta for start, delta in moves if start < c.start)
        out.append(dataclasses.replace(c, start=c.start + shift, end=c.end + shift))
    return out


def _brand(key: str) -> str:
    """A brand name as written: capitalised ("Ventolin")."""
    return " ".join(w.capitalize() for w in key.split())


def whole_word_tokens(model_path: Path) -> frozenset[str]:
    """Words the speech model's tokenizer holds as one token: common words, not drug names.

    Whisper writes a drug it does not know as pieces ("sympath" + "atin"); a word that is a
    single token of its vocabulary ("opera", "sick", "coin") is an ordinary word it chose.
    """
    try:
        data = json.loads((model_path / "tokenizer.json").read_text(encoding="utf-8"))
        vocab: dict[str, int] = data["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(t[1:].lower() for t in vocab if t.startswith("Ġ") and t[1:].isalpha() and len(t) > 2)


def _rewrite_words(words: list[Word], old: str, new: str, corrections: list[Correction]) -> list[Word]:
    """Word timings for the corrected text: the words a correction replaced become one word.

    The words' texts joined (and stripped) are the segment's old text; where they are not
    (a script conversion changed a length), the timings are left as they were.
    """
    joined = "".join(w.text for w in words)
    lead = len(joined) - len(joined.lstrip())
    if not words or joined.strip() != old:
        return words
    spans: list[tuple[int, int]] = []
    pos = -lead
    for w in words:
        spans.append((pos, pos + len(w.text)))
        pos += len(w.text)
    out: list[Word] = []
    shift = 0
    k = 0
    for c in corrections:
        old_start = c.start - shift
        old_end = old_start + len(c.heard)
        shift += len(c.text) - len(c.heard)
        while k < len(words) and spans[k][1] <= old_start:
            out.append(words[k])
            k += 1
        first = k
        while k < len(words) and spans[k][0] < old_end:
            k += 1
        if first == k:
            continue
        head = old[max(0, spans[first][0]) : old_start]
        tail = old[old_end : spans[k - 1][1]]
        space = " " if words[first].text.startswith(" ") else ""
        group = words[first:k]
        text = f"{space}{head.strip()}{c.text}{tail}"
        out.append(Word(group[0].start, group[-1].end, text, min(w.probability for w in group)))
    out.extend(words[k:])
    return out


@functools.lru_cache(maxsize=2)
def corrector_for(model_path: Path | None) -> DrugNameCorrector:
    """The corrector over the default lexicon for one speech model (built once: ~2 s)."""
    return DrugNameCorrector.for_model(model_path)
