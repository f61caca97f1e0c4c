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

from desktop.asr.speakers import onnx_proto as pb
from desktop.asr.speakers.embed import MfccEmbedder, OnnxEmbedder
from desktop.asr.speakers.embedders import default_embedder, speaker_model_file
from desktop.asr.speakers.labeller import SpeakerLabeller
from desktop.asr.speakers.profile import VoiceProfile
from desktop.core.errors import ModelError
from desktop.model_store import ModelStore
from tests.unit.asr.speakers.voices import vowel_like

pytest.importorskip("onnxruntime")


def tiny_onnx_model(layout: str = "fbank") -> bytes:
    """ReduceMax over time: [N, T, 80] -> [N, 80] (fbank) or a frame of samples -> [N, 1] (waveform)."""
    dims: list[int | str] = ["N", "T", 80] if layout == "fbank" else ["N", "S"]
    out_dims: list[int | str] = ["N", 80] if layout == "fbank" else ["N"]
    axes = pb.field(1, "axes") + pb.field(8, 1) + pb.field(20, 7)  # INTS attribute
    reduce = pb.node("ReduceMax", ["x"], ["y"], [axes, pb.int_attribute("keepdims", 0)])
    return pb.model(
        [reduce], [], [pb.value_info("x", dims)], [pb.value_info("y", out_dims)], name="tiny", opset=13
    )


def test_varint_encoding() -> None:
    assert pb.varint(300) == bytes([0xAC, 0x02])
    assert struct.pack("B", pb.varint(1)[0]) == b"\x01"


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
