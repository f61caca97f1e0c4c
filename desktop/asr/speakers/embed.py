"""Voice embedders: turn an utterance into something that can be compared with a speaker model.

Two implementations share the :class:`Embedder` protocol:

* :class:`MfccEmbedder` (default, always available): sufficient statistics of MFCCs, pitch and
  spectral centroid; speaker models are pooled statistics; the distance is a symmetric
  Kullback-Leibler divergence between diagonal Gaussians plus a pitch term.
* :class:`OnnxEmbedder`: a clinic-supplied speaker-embedding network in ONNX format, listed in the
  model manifest with role ``speaker`` and format ``onnx``; cosine distance between embeddings.
  Used only when such a model is installed; onnxruntime comes with faster-whisper.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.core.errors import ModelError

log = logging.getLogger(__name__)


@dataclass
class Embedding:
    """A voice as seen by one embedder. ``seconds`` is how much speech it was made from."""

    vector: np.ndarray
    seconds: float


class Embedder(Protocol):
    """What the labeller needs from a way of describing voices.

    ``threshold`` is the distance above which two voices are taken to be different people; the
    labeller scales it for short utterances.
    """

    name: str
    threshold: float
    short_s: float

    def embed(self, samples: np.ndarray) -> Embedding: ...

    def pool(self, items: Sequence[Embedding]) -> Embedding: ...

    def distance(self, model: Embedding, utterance: Embedding) -> float: ...


class MfccEmbedder:
    """MFCC / pitch / spectral statistics; no model file needed."""

    name = "mfcc-stats-1"
    threshold = 0.35  # clustering stops merging above this (tuned on the development set)
    short_s = 1.2  # ... and allows short utterances this much more (see clustering.agglomerate)
    pitch_weight = 0.06
    pitch_cap = 12.0

    def embed(self, samples: np.ndarray) -> Embedding:
        features = sf.frame_features(samples)
        return Embedding(sf.voice_statistics(features), features.speech_seconds)

    def pool(self, items: Sequence[Embedding]) -> Embedding:
        if not items:
            return Embedding(np.zeros(sf.STATS_SIZE), 0.0)
        return Embedding(np.sum([e.vector for e in items], axis=0), float(sum(e.seconds for e in items)))

    def distances(self, one: Embedding, many: Sequence[Embedding]) -> np.ndarray:
        """``distance(one, m)`` for every ``m`` at once (vectorised; the same numbers)."""
        if not many:
            return np.zeros(0)
        a = sf.summarise(one.vector)
        stats = np.stack([m.vector for m in many])
        n = np.maximum(stats[:, 0:1], 1.0)
        mean = stats[:, 2 : 2 + sf.N_MFCC] / n
        var = np.maximum(stats[:, 2 + sf.N_MFCC : 2 + 2 * sf.N_MFCC] / n - mean**2, sf.MFCC_VAR_FLOOR)
        kl = 0.5 * np.mean(
            a.mfcc_var / var
            + var / a.mfcc_var
            - 2.0
            + (a.mfcc_mean - mean) ** 2 * (1.0 / a.mfcc_var + 1.0 / var),
            axis=1,
        )
        base = 2 + 2 * sf.N_MFCC
        voiced = stats[:, 1]
        safe = np.maximum(voiced, 1.0)
        f0_mean = stats[:, base] / safe
        f0_var = np.maximum(stats[:, base + 1] / safe - f0_mean**2, sf.F0_VAR_FLOOR)
        pitch = np.zeros(len(many))
        if np.isfinite(a.f0_mean):
            ok = voiced >= 3
            pitch[ok] = np.minimum((a.f0_mean - f0_mean[ok]) ** 2 / (a.f0_var + f0_var[ok]), self.pitch_cap)
        return np.asarray(kl + self.pitch_weight * pitch)

    def distance(self, model: Embedding, utterance: Embedding) -> float:
        a, b = sf.summarise(model.vector), sf.summarise(utterance.vector)
        kl = 0.5 * float(
            np.mean(
                a.mfcc_var / b.mfcc_var
                + b.mfcc_var / a.mfcc_var
                - 2.0
                + (a.mfcc_mean - b.mfcc_mean) ** 2 * (1.0 / a.mfcc_var + 1.0 / b.mfcc_var)
            )
        )
        pitch = 0.0
        if np.isfinite(a.f0_mean) and np.isfinite(b.f0_mean):
            pitch = min((a.f0_mean - b.f0_mean) ** 2 / (a.f0_var + b.f0_var), self.pitch_cap)
        return kl + self.pitch_weight * pitch


class OnnxEmbedder:
    """A speaker-embedding network in ONNX format (e.g. an ECAPA-TDNN or ResNet export).

    Accepts the two common input layouts: raw 16 kHz waveform ``[batch, samples]`` or 80-band
    log-mel features ``[batch, frames, 80]`` (mean-normalised, 25 ms / 10 ms). The first output is
    the embedding.
    """

    threshold = 0.55  # cosine distance; typical same-speaker scores are above 0.45-0.5 similarity
    short_s = 1.0
    n_mels = 80

    def __init__(self, model_file: Path, name: str | None = None, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - onnxruntime ships with faster-whisper
            raise ModelError(
                "The speaker model cannot be used because onnxruntime is not installed.",
                "Reinstall ConsultScribe, or remove the speaker model to use the built-in voice features.",
            ) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelError(
                f"The speaker model {model_file.name} could not be loaded.",
                "Check that it is an ONNX speaker-embedding model, "
                "or remove it with 'consult-scribe models'.",
            ) from exc
        self.name = f"onnx:{name or model_file.stem}"
        inp = self._session.get_inputs()[0]
        self._input_name = inp.name
        self._rank = len(inp.shape)
        self._mel = sf._mel_filterbank(self.n_mels)

    def _fbank(self, samples: np.ndarray) -> np.ndarray:
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        frames = sf._frames(x * 32768.0, sf.FRAME, sf.HOP) * np.hamming(sf.FRAME)
        power = np.abs(np.fft.rfft(frames, sf.NFFT)) ** 2
        feats = np.log(power @ self._mel.T + 1e-6)
        return (feats - feats.mean(axis=0, keepdims=True)).astype(np.float32)

    def embed(self, samples: np.ndarray) -> Embedding:
        features = sf.frame_features(samples)
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        feed: Any = x[None, :] if self._rank == 2 else self._fbank(x)[None, :, :]
        out = np.asarray(self._session.run(None, {self._input_name: feed})[0], dtype=np.float64).reshape(-1)
        norm = float(np.linalg.norm(out)) or 1.0
        return Embedding(out / norm, features.speech_seconds)

    def pool(self, items: Sequence[Embedding]) -> Embedding:
        if not items:
            return Embedding(np.zeros(1), 0.0)
        weights = np.array([max(e.seconds, 1e-3) for e in items])
        mean = np.sum([w * e.vector for w, e in zip(weights, items, strict=True)], axis=0)
        norm = float(np.linalg.norm(mean)) or 1.0
        return Embedding(mean / norm, float(sum(e.seconds for e in items)))

    def distance(self, model: Embedding, utterance: Embedding) -> float:
        if model.vector.shape != utterance.vector.shape:
            return 2.0
        return 1.0 - float(np.dot(model.vector, utterance.vector))
