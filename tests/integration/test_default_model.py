"""The embedded default drafter: Qwen2.5-Coder-1.5B assembled from its 22 PyPI parts, verified, drafting."""

from __future__ import annotations

import jsonschema
import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.core.note_schema import note_file_schema
from desktop.core.types import Patient
from desktop.llm.drafting import draft_note
from desktop.llm.runtime import LlamaRuntime

pytestmark = pytest.mark.slow

VISIT = (
    "D|What brings you in today?\n"
    "P|I've had a sore throat and a fever for three days.\n"
    "D|Your tonsils are swollen and your temperature is 38.2 degrees.\n"
    "D|This is tonsillitis. I'll start penicillin V 500 mg four times a day for ten days.\n"
)


def test_the_default_model_assembles_verifies_and_drafts(model_store) -> None:  # type: ignore[no-untyped-def]
    name = model_store.default_name("llm")
    assert name == "qwen2.5-coder-1.5b-instruct"
    path = model_store.ensure(name)  # assembled from the 22 parts on first use, SHA-256 checked
    entry = model_store.entry(name)
    assert path.stat().st_size == 1_117_320_768
    assert model_store.status(entry).usable and model_store.status(entry).installed
    runtime = LlamaRuntime(path, n_ctx=2048, n_gpu_layers=0, name=name)  # the default threads
    transcript = parse_transcript_text(VISIT)
    result = draft_note(runtime, transcript, Patient(), "Sore throat", max_tokens=48)
    note = result.note
    jsonschema.validate(note.to_dict(), note_file_schema())
    assert result.invalid_sections == [] and result.completion_tokens > 0
    assert note.chief_complaint == "Sore throat" and note.chief_complaint_source == "typed"
    said = " ".join(st.text for _, st in note.statements()).lower()
    assert "throat" in said and "penicillin" in said
    ids = {s.id for s in transcript.segments}
    for _, st in note.statements():
        assert set(st.evidence) <= ids
