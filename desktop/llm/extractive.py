"""A rule-based drafter: transcript lines sorted into SOAP sections by who spoke and what was said.

It backs up the language model when a section's answer holds nothing usable (small
models often echo the first line or a question) and needs no model at all. Statements are
the speaker's own words, each linked to its line, so nothing is paraphrased or invented.
"""

from __future__ import annotations

import re

from desktop.core.types import NoteStatement, Transcript, TranscriptSegment

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


def classify(seg: TranscriptSegment) -> list[str]:
    """The sections a line belongs to (a doctor's line can hold an assessment and a plan)."""
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


def extract_sections(transcript: Transcript) -> dict[str, list[NoteStatement]]:
    out: dict[str, list[NoteStatement]] = {}
    for seg in transcript.segments:
        for section in classify(seg):
            out.setdefault(section, []).append(NoteStatement(text=seg.text.strip(), evidence=[seg.id]))
    return out
