"""Sign-off makes the doctor look: what is still open is shown, and each red flag, omission and
suggestion is fixed or acknowledged with a reason (audited) before the note is signed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

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
    qtbot.waitUntil(lambda: view.checking.current)  # checked on the checks' thread
    assert panel.isVisibleTo(view) and panel.count() == 1
    assert "said at 00:01" in panel.item(0).text()  # s5, 1.6 s in: when it was said, not its id
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
    call = view.sign()  # Sign checks the note as it now reads: nothing open, no dialog
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


class SpyChecks:
    """The real checks, noting the thread and the note each ran on; ``gate`` holds a check back."""

    def __init__(self) -> None:
        self.real = NoteChecks()
        self.threads: list[threading.Thread] = []
        self.instructions: list[str] = []
        self.entered = threading.Event()
        self.gate: threading.Event | None = None
        self.fail = False

    def __call__(self, transcript, note):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread())
        self.instructions.append(" ".join(st.text for st in note.patient_instructions))
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise RuntimeError("a bug in the checks")
        return self.real(transcript, note)


@pytest.fixture()
def spy() -> SpyChecks:
    return SpyChecks()


@pytest.fixture()
def spied_window(qtbot, records: FakeRecords, spy: SpyChecks) -> Iterator[MainWindow]:
    b = fake_backend(records)
    b.note_checks = spy
    w = MainWindow(b)
    qtbot.addWidget(w)
    w.show()
    w.start()
    yield w
    b.shutdown()


def _checked_view(qtbot, window: MainWindow, instruction: str):  # type: ignore[no-untyped-def]
    view = _drafted_view(qtbot, window)
    _load(view, VISIT, _note(instruction))
    qtbot.waitUntil(lambda: view.checking.current)
    return view, view.editor.sections["patient_instructions"].rows[0]


def test_checks_run_off_the_gui_thread_once_typing_pauses(
    qtbot, spied_window: MainWindow, spy: SpyChecks
) -> None:
    view, row = _checked_view(qtbot, spied_window, "Take amlodipine 5 mg every morning.")
    assert view.editor.checks.count() == 1
    assert spy.threads and threading.main_thread() not in spy.threads
    ran = len(spy.instructions)
    for text in ("Do", "Do not take", "Do not take amlodipine."):  # typing: no check on each key
        row.edit.setPlainText(text)
    assert len(spy.instructions) == ran and not view.checking.current  # nothing ran on this thread
    with qtbot.waitSignal(view.checking.checked, timeout=5_000):
        pass
    assert spy.instructions[ran:] == ["Do not take amlodipine."]  # one check, of the text as it reads
    assert view.editor.checks.count() == 0 and not row.contradiction


def test_a_check_of_an_older_note_is_not_shown(qtbot, spied_window: MainWindow, spy: SpyChecks) -> None:
    view, row = _checked_view(qtbot, spied_window, "Do not take amlodipine.")
    shown = view.checking.result
    spy.gate, spy.entered = threading.Event(), threading.Event()
    row.edit.setPlainText("Take amlodipine 5 mg every morning.")
    older = view.checking.start()  # typing paused: checked on the checks' thread, held there
    assert older is not None
    qtbot.waitUntil(spy.entered.is_set)
    row.edit.setPlainText("Do not take amlodipine; review in two weeks.")  # changed meanwhile
    with qtbot.waitSignal(older.done, timeout=5_000):
        spy.gate.set()
    assert view.checking.result is shown and view.editor.checks.count() == 0  # its red flag not shown
    assert not row.contradiction
    with qtbot.waitSignal(view.checking.checked, timeout=5_000):
        pass  # the newer note's own check
    assert view.checking.current and spy.instructions[-1] == "Do not take amlodipine; review in two weeks."


def test_sign_waits_busy_for_the_check_of_the_note_as_it_reads_now(
    qtbot, spied_window: MainWindow, spy: SpyChecks, records: FakeRecords
) -> None:
    view, row = _checked_view(qtbot, spied_window, "Do not take amlodipine.")
    assert view.editor.checks.count() == 0
    spy.gate = threading.Event()
    seen: list[tuple[str, bool, object]] = []

    def during_the_wait() -> None:  # runs while Sign waits: the window still paints, busy
        cursor = QGuiApplication.overrideCursor()
        seen.append((view.sign_button.text(), view.sign_button.isEnabled(), cursor and cursor.shape()))
        assert spy.gate is not None
        spy.gate.set()

    row.edit.setPlainText("Take amlodipine 5 mg every morning.")  # then Sign before typing pauses
    QTimer.singleShot(0, during_the_wait)  # due once Sign's wait lets events through
    assert view.sign() is None  # the dialog opens
    assert seen == [("Checking…", False, Qt.CursorShape.BusyCursor)]
    assert view.sign_button.text() == "Sign" and view.sign_button.isEnabled()
    assert QGuiApplication.overrideCursor() is None
    dialog = view.signoff
    assert dialog is not None and [r.item.kind for r in dialog.rows] == ["contradiction"]
    assert view.editor.checks.count() == 1 and row.contradiction  # the editor shows it too
    assert [v.kind for v in records.notes[view.info.id]] == ["ai_draft"]


def test_sign_refuses_when_the_checks_cannot_run(
    qtbot, spied_window: MainWindow, spy: SpyChecks, records: FakeRecords, monkeypatch: pytest.MonkeyPatch
) -> None:
    view, row = _checked_view(qtbot, spied_window, "Do not take amlodipine.")
    shown: list[str] = []
    monkeypatch.setattr("desktop.ui.consultation.signing.show_error", lambda _w, m, h: shown.append(m))
    spy.fail = True
    row.edit.setPlainText("Take amlodipine 5 mg every morning.")
    assert view.sign() is None and view.signoff is None
    assert shown == ["Something went wrong while checking the note."]
    assert [v.kind for v in records.notes[view.info.id]] == ["ai_draft"]  # not signed unchecked
    spy.fail = False  # the next Sign checks again (the failed check is not waited on)
    assert view.sign() is None and view.signoff is not None
    assert [r.item.kind for r in view.signoff.rows] == ["contradiction"]
