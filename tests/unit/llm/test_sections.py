"""The section classifier: the shipped asset, its verification, and parity with scikit-learn."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop import paths
from desktop.core.errors import ModelError
from desktop.eval import train_sections as ts
from desktop.eval.fact_recall import content_words
from desktop.llm import sections

ASSET = paths.assets_dir() / sections.ASSET_DIR


def test_shipped_classifier_is_small_and_matches_its_manifest() -> None:
    manifest = json.loads((ASSET / sections.MANIFEST_FILE).read_text(encoding="utf-8"))
    data = (ASSET / sections.ASSET_FILE).read_bytes()
    assert len(data) == manifest["size"] <= 2_000_000
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"]
    model = sections.load_model(ASSET)
    assert model.labels == sections.LABELS
    assert model.coef.shape == (manifest["features"], len(sections.LABELS))
    assert manifest["trained_on"]["aci_bench_splits"] == ["train", "valid"]  # never test1


def test_a_changed_or_missing_classifier_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sections"
    shutil.copytree(ASSET, folder)
    weights = folder / sections.ASSET_FILE
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        sections.load_model(folder)
    weights.unlink()
    with pytest.raises(ModelError, match="cannot be read"):
        sections.load_model(folder)


def test_the_shipped_classifier_sorts_plain_english_lines() -> None:
    lines = [
        ("patient", "I've had a cough and a fever for three days and I feel short of breath."),
        ("doctor", "On examination your heart rate is 96, your chest has crackles on the right."),
        ("doctor", "Okay, thank you."),
        ("patient", "Good, thanks."),
    ]
    guesses = sections.classify([t for _, t in lines], [s for s, _ in lines])
    assert [g.label for g in guesses] == ["subjective", "objective", "none", "none"]
    for g in guesses:
        assert abs(sum(g.probabilities.values()) - 1.0) < 1e-6
        assert g.probability == max(g.probabilities.values())
    assert sections.classify([]) == []


def test_features_cover_chinese_and_full_width_text() -> None:
    f = sections.features("ＢＰ １２０，頭痛。", "doctor")
    assert {"w:bp", "w:000", "h:頭", "h:頭痛", "spk:doctor"} <= set(f)
    assert sections.cjk_share("我咳咗三日") == 1.0 and abs(sections.cjk_share("cough 咳") - 1 / 6) < 1e-9
    assert sections.split_sentences("I have a cough. Any fever? 有。冇發燒") == [
        "I have a cough.",
        "Any fever?",
        "有。",
        "冇發燒",
    ]


_TOY = [
    ("patient", "I have had a cough for three days.", "subjective"),
    ("patient", "My knee hurts when I climb stairs.", "subjective"),
    ("patient", "The pain started two weeks ago.", "subjective"),
    ("doctor", "Your blood pressure is 150 over 90.", "objective"),
    ("doctor", "On exam the chest is clear.", "objective"),
    ("doctor", "There is tenderness over the right knee.", "objective"),
    ("doctor", "This is most likely a viral infection.", "assessment"),
    ("doctor", "I think this is osteoarthritis of the knee.", "assessment"),
    ("doctor", "We will order an x-ray of the knee.", "plan"),
    ("doctor", "I will prescribe amoxicillin 500 mg.", "plan"),
    ("doctor", "Please rest and drink plenty of fluids.", "patient_instructions"),
    ("doctor", "Avoid climbing stairs for a week.", "patient_instructions"),
    ("doctor", "Good morning, nice to see you.", "none"),
    ("patient", "Okay, thank you.", "none"),
    ("patient", "The weather is lovely today.", "none"),
]


def test_runtime_predictions_equal_scikit_learn_and_training_is_deterministic(tmp_path: Path) -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    examples = [ts.Example(t, s, label, "aligned", f"e{i}") for i, (s, t, label) in enumerate(_TOY)]
    model = ts.fit(examples, c=4.0, min_df=1)
    x = ts.design_matrix(
        [sections.features(e.text, e.speaker) for e in examples], model.vocabulary, model.idf
    )
    y = np.array([sections.LABELS.index(e.label) for e in examples])
    reference = linear_model.LogisticRegression(
        C=4.0, max_iter=3000, class_weight="balanced", random_state=ts.SEED
    ).fit(x, y)
    texts, speakers = [e.text for e in examples], [e.speaker for e in examples]
    ours = model.predict_proba(texts, speakers)
    np.testing.assert_allclose(ours, reference.predict_proba(x), atol=1e-6)
    assert [sections.LABELS[i] for i in ours.argmax(axis=1)] == [e.label for e in examples]
    # Saved (float16 coefficients) and loaded, it gives the same answers; saving twice, the same bytes.
    first = model.save(tmp_path / "a", {"about": "toy"})
    second = ts.fit(examples, c=4.0, min_df=1).save(tmp_path / "b", {"about": "toy"})
    assert first.read_bytes() == second.read_bytes()
    loaded = sections.load_model(tmp_path / "a")
    np.testing.assert_allclose(loaded.predict_proba(texts, speakers), ours, atol=2e-2)


def test_alignment_labels_a_dialogue_sentence_by_its_note_sentence() -> None:
    targets = [
        (content_words("The patient reports chest pain for 2 weeks."), "subjective"),
        (content_words("Heart: Regular rate and rhythm."), "objective"),
        (content_words("Hypertension."), None),  # an "A/P" row
    ]
    assert ts.align_label("i've had this chest pain for about two weeks now", targets) == "subjective"
    assert ts.align_label("okay , sounds good .", targets) == "none"
    assert ts.align_label("hypertension, chest pain, knee, hip and shoulder all at once", targets) is None
