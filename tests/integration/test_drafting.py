"""Drafting with the real SmolLM2-135M model: schema validity, evidence, guard, cancel, long consultations."""

from __future__ import annotations

import threading
from pathlib import Path

import jsonschema
import pytest

from desktop.core.errors import Cancelled, ContextLimitError
from desktop.core.note_schema import note_file_schema
from desktop.core.types import NOTE_SECTIONS, Patient, Transcript, TranscriptSegment
from desktop.llm.drafting import draft_note
from desktop.llm.runtime import LlamaRuntime

pytestmark = pytest.mark.slow

TURNS = [
    ("doctor", "Good morning, what brings you in today?"),
    ("patient", "I have had a headache and dizziness for two weeks."),
    ("patient", "I take metformin 500 milligrams twice a day for diabetes."),
    ("doctor", "Examination: blood pressure 165 over 95, pulse 82, moderate ankle swelling."),
    ("doctor", "Your blood pressure is high. I will start amlodipine 5 milligrams once a day."),
    ("doctor", "Please reduce salt and come back in two weeks."),
]


def _transcript(turns: list[tuple[str, str]]) -> Transcript:
    return Transcript(
        "en",
        [
            TranscriptSegment(f"s{i}", i * 4.0, i * 4.0 + 3, text, speaker)
            for i, (speaker, text) in enumerate(turns, 1)
        ],
    )


@pytest.fixture(scope="module")
def runtime(llm_model_path: Path) -> LlamaRuntime:
    return LlamaRuntime(llm_model_path, n_ctx=2048, n_gpu_layers=0, n_threads=1)


def test_draft_is_valid_linked_and_guarded(runtime: LlamaRuntime) -> None:
    transcript = _transcript(TURNS)
    streamed: list[str] = []
    steps: list[str] = []
    result = draft_note(
        runtime,
        transcript,
        Patient(name="Chan Tai Man", sex="M", age=58),
        "headache",
        max_tokens=256,
        on_token=streamed.append,
        on_progress=lambda what, f: steps.append(what),
    )
    note = result.note
    jsonschema.validate(note.to_dict(), note_file_schema())
    assert result.invalid_sections == []  # every answer parsed against its schema
    assert note.chief_complaint.strip()
    assert "".join(streamed) and steps[-1] == "draft ready"
    ids = {s.id for s in transcript.segments}
    statements = [st for _, st in note.statements()]
    assert statements, "the draft has no statements at all"
    for st in statements:
        assert set(st.evidence) <= ids
    # the guard ran over the model's own text: whatever it reports is really absent from the transcript
    text = transcript.text().lower()
    for st in statements:
        for flag in st.unsupported:
            assert flag.lower() not in text


def test_cancel_stops_between_tokens(runtime: LlamaRuntime) -> None:
    cancel = threading.Event()
    seen: list[str] = []

    def on_token(piece: str) -> None:
        seen.append(piece)
        if len(seen) == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        draft_note(runtime, _transcript(TURNS), Patient(), on_token=on_token, cancel=cancel)
    assert len(seen) == 3


