"""The transcript marks corrected drug names (undoable) and the record's words the live view showed otherwise."""

from __future__ import annotations

from PySide6.QtGui import QTextCharFormat

from desktop.core.types import Correction, TranscriptSegment
from desktop.ui.transcript import TranscriptView


def _corrected() -> TranscriptSegment:
    text = "Stop the nitrofurantoin today, and take plenty of water."
    start = text.index("nitrofurantoin")
    return TranscriptSegment(
        "r1",
        0.0,
        4.0,
        text,
        speaker="doctor",
        corrections=[
            Correction(start, start + 14, "nitrofuhrin coin", "nitrofurantoin", "nitrofurantoin", 0.87)
        ],
        live_text="Stop the nitrofuhrin coin today and take plenty of water.",
    )


def test_a_corrected_name_is_marked_and_can_be_undone(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = TranscriptView()
    qtbot.addWidget(view)
    seg = _corrected()
    view.set_segments([seg])
    doc = view.toPlainText()
    at = doc.index("nitrofurantoin")
    found = view.correction_at(at + 3)
    assert found is not None and found[1] == 0
    cursor = view.textCursor()
    cursor.setPosition(at + 3)
    fmt = cursor.charFormat()
    assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    assert "nitrofuhrin coin" in fmt.toolTip()
    assert view.correction_at(doc.index("water")) is None
    with qtbot.waitSignal(view.correction_undone) as emitted:
        view.undo_correction(*found)
    assert "nitrofuhrin coin" in view.toPlainText() and seg.corrections == []
    assert emitted.args[0][0].text.startswith("Stop the nitrofuhrin coin")


def test_record_words_that_differ_from_the_live_view_are_marked(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = TranscriptView()
    qtbot.addWidget(view)
    seg = TranscriptSegment(
        "r2",
        5.0,
        8.0,
        "Any shortness of breath or chest pain?",
        live_text="And a short sun breath, or chest pain?",
    )
    view.set_segments([seg])
    cursor = view.textCursor()
    cursor.setPosition(view.toPlainText().index("shortness") + 2)
    assert "short sun" in cursor.charFormat().toolTip()
    cursor.setPosition(view.toPlainText().index("chest") + 2)
    assert cursor.charFormat().toolTip() == ""
