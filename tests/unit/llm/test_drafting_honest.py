"""Nothing invented: typed complaint kept, empty drafts, degenerate answers repaired, stopped
drugs and unsourced statements flagged, the note in the clinic's language (scripted model)."""

from __future__ import annotations

import json
from typing import Any

from desktop.core.types import NO_SOURCE, Patient, Transcript, TranscriptSegment
from desktop.llm.drafting import draft_note
from desktop.llm.runtime import GenerationStats


class ScriptedRuntime:
    """Answers each section's question from a script keyed by a word of the question."""

    context_length = 4096
    auto_threads = False  # a fixed llm.n_threads: the draft keeps it
    n_threads_used = 1

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.last_stats = GenerationStats()
        self.questions: list[str] = []

    def use_threads(self, threads: int) -> None:
        """The real runtime ignores this with a fixed count."""

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_message_tokens(self, messages: list[dict[str, str]]) -> int:
        return sum(self.count_tokens(m["content"]) + 8 for m in messages)

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any] | None = None, **kw: Any) -> str:
        question = messages[-1]["content"].rsplit("Question:", 1)[-1]
        self.questions.append(question)
        key = next(k for k in _KEYS if _KEYS[k] in question)
        answer = self.answers.get(key)
        if key == "chief_complaint":
            return json.dumps({"chief_complaint": answer or "cough"})
        return json.dumps({"items": answer or []})


_KEYS = {
    "chief_complaint": "main reason for this visit",
    "subjective": "did the patient report",
    "medications": "medicines and allergies",
    "objective": "examination findings",
    "assessment": "diagnosis or problem",
    "plan": "did the doctor decide",
    "patient_instructions": "do at home",
}


def _transcript(lines: list[tuple[str, str]], language: str = "en") -> Transcript:
    return Transcript(
        language,
        [
            TranscriptSegment(f"u{i}", i * 3.0, i * 3.0 + 2, text, speaker=sp)
            for i, (sp, text) in enumerate(lines, 1)
        ],
    )


VISIT = [
    ("doctor", "What brings you in today?"),
    ("patient", "My ankles have been swollen since I started amlodipine last month."),
    ("doctor", "There is pitting swelling at both ankles and the chest is clear."),
    ("doctor", "The swelling is a side effect of amlodipine, so please stop the amlodipine."),
    ("doctor", "I will start losartan 50 mg once a day instead."),
]


def test_nothing_clinical_gives_an_empty_draft_that_says_so_and_asks_no_question() -> None:
    chat = _transcript([("doctor", "Did you see the match?"), ("patient", "Yes, three nil, what a goal.")])
    runtime = ScriptedRuntime({})
    result = draft_note(runtime, chat, Patient())  # type: ignore[arg-type]
    assert runtime.questions == []
    assert result.note.statements() == [] and result.note.chief_complaint == ""
    assert "Nothing clinical" in result.note.notice
    assert "Nothing clinical" in result.note.to_markdown()


def test_the_typed_chief_complaint_is_kept_as_the_users() -> None:
    runtime = ScriptedRuntime({"chief_complaint": "Headache for two weeks"})
    result = draft_note(runtime, _transcript(VISIT), Patient(), "Ankle swelling")  # type: ignore[arg-type]
    assert result.note.chief_complaint == "Ankle swelling"
    assert result.note.chief_complaint_source == "typed"
    assert not any("main reason" in q for q in runtime.questions)  # not asked at all
    assert "(as typed by the user)" in result.note.to_markdown()


def test_a_drafted_chief_complaint_no_line_mentions_is_dropped() -> None:
    runtime = ScriptedRuntime({"chief_complaint": "Headache for two weeks"})
    result = draft_note(runtime, _transcript(VISIT), Patient())  # type: ignore[arg-type]
    assert result.note.chief_complaint == ""


def test_one_statement_in_every_section_is_repaired_and_the_draft_says_which_are_quotations() -> None:
    same = [{"text": "Your blood pressure is high, I will start amlodipine 5mg.", "evidence": ["s2"]}]
    runtime = ScriptedRuntime({k: same for k in ("subjective", "objective", "plan", "patient_instructions")})
    note = draft_note(runtime, _transcript(VISIT), Patient()).note  # type: ignore[arg-type]
    texts = [st.text for _, st in note.statements()]
    assert texts.count(same[0]["text"]) <= 1
    assert note.quoted_sections  # sections that lost their answer are the speakers' own words
    for name in note.quoted_sections:
        assert all(st.source == "quote" and st.evidence for st in note.section(name))
    assert "Quoted from the transcript" in note.to_markdown()


def test_a_citation_that_shares_no_word_with_its_statement_falls_back_to_the_lines() -> None:
    wrong = [{"text": "Pitting oedema of both legs up to the knees.", "evidence": ["s2"]}]
    note = draft_note(ScriptedRuntime({"subjective": wrong}), _transcript(VISIT), Patient()).note  # type: ignore[arg-type]
    assert "subjective" in note.quoted_sections
    assert all("oedema" not in st.text for st in note.subjective)
    assert note.subjective and all(st.source == "quote" and st.evidence for st in note.subjective)


def test_an_echoed_question_is_not_a_finding() -> None:
    echo = [{"text": "What examination findings and vital signs did the doctor state?", "evidence": ["s3"]}]
    note = draft_note(ScriptedRuntime({"objective": echo}), _transcript(VISIT), Patient()).note  # type: ignore[arg-type]
    assert all("examination findings" not in st.text for st in note.objective)


