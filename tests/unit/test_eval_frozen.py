"""The frozen evaluation set: every case reads, and the scoring counts facts, statuses and empty drafts."""

from __future__ import annotations

from desktop.core.types import NoteStatement, SoapNote
from desktop.eval.frozen import read_cases, score_case


def test_the_frozen_set_is_complete() -> None:
    cases = read_cases("frozen")
    assert len(cases) >= 20
    assert {c.language for c in cases} >= {"en", "yue"}
    assert sum(c.speech != "typed" for c in cases) >= 5
    assert sum(c.expect_empty for c in cases) >= 2
    for case in cases:
        assert case.turns, case.name
        assert case.expect_empty or case.facts, case.name


def test_scoring_needs_every_group_and_the_right_status() -> None:
    case = next(c for c in read_cases("frozen") if c.name == "05-en-stopped-drug")
    note = SoapNote(
        subjective=[NoteStatement("Ankle swelling since amlodipine was started.")],
        medications=[
            NoteStatement("Amlodipine", status="started"),  # wrong: the doctor stopped it
            NoteStatement("Losartan 50 mg", status="started"),
        ],
    )
    score = score_case(case, note, 0, 1.0)
    assert score.meds == 2 and score.meds_recalled == 1
    assert "med amlodipine=stopped" in score.missed
    assert 0 < score.facts_recalled < score.facts  # "ankle" and "swelling" and "amlodipine" only


def test_an_empty_case_is_right_only_when_the_draft_is_empty_and_says_so() -> None:
    case = next(c for c in read_cases("frozen") if c.expect_empty)
    assert score_case(case, SoapNote(notice="Nothing clinical was said."), 0, 0.1).empty_ok
    assert not score_case(case, SoapNote(subjective=[NoteStatement("Headache")]), 0, 0.1).empty_ok
