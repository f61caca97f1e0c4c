"""The consultation flow over fakes of the engines: sign in, record, draft, edit, sign, letters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop.core.types import Patient
from desktop.ui.main import MainWindow
from tests.gui.conftest import new_consultation, open_view, sign_in
from tests.gui.fakes import FakeAudio, FakeDrafter, FakeRecords, fake_backend


def _record_and_stop(qtbot, view) -> None:
    with qtbot.waitSignal(view.draft_finished, timeout=20_000) as blocker:
        qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
        # The fake microphone gives 3 s of audio and then ends, like a file replayed.
        qtbot.waitUntil(lambda: len(view.transcript_view.final_segments()) >= 2, timeout=10_000)
        view.stop_recording()
    assert blocker.args == [True]


def test_wrong_password_is_explained(window: MainWindow) -> None:
    sign_in(window, "doc", "nope")
    assert window.user is None
    assert "wrong" in window.sign_in.message.text()


def test_record_draft_edit_sign_and_letters(
    qtbot, window: MainWindow, records: FakeRecords, tmp_path: Path
) -> None:
    sign_in(window, "doc")
    assert window.pages.currentWidget() is window.work
    view = new_consultation(qtbot, window)
    assert view is not None
    assert any(e.action == "consultation_created" and e.detail == "consent recorded" for e in records.audit)

    _record_and_stop(qtbot, view)
    # segments arrived, final text black, the journal got the audio before the transcript was saved
    cid = view.info.id
    delivered = window.backend.audio.sources[0].delivered  # type: ignore[attr-defined]
    assert len(records.transcripts[cid].segments) >= 2
    assert sum(len(a) for a in records.audio[cid]) == delivered  # Stop dropped nothing
    assert view.elapsed.text() == f"00:{delivered // 16000:02d}"
    assert "Load 25%" in view.load.text()
    # the draft streamed into the editor and was saved as the AI draft
    assert [v.kind for v in records.notes[cid]] == ["ai_draft"]
    rows = view.editor.rows()
    assert [r.statement.text for r in view.editor.sections["objective"].rows] == ["BP 150/90."]
    plan = view.editor.sections["plan"].rows[0]
    assert plan.badge.isVisibleTo(view) and "amlodipine" in plan.flag.text()
    assert not view.editor.sections["subjective"].rows[0].badge.isVisibleTo(view)

    # clicking a statement highlights its transcript line and plays its audio span
    qtbot.mouseClick(rows[1].edit.viewport(), Qt.MouseButton.LeftButton)
    assert view.transcript_view.highlighted_ids() == ["s1"]
    qtbot.waitUntil(lambda: window.backend.player.played == [(16000, 16000)])  # type: ignore[union-attr]

    # signing shows what is open: the suggestions, and the red fact-guard flag even after Accept all
    assert view.sign() is None and view.signoff is not None
    view.signoff.reject()
    view.accept_all()
    assert view.sign() is None
    dialog = view.signoff
    assert dialog is not None and [r.item.kind for r in dialog.rows] == ["unsupported"]
    dialog.rows[0].check.setChecked(True)
    dialog.rows[0].reason.setText("Started today; dose confirmed with the patient.")
    dialog.sign_button.click()
    qtbot.waitUntil(view.signed)
    assert records.notes[cid][-1].kind == "signed"
    assert view.signed() and view.editor.sections["plan"].rows[0].edit.isReadOnly()
    assert not view.sign_button.isEnabled()
    assert "Signed by Doc " in view.editor.banner.text()  # the doctor's name, not the user name
    assert not view.record_button.isEnabled() and "signed" in view.record_button.toolTip()

    # a later change makes a new version that has to be signed again
    view.begin_new_version()
    edit = view.editor.sections["subjective"].rows[0].edit
    assert not edit.isReadOnly()
    edit.setPlainText("Headache for two weeks, worse in the morning.")
    v = view.save().result()
    assert v is not None and v.kind == "edit" and v.number == 3
    assert view.info.status == "draft"

    # letters: one click each, values form answered, preview, saved as versions, exported
    view.tabs.setCurrentWidget(view.letters)
    view.letters.values_provider = lambda kind: {f.key: "2026-11-27" for f in kind.fields}
    for kind in ("sick_leave", "referral"):
        with qtbot.waitSignal(view.letters.generated, timeout=10_000):
            view.letters.buttons[kind].click()
        assert kind in view.letters.preview.toPlainText()
        assert view.letters.export(str(tmp_path / f"{kind}.pdf"), "pdf")
        assert view.letters.export(str(tmp_path / f"{kind}.docx"), "docx")
    saved = records.letters_[cid]
    assert [(x.kind, x.number) for x in saved] == [("sick_leave", 1), ("referral", 1)]
    assert saved[0].values["leave_to"] == "2026-11-27"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "referral.docx",
        "referral.pdf",
        "sick_leave.docx",
        "sick_leave.pdf",
    ]
    # an edit of the preview is saved as a new version of the same letter
    view.letters.preview.setPlainText("Edited referral")
    view.letters.save_edits().result()
    assert [(x.kind, x.number) for x in records.letters_[cid]][-1] == ("referral", 2)
    view.letters.copy()
    assert QApplication.clipboard().text() == "Edited referral"
    # a second certificate is a second document, not a second "v1"
    with qtbot.waitSignal(view.letters.generated, timeout=10_000):
        view.letters.buttons["sick_leave"].click()
    labels = [
        view.letters.history.item(i).text().splitlines()[0] for i in range(view.letters.history.count())
    ]
    assert labels[0].endswith("1 · v1") and labels[-1].endswith("2 · v1")


def test_nurse_edits_summary_and_instructions_but_cannot_sign(
    qtbot, window: MainWindow, records: FakeRecords
) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    _record_and_stop(qtbot, view)
    cid = view.info.id
    window.back_to_list()
    window.sign_out()
    sign_in(window, "nurse")
    qtbot.waitUntil(lambda: bool(window.list_page.items()))
    view = open_view(qtbot, window, window.list_page.items()[0])
    assert view.info.id == cid
    sections = view.editor.sections
    assert not sections["subjective"].rows[0].edit.isReadOnly()
    assert not sections["patient_instructions"].rows[0].edit.isReadOnly()
    assert sections["assessment"].rows[0].edit.isReadOnly()
    assert sections["plan"].rows[0].edit.isReadOnly()
    assert not sections["plan"].rows[0].accept_button.isEnabled()
    assert not view.sign_button.isVisible() and view.sign() is None
    sections["patient_instructions"].rows[0].edit.setPlainText("Rest for two days; come back if worse.")
    version = view.save().result()
    assert version is not None and version.author == "nurse"
    assert records.notes[cid][-1].note.patient_instructions[0].text.startswith("Rest for two days")
    dialog = view.show_history()
    assert dialog.list.count() == 2
    assert "come back if worse" in dialog.view.toPlainText()


def test_transcript_colours_and_autoscroll(qtbot, window: MainWindow) -> None:
    from desktop.core.types import TranscriptSegment
    from desktop.ui.transcript import TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(300, 120)
    view.show()
    segs = [TranscriptSegment(f"s{i}", i, i + 1, f"final words {i}", "doctor", "en", True) for i in range(40)]
    view.update_segments([*segs[:20], TranscriptSegment("t", 20, 21, "maybe words", "patient", "yue", False)])
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    text = view.toPlainText()
    assert "maybe words" in text and "[yue]" in text
    # tentative text grey, final text black
    doc = view.document()
    pos_final = text.index("final words 3")
    pos_tent = text.index("maybe words")
    block_final = doc.findBlock(pos_final)
    block_tent = doc.findBlock(pos_tent)

    def colour_at(block, offset):
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.position() <= offset < frag.position() + frag.length():
                return frag.charFormat().foreground().color()
            it += 1
        return None

    assert colour_at(block_final, pos_final) == QColor("#000000")
    assert colour_at(block_tent, pos_tent) == QColor("#9e9e9e")
    final_before = view.final_text()
    # the user scrolls up: new text no longer moves the view
    bar.setValue(0)
    old_max = bar.maximum()
    view.update_segments(segs[20:30])
    qtbot.waitUntil(lambda: bar.maximum() > old_max)
    assert bar.value() == 0
    assert view.final_text().startswith(final_before)  # final text never changes
    assert "maybe words" not in view.toPlainText()  # the tentative tail was replaced
    bar.setValue(bar.maximum())
    old_max = bar.maximum()
    view.update_segments(segs[30:])
    qtbot.waitUntil(lambda: bar.maximum() > old_max)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())


def test_cancel_a_draft_keeps_the_transcript(qtbot, records: FakeRecords) -> None:
    drafter = FakeDrafter()
    drafter.hold = True
    backend = fake_backend(records, drafter=drafter)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.start()
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    with qtbot.waitSignal(view.draft_finished, timeout=20_000) as blocker:
        view.start_recording()
        qtbot.waitUntil(lambda: drafter.started.is_set(), timeout=10_000)
        assert view.progress_row.isVisibleTo(view)
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    qtbot.waitUntil(lambda: not view.progress_row.isVisibleTo(view))
    assert "cancelled" in view.editor.banner.text()
    assert records.notes.get(view.info.id, []) == []
    # the transcript is saved on the database thread: wait for it rather than race it
    qtbot.waitUntil(lambda: view.info.id in records.transcripts, timeout=10_000)
    assert len(records.transcripts[view.info.id].segments) == 3
    assert view.draft_button.isEnabled()
    backend.shutdown()


def test_missing_model_shows_the_message(qtbot, records: FakeRecords, monkeypatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr("desktop.ui.consultation.view.show_error", lambda _p, m, h="": shown.append((m, h)))
    backend = fake_backend(records, drafter=FakeDrafter(missing_model=True))
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.start()
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    with qtbot.waitSignal(view.draft_finished, timeout=20_000):
        view.start_recording()
    assert shown and "not installed" in shown[0][0] and "models add" in shown[0][1]
    assert "not installed" in view.editor.banner.text()
    backend.shutdown()


def test_auto_lock_keeps_recording(qtbot, records: FakeRecords) -> None:
    audio = FakeAudio(seconds=None)  # a microphone: runs until Stop
    backend = fake_backend(records, audio=audio)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.show()
    window.start()
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    view.start_recording()
    qtbot.waitUntil(lambda: len(view.transcript_view.final_segments()) >= 1, timeout=10_000)
    window.idle.set_timeout(50)
    window.idle.start()
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert window.lock_page.recording_note.isVisibleTo(window.lock_page)
    assert not window.lock_page.sign_out_button.isEnabled()
    before = audio.sources[0].delivered
    qtbot.waitUntil(lambda: audio.sources[0].delivered > before + 16000, timeout=10_000)
    assert view.recording
    window.lock_page.password.setText("wrong")
    window.lock_page.attempt().result()
    assert window.locked and "not right" in window.lock_page.message.text()
    window.lock_page.password.setText("password1")
    window.lock_page.attempt().result()
    assert not window.locked and window.pages.currentWidget() is window.work
    segments_before = len(view.transcript_view.final_segments())
    assert segments_before >= 2
    with qtbot.waitSignal(view.recording_changed, timeout=10_000):
        view.stop_recording()
    assert not view.recording
    assert sum(len(a) for a in records.audio[view.info.id]) == audio.sources[0].delivered
    actions = [e.action for e in records.audit]
    assert "lock" in actions and "unlock" in actions
    window.idle.stop()
    backend.shutdown()


def test_no_consent_no_recording(qtbot, window: MainWindow) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window, consent=False)
    assert not view.record_button.isEnabled()
    assert "consent" in view.consent_note.text()


def test_search_filters_the_list(qtbot, window: MainWindow) -> None:
    sign_in(window, "doc")
    new_consultation(qtbot, window, patient=Patient(name="Alice Ho", mrn="A-1"), complaint="cough")
    window.back_to_list()
    new_consultation(qtbot, window, patient=Patient(name="Bob Lam", mrn="B-2"), complaint="rash")
    window.back_to_list()
    qtbot.waitUntil(lambda: window.list_page.table.rowCount() == 2)
    window.list_page.search.setText("b-2")
    assert [c.patient.name for c in window.list_page.items()] == ["Bob Lam"]
    window.list_page.search.setText("cough")
    assert [c.patient.name for c in window.list_page.items()] == ["Alice Ho"]


def test_admin_sees_no_clinical_screens(
    qtbot, window: MainWindow, records: FakeRecords, tmp_path: Path
) -> None:
    sign_in(window, "admin")
    assert window.pages.currentWidget() is window.admin_home
    dialog = window.open_admin()
    assert dialog is not None
    dialog.create_user("drlee", "Dr Lee", "doctor", "longpassword", "M999")
    assert "drlee" in records.users_
    assert dialog.users.rowCount() == 4
    dialog.refresh_audit()
    assert dialog.audit.rowCount() >= 2
    n = dialog.export_audit(str(tmp_path / "audit.csv"))
    assert n == dialog.audit.rowCount()
    assert (tmp_path / "audit.csv").read_text(encoding="utf-8").startswith("time,user,action")
    dialog.close()


def test_first_run_wizard_creates_the_administrator(qtbot) -> None:
    records = FakeRecords(setup_needed=True)
    backend = fake_backend(records)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    wizard = window.start()
    assert wizard is not None
    wizard.next()
    page = wizard.admin_page
    page.username.setText("itadmin")
    page.password.setText("short")
    page.repeat.setText("short")
    assert not page.isComplete() and "8 characters" in page.message.text()
    page.password.setText("a-long-password")
    page.repeat.setText("a-long-password")
    assert page.isComplete()
    with qtbot.waitSignal(wizard.created):
        wizard.next()  # the store is created on the database worker, with a busy note meanwhile
        assert "Creating the encrypted store" in wizard.recovery_page.key.placeholderText()
    assert wizard.recovery_page.key.toPlainText() == "ABCD-EFGH-IJKL-MNOP"
    assert not wizard.recovery_page.isComplete()
    wizard.recovery_page.confirm.setChecked(True)
    with qtbot.waitSignal(wizard.completed):
        wizard.accept()
    assert window.user is not None and window.user.username == "itadmin"
    assert window.pages.currentWidget() is window.admin_home
    backend.shutdown()


def test_lost_microphone_keeps_what_was_recorded(qtbot, records: FakeRecords, monkeypatch) -> None:
    from desktop.core.errors import AudioError
    from tests.gui.fakes import ControlledSource

    class LostSource(ControlledSource):
        def read(self, timeout: float = 0.1) -> np.ndarray | None:
            if self.delivered >= 2 * 16000:
                raise AudioError("The microphone stopped working during the recording.", "Reconnect it.")
            return super().read(timeout)

    class LostAudio(FakeAudio):
        def open(self, device_id: str) -> ControlledSource:
            source = LostSource(None)
            self.sources.append(source)
            return source

    shown: list[str] = []
    monkeypatch.setattr("desktop.ui.consultation.view.show_error", lambda _p, m, h="": shown.append(m))
    backend = fake_backend(records, audio=LostAudio())
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.start()
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    view.start_recording()
    qtbot.waitUntil(lambda: view.info.id in records.transcripts, timeout=10_000)
    assert not view.recording
    assert shown and "microphone stopped" in shown[0]
    saved = records.transcripts[view.info.id].segments
    assert [s.id for s in saved] == ["s0", "s1"]  # both seconds heard were kept and saved
    assert sum(len(a) for a in records.audio[view.info.id]) == 2 * 16000
    backend.shutdown()


@contextmanager
def _recording_view(qtbot, records: FakeRecords, drafter: FakeDrafter, prefill_seconds: int) -> Iterator:
    """A doctor's new consultation over a microphone that keeps going, reading ahead as set."""
    backend = fake_backend(records, audio=FakeAudio(seconds=None), drafter=drafter)
    backend.settings.llm.prefill_seconds = prefill_seconds
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        sign_in(window, "doc")
        view = new_consultation(qtbot, window)
        assert view is not None
        yield view
    finally:
        backend.shutdown()


