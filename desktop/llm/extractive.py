"""The extractive drafter: the speakers' own sentences sorted into note sections.

It backs up the language model when a section's answer holds nothing usable (small
models often echo the first line or a question) and needs no model at all. Statements are
the speaker's own words, each linked to its line, so nothing is paraphrased or invented.

Each line is split into sentences, and each sentence is sorted by the learned section
classifier (``desktop.llm.sections``, trained on silver labels from ACI-Bench and MTS-Dialog)
or left out when it is likely small talk. Sentences that are mostly Chinese keep the rules
below (the classifier learned from English only); ``docs/sections.md`` has the figures.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.errors import ModelError
from desktop.core.types import NoteStatement, Transcript, TranscriptSegment
from desktop.llm import sections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SortPolicy:
    """How the sorter combines the learned classifier and the rules (choices measured on ACI-Bench valid)."""

    # Recall first: a sentence is left out only when the classifier is at least this sure it is
    # small talk. Lower thresholds give shorter notes with better ROUGE and lose facts
    # (docs/sections.md has the curve: 0.3 is best on ACI-Bench ROUGE, 0.9 on PriMock57 recall).
    none_threshold: float = 0.9
    # ...unless the rules find a plan or advice in it ("I will prescribe…", "please rest"): the
    # classifier saw few such lines, and a lost prescription costs more than a kept pleasantry.
    rescue_sections: tuple[str, ...] = ("plan", "patient_instructions")
    rules_for_chinese: bool = True  # sentences that are mostly Chinese are sorted by the rules
    model: sections.SectionModel | None = None  # None: the shipped, verified classifier


_RULES: dict[str, re.Pattern[str]] = {
    "objective": re.compile(
        r"\b(examination|on exam|blood pressure|bp|pulse|heart rate|temperature|temp|sats?|saturation|"
        r"heart sounds|chest (is )?clear|lungs?|abdomen|tender|swelling|oedema|edema|rash|murmur|reflexes|"
        r"weight|bmi|respiratory rate)\b|檢查|血壓|脈搏|體溫|心跳|聽診|腫",
        re.IGNORECASE,
    ),
    "plan": re.compile(
        r"\b(start|prescribe|i will|we will|we'll|i'll|refer|referral|follow[- ]?up|come back|check your|"
        r"blood tests?|x-ray|scan|ecg|mri|ultrasound|increase|decrease|stop taking|review)\b|開藥|開|覆診|轉介|驗|照",
        re.IGNORECASE,
    ),
    "patient_instructions": re.compile(
        r"\b(please|avoid|reduce|keep taking|drink|rest|make sure|try to|don't|do not|remember)\b|"
        r"少食|多飲|休息|繼續|記得|唔好",
        re.IGNORECASE,
    ),
    "assessment": re.compile(
        r"\b(is high|is low|diagnos\w*|likely|probably|you have|consistent with|infection|"
        r"looks like|impression)\b|診斷|可能係|應該係|你有",
        re.IGNORECASE,
    ),
}
_SMALL_TALK = re.compile(
    r"^(good (morning|afternoon|evening)|hello|hi|thank(s| you)|bye|ok(ay)?|yes|no)[\s,.!]*$|^(早晨|你好|多謝|唔該|拜拜)",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|me)\b|我", re.IGNORECASE)


def _is_question(text: str) -> bool:
    return text.rstrip().endswith(("?", "？"))


def rule_sections(seg: TranscriptSegment) -> list[str]:
    """The sections the rules put a line in (a doctor's line can hold an assessment and a plan)."""
    text = seg.text.strip()
    if not text or _is_question(text) or _SMALL_TALK.match(text):
        return []
    if seg.speaker != "patient":
        found = [name for name in ("assessment", "plan", "patient_instructions") if _RULES[name].search(text)]
        if "patient_instructions" in found and "plan" in found:
            found.remove("plan")  # "please come back in two weeks" is advice to the patient
        if not found and _RULES["objective"].search(text):
            found = ["objective"]
        if found or seg.speaker == "doctor":
            return found
    if seg.speaker == "patient" or _FIRST_PERSON.search(text):
        return ["subjective"]
    return []


def sort_lines(segments: Sequence[TranscriptSegment], policy: SortPolicy | None = None) -> list[list[str]]:
    """The sections each line goes to (empty: not for the note); one call classifies them all."""
    policy = policy or SortPolicy()
    use_rules = [
        not seg.text.strip() or (policy.rules_for_chinese and sections.cjk_share(seg.text) >= 0.5)
        for seg in segments
    ]
    learned = [seg for seg, rules in zip(segments, use_rules, strict=True) if not rules]
    try:
        guesses = iter(
            sections.classify([s.text for s in learned], [s.speaker for s in learned], model=policy.model)
        )
    except ModelError as exc:
        # A damaged install must not cost the doctor the draft: sort by the rules and say why in the log.
        log.warning("section classifier unusable, sorting by rules: %s", exc.message)
        return [rule_sections(seg) for seg in segments]
    out: list[list[str]] = []
    for seg, rules in zip(segments, use_rules, strict=True):
        if rules:
            out.append(rule_sections(seg))
            continue
        out.append(_combine(seg, next(guesses), policy))
    return out


def _combine(seg: TranscriptSegment, guess: sections.SectionGuess, policy: SortPolicy) -> list[str]:
    rules = rule_sections(seg)
    if guess.probabilities.get("none", 0.0) >= policy.none_threshold:
        return [r for r in rules if r in policy.rescue_sections][:1]
    label = max((p, label) for label, p in guess.probabilities.items() if label != "none")[1]
    if seg.speaker == "patient":
        return ["subjective"]  # patients report; the examination, assessment and plan are the clinician's
    if label == "subjective" and rules == ["objective"]:
        # A clinician's sentence in plain examination words ("the chest is clear") is a finding, not
        # history (on ACI-Bench valid this moves macro-F1 by 0.0 to -0.2: a choice, not a gain).
        return ["objective"]
    if label == "plan" and "patient_instructions" in rules:
        # The silver labels hold few instructions to the patient (under 200 of 25,000 examples):
        # the rules' advice words ("please", "avoid", "make sure") tell them from the plan.
        return ["patient_instructions"]
    return [label]


def sentence_units(transcript: Transcript) -> list[TranscriptSegment]:
    """The transcript's sentences, each carrying the id and speaker of the line it is part of."""
    return [
        TranscriptSegment(seg.id, seg.start, seg.end, sentence, seg.speaker, seg.language)
        for seg in transcript.segments
        for sentence in sections.split_sentences(seg.text)
    ]


def sorted_lines(transcript: Transcript, policy: SortPolicy | None = None) -> list[tuple[str, str, str]]:
    """(section, line id, sentence) for every sentence that belongs in the note, in spoken order.

    The hook for drafting: it tells the model which lines feed which section.
    """
    units = sentence_units(transcript)
    return [
        (section, unit.id, unit.text)
        for unit, found in zip(units, sort_lines(units, policy), strict=True)
        for section in found
    ]


def extract_sections(
    transcript: Transcript, policy: SortPolicy | None = None
) -> dict[str, list[NoteStatement]]:
    """The sorted sentences as quotations. A question that ends its line and is answered in a few
    words by the other speaker is quoted with its answer ("Any blood in the stool? — No."): a
    question alone says nothing, and the answer alone ("No.") even less."""
    return quote_sections(transcript, sorted_lines(transcript, policy))


def quote_sections(
    transcript: Transcript, found: list[tuple[str, str, str]]
) -> dict[str, list[NoteStatement]]:
    """:func:`sorted_lines` made into quotations, questions with their short answers."""
    answers = _short_answers(transcript)
    last = {seg.id: (sections.split_sentences(seg.text) or [""])[-1] for seg in transcript.segments}
    paired = {
        line_id: answers[line_id]
        for _, line_id, text in found
        if line_id in answers and text == last.get(line_id) and _is_question(text)
    }
    quoted_answers = {answer.id for answer in paired.values()}
    out: dict[str, list[NoteStatement]] = {}
    for section, line_id, text in found:
        if line_id in paired and text == last.get(line_id):
            answer = paired[line_id]
            quoted = f"{tidy_speech(text)} — {tidy_speech(answer.text)}"
            out.setdefault(section, []).append(NoteStatement(text=quoted, evidence=[line_id, answer.id]))
        elif line_id not in quoted_answers:
            out.setdefault(section, []).append(NoteStatement(text=tidy_speech(text), evidence=[line_id]))
    return out


_SHORT_ANSWER_WORDS = 15


def _short_answers(transcript: Transcript) -> dict[str, TranscriptSegment]:
    """Line id of a question -> the other speaker's short reply right after it."""
    out: dict[str, TranscriptSegment] = {}
    segs = transcript.segments
    for seg, nxt in itertools.pairwise(segs):
        if (
            _is_question(seg.text)
            and nxt.speaker != seg.speaker
            and nxt.text.strip()
            and len(nxt.text.split()) <= _SHORT_ANSWER_WORDS
            and not _is_question(nxt.text)
        ):
            out[seg.id] = nxt
    return out


# Spoken English that a written note leaves out: hesitations, "you know", a word said twice, and the
# "so", "okay", "yeah" a sentence is started with. The transcript keeps every word.
_FILLER = re.compile(
    r"(?i)(?:^|(?<=[\s,]))(?:u+m+|u+h+|uhm|erm?|hmm+|mm-hmm|you know|i mean)(?=[\s,.?!]|$)\s*,?\s*"
)
_OPENERS = re.compile(r"(?i)^(?:(?:so|okay|ok|alright|all right|well|yeah|yes|and|now|um|uh)\b\s*[,.]?\s*)+")
_SAID_TWICE = re.compile(r"(?i)\b(\w+)(?:\s*,?\s+\1\b)+")


def tidy_speech(text: str) -> str:
    """A spoken English sentence as a note quotes it: "um, yeah, I, I take the uh lisinopril" ->
    "I take the lisinopril". Chinese and anything that would be left empty stay as said."""
    if not text.isascii():
        return text
    t = _FILLER.sub("", text)
    t = _SAID_TWICE.sub(r"\1", t)
    t = re.sub(r"(?i)\bgon na\b", "going to", t)
    t = re.sub(r"(?i)\bwan na\b", "want to", t)
    t = _OPENERS.sub("", t.strip())
    t = re.sub(r"\s+([,.?!])", r"\1", t)
    t = re.sub(r",\s*,+", ",", t)
    t = re.sub(r"\bi\b", "I", t)
    t = re.sub(r"\s{2,}", " ", t).strip(" ,")
    if len(t.split()) < 2:
        return text.strip()
    return t[0].upper() + t[1:]


def extract_sections_by_rules(transcript: Transcript) -> dict[str, list[NoteStatement]]:
    """Whole lines sorted by the rules alone (the sorter before the classifier; a benchmark baseline)."""
    out: dict[str, list[NoteStatement]] = {}
    for seg in transcript.segments:
        for section in rule_sections(seg):
            out.setdefault(section, []).append(NoteStatement(text=seg.text.strip(), evidence=[seg.id]))
    return out