def test_a_stopped_drug_is_listed_as_stopped_and_a_plan_to_take_it_is_flagged() -> None:
    runtime = ScriptedRuntime(
        {
            "medications": [
                {"status": "started", "text": "Amlodipine", "evidence": ["s4"]},
                {"status": "started", "text": "Losartan 50 mg once a day", "evidence": ["s5"]},
            ],
            "plan": [{"text": "Continue amlodipine and start losartan 50 mg.", "evidence": ["s5"]}],
        }
    )
    result = draft_note(runtime, _transcript(VISIT), Patient())  # type: ignore[arg-type]
    meds = {st.text.split()[0].lower(): st.status for st in result.note.medications}
    assert meds == {"amlodipine": "stopped", "losartan": "started"}
    flags = [u for st in result.note.plan for u in st.unsupported]
    assert any("amlodipine" in f and "stop" in f for f in flags)


def test_a_statement_no_line_supports_is_flagged() -> None:
    invented = [{"text": "History of heavy alcohol use for ten years.", "evidence": []}]
    result = draft_note(ScriptedRuntime({"subjective": invented}), _transcript(VISIT), Patient())  # type: ignore[arg-type]
    st = next(st for st in result.note.subjective if "alcohol" in st.text)
    assert NO_SOURCE in st.unsupported and result.unsourced >= 1


CANTONESE = [
    ("doctor", "你好，有咩唔舒服？"),
    ("patient", "我咳咗三日，琴晚開始發燒，成日都好攰。"),
    ("doctor", "體溫三十八度，喉嚨有啲紅。"),
    ("doctor", "應該係病毒感染，你要多飲水，唔好食煎炸嘢。"),
]


def test_a_cantonese_visit_gets_a_written_chinese_note_in_the_clinics_script() -> None:
    runtime = ScriptedRuntime(
        {"assessment": [{"text": "暂时考虑病毒感染", "evidence": ["s4"]}]}  # Simplified, from the model
    )
    result = draft_note(runtime, _transcript(CANTONESE, "yue"), Patient())  # type: ignore[arg-type]
    note = result.note
    assert result.language == "zh"
    assert all("Traditional Chinese" in q for q in runtime.questions)
    assert note.assessment[0].text == "暫時考慮病毒感染"  # OpenCC to Hong Kong Traditional
    said = " ".join(st.text for _, st in note.statements())
    for colloquial in ("咗", "琴晚", "成日", "唔好", "啲"):
        assert colloquial not in said
    assert "經常" in said and "昨晚" in said
    # the transcript is verbatim
    assert "琴晚" in _transcript(CANTONESE, "yue").segments[1].text


def test_note_language_en_keeps_an_english_note_for_a_cantonese_visit() -> None:
    runtime = ScriptedRuntime({})
    result = draft_note(runtime, _transcript(CANTONESE, "yue"), Patient(), language="en")  # type: ignore[arg-type]
    assert result.language == "en"
    assert not any("Traditional Chinese" in q for q in runtime.questions)


def test_a_statement_copying_another_line_than_it_cites_is_recited_and_kept_in_that_lines_section() -> None:
    # The model quotes the doctor's decision (s4) under Objective and cites the examination line
    # (s3), which shares a word with it, so the citation looks plausible.
    copy = [
        {
            "text": "The swelling is a side effect of amlodipine, so please stop the amlodipine.",
            "evidence": ["s3"],
        }
    ]
    plan = [{"text": "Stop amlodipine because of the ankle swelling.", "evidence": ["s4"]}]
    note = draft_note(ScriptedRuntime({"objective": copy, "plan": plan}), _transcript(VISIT), Patient()).note  # type: ignore[arg-type]
    assert all("side effect" not in st.text for st in note.objective)
    assert any("pitting swelling" in st.text and st.evidence == ["u3"] for st in note.objective)
    assert [st.evidence for st in note.plan if "Stop amlodipine" in st.text] == [["u4"]]


def test_a_copied_line_with_no_other_home_keeps_its_place_and_cites_what_it_copies() -> None:
    copy = [{"text": "There is pitting swelling at both ankles and the chest is clear.", "evidence": ["s2"]}]
    note = draft_note(ScriptedRuntime({"objective": copy}), _transcript(VISIT), Patient()).note  # type: ignore[arg-type]
    assert [st.evidence for st in note.objective if "pitting" in st.text] == [["u3"]]


def test_a_plan_that_gives_a_drug_of_the_patients_allergy_class_is_flagged() -> None:
    visit = [
        ("doctor", "Any allergies to medicines?"),
        ("patient", "Penicillin, it gave me hives."),
        ("doctor", "Your throat is red with pus on the tonsils."),
        ("doctor", "I'll give you clarithromycin 250 mg twice a day for a week."),
    ]
    runtime = ScriptedRuntime(
        {"plan": [{"text": "Amoxicillin 500 mg three times a day for a week.", "evidence": ["s4"]}]}
    )
    result = draft_note(runtime, _transcript(visit), Patient())  # type: ignore[arg-type]
    flags = [u for st in result.note.plan for u in st.unsupported]
    assert any(f.startswith("amoxicillin:") and "allergic" in f for f in flags)
    meds = {st.text.split()[0].lower(): st.status for st in result.note.medications}
    assert meds["penicillin"] == "allergy" and meds["clarithromycin"] == "started"
