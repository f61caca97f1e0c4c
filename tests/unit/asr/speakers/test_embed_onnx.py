"""The ONNX speaker-embedding path: a clinic model added to the model store is found and used.

No speaker model ships with the app, so the test writes a tiny ONNX graph itself (protobuf encoded
by hand: per-band maximum of the log-mel features over time). It is not a speaker model; it only
exercises the plumbing: model store entry, input layout, embedding, pooling, enrolment, labelling.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from desktop.asr.speakers.embed import MfccEmbedder, OnnxEmbedder
from desktop.asr.speakers.embedders import default_embedder, speaker_model_file
from desktop.asr.speakers.labeller import SpeakerLabeller
from desktop.asr.speakers.profile import VoiceProfile
from desktop.core.errors import ModelError
from desktop.model_store import ModelStore
from tests.unit.asr.speakers.voices import vowel_like

pytest.importorskip("onnxruntime")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: bytes | int | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint((number << 3) | 2) + _varint(len(data)) + data


def _tensor_type(dims: list[int | str]) -> bytes:
    shape = b"".join(_field(1, _field(2, d) if isinstance(d, str) else _field(1, d)) for d in dims)
    return _field(1, _field(1, 1) + _field(2, shape))  # TypeProto.tensor_type: FLOAT, shape


def tiny_onnx_model(layout: str = "fbank") -> bytes:
    """ReduceMax over time: [N, T, 80] -> [N, 80] (fbank) or a frame of samples -> [N, 1] (waveform)."""
    dims: list[int | str] = ["N", "T", 80] if layout == "fbank" else ["N", "S"]
    axes = 1
    node = (
        _field(1, "x")
        + _field(2, "y")
        + _field(3, "pool")
        + _field(4, "ReduceMax")
        + _field(5, _field(1, "axes") + _field(8, axes) + _field(20, 7))
        + _field(5, _field(1, "keepdims") + _field(3, 0) + _field(20, 2))
    )
    out_dims: list[int | str] = ["N", 80] if layout == "fbank" else ["N"]
    graph = (
        _field(1, node)
        + _field(2, "tiny")
        + _field(11, _field(1, "x") + _field(2, _tensor_type(dims)))
        + _field(12, _field(1, "y") + _field(2, _tensor_type(out_dims)))
    )
    opset = _field(1, "") + _field(2, 13)
    return _field(1, 7) + _field(2, "consult-scribe-test") + _field(7, graph) + _field(8, opset)


def test_varint_encoding() -> None:
    assert _varint(300) == bytes([0xAC, 0x02])
    assert struct.pack("B", _varint(1)[0]) == b"\x01"


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    repo = Path(__file__).resolve().parents[4]
    return ModelStore(tmp_path / "models", repo / "models" / "manifest.json")


def test_onnx_speaker_model_is_found_in_the_model_store_and_used(store: ModelStore, tmp_path: Path) -> None:
    assert speaker_model_file(store) is None
    assert isinstance(default_embedder(store), MfccEmbedder)
    model = tmp_path / "clinic-speaker.onnx"
    model.write_bytes(tiny_onnx_model())
    entry = store.add(model, name="clinic-speaker")
    assert (entry.role, entry.format) == ("speaker", "onnx")
    found = speaker_model_file(store)
    assert found is not None and found[0] == "clinic-speaker"
    embedder = default_embedder(store)
    assert isinstance(embedder, OnnxEmbedder)
    assert embedder.name == "onnx:clinic-speaker"

    low = embedder.embed(vowel_like(2.0, 110.0, (600.0, 1000.0), seed=1))
    low2 = embedder.embed(vowel_like(2.0, 112.0, (600.0, 1000.0), seed=2))
    high = embedder.embed(vowel_like(2.0, 240.0, (1000.0, 2600.0), seed=3))
    assert low.vector.shape == (80,)
    assert np.linalg.norm(low.vector) == pytest.approx(1.0)
    assert embedder.distance(low, low2) < embedder.distance(low, high)
    pooled = embedder.pool([low, low2])
    assert pooled.seconds == pytest.approx(low.seconds + low2.seconds)

    # A profile enrolled with both embedders works with either; the labeller runs on the ONNX one.
    from desktop.asr.speakers.profile import enrol

    speech = np.concatenate([vowel_like(2.0, 110.0 + i, (600.0, 1000.0), seed=i) for i in range(7)])
    profile = VoiceProfile.from_bytes(enrol(speech, [MfccEmbedder(), embedder]).to_bytes())
    assert set(profile.embeddings) == {"mfcc-stats-1", "onnx:clinic-speaker"}
    labeller = SpeakerLabeller(profile, embedder=embedder)
    assert labeller.enrolled
    label = labeller.label(vowel_like(2.0, 111.0, (600.0, 1000.0), seed=9), 0.0, 2.0)
    assert label.speaker == "doctor"


def test_waveform_layout_is_accepted(tmp_path: Path) -> None:
    model = tmp_path / "wave.onnx"
    model.write_bytes(tiny_onnx_model("waveform"))
    embedder = OnnxEmbedder(model)
    emb = embedder.embed(vowel_like(1.0, 150.0, (700.0,)))
    assert emb.vector.shape == (1,)


def test_damaged_onnx_file_is_a_user_facing_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx model")
    with pytest.raises(ModelError):
        OnnxEmbedder(bad)


def test_profile_from_another_embedder_means_no_enrolment() -> None:
    profile = VoiceProfile({"onnx:other-model": np.ones(4) / 2}, 15.0, 120.0)
    labeller = SpeakerLabeller(profile, embedder=MfccEmbedder())
    assert not labeller.enrolled
