"""The drafting prompt numbers the lines s1, s2…; the model's citations come back as the segments' own ids."""

from __future__ import annotations

import json
import threading
from typing import Any

from desktop.core.types import Patient, Transcript, TranscriptSegment
from desktop.llm.drafting import draft_note, prompt_ids, transcript_lines
from desktop.llm.runtime import GenerationStats


class CitingRuntime:
    """Answers every section with one statement citing prompt line s2 (a stand-in for llama.cpp)."""

    context_length = 4096
    auto_threads = False  # a fixed llm.n_threads: the draft keeps it
    n_threads_used = 1

    def __init__(self) -> None:
        self.last_stats = GenerationStats()
        self.schemas: list[dict[str, Any]] = []

    def use_threads(self, threads: int) -> None:
        """The real runtime ignores this with a fixed count."""

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_message_tokens(self, messages: list[dict[str, str]]) -> int:
        return sum(self.count_tokens(m["content"]) + 8 for m in messages)

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any] | None = None, **kw: Any) -> str:
        assert schema is not None
        self.schemas.append(schema)
        if "chief_complaint" in schema["properties"]:
            return json.dumps({"chief_complaint": "cough"})
        return json.dumps(
            {"items": [{"text": "Cough for five days with a sore throat.", "evidence": ["s2"]}]}
        )


def _transcript() -> Transcript:
    return Transcript(
        "en",
        [
            TranscriptSegment("u1-1", 0.0, 2.0, "What brings you in today?", speaker="doctor"),
            TranscriptSegment("u2-1a", 2.5, 5.0, "I have had a cough for five days.", speaker="patient"),
            TranscriptSegment("u2-1b", 5.2, 7.0, "And a sore throat since Sunday.", speaker="patient"),
        ],
    )


def test_lines_are_numbered_for_the_model_and_mapped_back() -> None:
    transcript = _transcript()
    assert transcript_lines(transcript)[1] == "[s2] Patient: I have had a cough for five days."
    assert prompt_ids(transcript) == {"s1": "u1-1", "s2": "u2-1a", "s3": "u2-1b"}
    result = draft_note(CitingRuntime(), transcript, Patient(), "", cancel=threading.Event())  # type: ignore[arg-type]
    statements = [st for _, st in result.note.statements()]
    written = [st for st in statements if st.source == ""]
    assert written and all(st.evidence and st.evidence[0] == "u2-1a" for st in written)
    # the line the model's sentence left out is added in the patient's own words (the spoken
    # opener "And" left out, desktop.llm.extractive.tidy_speech), with its own id
    assert [(st.text, st.evidence) for st in statements if st.source == "quote"] == [
        ("A sore throat since Sunday.", ["u2-1b"])
    ]
    # the same sentence given for every section stays in one: the section its cited line was sorted into
    assert [name for name, st in result.note.statements() if st.source == ""] == ["subjective"]


class CutOffRuntime(CitingRuntime):
    """The first answer of each section is cut off at the token limit (it does not parse)."""

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any] | None = None, **kw: Any) -> str:
        answer = super().chat(messages, schema, **kw)
        return answer[: len(answer) // 2] if len(self.schemas) % 2 == 1 else answer


def test_an_answer_cut_off_is_retried_with_a_schema_that_closes_in_the_budget() -> None:
    runtime = CutOffRuntime()
    result = draft_note(runtime, _transcript(), Patient(), "", max_tokens=384)  # type: ignore[arg-type]
    asked = len(runtime.schemas) // 2  # the sections this short visit has lines for, and the chief complaint
    assert result.invalid_sections == [] and result.retries == asked and asked >= 3
    retries = [s for s in runtime.schemas[1::2] if "items" in s["properties"]]
    assert len(retries) == asked - 1
    for schema in retries:
        items = schema["properties"]["items"]
        assert items["maxItems"] == 2
        # Every character its own token: 2 x (120 text + 3 ids x ~8 + ~30 keys and punctuation)
        # + ~20 is about 370 tokens, inside the 384 the answer may use.
        assert "{3,120}" in items["items"]["properties"]["text"]["pattern"]


def test_an_answer_cut_off_after_whole_statements_keeps_them_without_a_retry() -> None:
    from desktop.llm.drafting import salvage_items

    raw = '{"items": [{"text": "Cough for five days.", "evidence": ["s2"]}, {"text": "Sore thr'
    assert salvage_items(raw) == [{"text": "Cough for five days.", "evidence": ["s2"]}]
    assert salvage_items('{"items": [{"text": "Cough') == []
