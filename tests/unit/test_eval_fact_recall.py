"""PriMock57 critical-fact recall (BENCHMARKS L6): the matching rule, the readers, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop import cli
from desktop.core.errors import UsageError
from desktop.eval.fact_recall import content_words, read_checklist, read_primock57, recalled


def test_content_words_drop_stop_words_markers_and_plurals() -> None:
    assert content_words("*Burning & stinging when passing urine") == {
        "burning",
        "stinging",
        "passing",
        "urine",
    }
    assert content_words("No fevers for two days") == {"fever", "2", "day"}
    assert content_words("Is it the?") == set()


def test_an_item_is_recalled_when_most_of_its_words_are_in_the_note() -> None:
    note = content_words("Burning pain on passing urine for three days. Drinks 2 litres a day.")
    assert recalled("burning & stinging on passing urine", note) is True  # 3 of 4 words
    assert recalled("few days", note) is False  # 'few' is missing: 1 of 2 words
    assert recalled("just under three days", note) is True  # 'under' missing, 'just' a stop word
    assert recalled("blood in urine", note) is False
    assert recalled("and the", note) is None  # nothing to look for: not counted


def test_checklist_rows_keep_critical_and_non_critical_items(tmp_path: Path) -> None:
    path = tmp_path / "day_1_consultation_1__Checklist.csv"
    path.write_text(
        "CHECKLIST,Critical / Non Critical / Irrelevant,,Note 1\n"
        "Introduction,,,x\n"
        "Hurts to pass urine,c,,y\n"
        "*and age,nc,,z\n"
        ",,,only a note\n"
        "Weather,i,,\n",
        encoding="utf-8",
    )
    items = read_checklist(path)
    assert [(i.text, i.critical) for i in items] == [("Hurts to pass urine", True), ("and age", False)]


def test_the_twenty_checklisted_consultations_are_read(shared_data: Path) -> None:
    consultations = read_primock57(shared_data)
    assert len(consultations) == 20
    for c in consultations:
        assert sum(i.critical for i in c.items) >= 5
        assert len(c.transcript.segments) >= 20
        assert {s.speaker for s in c.transcript.segments} == {"doctor", "patient"}


def test_eval_notes_primock57_command(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "recall.json"
    code = cli.main(
        [
            "eval",
            "notes",
            "--dataset",
            "primock57",
            "--drafter",
            "extractive",
            "--json",
            str(out),
            "--limit",
            "5",
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert len(data["notes"]) == 5
    for note in data["notes"]:
        # An extractive note quotes the transcript, so it can never find more than the transcript does.
        assert 0.0 < note["recall"] <= note["transcript_recall"] <= 1.0
        assert note["recalled"] + len(note["missed"]) == note["critical_items"]
    assert 0.0 < data["overall"]["recall_mean"] < data["overall"]["transcript_recall_mean"]


def test_missing_data_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="PriMock57"):
        read_primock57(tmp_path)
