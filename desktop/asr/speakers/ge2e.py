"""A learned speaker embedding without PyTorch: the GE2E voice encoder of Resemblyzer.

Resemblyzer (Apache-2.0) ships a speaker encoder trained with the generalised end-to-end loss
(Wan et al., 2018) on thousands of speakers: 40-band mel power spectra (25 ms / 10 ms) through a
3-layer LSTM (256 units), a linear layer and ReLU give a 256-dimensional voice embedding, the
mean of overlapping 1.6 s "partials", L2-normalised. Its weights (``pretrained.pt``, 17 MB) come
inside the PyPI wheel; the package itself needs PyTorch, which the app does not install. So:

* the weights are read straight out of the file (PyTorch's legacy serialisation: a few pickles
  and the raw tensor data) by an unpickler that accepts nothing but the tensor containers, so a
  tampered file cannot run code; the model store checks size and SHA-256 before that;
* the mel front end is numpy, matching librosa's (Slaney mel scale, centred frames);
* the LSTM runs in onnxruntime (already installed with faster-whisper) from a graph written in
  memory (:mod:`.onnx_proto`); no model file is converted or written.

``consult-scribe`` compares voices by cosine distance between these embeddings.
"""

from __future__ import annotations

import collections
import pickle
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.asr.speakers import onnx_proto as pb
from desktop.asr.speakers.embed import Embedding
from desktop.core.audio import SAMPLE_RATE
from desktop.core.errors import ModelError

N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
HIDDEN = 256
LAYERS = 3
PARTIAL_FRAMES = 160  # 1.6 s, what the encoder was trained on
PARTIAL_STEP = 80  # 50 % overlap between partials
MAX_PARTIALS = 3  # bounds the cost of one utterance (its middle is used when longer)
MIN_FRAMES = 20  # below 0.2 s of speech there is no voice to describe
NORM_DBFS = -30.0  # Resemblyzer raises quieter audio to this level before the mel spectrum
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

_STORAGES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2"}


@dataclass
class _Storage:
    dtype: str
    numel: int
    data: np.ndarray | None = None


@dataclass
class _TensorRef:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor(
    storage: _Storage, offset: int, size: Sequence[int], stride: Sequence[int], *_: Any
) -> Any:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


class _WeightsUnpickler(pickle.Unpickler):
    """Accepts only what a state dict of float tensors is made of; anything else is refused."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGES:
            return name
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid: Any) -> Any:
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage" or pid[1] not in _STORAGES:
            raise pickle.UnpicklingError("unexpected persistent object in a weights file")
        key, numel = str(pid[2]), int(pid[4])
        if key not in self.storages:
            self.storages[key] = _Storage(_STORAGES[pid[1]], numel)
        return self.storages[key]


def read_torch_weights(path: Path) -> dict[str, np.ndarray]:
    """The float tensors of a PyTorch legacy-format checkpoint's ``model_state`` (or top level)."""
    try:
        with path.open("rb") as fh:
            if _restricted_load(fh) != TORCH_LEGACY_MAGIC:
                raise ValueError("not a PyTorch legacy checkpoint")
            _protocol = _restricted_load(fh)
            _sys_info = _restricted_load(fh)
            unpickler = _WeightsUnpickler(fh)
            checkpoint = unpickler.load()
            keys = _restricted_load(fh)
            for key in keys:
                storage = unpickler.storages[str(key)]
                (count,) = struct.unpack("<q", fh.read(8))
                itemsize = np.dtype(storage.dtype).itemsize
                raw = fh.read(count * itemsize)
                if len(raw) != count * itemsize:
                    raise ValueError("truncated tensor data")
                storage.data = np.frombuffer(raw, dtype=storage.dtype)
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError, struct.error) as exc:
        raise ModelError(
            f"The speaker model weights {path.name} cannot be read: {exc}.",
            "Reinstall the speaker model package, or remove it to use the built-in voice features.",
        ) from exc
    state = checkpoint.get("model_state", checkpoint) if isinstance(checkpoint, dict) else {}
    out: dict[str, np.ndarray] = {}
    for name, ref in state.items():
        if isinstance(ref, _TensorRef) and ref.storage.data is not None:
            data = ref.storage.data
            out[str(name)] = np.lib.stride_tricks.as_strided(
                data[ref.offset :], shape=ref.size, strides=[s * data.itemsize for s in ref.stride]
            ).astype(np.float32)
    return out


