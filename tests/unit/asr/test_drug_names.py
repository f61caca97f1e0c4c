"""The drug-name corrector: near misses in drug contexts put right, marked, and undoable."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.asr.drug_names import DrugNameCorrector, whole_word_tokens
from desktop.core.types import TranscriptSegment, Word


@pytest.fixture(scope="module")
def corrector(asr_model_path: Path) -> DrugNameCorrector:
    return DrugNameCorrector.for_model(asr_model_path)


@pytest.mark.parametrize(
    ("heard", "expected", "name"),
    [
        ("She is allergic to amytryptiline, so we will wait.", "amitriptyline", "amitriptyline"),
        (
            "I will give you nitrofuhrin coin 100 milligrams twice a day.",
            "nitrofurantoin 100",
            "nitrofurantoin",
        ),
        ("I am allergic to co-trimic sezel.", "co-trimoxazole", "co-trimoxazole"),
        ("He has been on carb amyzipine for years.", "carbamazepine", "carbamazepine"),
        ("我食緊 metforming 五百毫克", "metformin", "metformin"),
    ],
)
def test_near_misses_in_drug_contexts_are_put_right(
    corrector: DrugNameCorrector, heard: str, expected: str, name: str
) -> None:
    text, corrections = corrector.correct_text(heard)
    assert expected in text
    (c,) = corrections
    assert c.text == name and c.canonical == name and c.heard in heard
    assert text[c.start : c.end] == name


@pytest.mark.parametrize(
    "text",
    [
        "Take it with food and drink plenty of water.",
        "Blood pressure 140 over 90 today.",  # two ordinary words are not a drug ("Lopressor")
        "I take this opera ticket every morning.",  # one ordinary word never is
        "The symphony was wonderful, and the conductor amazing.",  # no drug context at all
        "I take metformin 500 milligrams.",  # already right
    ],
)
def test_ordinary_words_and_right_names_stay(corrector: DrugNameCorrector, text: str) -> None:
    assert corrector.correct_text(text) == (text, [])


def test_a_corrected_segment_keeps_what_was_heard_and_can_be_undone(corrector: DrugNameCorrector) -> None:
    words = [
        Word(0.0, 0.3, " Stop"),
        Word(0.3, 0.5, " the"),
        Word(0.5, 1.1, " nitrofuhrin"),
        Word(1.1, 1.4, " coin"),
        Word(1.4, 1.9, " today."),
    ]
    seg = TranscriptSegment("s1", 0.0, 1.9, "Stop the nitrofuhrin coin today.", words=words)
    corrector.correct_segment(seg)
    assert seg.text == "Stop the nitrofurantoin today."
    assert [w.text for w in seg.words] == [" Stop", " the", " nitrofurantoin", " today."]
    assert (seg.words[2].start, seg.words[2].end) == (0.5, 1.4)
    assert seg.heard_text() == "Stop the nitrofuhrin coin today."
    data = seg.to_dict()
    assert data["corrections"][0]["heard"] == "nitrofuhrin coin"
    assert TranscriptSegment.from_dict(data).corrections == seg.corrections
    seg.undo_correction(0)
    assert seg.text == "Stop the nitrofuhrin coin today." and seg.corrections == []


def test_common_words_come_from_the_speech_model(asr_model_path: Path) -> None:
    common = whole_word_tokens(asr_model_path)
    assert {"opera", "sick", "coin", "blood"} <= common
    assert "sympathatin" not in common and "nitrofurantoin" not in common


def test_a_cancelled_job_stops_between_segments(corrector: DrugNameCorrector) -> None:
    import threading

    from desktop.core.errors import Cancelled

    cancel = threading.Event()
    segment = TranscriptSegment(
        id="s1", start=0.0, end=2.0, text="I take metforming 500 milligrams.", language="en"
    )
    assert corrector.correct([segment], cancel=cancel)[0].text == "I take metformin 500 milligrams."
    cancel.set()
    with pytest.raises(Cancelled):
        corrector.correct([segment], cancel=cancel)


def test_a_name_put_right_makes_the_next_one_part_of_a_list(corrector: DrugNameCorrector) -> None:
    """ "and the metforming" is read as a drug once "listinoprol" before it has become lisinopril."""
    words = [
        Word(0.0, 0.4, " Carry"),
        Word(0.4, 0.6, " on"),
        Word(0.6, 0.8, " with"),
        Word(0.8, 0.9, " the"),
        Word(0.9, 1.6, " listinoprol"),
        Word(1.6, 1.8, " and"),
        Word(1.8, 1.9, " the"),
        Word(1.9, 2.6, " metforming"),
        Word(2.6, 2.8, " as"),
        Word(2.8, 3.2, " usual."),
    ]
    text = "Carry on with the listinoprol and the metforming as usual."
    seg = corrector.correct_segment(TranscriptSegment("s1", 0.0, 3.2, text, words=words))
    assert seg.text == "Carry on with the lisinopril and the metformin as usual."
    assert [(c.heard, c.text) for c in seg.corrections] == [
        ("listinoprol", "lisinopril"),
        ("metforming", "metformin"),
    ]
    for c in seg.corrections:
        assert seg.text[c.start : c.end] == c.text
    assert "".join(w.text for w in seg.words).strip() == seg.text
    assert [w.text for w in seg.words][4] == " lisinopril" and [w.text for w in seg.words][7] == " metformin"


def test_a_later_correction_before_an_earlier_one_moves_it() -> None:
    from desktop.asr.drug_names import _shifted
    from desktop.core.types import Correction

    # round one: "take flucloxacilin and X" -> "take flucloxacillin and X" (X at 30)
    earlier = [Correction(30, 40, "metforming", "metformin")]
    later = [Correction(5, 19, "fluclox a cilin", "flucloxacillin")]  # one character shorter
    (moved,) = _shifted(earlier, later)
    assert (moved.start, moved.end) == (29, 39)
    assert _shifted(earlier, [Correction(45, 50, "abc", "abcde")]) == earlier