def test_the_transcript_is_read_ahead_while_recording(qtbot, records: FakeRecords) -> None:
    drafter = FakeDrafter()
    with _recording_view(qtbot, records, drafter, prefill_seconds=1) as view:
        view.start_recording()
        # New final lines arrive every second (fake recogniser); each prefill reads what is new.
        qtbot.waitUntil(lambda: len(drafter.prefilled) >= 2, timeout=15_000)
        assert drafter.prefilled == sorted(drafter.prefilled) and drafter.prefilled[0] >= 1
        assert len(set(drafter.prefilled)) == len(drafter.prefilled)  # never the same lines twice
        # Speech recognition is busy: reading ahead waits.
        count = len(drafter.prefilled)
        qtbot.waitUntil(lambda: view.recorder.prefill_job is None, timeout=5_000)
        view.recorder.show_load(0.8, 0)
        assert view.recorder.prefill_tick() is None
        view.recorder.show_load(0.25, 0)
        with qtbot.waitSignal(view.draft_finished, timeout=20_000):
            view.stop_recording()
        assert len(drafter.prefilled) >= count
        assert not view.recorder.prefill_timer.isActive()


def test_nothing_is_read_ahead_when_turned_off(qtbot, records: FakeRecords) -> None:
    drafter = FakeDrafter()
    with _recording_view(qtbot, records, drafter, prefill_seconds=0) as view:
        session = view.start_recording()
        assert session is not None
        qtbot.waitUntil(lambda: len(view.transcript_view.final_segments()) >= 2, timeout=10_000)
        assert not view.recorder.prefill_timer.isActive() and drafter.prefilled == []
        view.stop_recording()
        qtbot.waitUntil(lambda: not session.running, timeout=20_000)