def _restricted_load(fh: IO[bytes]) -> Any:
    """A header pickle: plain numbers, strings, lists and dicts only."""
    return _WeightsUnpickler(fh).load()


def _slaney_mel(n_mels: int = N_MELS, n_fft: int = N_FFT, sr: int = SAMPLE_RATE) -> np.ndarray:
    """librosa's default mel filterbank (Slaney scale and area normalisation), 0 Hz to Nyquist."""

    def hz_to_mel(hz: np.ndarray) -> np.ndarray:
        linear = hz / (200.0 / 3)
        log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(hz >= 1000.0, log_part, linear)

    def mel_to_hz(mel: np.ndarray) -> np.ndarray:
        linear = mel * (200.0 / 3)
        log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
        return np.where(mel >= 15.0, log_part, linear)

    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(sr / 2.0)), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    bank = np.maximum(0.0, np.minimum(lower, upper))
    return bank * (2.0 / (edges[2 : n_mels + 2] - edges[:n_mels]))[:, None]


_MEL = _slaney_mel()
_WINDOW = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann


def mel_frames(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mel power spectra (frames, 40) as the encoder expects them, and each frame's mean square in dB."""
    x = np.pad(np.asarray(samples, dtype=np.float64).reshape(-1), N_FFT // 2)
    count = 1 + (len(x) - N_FFT) // HOP if len(x) >= N_FFT else 0
    if count <= 0:
        return np.zeros((0, N_MELS), np.float32), np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP][:count]
    power = np.abs(np.fft.rfft(frames * _WINDOW, N_FFT)) ** 2
    level_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    return (power @ _MEL.T).astype(np.float32), level_db


def lstm_graph(weights: dict[str, np.ndarray]) -> bytes:
    """The encoder as an ONNX graph: mels [T, N, 40] -> 3 x LSTM -> linear -> ReLU -> [N, 256]."""

    def gates(w: np.ndarray) -> np.ndarray:  # PyTorch orders the gates i, f, g, o; ONNX i, o, f, c
        i, f, g, o = np.split(w, 4, axis=0)
        return np.concatenate([i, o, f, g], axis=0)

    try:
        nodes, inits = [], []
        x = "mels"
        for layer in range(LAYERS):
            w = gates(weights[f"lstm.weight_ih_l{layer}"])[None]
            r = gates(weights[f"lstm.weight_hh_l{layer}"])[None]
            b = np.concatenate(
                [gates(weights[f"lstm.bias_ih_l{layer}"]), gates(weights[f"lstm.bias_hh_l{layer}"])]
            )
            inits += [pb.tensor(f"W{layer}", w), pb.tensor(f"R{layer}", r), pb.tensor(f"B{layer}", b[None])]
            attrs = [pb.int_attribute("hidden_size", HIDDEN)]
            nodes.append(
                pb.node("LSTM", [x, f"W{layer}", f"R{layer}", f"B{layer}"], [f"Y{layer}", f"H{layer}"], attrs)
            )
            if layer < LAYERS - 1:  # Y is [T, directions, N, hidden]: drop the directions axis
                inits.append(pb.tensor(f"axis{layer}", np.array([1], np.int64)))
                nodes.append(pb.node("Squeeze", [f"Y{layer}", f"axis{layer}"], [f"X{layer + 1}"]))
                x = f"X{layer + 1}"
        inits.append(pb.tensor("axis_h", np.array([0], np.int64)))
        nodes.append(pb.node("Squeeze", [f"H{LAYERS - 1}", "axis_h"], ["hidden"]))
        inits += [pb.tensor("LW", weights["linear.weight"].T.copy()), pb.tensor("LB", weights["linear.bias"])]
        nodes += [
            pb.node("Gemm", ["hidden", "LW", "LB"], ["linear"]),
            pb.node("Relu", ["linear"], ["embedding"]),
        ]
    except KeyError as exc:
        raise ModelError(
            f"The speaker model weights lack {exc}.", "Reinstall the speaker model package."
        ) from exc
    return pb.model(
        nodes,
        inits,
        [pb.value_info("mels", ["T", "N", N_MELS])],
        [pb.value_info("embedding", ["N", HIDDEN])],
        name="ge2e-voice-encoder",
    )


class Ge2eEmbedder:
    """Voices as GE2E embeddings (cosine distance); an :class:`~.embed.Embedder`."""

    name = "ge2e-resemblyzer-1"
    threshold = 0.27  # cosine distance: clustering stops merging above this (tuned on the development set)
    short_s = 0.9  # ... and allows short utterances this much more (see clustering.agglomerate)

    def __init__(self, weights_file: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        graph = lstm_graph(read_torch_weights(weights_file))
        try:
            self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelError(
                "The speaker model could not be prepared.", "Reinstall the speaker model package."
            ) from exc

    def partials(self, samples: np.ndarray) -> tuple[np.ndarray, float]:
        """The mel partials of the utterance's speech frames [T, N, 40], and the speech seconds."""
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        mel, level = mel_frames(x)
        speech = sf._speech_mask(level)
        seconds = float(speech.sum()) * HOP / SAMPLE_RATE
        mel = mel[speech]
        if len(mel) < MIN_FRAMES:
            return np.zeros((0, 0, N_MELS), np.float32), seconds
        # Resemblyzer raises quiet recordings to -30 dBFS (the speech's RMS); power scales with its square.
        rms_db = float(10.0 * np.log10(np.mean(10.0 ** (level[speech] / 10.0))))
        if rms_db < NORM_DBFS:
            mel = mel * np.float32(10 ** ((NORM_DBFS - rms_db) / 10))
        if len(mel) <= PARTIAL_FRAMES:
            return mel[:, None, :], seconds
        starts = list(range(0, len(mel) - PARTIAL_FRAMES + 1, PARTIAL_STEP))
        if len(starts) > MAX_PARTIALS:  # the middle of a long utterance is enough
            middle = len(starts) // 2
            starts = starts[max(0, middle - MAX_PARTIALS // 2) :][:MAX_PARTIALS]
        return np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts], axis=1), seconds

    def encode(self, partials: np.ndarray) -> np.ndarray:
        """Embeddings [N, 256] (not normalised) of partials [T, N, 40]."""
        return np.asarray(self._session.run(None, {"mels": partials})[0], dtype=np.float64)

    def embed(self, samples: np.ndarray) -> Embedding:
        partials, seconds = self.partials(samples)
        if partials.size == 0:
            return Embedding(np.zeros(HIDDEN), 0.0)
        raw = self.encode(partials)
        raw /= np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9)
        mean = raw.mean(axis=0)
        return Embedding(mean / (float(np.linalg.norm(mean)) or 1.0), seconds)

    def pool(self, items: Sequence[Embedding]) -> Embedding:
        weights = [max(e.seconds, 1e-3) for e in items if np.any(e.vector)]
        vectors = [e.vector for e in items if np.any(e.vector)]
        if not vectors:
            return Embedding(np.zeros(HIDDEN), 0.0)
        mean = np.average(np.stack(vectors), axis=0, weights=weights)
        return Embedding(mean / (float(np.linalg.norm(mean)) or 1.0), float(sum(e.seconds for e in items)))

    def distances(self, one: Embedding, many: Sequence[Embedding]) -> np.ndarray:
        """``distance(one, m)`` for every ``m`` at once."""
        return np.array([self.distance(one, m) for m in many]) if many else np.zeros(0)

    def distance(self, model: Embedding, utterance: Embedding) -> float:
        if (
            model.vector.shape != utterance.vector.shape
            or not np.any(model.vector)
            or not np.any(utterance.vector)
        ):
            return 2.0
        return 1.0 - float(np.dot(model.vector, utterance.vector))
