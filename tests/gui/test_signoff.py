"""Sign-off makes the doctor look: what is still open is shown, and each red flag, omission and
suggestion is fixed or acknowledged with a reason (audited) before the note is signed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from desktop.asr.transcript_file import parse_transcript_text
from desktop.core.types import NoteStatement, Patient, SoapNote
from desktop.services.adapters import NoteChecks
from desktop.services.backend import Backend
from desktop.ui.main import MainWindow
from desktop.ui.soap import VersionHistoryDialog
from tests.gui.conftest import new_consultation, sign_in
from tests.gui.fakes import FakeRecords, fake_backend

VISIT = """D|你而家食緊咩藥？
P|我食緊 amlodipine 五毫克，每朝一粒。
D|有冇藥物敏感？
P|冇，冇敏感。
D|你血壓偏低。amlodipine 你停咗先，唔好再食。
P|知道。我冇發燒。
D|兩個禮拜後返嚟覆診。
"""


@pytest.fixture(autouse=True)
def _no_question_at_close(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test that stops half way must not leave the window waiting on "save your changes?".
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


@pytest.fixture()
def checked_backend(records: FakeRecords) -> Iterator[Backend]:
    b = fake_backend(records)
    b.note_checks = NoteChecks()  # the real checks, over the fakes of the other engines
    yield b
    b.shutdown()


@pytest.fixture()
def checked_window(qtbot, checked_backend: Backend) -> MainWindow:
    w = MainWindow(checked_backend)
    qtbot.addWidget(w)
    w.show()
    w.start()
    return w


def _drafted_view(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    sign_in(window, "doc")
    view = new_consultation(qtbot, window, patient=Patient(name="CHAN Tai Man", sex="M", mrn="HK-1"))
    with qtbot.waitSignal(view.draft_finished, timeout=20_000):
        qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(view.transcript_view.final_segments()) >= 2, timeout=10_000)
        view.stop_recording()
    return view


def _load(view, transcript_text: str, note: SoapNote) -> None:  # type: ignore[no-untyped-def]
    view.transcript = parse_transcript_text(transcript_text)
    for i, seg in enumerate(view.transcript.segments):  # inside the 3 s the fake microphone recorded
        seg.start, seg.end = 0.4 * i, 0.4 * i + 0.3
    view.transcript_view.set_segments(view.transcript.segments)
    everything = frozenset({"subjective", "objective", "assessment", "plan", "patient_instructions"})
    view.editor.set_note(note, everything, True, True)


def _note(*instructions: str) -> SoapNote:
    return SoapNote(
        chief_complaint="Dizziness",
        subjective=[
            NoteStatement("On amlodipine 5 mg every morning."),
            NoteStatement("No known drug allergies."),
        ],
        assessment=[NoteStatement("Hypotension.", accepted=True)],
        plan=[
            NoteStatement("Stop amlodipine.", accepted=True),
            NoteStatement("Review in 2 weeks.", accepted=True),
        ],
        patient_instructions=[NoteStatement(t) for t in instructions],
    )


def test_the_editor_lists_contradictions_in_red_and_rechecks_after_an_edit(
    qtbot, checked_window: MainWindow
) -> None:
    view = _drafted_view(qtbot, checked_window)
    _load(view, VISIT, _note("Take amlodipine 5 mg every morning."))
    panel = view.editor.checks
    assert panel.isVisibleTo(view) and panel.count() == 1
    assert panel.flags[0].red and "amlodipine" in panel.item(0).text()
    row = view.editor.sections["patient_instructions"].rows[0]
    assert row.contradiction and row.flag.isVisibleTo(view)
    # clicking the entry shows the transcript line where the drug was stopped, and plays it
    played = len(checked_window.backend.player.played)  # type: ignore[union-attr]
    panel.itemClicked.emit(panel.item(0))
    assert view.transcript_view.highlighted_ids() == ["s5"]
    qtbot.waitUntil(lambda: len(checked_window.backend.player.played) == played + 1)  # type: ignore[union-attr]
    # the doctor corrects the instruction; the check runs again once typing pauses
    row.edit.setPlainText("Do not take amlodipine for now.")
    qtbot.waitUntil(lambda: panel.count() == 0, timeout=5_000)
    assert not row.contradiction and not panel.isVisibleTo(view)


def test_accept_all_then_sign_with_a_red_flag_still_open_cannot_sign_without_acknowledging(
    qtbot, checked_window: MainWindow, records: FakeRecords
) -> None:
    view = _drafted_view(qtbot, checked_window)
    cid = view.info.id
    _load(view, VISIT, _note("Take amlodipine 5 mg every morning."))
    for row in view.editor.sections["assessment"].rows + view.editor.sections["plan"].rows:
        row.statement.accepted = False
    view.accept_all_button.click()
    assert view.pending_suggestions() == 0
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    dialog = view.signoff
    assert dialog is not None and dialog.isVisible()
    assert [(r.item.kind, r.item.red) for r in dialog.rows] == [("contradiction", True)]
    assert not dialog.sign_button.isEnabled()
    dialog.accept()  # Enter, or any way round the disabled button: still not signed
    assert [v.kind for v in records.notes[cid]] == ["ai_draft"]
    dialog.rows[0].check.setChecked(True)
    assert not dialog.sign_button.isEnabled()  # acknowledging needs a reason
    dialog.rows[0].reason.setText("Patient to restart once BP recovers; discussed.")
    assert dialog.sign_button.isEnabled()
    dialog.sign_button.click()
    qtbot.waitUntil(view.signed)
    assert records.notes[cid][-1].kind == "signed"
    acks = [e for e in records.audit if e.action == "note.acknowledge"]
    assert len(acks) == 1 and "contradiction:stopped_drug:amlodipine" in acks[0].detail
    assert "restart once BP recovers" in acks[0].detail
    assert [e.action for e in records.audit][-1] == "note.sign"


def test_back_to_the_note_signs_nothing_and_a_fixed_note_signs_at_once(
    qtbot, checked_window: MainWindow, records: FakeRecords
) -> None:
    view = _drafted_view(qtbot, checked_window)
    cid = view.info.id
    _load(view, VISIT, _note("Take amlodipine 5 mg every morning."))
    view.sign()
    assert view.signoff is not None
    view.signoff.back_button.click()
    assert view.signoff is None and [v.kind for v in records.notes[cid]] == ["ai_draft"]
    view.editor.sections["patient_instructions"].rows[0].edit.setPlainText("Do not take amlodipine.")
    view.editor.recheck()
    call = view.sign()  # nothing open: no dialog
    assert call is not None and view.signoff is None
    assert call.result().kind == "signed"


def test_an_omission_and_an_unaccepted_suggestion_are_open_items(
    qtbot, checked_window: MainWindow, records: FakeRecords
) -> None:
    view = _drafted_view(qtbot, checked_window)
    note = _note()
    note.plan = [NoteStatement("Stop amlodipine.", accepted=True)]  # follow-up left out
    note.assessment = [NoteStatement("Hypotension.", accepted=False)]
    _load(view, VISIT, note)
    view.sign()
    dialog = view.signoff
    assert dialog is not None
    kinds = [r.item.kind for r in dialog.rows]
    assert kinds == ["omission", "suggestion"]
    omission, suggestion = dialog.rows
    omission.check.setChecked(True)
    omission.reason.setText("Will phone the patient with the date.")
    assert not dialog.sign_button.isEnabled()
    suggestion.check.setChecked(True)  # accepted as written
    dialog.sign_button.click()
    qtbot.waitUntil(view.signed)
    signed = records.notes[view.info.id][-1]
    assert signed.kind == "signed" and all(st.accepted for st in signed.note.assessment)


def test_the_signed_version_reads_as_a_signed_note(qtbot, window: MainWindow, records: FakeRecords) -> None:
    view = _drafted_view(qtbot, window)
    view.accept_all()
    for row in view.editor.rows():
        row.set_unsupported([])
        row.edit.setPlainText(row.statement.text.replace("amlodipine ", ""))
    view.backend.fact_check = None
    call = view.sign()
    assert call is not None
    call.result()
    qtbot.waitUntil(view.signed)
    assert view.editor.sections["assessment"].title() == "Assessment"
    assert view.editor.sections["plan"].title() == "Plan"
    dialog = VersionHistoryDialog(records.notes[view.info.id])
    qtbot.addWidget(dialog)
    dialog.show_version(len(records.notes[view.info.id]) - 1)
    shown = dialog.view.toPlainText()
    assert "Signed by" in shown
    assert "Suggested" not in shown and "not accepted" not in shown
    dialog.show_version(0)  # the AI draft is still shown as the draft it was
    assert "Suggested assessment" in dialog.view.toPlainText()