def test_sign_in_says_it_is_working_and_takes_no_second_click(
    qtbot, window: MainWindow, records: FakeRecords
) -> None:
    calls: list[str] = []
    real = records.sign_in

    def counted_sign_in(username: str, password: str):  # type: ignore[no-untyped-def]
        calls.append(username)
        return real(username, password)

    records.sign_in = counted_sign_in  # type: ignore[method-assign]
    page = window.sign_in
    page.username.setText("doc")
    page.password.setText("nope")
    call = page.attempt()
    # The key is unlocked on the database worker (about a second with scrypt): the page says so
    # at once, and a second click while it works is not a second attempt.
    assert call is not None and page.message.text() == "Signing in…" and not page.button.isEnabled()
    assert page.attempt() is None
    with qtbot.waitSignal(call.done):
        pass
    assert "wrong" in page.message.text() and page.button.isEnabled()
    sign_in(window, "doc")
    assert window.user is not None and calls == ["doc", "doc"]


def test_pieces_of_one_utterance_continue_their_line(qtbot) -> None:
    from desktop.core.types import TranscriptSegment
    from desktop.ui.transcript import TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)

    def piece(sid: str, t: float, text: str, who: str = "doctor") -> TranscriptSegment:
        return TranscriptSegment(sid, t, t + 1, text, who, "en", True)

    view.update_segments([piece("u1-1", 0, "Good morning,")])
    before = view.final_text()
    view.update_segments(
        [piece("u1-2", 1, "what brings you"), TranscriptSegment("t", 2, 3, "in to", "doctor", "en", False)]
    )
    assert view.final_text().startswith(before)  # the line grows at its end; nothing moves
    view.update_segments([piece("u1-3", 2, "in today?"), piece("u1-3b", 3, "I have a cough.", "patient")])
    view.update_segments([piece("u2-1", 5, "For how long?")])
    lines = view.final_text().splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("Doctor [en]: Good morning, what brings you in today?")
    assert lines[1].endswith("Patient [en]: I have a cough.") and "For how long?" in lines[2]
    assert view.highlight(["u1-2"]) == ["u1-2"]  # any piece finds its line
    assert [s.id for s in view.final_segments()] == ["u1-1", "u1-2", "u1-3", "u1-3b", "u2-1"]