def test_long_consultation_is_chunked_not_truncated(llm_model_path: Path) -> None:
    small = LlamaRuntime(llm_model_path, n_ctx=1024, n_gpu_layers=0, n_threads=1)
    turns = [(sp, f"{text} (visit note {i})") for i in range(6) for sp, text in TURNS]
    transcript = _transcript(turns)
    result = draft_note(small, transcript, Patient(), max_tokens=96)
    assert result.chunks >= 2
    jsonschema.validate(result.note.to_dict(), note_file_schema())
    cited = {e for _, st in result.note.statements() for e in st.evidence}
    # evidence reaches past the first chunk: the end of the consultation was read too
    assert any(int(e[1:]) > len(turns) // 2 for e in cited), cited


def test_context_too_small_is_refused_with_the_limit(llm_model_path: Path) -> None:
    tiny = LlamaRuntime(llm_model_path, n_ctx=512, n_gpu_layers=0, n_threads=1)
    with pytest.raises(ContextLimitError, match="512 tokens"):
        draft_note(tiny, _transcript(TURNS), Patient(), max_tokens=400)
    long_line = [("patient", "pain " * 400)]
    with pytest.raises(ContextLimitError, match="longer than"):
        draft_note(tiny, _transcript(long_line), Patient(), max_tokens=64)


def test_sections_are_the_published_ones() -> None:
    assert NOTE_SECTIONS == (
        "subjective",
        "medications",
        "objective",
        "assessment",
        "plan",
        "patient_instructions",
    )


def test_prefill_while_recording_leaves_little_to_read_at_stop(runtime: LlamaRuntime) -> None:
    from desktop.llm.drafting import prefill

    full = _transcript(TURNS)
    patient = Patient(name="CHAN Tai Man", sex="M")
    runtime.forget()
    cold = draft_note(runtime, full, patient, "Headache")
    assert cold.prefix_reuse < 0.5  # only the instructions before the transcript were cached

    runtime.forget()  # a new consultation
    assert prefill(runtime, Transcript("en", []), patient, "Headache") is None  # nothing said yet
    read: list[int] = []
    for k in (2, 4, 5):  # the lines final so far, as the recording goes on
        stats = prefill(runtime, Transcript("en", full.segments[:k]), patient, "Headache")
        assert stats is not None
        read.append(stats.new_tokens)
        if k > 2:  # each prefill reads only what is new, not the whole transcript again
            assert stats.cached_tokens > 0 and stats.new_tokens < stats.prompt_tokens / 2
    warm = draft_note(runtime, full, patient, "Headache")
    assert warm.prefix_reuse >= 0.8  # BENCHMARKS L3
    assert warm.prefix_reuse > cold.prefix_reuse + 0.3
    assert warm.invalid_sections == []


def test_a_changed_speaker_label_is_read_again(runtime: LlamaRuntime) -> None:
    from desktop.llm.drafting import prefill

    patient = Patient(name="CHAN Tai Man", sex="M")
    full = _transcript(TURNS)
    runtime.forget()
    first = prefill(runtime, full, patient, "")
    assert first is not None and first.cached_tokens == 0
    again = prefill(runtime, full, patient, "")
    assert again is not None and again.new_tokens <= 2  # nothing new: (almost) all cached
    relabelled = _transcript(TURNS)
    relabelled.segments[3].speaker = "patient"  # the review at Stop moved line 4
    after = prefill(runtime, relabelled, patient, "")
    assert after is not None
    # Everything up to the changed line stays cached; from there on it is read again.
    assert 0 < after.cached_tokens < after.prompt_tokens - 20


def test_a_draft_takes_the_idle_cores_and_gives_them_back(
    llm_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llm.n_threads = 0: the draft after Stop runs on the idle cores, prefill (while speech
    recognition runs) and everything after on half; the same draft either way."""
    import desktop.llm.drafting as drafting_module

    auto = LlamaRuntime(llm_model_path, n_ctx=2048, n_gpu_layers=0, n_threads=0)
    fixed = LlamaRuntime(llm_model_path, n_ctx=2048, n_gpu_layers=0, n_threads=1)
    try:
        assert auto.auto_threads and not fixed.auto_threads
        shared = auto.n_threads_used
        monkeypatch.setattr(drafting_module, "idle_threads", lambda: shared + 1)
        transcript = _transcript(TURNS)
        wide = draft_note(auto, transcript, Patient(), "headache", max_tokens=96)
        narrow = draft_note(fixed, transcript, Patient(), "headache", max_tokens=96)
        assert (wide.threads, narrow.threads) == (shared + 1, 1)  # a fixed setting wins
        assert auto.n_threads_used == shared  # given back for the next consultation's read-ahead
        assert wide.note.to_dict() == narrow.note.to_dict()
    finally:
        auto.close()
        fixed.close()
