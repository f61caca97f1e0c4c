"""Which voice is the doctor, which the patient, which a companion: named from the dialogue.

The doctor asks, examines and prescribes ("Any fever?", "chest clear", "I'll prescribe…",
"你有冇發燒？", "我開藥俾你"); the patient answers about themselves ("I have…", "my knee…",
"我個肚好痛"); a companion speaks about the patient ("my father…", "佢…"). Each voice's evidence is
the sum over its utterances of how far the words lead for one role, capped per utterance so one
long line cannot outvote a whole consultation. The doctor's enrolled voice, or the lapel
microphone, names the doctor outright; without either, the words decide, and only where they say
nothing at all does the order of speaking (the doctor usually opens).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop.asr.speakers.text import TextEvidence

CAP = 2.0  # the most one utterance can add to a voice's evidence for a role
SPEECH_WEIGHT = 2.0  # the patient usually talks more than a companion: share of speech counts this much


@dataclass
class Voice:
    """One voice as the role namer sees it."""

    key: int
    seconds: float
    first_start: float
    evidence: list[TextEvidence] = field(default_factory=list)
    doctor_by_voice: bool = False  # the enrolled voice, or the lapel microphone's speaker
    _leads: dict[str, float] = field(default_factory=dict, repr=False)

    def lead(self, role: str) -> float:
        cached = self._leads.get(role)
        if cached is None:
            cached = 0.0
            for ev in self.evidence:
                own = getattr(ev, role)
                rivals = max(getattr(ev, r) for r in ("doctor", "patient", "other") if r != role)
                cached += min(max(own - rivals, -CAP), CAP)
            self._leads[role] = cached
        return cached


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


def name_roles(voices: Sequence[Voice], *, doctor_known: bool = False) -> dict[int, tuple[str, float]]:
    """Role and confidence for each voice. Every voice gets one role; only one voice is the doctor
    and one the patient, so two voices never share the doctor's or the patient's label.

    ``doctor_known``: the doctor speaks on a channel of their own (the lapel microphone) and none
    of ``voices`` is the doctor.
    """
    out: dict[int, tuple[str, float]] = {}
    if not voices:
        return out
    rest = list(voices)
    if not doctor_known:
        by_voice = [v for v in voices if v.doctor_by_voice]
        if by_voice:
            doctor = by_voice[0]
            out[doctor.key] = ("doctor", 0.95)
        else:
            doctor, confidence = _doctor_from_words(voices)
            if len(voices) == 1 and confidence < 0.5:
                # The only voice heard so far speaks as the patient or about them ("Doctor, I keep…").
                return name_roles(voices, doctor_known=True)
            out[doctor.key] = ("doctor", confidence)
        rest = [v for v in voices if v.key != doctor.key]
    if not rest:
        return out
    total = sum(v.seconds for v in rest) or 1.0
    scores = {v.key: v.lead("patient") - v.lead("other") + SPEECH_WEIGHT * v.seconds / total for v in rest}
    ranked = sorted(rest, key=lambda v: scores[v.key], reverse=True)
    # A voice whose words clearly speak about the patient ("I'm his son", "my father…") is a
    # companion even when it is the only other voice heard so far.
    companions = [v for v in ranked if v.lead("other") - v.lead("patient") >= 2.0]
    eligible = [v for v in ranked if v not in companions]
    patient = eligible[0] if eligible else None
    if patient is not None:
        runner_up = max((scores[v.key] for v in ranked if v is not patient), default=None)
        margin = scores[patient.key] - runner_up if runner_up is not None else 3.0
        out[patient.key] = ("patient", sigmoid(abs(margin)) if runner_up is not None else 0.95)
    for v in ranked:
        if v is patient:
            continue
        # A further voice is a companion only when its words say so; a voice that only asks and
        # examines is the doctor heard differently, and one with nothing to tell is most likely the
        # patient's voice split off (a cough, another distance from the microphone).
        if v.lead("other") - v.lead("patient") >= 0.5 or patient is None:
            out[v.key] = ("other", sigmoid(max(abs(v.lead("other") - v.lead("patient")), 1.0)))
        elif not doctor_known and v.lead("doctor") >= 2.0 and v.lead("doctor") > v.lead("patient"):
            out[v.key] = ("doctor", 0.55)
        else:
            out[v.key] = ("patient", 0.55)
    return out


def _doctor_from_words(voices: Sequence[Voice]) -> tuple[Voice, float]:
    """The voice that asks, examines and prescribes; the opener only when the words say nothing."""
    if len(voices) == 1:
        only = voices[0]
        # One voice so far: the doctor unless its words say otherwise (then the caller names it).
        lead = only.lead("doctor") - max(only.lead("patient"), only.lead("other"))
        return only, 0.9 if lead >= -1.0 else 0.4
    scores = {v.key: v.lead("doctor") - max(v.lead("patient"), v.lead("other")) for v in voices}
    ranked = sorted(voices, key=lambda v: scores[v.key], reverse=True)
    lead = scores[ranked[0].key] - scores[ranked[1].key]
    if lead < 0.5:  # the words do not tell: the doctor usually opens the consultation
        opener = min(voices, key=lambda v: v.first_start)
        return opener, 0.55
    return ranked[0], sigmoid(lead)