def test_no_speakers_is_said_once_in_the_status_bar(qtbot, window: MainWindow) -> None:
    from desktop.core.errors import UserFacingError

    class NoSpeakers:
        calls = 0

        def play(self, samples: np.ndarray, sample_rate: int) -> None:
            NoSpeakers.calls += 1
            raise UserFacingError("The audio could not be played on this computer.", "Check the speakers.")

        def stop(self) -> None:
            pass

    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    _record_and_stop(qtbot, view)
    window.backend.player = NoSpeakers()  # type: ignore[assignment]
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    rows = view.editor.rows()
    for _ in range(3):
        qtbot.mouseClick(rows[1].edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view._playback_failed)
    for _ in range(2):
        qtbot.mouseClick(rows[1].edit.viewport(), Qt.MouseButton.LeftButton)
    assert QApplication.activeModalWidget() is None  # no dialog to dismiss on every click
    assert NoSpeakers.calls == 1
    assert [m for m in shown if "could not be played" in m] == [
        "The audio could not be played on this computer. Check the speakers."
    ]
    assert view.transcript_view.highlighted_ids() == ["s1"]  # the line is still shown


def test_the_load_warning_ends_with_the_recording(qtbot, window: MainWindow, monkeypatch) -> None:
    from tests.gui.fakes import FakeAsr

    monkeypatch.setattr(FakeAsr, "duty_cycle", property(lambda self: 0.95))  # a recogniser that lags
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    warnings: list[str] = []
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot keep up" in view.load.text(), timeout=10_000)
    warnings.append(view.load.text())
    with qtbot.waitSignal(view.recording_changed, timeout=20_000):
        view.stop_recording()
    assert "cannot keep up" in warnings[0]
    assert view.load.text() == "Load 95%"  # the last figure stays, the warning about now does not


