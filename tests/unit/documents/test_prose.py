"""The prose step above the model runtime: schema, guard, fallbacks, order of checks.

A scripted runtime stands in for llama.cpp here (the real model runs in
tests/integration/test_letters.py); these tests pin down what happens to each answer.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema
import pytest

from desktop.config import ClinicSettings
from desktop.core.errors import Cancelled
from desktop.core.types import NoteStatement, Patient, SoapNote
from desktop.documents.render import MissingValuesError
from desktop.documents.templates import load_template
from desktop.llm.letters import document_language, generate_document, prose_budget, write_prose
from tests.unit.documents.fixtures import TODAY, make_transcript


class ScriptedRuntime:
    def __init__(self, answer: dict[str, Any] | str) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def chat(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.1,
        on_token: Any = None,
        cancel: threading.Event | None = None,
    ) -> str:
        self.calls.append({"messages": messages, "schema": schema, "max_tokens": max_tokens})
        text = self.answer if isinstance(self.answer, str) else json.dumps(self.answer, ensure_ascii=False)
        if schema is not None and not isinstance(self.answer, str):
            jsonschema.validate(self.answer, schema)  # what the grammar guarantees for the real model
        return text


def test_schema_is_bounded_and_the_note_is_the_only_source(note: SoapNote) -> None:
    template = load_template("referral")
    runtime = ScriptedRuntime(
        {
            "reason_en": "Chest tightness on exertion.",
            "reason_zh": "運動時胸口翳悶。",
            "history_en": "Two weeks of chest tightness.",
            "history_zh": "胸口翳悶兩星期。",
        }
    )
    write_prose(runtime, template, note, languages=["en", "zh"], max_tokens=200)
    call = runtime.calls[0]
    schema = call["schema"]
    assert set(schema["required"]) == {"reason_en", "reason_zh", "history_en", "history_zh"}
    assert schema["additionalProperties"] is False
    assert all(p["maxLength"] <= 500 for p in schema["properties"].values())
    prompt = "\n".join(m["content"] for m in call["messages"])
    assert "Suspected stable angina." in prompt
    assert "Chan Tai Man" not in prompt  # names are data, the model never needs them
    budget = prose_budget(template.prose_fields(), ["en", "zh"], 200)
    assert budget[("reason", "zh")] < budget[("reason", "en")]


def test_guard_drops_invented_facts(note: SoapNote) -> None:
    template = load_template("referral")
    runtime = ScriptedRuntime(
        {
            "reason": "Exertional chest tightness for two weeks. Started atorvastatin 40 mg today.",
            "history": "BP was 180/110 at home.",
        }
    )
    result = write_prose(
        runtime,
        template,
        note,
        languages=["en"],
        transcript_text=make_transcript().text(),
        vocabulary=["atorvastatin"],
    )
    assert result.prose["reason"]["en"] == "Exertional chest tightness for two weeks."
    assert "history" not in result.prose  # its only sentence was invented
    assert any("40 mg" in w for w in result.warnings)
    assert any("180/110" in w for w in result.warnings)


def test_unusable_answers_fall_back_to_the_note(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    template = load_template("referral")
    echo = ScriptedRuntime(
        {
            "reason_en": template.fields["reason"].instruction[:120],
            "reason_zh": "Chest pain.",
            "history_en": "胸口痛。",
            "history_zh": "胸口翳悶兩星期。",
        }
    )
    result = write_prose(echo, template, note, languages=["en", "zh"])
    assert set(result.prose) == {"history"} and set(result.prose["history"]) == {"zh"}
    assert any("repeats the instruction" in w for w in result.warnings)
    assert any("did not write Chinese" in w for w in result.warnings)
    assert any("did not write English" in w for w in result.warnings)
    cut = ScriptedRuntime('{"reason": "Chest tightness on exer')
    result = write_prose(cut, template, note, languages=["en"])
    assert result.prose == {} and "cut off" in result.warnings[0]
    generated = generate_document("referral", note, patient, clinic, runtime=cut, language="en", today=TODAY)
    assert "Suspected stable angina." in generated.document.text  # the note's own text stands in


def test_missing_values_stop_before_the_model(patient: Patient, clinic: ClinicSettings) -> None:
    runtime = ScriptedRuntime({})
    bare = SoapNote(chief_complaint="Cough", plan=[NoteStatement("Fluids.")])
    with pytest.raises(MissingValuesError) as err:
        generate_document("referral", bare, patient, clinic, runtime=runtime, today=TODAY)
    assert [f.name for f in err.value.missing] == ["specialty"]
    assert runtime.calls == []


def test_user_text_replaces_prose_and_skips_the_model(
    note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    runtime = ScriptedRuntime({"history": "Two weeks of chest tightness."})
    result = generate_document(
        "referral",
        note,
        patient,
        clinic,
        runtime=runtime,
        language="en",
        values={"reason": "Please assess for angina."},
        today=TODAY,
    )
    assert "Please assess for angina." in result.document.text
    assert set(runtime.calls[0]["schema"]["properties"]) == {"history"}


def test_cancel_is_honoured(note: SoapNote) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        write_prose(
            ScriptedRuntime({"reason": "x", "history": "y"}),
            load_template("referral"),
            note,
            languages=["en"],
            cancel=cancel,
        )


def test_language_defaults() -> None:
    instructions = load_template("patient_instructions")
    assert document_language(instructions, None, "yue") == "zh"
    assert document_language(instructions, None, "en") == "en"
    assert document_language(instructions, "bilingual", "yue") == "bilingual"
    assert document_language(load_template("sick_leave"), None, "en") == "bilingual"


def test_sentences_restating_the_instruction_are_dropped(note: SoapNote) -> None:
    template = load_template("follow_up")
    runtime = ScriptedRuntime(
        {
            "preparation_en": "The patient should prepare for the next visit, in plain words, only from the note. "
            "Bring your blood pressure readings.",
            "preparation_zh": "請帶同血壓紀錄。",
        }
    )
    result = write_prose(runtime, template, note, languages=["en", "zh"])
    assert result.prose["preparation"] == {
        "en": "Bring your blood pressure readings.",
        "zh": "請帶同血壓紀錄。",
    }
    assert any("repeats the instruction" in w for w in result.warnings)
