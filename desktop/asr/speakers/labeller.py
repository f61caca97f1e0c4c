"""Who said it: doctor, patient or other, for each utterance of the live transcript.

How a label is decided, in order of strength:

1. **Two microphones** (a lapel microphone on the doctor plus a room microphone): the energy ratio
   between the channels. The doctor is much louder on the lapel channel than anyone else. The
   threshold adapts to the room once both kinds of utterance have been heard.
2. **The voice**: each utterance is described by an :class:`~desktop.asr.speakers.embed.Embedder`
   (MFCC/pitch statistics by default, a clinic's ONNX speaker model when installed) and compared
   with the doctor's enrolled voice profile and with the other voices heard so far (online
   clustering). The patient is the main non-doctor voice; further voices are "other".
3. **The words**, only where the voice is ambiguous: questions and examination dictation point
   to the doctor, "I have…" to the patient, "my father…" to a relative. Such labels are marked
   ``uncertain`` so the transcript view can show them; so are labels for very short utterances.

A recording with one voice yields one speaker: a new voice is only opened when an utterance is
clearly unlike every voice heard so far, and the threshold is stricter for short utterances.

Wiring, per final segment of the streaming transcript::

    labeller = SpeakerLabeller(doctor_profile)       # once per consultation
    result = labeller.label(audio, seg.start, seg.end, seg.text, segment_id=seg.id)
    seg.speaker, seg.speaker_confidence = result.speaker, result.confidence

and at Stop, ``labeller.review()`` returns better labels for every segment, using everything heard.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.asr.speakers.channels import SAME_CHANNELS, channel_ratio_db, two_means_split
from desktop.asr.speakers.embed import Embedder, Embedding, MfccEmbedder
from desktop.asr.speakers.labels import ROLES, SpeakerLabel, consistent
from desktop.asr.speakers.profile import VoiceProfile
from desktop.asr.speakers.text import TextEvidence, text_evidence

log = logging.getLogger(__name__)

SR = sf.SAMPLE_RATE
MIN_SPEECH_S = 0.35  # below this an utterance carries no usable voice evidence
MAX_ANALYSIS_S = 8  # seconds of a long utterance analysed (its middle): bounds the added latency
GREY_CONFIDENCE = 0.6  # below this an utterance is labelled but not learnt from
CONFIRM_FACTOR = 1.5  # a voice this much beyond the threshold is new at once; nearer, it needs a second
SHORT_PIECE_S = 1.0  # a piece of an utterance with less speech keeps the label of the piece before
TINY_VOICE_S = 2.5  # at review, a voice with less speech than this may be folded into a near one


@dataclass
class _Voice:
    index: int
    items: list[Embedding] = field(default_factory=list)
    anchor: Embedding | None = None  # the enrolment, for the doctor's voice
    model: Embedding | None = None
    enrolled: bool = False
    first_start: float = 0.0
    text: list[TextEvidence] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return float(sum(e.seconds for e in self.items))

    def refresh(self, embedder: Embedder) -> None:
        pool = list(self.items)
        if self.anchor is not None:
            pool.append(self.anchor)
        self.model = embedder.pool(pool) if pool else None

    def text_score(self, role: str) -> float:
        """Summed, per-utterance-capped evidence that this voice plays ``role``."""
        total = 0.0
        for ev in self.text:
            own = getattr(ev, role)
            rivals = max(getattr(ev, r) for r in ROLES if r != role)
            total += float(np.clip(own - rivals, -2.0, 2.0))
        return total


@dataclass
class _Utterance:
    key: str
    start: float
    end: float
    embedding: Embedding | None
    evidence: TextEvidence
    voice: int | None
    acoustic_confidence: float
    channel_ratio_db: float | None
    text_decided: bool = False
    label: SpeakerLabel | None = None
    utterance: int | str | None = None
    inherited: bool = False  # a short piece that follows the piece before it


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


class SpeakerLabeller:
    """Labels the utterances of one consultation as they become final.

    ``label`` costs a few milliseconds per utterance (feature extraction plus a handful of
    distance computations) and may be called from the ASR thread. One instance per consultation;
    not thread-safe.

    ``doctor_channel`` picks the lapel channel when two-channel audio is passed.
    """

    def __init__(
        self,
        doctor_profile: VoiceProfile | None = None,
        *,
        embedder: Embedder | None = None,
        doctor_channel: int = 0,
        max_voices: int = 4,
        use_text: bool = True,
        short_utterance_s: float = 1.2,
        default_channel_threshold_db: float = 0.0,
    ) -> None:
        self.embedder: Embedder = embedder or MfccEmbedder()
        self.doctor_channel = doctor_channel
        self.max_voices = max_voices
        self.use_text = use_text
        self.short_utterance_s = short_utterance_s
        self.default_channel_threshold_db = default_channel_threshold_db
        self._voices: list[_Voice] = []
        self._utterances: list[_Utterance] = []
        self._limbo: list[_Utterance] = []
        self._roles: dict[int, str] = {}
        self._role_confidence: dict[int, float] = {}
        self.enrolled = False
        self._two_channel = False
        self._voices_opened = 0
        if doctor_profile is not None:
            anchor = doctor_profile.embedding_for(self.embedder)
            if anchor is None:
                log.warning(
                    "voice profile was made with %s, not %s; labelling without enrolment",
                    ",".join(doctor_profile.embeddings), self.embedder.name,
                )  # fmt: skip
            else:
                doctor = _Voice(self._new_index(), anchor=anchor, enrolled=True)
                doctor.refresh(self.embedder)
                self._voices.append(doctor)
                self.enrolled = True
        self._update_roles()

    def _new_index(self) -> int:
        """A voice's identity; never reused, since merged voices leave the list."""
        self._voices_opened += 1
        return self._voices_opened - 1

    # -- public API ---------------------------------------------------------------------------

    def label(
        self,
        samples: np.ndarray,
        start: float,
        end: float,
        text: str | None = None,
        *,
        segment_id: str | None = None,
        buffer_start: float | None = None,
        utterance: int | str | None = None,
    ) -> SpeakerLabel:
        """Label one final utterance.

        ``samples`` is the utterance's 16 kHz audio, mono ``(n,)`` or two-channel ``(n, 2)``; when
        ``buffer_start`` is given it is a longer buffer starting at that time and the utterance is
        cut out of it by ``start``/``end`` (seconds in the consultation).

        ``utterance`` identifies the VAD utterance a final segment belongs to, when the streaming
        transcript finalises one utterance in several pieces: a short piece (too little speech to
        judge a voice by) then keeps the label of the piece before it, since people rarely take
        over in the middle of an unbroken stretch of speech.
        """
        audio = np.asarray(samples, dtype=np.float32)
        if buffer_start is not None:
            a = max(round((start - buffer_start) * SR), 0)
            b = max(round((end - buffer_start) * SR), a)
            audio = audio[a:b]
        key = segment_id if segment_id is not None else f"u{len(self._utterances)}"
        evidence = text_evidence(text) if self.use_text else TextEvidence()
        mono, ratio = self._channels(audio)
        if len(mono) > MAX_ANALYSIS_S * SR:  # bound the cost of a long monologue: its middle part is enough
            skip = (len(mono) - MAX_ANALYSIS_S * SR) // 2
            mono = mono[skip : skip + MAX_ANALYSIS_S * SR]
        embedding = self.embedder.embed(mono) if len(mono) else None
        utt = _Utterance(key, start, end, embedding, evidence, None, 0.0, ratio, utterance=utterance)
        previous = self._utterances[-1] if self._utterances else None
        self._utterances.append(utt)
        short = embedding is None or embedding.seconds < SHORT_PIECE_S
        if (
            utterance is not None
            and previous is not None
            and previous.utterance == utterance
            and previous.label is not None
            and short
        ):
            utt.voice, utt.acoustic_confidence = previous.voice, previous.acoustic_confidence
            utt.label = previous.label
            utt.inherited = True
            voice = next((v for v in self._voices if v.index == previous.voice), None)
            learnt = previous not in self._limbo and previous.acoustic_confidence >= GREY_CONFIDENCE
            if voice is not None and learnt and embedding is not None and embedding.seconds >= MIN_SPEECH_S:
                # The rest of a confidently placed utterance teaches that voice's model too.
                voice.items.append(embedding)
                voice.refresh(self.embedder)
            return previous.label
        result = consistent(self._label_two_channel(utt) if ratio is not None else self._label_mono(utt))
        utt.label = result
        return result

    def review(self) -> dict[str, SpeakerLabel]:
        """Labels for every utterance so far, re-decided with all the voices heard (e.g. at Stop).

        Live labels are decided with what had been heard up to each utterance; at the end the
        voice models are complete, so early utterances can be placed better.
        """
        self._dissolve_tiny_voices()
        for utt in self._utterances:
            if utt.inherited or utt.embedding is None or utt.embedding.seconds < MIN_SPEECH_S:
                continue
            if not self._voices:
                continue
            two_channel = utt.channel_ratio_db is not None
            if two_channel and self._channel_says_doctor(utt):
                continue
            candidates = [v for v in self._voices if not (two_channel and v.enrolled)]
            if not candidates:
                if two_channel:  # the room's threshold only became clear later: someone else spoke
                    voice = _Voice(self._new_index(), first_start=utt.start)
                    self._voices.append(voice)
                    self._move(utt, voice)
                continue
            dists = [self._distance(v, utt.embedding, exclude=utt) for v in candidates]
            order = np.argsort(dists)
            best = candidates[int(order[0])]
            current = next((k for k, v in enumerate(candidates) if v.index == utt.voice), None)
            # Move only on clearly better evidence: short utterances are noisy.
            hysteresis = 0.25 * self.embedder.threshold
            if current is None and two_channel:
                self._move(utt, best)  # was taken for the doctor live; the channels now say otherwise
            elif (
                current is not None
                and best.index != utt.voice
                and dists[int(order[0])] < dists[current] - hysteresis
            ):
                self._move(utt, best)
            utt.acoustic_confidence = self._margin_confidence(dists, order, utt.embedding)
        self._update_roles()
        out: dict[str, SpeakerLabel] = {}
        previous: SpeakerLabel | None = None
        for utt in self._utterances:
            if utt.inherited and previous is not None:
                label = previous
            elif utt.channel_ratio_db is not None and self._channel_says_doctor(utt):
                _, confidence = self._channel_is_doctor(utt.channel_ratio_db)
                label = SpeakerLabel("doctor", round(confidence, 3), confidence < 0.7 or utt.text_decided)
            else:
                label = self._final_label(utt, reviewed=True)
            label = consistent(label)
            out[utt.key] = label
            previous = label
        return out

    def _channel_says_doctor(self, utt: _Utterance) -> bool:
        """The lapel/room decision with the room's final threshold (and the words where it is close)."""
        assert utt.channel_ratio_db is not None
        is_doctor, confidence = self._channel_is_doctor(utt.channel_ratio_db)
        role, lead = utt.evidence.strongest()
        if confidence < 0.7 and self.use_text and lead >= 1.0:
            return role == "doctor"
        return is_doctor

    def _dissolve_tiny_voices(self) -> None:
        """A voice heard only briefly, not far from a well-heard one, was most likely that person."""
        for tiny in [v for v in self._voices if not v.enrolled and v.items and v.seconds < TINY_VOICE_S]:
            if tiny.model is None:
                continue
            others = [
                v for v in self._voices if v is not tiny and v.model is not None and v.seconds >= TINY_VOICE_S
            ]
            if not others:
                continue
            if self._two_channel:
                others = [v for v in others if not v.enrolled]
            scored = [(self.embedder.distance(v.model, tiny.model), v) for v in others if v.model is not None]
            if not scored:
                continue
            d, target = min(scored, key=lambda x: x[0])
            if d < CONFIRM_FACTOR * self._threshold(tiny.seconds):
                for u in self._utterances:
                    if u.voice == tiny.index:
                        self._move(u, target)
        self._voices = [v for v in self._voices if v.items or v.enrolled]

    @property
    def voice_count(self) -> int:
        """How many distinct voices have been heard (the enrolled doctor counts once heard)."""
        return sum(1 for v in self._voices if v.items)

    # -- channels -----------------------------------------------------------------------------

    def _channels(self, audio: np.ndarray) -> tuple[np.ndarray, float | None]:
        if audio.ndim == 1 or audio.shape[1] == 1:
            return audio.reshape(-1), None
        lapel = audio[:, self.doctor_channel]
        room = audio[:, 1 - self.doctor_channel if audio.shape[1] == 2 else 1]
        lapel_rms = float(np.sqrt(np.mean(lapel.astype(np.float64) ** 2))) if len(lapel) else 0.0
        room_rms = float(np.sqrt(np.mean(room.astype(np.float64) ** 2))) if len(room) else 0.0
        if room_rms < 1e-4 and lapel_rms < 1e-4:
            return room, None
        if lapel_rms < 1e-4:  # lapel microphone dead or unplugged: the room channel alone
            return room, None
        if room_rms < 1e-4:
            return lapel, None
        difference = lapel.astype(np.float64) - room.astype(np.float64)
        if float(np.sqrt(np.mean(difference**2))) < SAME_CHANNELS * max(lapel_rms, room_rms):
            # One microphone delivered on both channels (a mono device opened as stereo, a
            # duplicated file): the balance says nothing about who spoke.
            return room, None
        return room, channel_ratio_db(lapel, room)

    def channel_threshold(self) -> float:
        """The lapel − room level (dB) above which the doctor is speaking, learnt from this room."""
        return self._channel_threshold()

    def _channel_threshold(self) -> float:
        ratios = np.array([u.channel_ratio_db for u in self._utterances if u.channel_ratio_db is not None])
        if len(ratios) >= 3:
            split = two_means_split(ratios)
            if split is not None:
                return split
        return self.default_channel_threshold_db

    def _channel_is_doctor(self, ratio: float) -> tuple[bool, float]:
        threshold = self._channel_threshold()
        return ratio > threshold, _sigmoid(abs(ratio - threshold) / 2.0)

    def _label_two_channel(self, utt: _Utterance) -> SpeakerLabel:
        assert utt.channel_ratio_db is not None
        self._two_channel = True
        is_doctor, confidence = self._channel_is_doctor(utt.channel_ratio_db)
        text_role, lead = utt.evidence.strongest()
        if confidence < 0.7 and self.use_text and lead >= 1.0:
            is_doctor = text_role == "doctor"
            utt.text_decided = True
        if is_doctor:
            # Keep the doctor's voice model growing so a dead lapel microphone can fall back to it.
            doctor = self._doctor_voice(create_at=utt.start)
            if utt.embedding is not None and utt.embedding.seconds >= MIN_SPEECH_S and confidence > 0.9:
                doctor.items.append(utt.embedding)
                doctor.refresh(self.embedder)
                utt.voice = doctor.index
            utt.acoustic_confidence = confidence
            self._roles.setdefault(doctor.index, "doctor")
            return SpeakerLabel("doctor", round(confidence, 3), confidence < 0.7 or utt.text_decided)
        utt.acoustic_confidence = confidence
        label = self._assign_voice(utt, exclude_doctor=True)
        conf = min(confidence, label.confidence)
        return SpeakerLabel(label.speaker, round(conf, 3), label.uncertain or confidence < 0.7)

    def _doctor_voice(self, create_at: float) -> _Voice:
        for v in self._voices:
            if v.enrolled or self._roles.get(v.index) == "doctor":
                return v
        voice = _Voice(self._new_index(), enrolled=True, first_start=create_at)
        self._voices.append(voice)
        self._roles[voice.index] = "doctor"
        return voice

    # -- one microphone -----------------------------------------------------------------------

    def _label_mono(self, utt: _Utterance) -> SpeakerLabel:
        return self._assign_voice(utt, exclude_doctor=False)

    def _threshold(self, seconds: float) -> float:
        # Short utterances give noisy statistics: demand more before calling a voice new.
        return self.embedder.threshold * (1.0 + self.short_utterance_s / max(seconds, MIN_SPEECH_S))

    def _distance(self, voice: _Voice, emb: Embedding, exclude: _Utterance | None = None) -> float:
        model = voice.model
        if exclude is not None and exclude.voice == voice.index and exclude.embedding is not None:
            rest = [e for e in voice.items if e is not exclude.embedding]
            if voice.anchor is not None:
                rest.append(voice.anchor)
            if not rest:  # the voice is this utterance alone: staying costs what a new voice would
                return self._threshold(emb.seconds)
            model = self.embedder.pool(rest)
        if model is None or model.seconds <= 0:
            return float("inf")
        return self.embedder.distance(model, emb)

    def _margin_confidence(self, dists: Sequence[float], order: np.ndarray, emb: Embedding) -> float:
        best = dists[int(order[0])]
        alternative = self._threshold(emb.seconds)
        if len(order) > 1:
            alternative = min(alternative, dists[int(order[1])])
        scale = 0.25 * self.embedder.threshold
        return _sigmoid((alternative - best) / scale)

    def _assign_voice(self, utt: _Utterance, *, exclude_doctor: bool) -> SpeakerLabel:
        emb = utt.embedding
        if emb is None or emb.seconds < MIN_SPEECH_S:
            return self._weak_label(utt)
        candidates = [
            v for v in self._voices
            if not (exclude_doctor and (v.enrolled or self._roles.get(v.index) == "doctor"))
        ]  # fmt: skip
        dists = [self._distance(v, emb) for v in candidates]
        threshold = self._threshold(emb.seconds)
        order = np.argsort(dists) if dists else np.array([], dtype=int)
        room_for_more = len(self._voices) < self.max_voices
        open_new = (not candidates or dists[int(order[0])] > threshold) and room_for_more
        if open_new and candidates and dists[int(order[0])] < CONFIRM_FACTOR * threshold:
            # Unlike the known voices, but not by much: wait for a second utterance like it before
            # believing in a new person (one odd utterance must not invent a speaker).
            open_new = False
        if open_new and candidates and self.use_text:
            # Only a little unlike the nearest voice, and the words say it is that voice's role.
            nearest = candidates[int(order[0])]
            margin = (dists[int(order[0])] - threshold) / (0.25 * self.embedder.threshold)
            role, lead = utt.evidence.strongest()
            if _sigmoid(margin) < 0.7 and lead >= 1.0 and self._roles.get(nearest.index) == role:
                open_new = False
                utt.text_decided = True
        partner = self._limbo_partner(emb, dists[int(order[0])] if candidates else float("inf"))
        if partner is not None and room_for_more and not open_new:
            # Two utterances alike each other and both a little unlike every known voice: a new person.
            voice = _Voice(self._new_index(), first_start=partner.start)
            self._voices.append(voice)
            self._move(partner, voice)
            self._limbo.remove(partner)
            confidence = 0.7
        elif open_new:
            voice = _Voice(self._new_index(), first_start=utt.start)
            self._voices.append(voice)
            if candidates:
                confidence = _sigmoid((dists[int(order[0])] - threshold) / (0.25 * self.embedder.threshold))
            else:
                confidence = 0.8 if self._voices[0] is voice or exclude_doctor else 0.6
        elif utt.text_decided:
            voice = candidates[int(order[0])]
            confidence = 1.0 - _sigmoid((dists[int(order[0])] - threshold) / (0.25 * self.embedder.threshold))
        else:
            voice = candidates[int(order[0])]
            confidence = self._margin_confidence(dists, order, emb)
            # Weak acoustic evidence: let the words pick between the two closest voices.
            if confidence < 0.7 and self.use_text and len(order) > 1:
                chosen = self._text_choice(utt.evidence, [candidates[int(i)] for i in order[:2]])
                if chosen is not None and chosen is not voice:
                    voice = chosen
                    utt.text_decided = True
        utt.voice = voice.index
        utt.acoustic_confidence = confidence
        if confidence < GREY_CONFIDENCE and voice.items:
            # Too close to call: label it, but keep it out of the voice model so that a stranger's
            # voice cannot pull the model towards itself.
            self._limbo.append(utt)
        else:
            voice.items.append(emb)
            voice.text.append(utt.evidence)
            voice.refresh(self.embedder)
        self._merge_close_voices()
        self._update_roles()
        return self._final_label(utt)

    def _limbo_partner(self, emb: Embedding, best_known: float) -> _Utterance | None:
        best: tuple[float, _Utterance] | None = None
        for other in self._limbo:
            if other.embedding is None:
                continue
            d = self.embedder.distance(other.embedding, emb)
            limit = self._threshold(min(other.embedding.seconds, emb.seconds))
            if (
                d < limit
                and d < best_known - 0.25 * self.embedder.threshold
                and (best is None or d < best[0])
            ):
                best = (d, other)
        return best[1] if best else None

    def _text_choice(self, evidence: TextEvidence, voices: list[_Voice]) -> _Voice | None:
        role, lead = evidence.strongest()
        if lead < 1.0:
            return None
        matching = [v for v in voices if self._roles.get(v.index) == role]
        return matching[0] if len(matching) == 1 else None

    def _weak_label(self, utt: _Utterance) -> SpeakerLabel:
        role, lead = utt.evidence.strongest()
        if self.use_text and lead >= 1.0 and (role != "other" or self.voice_count > 2):
            return SpeakerLabel(role, 0.5, True)
        previous = next((u.label for u in reversed(self._utterances[:-1]) if u.label is not None), None)
        if previous is not None:
            return SpeakerLabel(previous.speaker, 0.3, True)
        return SpeakerLabel("doctor" if not self.enrolled else "patient", 0.2, True)

    def _move(self, utt: _Utterance, target: _Voice) -> None:
        source = next((v for v in self._voices if v.index == utt.voice), None)
        if source is not None and utt.embedding is not None:
            source.items = [e for e in source.items if e is not utt.embedding]
            source.text = [t for t in source.text if t is not utt.evidence]
            source.refresh(self.embedder)
        if utt.embedding is not None:
            target.items.append(utt.embedding)
            target.text.append(utt.evidence)
            target.refresh(self.embedder)
        utt.voice = target.index

    def _merge_close_voices(self) -> None:
        """Two voices that have grown alike are one person heard twice: merge them."""
        merged = True
        while merged and len(self._voices) > 1:
            merged = False
            for a in self._voices:
                for b in self._voices:
                    if a.index >= b.index or b.enrolled or a.model is None or b.model is None or not b.items:
                        continue
                    if a.enrolled and self._two_channel:  # the channels, not the voice, decide the doctor
                        continue
                    limit = 0.8 * self._threshold(min(a.seconds, b.seconds) if not a.enrolled else b.seconds)
                    if self.embedder.distance(a.model, b.model) < limit:
                        a.items.extend(b.items)
                        a.text.extend(b.text)
                        a.refresh(self.embedder)
                        b.items, b.text = [], []
                        b.refresh(self.embedder)
                        for u in self._utterances:
                            if u.voice == b.index:
                                u.voice = a.index
                        merged = True
            self._voices = [v for v in self._voices if v.items or v.enrolled]

    # -- roles --------------------------------------------------------------------------------

    def _update_roles(self) -> None:
        """Decide which voice is the doctor, which the patient, which others."""
        voices = [v for v in self._voices if v.items or v.enrolled]
        roles: dict[int, str] = {}
        conf: dict[int, float] = {}
        if not voices:
            self._roles, self._role_confidence = roles, conf
            return
        doctor = next((v for v in voices if v.enrolled), None)
        if doctor is None and self._two_channel:
            pass  # with a lapel microphone the channels name the doctor, never a voice cluster
        elif doctor is not None:
            roles[doctor.index] = "doctor"
            conf[doctor.index] = 1.0
        else:
            first = min(voices, key=lambda v: v.first_start)
            # The doctor usually opens the consultation and asks and examines; weigh both.
            scores = {v.index: v.text_score("doctor") + (1.0 if v is first else 0.0) for v in voices}
            ranked = sorted(voices, key=lambda v: scores[v.index], reverse=True)
            doctor = ranked[0]
            roles[doctor.index] = "doctor"
            lead = scores[doctor.index] - (scores[ranked[1].index] if len(ranked) > 1 else 0.0)
            conf[doctor.index] = _sigmoid(lead) if len(ranked) > 1 else 0.9
        rest = [v for v in voices if v.index not in roles and v.items]
        if rest:
            total = sum(v.seconds for v in rest) or 1.0
            patient_scores = {
                v.index: 3.0 * v.seconds / total + 0.5 * (v.text_score("patient") - v.text_score("other"))
                for v in rest
            }
            ranked = sorted(rest, key=lambda v: patient_scores[v.index], reverse=True)
            # A voice whose words clearly speak about the patient ("I'm his daughter", "my father…")
            # is a companion even when it is the only other voice heard so far.
            companions = [v for v in ranked if v.text_score("other") - v.text_score("patient") >= 2.0]
            eligible = [v for v in ranked if v not in companions] or []
            patient = eligible[0] if eligible else None
            others = [v for v in ranked if v is not patient]
            if patient is not None:
                roles[patient.index] = "patient"
                runner_up = max((patient_scores[v.index] for v in others), default=None)
                margin = patient_scores[patient.index] - runner_up if runner_up is not None else 3.0
                conf[patient.index] = _sigmoid(abs(margin)) if others else 0.95
            for v in others:
                roles[v.index] = "other"
                lead = v.text_score("other") - v.text_score("patient")
                conf[v.index] = _sigmoid(max(abs(lead), 1.0))
        self._roles, self._role_confidence = roles, conf

    def _final_label(self, utt: _Utterance, reviewed: bool = False) -> SpeakerLabel:
        if (
            not reviewed
            and utt.channel_ratio_db is not None
            and utt.label is not None
            and utt.label.speaker == "doctor"
        ):
            return utt.label
        if utt.voice is None:
            return utt.label if utt.label is not None else self._weak_label(utt)
        role = self._roles.get(utt.voice, "other")
        confidence = utt.acoustic_confidence * self._role_confidence.get(utt.voice, 0.5)
        if utt.channel_ratio_db is not None:
            confidence = min(
                confidence, _sigmoid(abs(utt.channel_ratio_db - self._channel_threshold()) / 2.0)
            )
        uncertain = utt.text_decided or confidence < 0.6
        return SpeakerLabel(role, round(float(confidence), 3), uncertain)