def _answer(monkeypatch, button) -> list[str]:
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_new_draft_never_drops_unsaved_edits(qtbot, window: MainWindow, records, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    _record_and_stop(qtbot, view)
    cid = view.info.id
    row = view.editor.rows()[0]
    row.edit.setPlainText("Typed by the doctor.")
    assert view.dirty

    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert view.start_draft() is None  # cancelled: the edit stays in the editor
    assert "replaces the note" in asked[0]
    assert "Typed by the doctor." in [r.statement.text for r in view.editor.rows()]

    _answer(monkeypatch, QMessageBox.StandardButton.Save)
    with qtbot.waitSignal(view.draft_finished, timeout=20_000):
        assert view.start_draft() is not None
    kinds = [v.kind for v in records.notes[cid]]
    assert kinds[:2] == ["ai_draft", "edit"]  # the edit was kept as a version before the new draft
    assert any("Typed by the doctor." in st.text for _, st in records.notes[cid][1].note.statements())


def test_quit_asks_about_unsaved_edits(qtbot, window: MainWindow, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    _record_and_stop(qtbot, view)
    view.editor.rows()[0].edit.setPlainText("Typed by the doctor.")
    window.show()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert window.close() is False and window.isVisible()
    assert "before quitting" in asked[0]
    _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    assert window.close() is True
