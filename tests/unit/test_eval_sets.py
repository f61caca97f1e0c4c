"""The synthesised speech sets: development and frozen sets share no drug, voice or sentence."""

from __future__ import annotations

from desktop.eval.speech_sets import DRUG_SETS, drug_sentences, load_spec
from desktop.lexicon import DrugLexicon


def test_drug_sets_share_no_drug() -> None:
    lexicon = DrugLexicon.default()
    written: dict[str, set[str]] = {}
    drugs: dict[str, set[str]] = {}
    for name in DRUG_SETS:
        names = [d.lower() for d in load_spec(name)["drugs"]]
        assert len(set(names)) == len(names), name
        written[name] = set(names)
        # a name the dictionary does not know is compared by its letters
        drugs[name] = {lexicon.canonical(d) or d for d in names}
    assert not written["drugs_dev"] & written["drugs_test"]
    # the second development set names no drug of the others, by any of its names
    assert not drugs["drugs_dev2"] & (drugs["drugs_test"] | drugs["drugs_dev"])


def test_development_sets_use_other_voices_and_sentences_than_the_frozen_set() -> None:
    frozen = load_spec("drugs_test")
    frozen_voices = {(v["engine"], v["name"], v.get("speed", 1.0)) for v in frozen["voices"]}
    frozen_text = {s.text for s in drug_sentences(frozen)}
    for name in ("drugs_dev", "drugs_dev2"):
        spec = load_spec(name)
        assert not {(v["engine"], v["name"], v.get("speed", 1.0)) for v in spec["voices"]} & frozen_voices
        assert not set(spec["templates"]) & set(frozen["templates"])
        assert not {s.text for s in drug_sentences(spec)} & frozen_text
        assert len(drug_sentences(spec)) * 2 == len(spec["drugs"])
