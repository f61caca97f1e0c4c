"""Live speaker labels in the transcript view: uncertain lines marked, a settling label redrawn."""

from __future__ import annotations

from desktop.core.types import TranscriptSegment


def _piece(sid: str, t: float, text: str, who: str, confidence: float | None) -> TranscriptSegment:
    return TranscriptSegment(sid, t, t + 1, text, who, "en", True, speaker_confidence=confidence)


def test_uncertain_labels_are_marked_and_a_settled_label_is_redrawn(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.transcript import TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)
    view.update_segments([_piece("u1-1", 0, "Any fever?", "doctor", 0.9)])
    view.update_segments(
        [_piece("u2-1", 2, "Yes.", "doctor", 0.45), _piece("u3-1", 4, "Since when?", "doctor", 0.8)]
    )
    lines = view.final_text().splitlines()
    assert lines[1].endswith("Doctor? [en]: Yes.")  # unsure: marked, not hidden
    assert lines[2].endswith("Doctor [en]: Since when?")
    # The next decode step settles the short answer as the patient's: its line is redrawn.
    view.update_segments(
        [_piece("u2-1", 2, "Yes.", "patient", 0.7), _piece("u4-1", 6, "Two days.", "patient", 0.9)]
    )
    lines = view.final_text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        "Doctor [en]: Any fever?",
        "Patient [en]: Yes.",
        "Doctor [en]: Since when?",
        "Patient [en]: Two days.",
    ]
    assert [s.id for s in view.final_segments()] == ["u1-1", "u2-1", "u3-1", "u4-1"]
    assert view.highlight(["u3-1"]) == ["u3-1"]
    # A typed transcript has no confidences: nothing to mark.
    view.set_segments([_piece("s1", 0, "Hello.", "doctor", None)])
    assert view.final_text().endswith("Doctor [en]: Hello.")
