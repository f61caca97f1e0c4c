from __future__ import annotations

from pathlib import Path

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.core.types import NoteStatement, SoapNote, Transcript, TranscriptSegment
from desktop.llm.evidence import align, link_evidence
from desktop.llm.extractive import extract_sections


def _t(*turns: tuple[str, str]) -> Transcript:
    return Transcript(
        "en",
        [TranscriptSegment(f"s{i}", i, i + 1, text, speaker) for i, (speaker, text) in enumerate(turns, 1)],
    )


T = _t(
    ("doctor", "Good morning, what brings you in today?"),
    ("patient", "I have had a cough for three days."),
    ("doctor", "Examination: chest clear, temperature 37.8."),
    ("doctor", "This is likely a viral infection."),
    ("doctor", "I will prescribe paracetamol and see you in a week."),
    ("doctor", "Please drink plenty of water and rest."),
    ("patient", "Thank you."),
)


def test_sections_by_speaker_and_content() -> None:
    out = extract_sections(T)
    assert [s.evidence for s in out["subjective"]] == [["s2"]]
    assert [s.evidence for s in out["objective"]] == [["s3"]]
    assert [s.evidence for s in out["assessment"]] == [["s4"]]
    assert [s.evidence for s in out["plan"]] == [["s5"]]
    assert [s.evidence for s in out["patient_instructions"]] == [["s6"]]


def test_questions_and_small_talk_are_not_findings() -> None:
    out = extract_sections(T)
    ids = {e for items in out.values() for st in items for e in st.evidence}
    assert "s1" not in ids and "s7" not in ids


def test_align_finds_the_line() -> None:
    assert align("Cough for three days", T)[0] == "s2"
    assert align("Completely unrelated words here", T) == []


def test_link_evidence_drops_unknown_and_unrelated_citations() -> None:
    note = SoapNote(
        subjective=[NoteStatement("Cough for three days.", evidence=["s99", "s6"])],
        objective=[NoteStatement("Temperature 37.8, chest clear.", evidence=["s3"])],
    )
    link_evidence(note, T)
    assert note.subjective[0].evidence[0] == "s2" and "s99" not in note.subjective[0].evidence
    assert note.objective[0].evidence == ["s3"]


def test_prompt_echoes_and_questions_are_not_statements() -> None:
    from desktop.llm.drafting import _statements

    items = [
        {"text": "Transcript (each line: [id] speaker: words]:", "evidence": []},
        {"text": "What brings you in today?", "evidence": ["s1"]},
        {"text": "Use only what is said in the transcript.", "evidence": []},
        {"text": "Cough for three days.", "evidence": ["s2"]},
        {"text": "Cough for three days.", "evidence": ["s2"]},
    ]
    assert [st.text for st in _statements({"items": items})] == ["Cough for three days."]


def test_a_line_is_sorted_sentence_by_sentence() -> None:
    from desktop.llm.extractive import sorted_lines

    t = _t(
        ("patient", "I have had a cough for three days. The weather has been awful, hasn't it?"),
        ("doctor", "Your chest sounds clear on examination. Do you smoke?"),
    )
    assert sorted_lines(t) == [
        ("subjective", "s1", "I have had a cough for three days."),
        ("objective", "s2", "Your chest sounds clear on examination."),
    ]


def test_chinese_lines_keep_the_rules() -> None:
    t = _t(
        ("patient", "我咳咗三日。"),
        ("doctor", "血壓一百五十。"),
        ("doctor", "我會開抗生素俾你。"),
        ("doctor", "你好。"),
    )
    out = extract_sections(t)
    assert {name: [s.evidence for s in items] for name, items in out.items()} == {
        "subjective": [["s1"]],
        "objective": [["s2"]],
        "plan": [["s3"]],
    }


def test_a_damaged_classifier_leaves_the_rules_sorting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from desktop.llm import sections

    monkeypatch.setattr(sections.paths, "assets_dir", lambda: tmp_path)  # no classifier there
    sections.default_model.cache_clear()
    try:
        out = extract_sections(T)
    finally:
        sections.default_model.cache_clear()
    assert {name: [s.evidence for s in items] for name, items in out.items()} == {
        "subjective": [["s2"]],
        "objective": [["s3"]],
        "assessment": [["s4"]],
        "plan": [["s5"]],
        "patient_instructions": [["s6"]],
    }
    assert "section classifier unusable" in caplog.text
    assert "cough" not in caplog.text  # never transcript text in the log


def test_what_a_patient_says_is_subjective() -> None:
    t = _t(("patient", "I take metformin 500 mg twice a day and I will start the new tablets tomorrow."))
    from desktop.llm.extractive import sorted_lines

    assert [section for section, _, _ in sorted_lines(t)] == ["subjective"]


def test_a_question_answered_in_a_few_words_is_quoted_with_its_answer() -> None:
    transcript = parse_transcript_text(
        "D|Any vomiting?\n"
        "P|I was sick twice on the first day, and again on the second night after supper, but not since then at all.\n"
        "D|Have you travelled abroad recently?\n"
        "P|No, not this year.\n"
    )
    quoted = [(st.text, st.evidence) for items in extract_sections(transcript).values() for st in items]
    assert ("Have you travelled abroad recently? — No, not this year.", ["s3", "s4"]) in quoted
    assert not any(text.startswith("No, not this year") for text, _ in quoted)  # not quoted twice
    # a long answer stands on its own, and its question is not joined to it
    assert (
        "I was sick twice on the first day, and again on the second night after supper, but not since then at all.",
        ["s2"],
    ) in quoted
    assert not any("—" in text and "vomiting" in text for text, _ in quoted)
