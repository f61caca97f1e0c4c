"""The doctor's enrolled voice: enrolment from a reading, versioned bytes, the record store."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from desktop import paths
from desktop.asr.speakers import features as sf
from desktop.asr.speakers.embed import Embedder, Embedding, MfccEmbedder
from desktop.core.errors import AudioError, InputError

ENROL_MIN_SPEECH_S = 8.0
PROFILE_FORMAT = "consult-scribe-voice-profile"
PROFILE_VERSION = 1


@dataclass
class VoiceProfile:
    """The doctor's enrolled voice: one embedding per embedder that was available at enrolment."""

    embeddings: dict[str, np.ndarray]
    speech_seconds: float
    pitch_hz: float
    created: str = ""

    def embedding_for(self, embedder: Embedder) -> Embedding | None:
        vector = self.embeddings.get(embedder.name)
        return None if vector is None else Embedding(vector.copy(), self.speech_seconds)

    def to_bytes(self) -> bytes:
        payload = {
            "format": PROFILE_FORMAT,
            "version": PROFILE_VERSION,
            "created": self.created,
            "speech_seconds": round(self.speech_seconds, 3),
            "pitch_hz": None if math.isnan(self.pitch_hz) else round(self.pitch_hz, 2),
            "embeddings": {
                name: base64.b64encode(np.asarray(v, dtype="<f8").tobytes()).decode("ascii")
                for name, v in self.embeddings.items()
            },
        }
        return json.dumps(payload, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> VoiceProfile:
        try:
            payload = json.loads(data.decode("utf-8"))
            if payload.get("format") != PROFILE_FORMAT:
                raise ValueError("not a voice profile")
            if int(payload.get("version", 0)) > PROFILE_VERSION:
                raise ValueError("made by a newer version")
            embeddings = {
                str(name): np.frombuffer(base64.b64decode(b64), dtype="<f8").astype(np.float64)
                for name, b64 in payload["embeddings"].items()
            }
            pitch = payload.get("pitch_hz")
            return cls(
                embeddings=embeddings,
                speech_seconds=float(payload["speech_seconds"]),
                pitch_hz=float("nan") if pitch is None else float(pitch),
                created=str(payload.get("created", "")),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise InputError(
                "The stored voice profile cannot be read.",
                "Record the voice enrolment again in Settings.",
            ) from exc


def enrolment_prompt(language: str) -> str:
    """The text a doctor reads aloud (about 15 s) to enrol: ``en``, or ``zh``/``yue`` (Cantonese)."""
    name = "enrolment_zh.txt" if language.startswith(("zh", "yue")) else "enrolment_en.txt"
    return (paths.assets_dir() / "prompts" / name).read_text(encoding="utf-8").strip()


class ProfileStore(Protocol):
    """The part of the encrypted record store that keeps voice profiles (one per clinician)."""

    def save_voice_profile(self, username: str, profile: bytes) -> None: ...

    def load_voice_profile(self, username: str) -> bytes | None: ...

    def delete_voice_profile(self, username: str) -> bool: ...


def save_profile(store: ProfileStore, username: str, profile: VoiceProfile) -> None:
    """Store (or replace, when re-recorded) a clinician's voice profile, encrypted with the records."""
    store.save_voice_profile(username, profile.to_bytes())


def load_profile(store: ProfileStore, username: str) -> VoiceProfile | None:
    """The clinician's voice profile, or None when they have not enrolled."""
    data = store.load_voice_profile(username)
    return None if data is None else VoiceProfile.from_bytes(data)


def delete_profile(store: ProfileStore, username: str) -> bool:
    return store.delete_voice_profile(username)


def enrol(samples: np.ndarray, embedders: Sequence[Embedder] | None = None) -> VoiceProfile:
    """Build the doctor's voice profile from about 15 s of them reading the enrolment prompt.

    Raises :class:`AudioError` when the recording is too quiet, clipped throughout, or has too
    little speech to learn a voice from.
    """
    x = _mono(np.asarray(samples, dtype=np.float32))
    if len(x) == 0 or float(np.max(np.abs(x))) < 0.005:
        raise AudioError(
            "The enrolment recording is silent or far too quiet.",
            "Check that the right microphone is selected and read the prompt again at a normal voice.",
        )
    if float(np.mean(np.abs(x) > 0.99)) > 0.01:
        raise AudioError(
            "The enrolment recording is distorted (too loud).",
            "Lower the microphone input level or move it further away, then record again.",
        )
    chosen = list(embedders) if embedders else [MfccEmbedder()]
    features = sf.frame_features(x)
    if features.speech_seconds < ENROL_MIN_SPEECH_S:
        raise AudioError(
            f"The enrolment recording has only {features.speech_seconds:.1f} s of speech; "
            f"at least {ENROL_MIN_SPEECH_S:.0f} s are needed.",
            "Read the whole prompt aloud (about 15 seconds) and record again.",
        )
    summary = sf.summarise(sf.voice_statistics(features))
    embeddings = {e.name: e.embed(x).vector for e in chosen}
    return VoiceProfile(
        embeddings=embeddings,
        speech_seconds=features.speech_seconds,
        pitch_hz=summary.pitch_hz,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _mono(x: np.ndarray) -> np.ndarray:
    if x.ndim == 2:
        return np.asarray(x.mean(axis=1), dtype=np.float32)
    return x.reshape(-1)
