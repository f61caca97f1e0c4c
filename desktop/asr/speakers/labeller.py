"""Who said it: doctor, patient or other, for each line of the live transcript.

One :class:`SpeakerLabeller` per consultation. Each final line (a turn: an utterance of the
streaming transcript, or one side of it after a split) is described by a voice embedding
(:mod:`.embed`, :mod:`.ge2e`), what its words say (:mod:`.text`) and, with a lapel microphone on
the doctor, the level balance between the channels (:mod:`.channels`). Then, every time a line
comes:

1. **How many voices, and whose is each line**: all lines so far are clustered again
   (:mod:`.clustering`, average linkage with a stopping rule), so the number of voices is
   estimated per consultation and early decisions made on little speech are revised as more is
   heard. With a lapel microphone the channels decide who is the doctor and only the others are
   clustered. The doctor's enrolled voice joins the clustering as one more (long) point.
2. **Which voice plays which role** (:mod:`.roles`): from the dialogue (who asks, examines and
   prescribes; who answers about themselves; who speaks about the patient), or the enrolment or
   lapel microphone for the doctor; one voice per role for doctor and patient, so two voices
   never share a label.
3. **How sure**: how clearly the line belongs to its voice, times how clearly that voice plays
   its role; under 0.6 the line is *uncertain* and the transcript marks it. Lines too short to
   carry a voice take their label from their words or the line before, uncertain.

At Stop, :meth:`SpeakerLabeller.review` returns every line's label decided on the whole
consultation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.asr.speakers.channels import SAME_CHANNELS, channel_ratio_db, two_means_split
from desktop.asr.speakers.clustering import Clusters, agglomerate
from desktop.asr.speakers.embed import Embedder, Embedding, MfccEmbedder
from desktop.asr.speakers.labels import SpeakerLabel, consistent
from desktop.asr.speakers.profile import VoiceProfile
from desktop.asr.speakers.roles import Voice, name_roles, sigmoid
from desktop.asr.speakers.text import TextEvidence, text_evidence

log = logging.getLogger(__name__)

SR = sf.SAMPLE_RATE
MIN_SPEECH_S = 0.35  # below this a line carries no usable voice evidence
MAX_ANALYSIS_S = 8  # seconds of a long line analysed (its middle): bounds the added latency
ESTABLISHED_S = 2.0  # a cluster with less speech than this (and one line) is not yet a person
DIALOGUE_LINES = 2  # clear doctor lines and clear patient lines that make one voice a dialogue
ATTACH_FACTOR = 1.6  # an unestablished cluster this close (x threshold) to a person is taken for them
ENROLMENT_KEY = "__enrolment__"
FULL_RECLUSTER_LINES = 60  # up to this many lines every call clusters from single lines;
FULL_RECLUSTER_EVERY = 20  # beyond, from the last clusters, and from single lines every 20th line


@dataclass
class _Decision:
    """What the last clustering decided: the lines' voices and the voices' roles."""

    lapel: dict[str, float]  # line key -> confidence that the lapel microphone says doctor
    index_of: dict[str, int]  # line key -> its point in the clustering
    attach: dict[int, int]  # cluster not yet a person -> the person it is taken for
    roles: dict[int, tuple[str, float]]
    clusters: Clusters
    distances: np.ndarray
    # One voice heard, but the words are a dialogue: two people the voice statistics cannot
    # tell apart (a father and his son); the lines are then labelled by their words.
    indistinct: bool = False


@dataclass
class _Line:
    """One turn: an utterance, or one side of it; pieces of it extend it."""

    key: str
    start: float
    end: float
    ids: list[str]
    embedding: Embedding | None
    evidence: TextEvidence
    text: str = ""
    channel_ratio_db: float | None = None
    parts: list[Embedding] = field(default_factory=list)  # the turn's audio so far, or its pieces
    version: int = 0  # counts changes of the embedding (the distance cache's key)

    @property
    def seconds(self) -> float:
        return self.embedding.seconds if self.embedding is not None else 0.0


class SpeakerLabeller:
    """Labels the lines of one consultation as they become final (ASR thread; not thread-safe).

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
        short_utterance_s: float | None = None,
        default_channel_threshold_db: float = 0.0,
    ) -> None:
        self.embedder: Embedder = embedder or MfccEmbedder()
        self.doctor_channel = doctor_channel
        self.max_voices = max_voices
        self.use_text = use_text
        # How much more short utterances may differ and still be one voice (the embedder's own).
        self.short_utterance_s = (
            short_utterance_s
            if short_utterance_s is not None
            else float(getattr(self.embedder, "short_s", 1.0))
        )
        self.default_channel_threshold_db = default_channel_threshold_db
        self._lines: list[_Line] = []
        self._by_key: dict[str, _Line] = {}
        self._labels: dict[str, SpeakerLabel] = {}  # line key -> label as last decided
        self._anchor: Embedding | None = None
        self._matrix_keys: list[tuple[str, int]] = []
        self._matrix_values = np.zeros((0, 0))
        self._last_groups: dict[str, str] = {}  # line key -> key of the first line of its cluster
        self._calls = 0
        self.enrolled = False
        self._voices = 0
        self._order: list[str] = []  # line keys in time order
        self._state = _Decision({}, {}, {}, {}, Clusters([], [], np.zeros((0, 0))), np.zeros((0, 0)))
        if doctor_profile is not None:
            self._anchor = doctor_profile.embedding_for(self.embedder)
            if self._anchor is None:
                log.warning(
                    "voice profile was made with %s, not %s; labelling without enrolment",
                    ",".join(doctor_profile.embeddings), self.embedder.name,
                )  # fmt: skip
            self.enrolled = self._anchor is not None

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
        """Label one final line.

        ``samples`` is the line's 16 kHz audio, mono ``(n,)`` or two-channel ``(n, 2)``; when
        ``buffer_start`` is given it is a longer buffer starting at that time and the line is cut
        out of it by ``start``/``end`` (seconds in the consultation).

        ``utterance`` names the turn a piece belongs to when the streaming transcript finalises
        one turn in several pieces: the pieces are one line for the labeller. Called again with
        the same ``start`` (the turn's audio so far), the turn is described anew; with a later
        ``start`` (the next piece's audio alone), the piece is added to it.
        """
        audio = np.asarray(samples, dtype=np.float32)
        if buffer_start is not None:
            a = max(round((start - buffer_start) * SR), 0)
            b = max(round((end - buffer_start) * SR), a)
            audio = audio[a:b]
        sid = segment_id if segment_id is not None else f"u{sum(len(x.ids) for x in self._lines)}"
        mono, ratio = self._channels(audio)
        if len(mono) > MAX_ANALYSIS_S * SR:  # bound the cost of a long monologue: its middle part is enough
            skip = (len(mono) - MAX_ANALYSIS_S * SR) // 2
            mono = mono[skip : skip + MAX_ANALYSIS_S * SR]
        embedding = self.embedder.embed(mono) if len(mono) else None
        key = str(utterance) if utterance is not None else sid
        line = self._by_key.get(key)
        if line is None:
            line = _Line(key, start, end, [sid], embedding, TextEvidence(), channel_ratio_db=ratio)
            line.parts = [embedding] if embedding is not None else []
            self._lines.append(line)
            self._by_key[key] = line
            self._order = [x.key for x in sorted(self._lines, key=lambda x: x.start)]
            line.text = text or ""
        else:
            line.ids.append(sid)
            self._extend(line, start, end, embedding, ratio, text)
        line.evidence = text_evidence(line.text) if self.use_text else TextEvidence()
        self._decide()
        return self._label_of(line)

    def _extend(
        self,
        line: _Line,
        start: float,
        end: float,
        embedding: Embedding | None,
        ratio: float | None,
        text: str | None,
    ) -> None:
        if abs(start - line.start) < 1e-3:  # the turn's audio so far: describe it anew
            if embedding is not None:
                line.parts = [embedding]
            line.channel_ratio_db = ratio if ratio is not None else line.channel_ratio_db
            line.text = text or line.text
        else:  # a further piece on its own: add it
            if embedding is not None and embedding.seconds > 0:
                line.parts.append(embedding)
            if ratio is not None and line.channel_ratio_db is not None:
                line.channel_ratio_db = (line.channel_ratio_db + ratio) / 2.0
            line.text = f"{line.text} {text}".strip() if text else line.text
        if line.parts:
            line.embedding = line.parts[0] if len(line.parts) == 1 else self.embedder.pool(line.parts)
            line.version += 1
        line.end = max(line.end, end)

    def review(self) -> dict[str, SpeakerLabel]:
        """Labels for every line so far (every segment id), decided on the whole consultation."""
        self._decide(full=True)
        return {sid: self._label_of(line) for line in self._lines for sid in line.ids}

    def labels_now(self, segment_ids: Iterable[str] | None = None) -> dict[str, SpeakerLabel]:
        """The current decision for these segment ids (all when None), without deciding again."""
        wanted = None if segment_ids is None else set(segment_ids)
        return {
            sid: self._label_of(line)
            for line in self._lines
            for sid in line.ids
            if wanted is None or sid in wanted
        }

    @property
    def voice_count(self) -> int:
        """How many distinct voices have been heard (the doctor on the lapel counts as one)."""
        return self._voices

    def channel_threshold(self) -> float:
        """The lapel − room level (dB) above which the doctor is speaking, learnt from this room."""
        ratios = np.array([x.channel_ratio_db for x in self._lines if x.channel_ratio_db is not None])
        if len(ratios) >= 3:
            split = two_means_split(ratios)
            if split is not None:
                return split
        return self.default_channel_threshold_db

    def lapel_side(self, audio: np.ndarray) -> bool | None:
        """Whether the lapel microphone is the loud one over ``audio`` (n, 2): True for the doctor,
        False for anyone else, None with one microphone, a silent or duplicated channel, or too
        little audio to tell."""
        if audio.ndim != 2 or len(audio) < MIN_SPEECH_S * SR:
            return None
        _, ratio = self._channels(audio)
        return None if ratio is None else ratio > self.channel_threshold()

    def channel_ratio(self, segment_id: str) -> float | None:
        """The lapel − room level of the line holding ``segment_id`` (None: one microphone)."""
        return next((x.channel_ratio_db for x in self._lines if segment_id in x.ids), None)

    # -- deciding -----------------------------------------------------------------------------

    def _decide(self, full: bool = False) -> None:
        """Cluster every line again, name the voices' roles, label every line."""
        self._calls += 1
        threshold_db = self.channel_threshold()
        lapel: dict[str, float] = {}  # line key -> confidence that the lapel says doctor
        for line in self._lines:
            if line.channel_ratio_db is not None:
                is_doctor, confidence = self._channel_is_doctor(line, threshold_db)
                if is_doctor:
                    lapel[line.key] = confidence
        voiced = [
            x
            for x in self._lines
            if x.key not in lapel and x.embedding is not None and x.seconds >= MIN_SPEECH_S
        ]
        points: list[Embedding] = [x.embedding for x in voiced if x.embedding is not None]
        keys = [(x.key, x.version) for x in voiced]
        use_anchor = self._anchor is not None and not any(x.channel_ratio_db is not None for x in self._lines)
        if use_anchor and self._anchor is not None:
            points.append(self._anchor)
            keys.append((ENROLMENT_KEY, 0))
        full = full or len(points) <= FULL_RECLUSTER_LINES or self._calls % FULL_RECLUSTER_EVERY == 0
        clusters, distances = self._cluster(points, keys, full)
        self._last_groups = {keys[i][0]: keys[group[0]][0] for group in clusters.members for i in group}
        people, attach = self._people(clusters, points)
        anchor_cluster = clusters.of[len(points) - 1] if use_anchor and points else None
        voices = []
        for k in people:
            members = [voiced[i] for i in clusters.members[k] if i < len(voiced)]
            voices.append(
                Voice(
                    k,
                    sum(m.seconds for m in members),
                    min((m.start for m in members), default=0.0),
                    [m.evidence for m in members],
                    doctor_by_voice=k == anchor_cluster,
                )
            )
        roles = name_roles(voices, doctor_known=bool(lapel)) if voices else {}
        self._voices = len([v for v in voices if v.evidence]) + (1 if lapel else 0)
        index_of = {x.key: i for i, x in enumerate(voiced)}
        indistinct = not lapel and len(people) == 1 and self._dialogue_in_words()
        self._state = _Decision(lapel, index_of, attach, roles, clusters, distances, indistinct)
        self._labels = {}  # decided lazily, line by line, from this state

    def _label_of(self, line: _Line) -> SpeakerLabel:
        """The line's label under the current decision (and its predecessors', for short lines)."""
        cached = self._labels.get(line.key)
        if cached is not None:
            return cached
        state = self._state
        lapel_present = bool(state.lapel)
        position = self._order.index(line.key) if line.key in self._order else -1
        if state.indistinct:
            previous = self._label_of(self._by_key[self._order[position - 1]]) if position > 0 else None
            label = self._dialogue_label(line, previous, state.roles)
        elif line.key in state.lapel:
            confidence = state.lapel[line.key]
            label = SpeakerLabel("doctor", round(confidence, 3), confidence < 0.7)
        elif line.key in state.index_of:
            label = self._voice_label(
                line,
                state.index_of[line.key],
                state.attach,
                state.roles,
                state.clusters,
                state.distances,
                lapel_present,
            )
        else:
            previous = self._label_of(self._by_key[self._order[position - 1]]) if position > 0 else None
            label = self._weak_label(line, previous, state.roles, lapel_present)
        label = consistent(label)
        self._labels[line.key] = label
        return label

    def _cluster(
        self, points: Sequence[Embedding], keys: Sequence[tuple[str, int]], full: bool
    ) -> tuple[Clusters, np.ndarray]:
        d = self._matrix(points, keys)
        weights = [min(max(p.seconds, MIN_SPEECH_S), 10.0) for p in points]
        start = None
        if not full:  # continue from the last clusters; a new line starts alone
            groups: dict[str, list[int]] = {}
            for i, (key, _) in enumerate(keys):
                groups.setdefault(self._last_groups.get(key, f"new:{key}"), []).append(i)
            start = list(groups.values())
        clusters = agglomerate(
            d,
            weights,
            self.embedder.threshold,
            max_clusters=self.max_voices,
            short_s=self.short_utterance_s,
            start=start,
        )
        return clusters, d

    def _matrix(self, points: Sequence[Embedding], keys: Sequence[tuple[str, int]]) -> np.ndarray:
        """Pairwise distances; rows of lines seen before (same embedding) are reused."""
        n = len(points)
        d = np.zeros((n, n))
        old_index = {key: i for i, key in enumerate(self._matrix_keys)}
        known = [old_index.get(key) for key in keys]
        reuse = [i for i, k in enumerate(known) if k is not None]
        if reuse:
            src = [k for k in known if k is not None]
            d[np.ix_(reuse, reuse)] = self._matrix_values[np.ix_(src, src)]
        rows = getattr(self.embedder, "distances", None)
        for i, k in enumerate(known):
            if k is None:
                others = [
                    j for j in range(n) if j != i and ((known[j] is None and j < i) or known[j] is not None)
                ]
                if rows is not None:
                    values = rows(points[i], [points[j] for j in others])
                else:
                    values = [self.embedder.distance(points[i], points[j]) for j in others]
                for j, value in zip(others, values, strict=True):
                    d[i, j] = d[j, i] = float(value)
        self._matrix_keys, self._matrix_values = list(keys), d
        return d

    def _people(self, clusters: Clusters, points: Sequence[Embedding]) -> tuple[list[int], dict[int, int]]:
        """Clusters that are people, and each not-yet-established cluster's nearest person."""
        seconds = [sum(points[i].seconds for i in group) for group in clusters.members]
        established = [
            k for k, group in enumerate(clusters.members) if len(group) >= 2 or seconds[k] >= ESTABLISHED_S
        ]
        if not established and clusters.members:
            established = [int(np.argmax(seconds))]
        attach: dict[int, int] = {}
        for k in range(len(clusters.members)):
            if k in established:
                continue
            nearest = min(established, key=lambda e: clusters.distance[k, e])
            if clusters.distance[k, nearest] < ATTACH_FACTOR * self.embedder.threshold:
                attach[k] = nearest  # one odd line does not invent a person
            else:
                established.append(k)
        return established, attach

    def _voice_label(
        self,
        line: _Line,
        point: int,
        attach: dict[int, int],
        roles: dict[int, tuple[str, float]],
        clusters: Clusters,
        distances: np.ndarray,
        lapel_present: bool,
    ) -> SpeakerLabel:
        cluster = clusters.of[point]
        person = attach.get(cluster, cluster)
        role, role_confidence = roles.get(person, ("patient" if lapel_present else "doctor", 0.5))
        others = [k for k in roles if k != person]

        def mean_distance(k: int) -> float:
            members = [i for i in clusters.members[k] if i != point]
            for small, big in attach.items():
                if big == k:
                    members += [i for i in clusters.members[small] if i != point]
            return float(np.mean(distances[point, members])) if members else self.embedder.threshold

        if others:
            # How much nearer the line is to its own voice than to the nearest other voice.
            gap = min(mean_distance(k) for k in others) - mean_distance(person)
            membership = sigmoid(gap / (0.25 * self.embedder.threshold))
        else:
            membership = 0.9 if cluster not in attach else 0.6
        confidence = membership * role_confidence
        if line.channel_ratio_db is not None:
            _, channel_confidence = self._channel_is_doctor(line, self.channel_threshold())
            confidence = min(confidence, channel_confidence)
        return SpeakerLabel(role, round(float(confidence), 3), confidence < 0.6)

    def _dialogue_in_words(self) -> bool:
        """Whether the lines' words are two people talking: at least two clear doctor lines
        (questions, findings, instructions) and two clear patient lines ("I have…", "my…"), the
        rarer kind a quarter of them at least. A dictation or a monologue has few of one kind."""
        if not self.use_text:
            return False
        leads = [x.evidence.strongest() for x in self._lines]
        doctor = sum(1 for role, lead in leads if role == "doctor" and lead >= 1.0)
        patient = sum(1 for role, lead in leads if role == "patient" and lead >= 1.0)
        return min(doctor, patient) >= DIALOGUE_LINES and min(doctor, patient) >= 0.25 * (doctor + patient)

    def _dialogue_label(
        self, line: _Line, previous: SpeakerLabel | None, roles: dict[int, tuple[str, float]]
    ) -> SpeakerLabel:
        """One voice for two people: a line's words if they are clear, else the other person than
        the line before (turns alternate). Always marked uncertain."""
        role, lead = line.evidence.strongest()
        if lead >= 1.0 and role in ("doctor", "patient"):
            return SpeakerLabel(role, 0.5, True)
        if previous is not None and previous.speaker in ("doctor", "patient"):
            return SpeakerLabel("patient" if previous.speaker == "doctor" else "doctor", 0.3, True)
        voice_role = next(iter(roles.values()), ("doctor", 0.5))[0]
        return SpeakerLabel(voice_role, 0.3, True)

    def _weak_label(
        self,
        line: _Line,
        previous: SpeakerLabel | None,
        roles: dict[int, tuple[str, float]],
        lapel_present: bool,
    ) -> SpeakerLabel:
        """A line with too little speech: its words if they are clear, else the line before."""
        present = {role for role, _ in roles.values()} | ({"doctor"} if lapel_present else set())
        role, lead = line.evidence.strongest()
        if self.use_text and lead >= 1.0 and (role in present or role != "other"):
            return SpeakerLabel(role, 0.5, True)
        if previous is not None:
            return SpeakerLabel(previous.speaker, 0.3, True)
        return SpeakerLabel("patient" if self.enrolled or lapel_present else "doctor", 0.2, True)

    # -- channels -----------------------------------------------------------------------------

    def _channels(self, audio: np.ndarray) -> tuple[np.ndarray, float | None]:
        if audio.ndim == 1 or audio.shape[1] == 1:
            return audio.reshape(-1), None
        lapel = audio[:, self.doctor_channel]
        room = audio[:, 1 - self.doctor_channel if audio.shape[1] == 2 else 1]
        lapel_rms = float(np.sqrt(np.mean(lapel.astype(np.float64) ** 2))) if len(lapel) else 0.0
        room_rms = float(np.sqrt(np.mean(room.astype(np.float64) ** 2))) if len(room) else 0.0
        if lapel_rms < 1e-4:  # lapel microphone dead or unplugged (or silence): the room channel alone
            return room, None
        if room_rms < 1e-4:
            return lapel, None
        difference = lapel.astype(np.float64) - room.astype(np.float64)
        if float(np.sqrt(np.mean(difference**2))) < SAME_CHANNELS * max(lapel_rms, room_rms):
            # One microphone delivered on both channels (a mono device opened as stereo, a
            # duplicated file): the balance says nothing about who spoke.
            return room, None
        return room, channel_ratio_db(lapel, room)

    def _channel_is_doctor(self, line: _Line, threshold_db: float) -> tuple[bool, float]:
        """The lapel/room decision with the room's threshold; the words decide where it is close."""
        assert line.channel_ratio_db is not None
        is_doctor = line.channel_ratio_db > threshold_db
        confidence = sigmoid(abs(line.channel_ratio_db - threshold_db) / 2.0)
        role, lead = line.evidence.strongest()
        if confidence < 0.7 and self.use_text and lead >= 1.0:
            return role == "doctor", min(confidence, 0.55)
        return is_doctor, confidence
