"""The medications score: brand and generic names meet, statuses compared, the two costly errors counted."""

from __future__ import annotations

from desktop.core.types import NoteStatement
from desktop.eval.medications import STATUSES, LabelledDrug, read_labels, score_medications, summary


def test_a_brand_in_the_note_meets_the_generic_label_and_statuses_are_compared() -> None:
    note = [
        NoteStatement(text="Norvasc 2.5 mg", status="taking"),
        NoteStatement(text="Metformin 500 mg", status="started"),
        NoteStatement(text="Tylenol as needed", status="taking"),
        NoteStatement(text="a1c of six point seven", status="taking"),
    ]
    labels = [
        LabelledDrug("amlodipine", "taking", "norvasc"),
        LabelledDrug("metformin", "taking"),
        LabelledDrug("paracetamol", "stopped", "tylenol"),
        LabelledDrug("melatonin", "started"),
        LabelledDrug("ibuprofen", "unclear"),
    ]
    score = score_medications(note, labels)
    assert score.labelled == 4  # "unclear" is not scored
    assert score.listed == 3
    assert score.right == 1
    assert score.unsafe == 1  # a stopped drug listed as taken
    assert score.new_by_mistake == 1  # metformin, already taken, listed as started
    assert score.stray == 1
    assert score.confusion[("started", "missing")] == 1
    figures = summary(score)
    assert figures["status_right_pct"] == 25.0


def test_a_label_named_as_said_meets_the_lexicons_generic_name() -> None:
    # "macrogol" (the British name) is not the lexicon's heading; MiraLAX, as said, resolves to it
    note = [NoteStatement(text="MiraLAX daily", status="taking")]
    score = score_medications(note, [LabelledDrug("macrogol", "taking", "miralax")])
    assert (score.listed, score.right) == (1, 1)


def test_the_frozen_labels_are_there_and_well_formed() -> None:
    for split, encounters in (("train", 67), ("valid", 20), ("test1", 40)):
        labels = read_labels(split)
        assert labels is not None and len(labels) == encounters
        statuses = {d.status for drugs in labels.values() for d in drugs}
        assert statuses <= {*STATUSES, "unclear"}
    assert read_labels("test2") is None
