"""The torch-free GE2E encoder: a weights reader that runs no code, the mel front end, the LSTM graph."""

from __future__ import annotations

import importlib.util
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from desktop.asr.speakers import ge2e
from desktop.core.errors import ModelError
from desktop.eval.ge2e_check import numpy_lstm


def _installed_weights() -> Path | None:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    return path if path.exists() else None


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


def test_a_weights_file_that_would_run_code_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pt"
    with bad.open("wb") as fh:
        pickle.dump(ge2e.TORCH_LEGACY_MAGIC, fh)
        pickle.dump(1001, fh)
        pickle.dump({"protocol_version": 1001}, fh)
        pickle.dump(_Boom(), fh)
    with pytest.raises(ModelError, match="cannot be read"):
        ge2e.read_torch_weights(bad)
    (tmp_path / "junk.pt").write_bytes(b"PK\x03\x04 not a legacy checkpoint")
    with pytest.raises(ModelError):
        ge2e.read_torch_weights(tmp_path / "junk.pt")


def test_mel_front_end_matches_librosa_conventions() -> None:
    bank = ge2e._slaney_mel()
    assert bank.shape == (40, 201) and np.all(bank >= 0)
    tone = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000).astype(np.float32)
    mel, level = ge2e.mel_frames(tone)
    assert mel.shape == (101, 40)  # centred frames: 1 + 16000 // 160
    peak_band = int(np.argmax(mel[50]))
    centres = np.argmax(bank, axis=1) * 16000 / 400
    assert abs(centres[peak_band] - 1000) < 150
    assert abs(float(np.median(level)) - 10 * np.log10(0.5)) < 0.5  # a sine of amplitude 1: -3 dB


def _random_weights(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    w: dict[str, np.ndarray] = {}
    for layer in range(3):
        inputs = 40 if layer == 0 else 256
        w[f"lstm.weight_ih_l{layer}"] = (0.1 * rng.normal(size=(1024, inputs))).astype(np.float32)
        w[f"lstm.weight_hh_l{layer}"] = (0.1 * rng.normal(size=(1024, 256))).astype(np.float32)
        w[f"lstm.bias_ih_l{layer}"] = (0.1 * rng.normal(size=1024)).astype(np.float32)
        w[f"lstm.bias_hh_l{layer}"] = (0.1 * rng.normal(size=1024)).astype(np.float32)
    w["linear.weight"] = (0.1 * rng.normal(size=(256, 256))).astype(np.float32)
    w["linear.bias"] = (0.1 * rng.normal(size=256)).astype(np.float32)
    return w


def test_the_onnx_graph_computes_the_lstm_written_out_in_numpy() -> None:
    ort = pytest.importorskip("onnxruntime")
    weights = _random_weights()
    session = ort.InferenceSession(ge2e.lstm_graph(weights), providers=["CPUExecutionProvider"])
    mels = np.random.default_rng(1).gamma(0.6, 0.05, size=(12, 2, 40)).astype(np.float32)
    got = session.run(None, {"mels": mels})[0]
    assert np.max(np.abs(got - numpy_lstm(weights, mels))) < 1e-4
    with pytest.raises(ModelError):
        ge2e.lstm_graph({k: v for k, v in weights.items() if k != "linear.bias"})


def test_the_shipped_weights_load_and_describe_a_voice() -> None:
    path = _installed_weights()
    if path is None:
        pytest.skip("resemblyzer's weights are not installed")
    weights = ge2e.read_torch_weights(path)
    assert weights["lstm.weight_ih_l0"].shape == (1024, 40) and weights["linear.weight"].shape == (256, 256)
    encoder = ge2e.Ge2eEmbedder(path)
    from tests.unit.asr.speakers.voices import vowel_like

    emb = encoder.embed(vowel_like(2.0, 120.0, (700.0, 1200.0)))
    assert emb.vector.shape == (256,) and abs(float(np.linalg.norm(emb.vector)) - 1.0) < 1e-6
    assert 1.0 < emb.seconds <= 2.0
    assert encoder.embed(np.zeros(1600, np.float32)).seconds == 0.0
    assert encoder.distance(emb, emb) < 1e-6
