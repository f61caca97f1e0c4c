"""The everyday clinic day as new users meet it: no microphone, consent later, nurses, letters."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QDateEdit, QLabel, QMessageBox, QPushButton

from desktop.ui.letters import ValuesDialog
from desktop.ui.main import MainWindow
from tests.gui.conftest import new_consultation, open_view, settle, sign_in
from tests.gui.fakes import ControlledSource, FakeAudio, FakeRecords, fake_backend


def _window(qtbot, records: FakeRecords, **kw: object) -> MainWindow:
    window = MainWindow(fake_backend(records, **kw))
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def test_without_a_microphone_the_doctor_types_the_note(qtbot, window: MainWindow, records) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    assert view.manual_button.isVisible() and not view.save_button.isEnabled()
    view.manual_button.click()
    assert not view.manual_button.isVisible() and view.save_button.isEnabled()
    section = view.editor.sections["subjective"]
    section.add_button.click()
    section.rows[-1].edit.setPlainText("Cough for five days, no fever.")
    version = view.save().result()
    assert version.number == 1 and version.kind == "edit"
    assert records.notes[view.info.id][0].note.subjective[0].text == "Cough for five days, no fever."
    assert view.info.status == "draft" and view.sign_button.isEnabled()


def test_an_audio_file_is_transcribed_like_a_recording(qtbot, window: MainWindow, records) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    with qtbot.waitSignal(view.draft_finished, timeout=20_000) as drafted:
        session = view.open_recording("/clinic/visit.wav")
        assert session is not None and view.recorder.file_progress.isVisibleTo(view)
        assert not view.pause_button.isEnabled()
    assert drafted.args == [True]
    assert view.info.status == "draft" and view.status.text() == "draft"  # the draft is saved
    cid = view.info.id
    assert len(records.transcripts[cid].segments) == 4  # 4 s of audio, one line a second (fake)
    assert sum(len(a) for a in records.audio[cid]) == 4 * 16000  # journalled, like a recording
    assert "of 00:04" in view.elapsed.text() and not view.recorder.file_progress.isVisibleTo(view)
    assert any(e.action == "recording.import" and e.detail == "visit.wav" for e in records.audit)


def test_a_file_that_is_not_audio_is_refused_in_plain_words(qtbot, window: MainWindow, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.consultation.view.show_error", lambda _p, m, h="": shown.append(f"{m} {h}")
    )
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    assert view.open_recording("/clinic/notes.docx") is None
    assert shown and "could not be read as audio" in shown[0] and "--" not in shown[0]
    assert view.info.status == "new"


def test_consent_given_later_is_recorded_and_opens_record(qtbot, window: MainWindow, records) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window, consent=False)
    assert not view.record_button.isEnabled() and not view.recorder.import_button.isEnabled()
    assert view.recorder.consent_button.isVisible()
    view.give_consent(ask=False).result()
    assert view.record_button.isEnabled() and not view.recorder.consent_button.isVisible()
    assert records.infos[view.info.id].consent
    assert any(e.action == "consent_recorded" for e in records.audit)


def test_nothing_recorded_keeps_the_status_new_in_the_list_and_the_view(qtbot, records: FakeRecords) -> None:
    class Dead(ControlledSource):
        def read(self, timeout: float = 0.1) -> np.ndarray | None:
            raise EOFError  # a microphone that delivers nothing

    class DeadAudio(FakeAudio):
        def open(self, device_id: str) -> ControlledSource:
            return Dead(None)

    window = _window(qtbot, records, audio=DeadAudio())
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    assert view.start_recording() is not None
    assert view.info.status == "recording"
    qtbot.waitUntil(lambda: not view.recording and view.info.status != "recording", timeout=10_000)
    assert view.info.status == "new" and view.status.text() == "new"
    settle(window)
    window.back_to_list()
    qtbot.waitUntil(lambda: bool(window.list_page.items()))
    assert window.list_page.items()[0].status == "new"


def test_save_keeps_the_place_in_the_note(qtbot, window: MainWindow) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    view.manual_button.click()
    section = view.editor.sections["plan"]
    for i in range(30):
        section.add_button.click()
        section.rows[-1].edit.setPlainText(f"Plan item {i}")
    bar = view.editor.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    bar.setValue(bar.maximum() - 50)
    where = bar.value()
    view.save().result()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    qtbot.waitUntil(lambda: abs(bar.value() - where) <= 5)


def test_a_nurse_prints_her_documents_for_the_consultations_doctor(
    qtbot, window: MainWindow, records
) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    view.manual_button.click()
    view.editor.sections["plan"].add_button.click()
    view.editor.sections["plan"].rows[-1].edit.setPlainText("Rest.")
    view.save().result()
    window.back_to_list()
    window.sign_out()
    sign_in(window, "nurse")
    qtbot.waitUntil(lambda: bool(window.list_page.items()))
    view = open_view(qtbot, window, window.list_page.items()[0])
    # no Record for a nurse unless the clinic allows it; read-only parts are explained
    assert not view.record_button.isVisible() and not view.recorder.import_button.isVisible()
    assert "the doctor's" in view.editor.banner.text()
    # the roles decide the documents; the doctor is the consultation's, not a CLI setting
    buttons = view.letters.buttons
    assert buttons["patient_instructions"].isEnabled() and buttons["follow_up"].isEnabled()
    assert not buttons["sick_leave"].isEnabled() and "Only a doctor" in buttons["sick_leave"].toolTip()
    clinic = view.clinic()
    assert (clinic.doctor_name, clinic.registration_no) == ("Doc", "M12345")
    with qtbot.waitSignal(view.letters.generated, timeout=10_000):
        buttons["patient_instructions"].click()
    assert [v.kind for v in records.letters_[view.info.id]] == ["patient_instructions"]


def test_a_nurse_records_where_the_clinic_allows_it(qtbot, records: FakeRecords) -> None:
    window = _window(qtbot, records)
    window.backend.settings.policy.nurses_may_record = True
    sign_in(window, "nurse")
    view = new_consultation(qtbot, window)
    assert view.record_button.isVisible() and view.record_button.isEnabled()


def test_letter_dates_have_a_calendar_and_a_refused_form_keeps_its_values(qtbot) -> None:
    from desktop.services.ports import LetterField, LetterKind

    kind = LetterKind(
        "sick_leave",
        "Sick leave",
        fields=[LetterField("leave_to", "Sick leave to", type="date"), LetterField("diagnosis", "Diagnosis")],
    )
    dialog = ValuesDialog(kind, {"leave_to": "2026-12-04", "diagnosis": "Influenza"})
    qtbot.addWidget(dialog)
    picker = dialog.edits["leave_to"]
    assert isinstance(picker, QDateEdit) and picker.calendarPopup()
    assert dialog.values() == {"leave_to": "2026-12-04", "diagnosis": "Influenza"}


def test_a_refused_letter_form_comes_back_as_typed(qtbot, window: MainWindow, monkeypatch) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window)
    seen: list[dict[str, str]] = []

    def fake_exec(dialog: ValuesDialog) -> int:
        seen.append(dialog.values())
        picker = dialog.edits["leave_to"]
        assert isinstance(picker, QDateEdit)
        picker.setDate(picker.date().addDays(3))
        return 1

    monkeypatch.setattr(ValuesDialog, "exec", fake_exec)
    monkeypatch.setattr("desktop.ui.letters.show_error", lambda *_a: None)
    letters = view.letters
    real = letters.render_fn

    def refuse(kind, values, ctx):  # type: ignore[no-untyped-def]
        from desktop.core.errors import UsageError

        raise UsageError("The sick leave ends before it starts.", "Check the dates.")

    letters.render_fn = refuse
    with qtbot.waitSignal(letters.busy, check_params_cb=lambda b: b is False, timeout=10_000):
        letters.generate("sick_leave")
    letters.render_fn = real
    with qtbot.waitSignal(letters.generated, timeout=10_000):
        letters.generate("sick_leave")
    assert seen[1]["leave_to"] != seen[0]["leave_to"]  # the second form started from what was typed


def test_deactivate_and_reset_a_password(qtbot, window: MainWindow, records, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    sign_in(window, "admin")
    dialog = window.open_admin()
    assert dialog is not None
    dialog.reset_password("nurse", "a-new-password")
    assert records.users_["nurse"][1] == "a-new-password"
    dialog.deactivate("nurse")
    assert not records.users_["nurse"][0].active
    assert {"password_reset", "user_disabled"} <= {e.action for e in records.audit}
    dialog.close()
    window.sign_out()
    sign_in(window, "nurse", "a-new-password")
    assert window.user is None and "wrong" in window.sign_in.message.text()


def test_the_policy_tab_stays_after_save_with_words_not_keys(qtbot, window: MainWindow, records) -> None:
    from PySide6.QtWidgets import QFormLayout, QLabel

    sign_in(window, "admin")
    dialog = window.open_admin()
    assert dialog is not None
    dialog.tabs.setCurrentIndex(1)
    policy = dialog.policy_dialog
    form = next(f for f in policy.forms if f.name == "policy")
    layout = form.layout()
    assert isinstance(layout, QFormLayout)
    labels = [
        w.text()
        for i in range(layout.rowCount())
        if (item := layout.itemAt(i, QFormLayout.ItemRole.LabelRole)) is not None
        and isinstance(w := item.widget(), QLabel)
    ]
    assert "Keep recordings (days)" in labels and not any("_" in t for t in labels)
    clinic = next(f for f in policy.forms if f.name == "clinic")
    assert clinic.editors["logo"].findChild(QPushButton) is not None  # Browse…
    form.editors["retention_days"].setValue(3000)  # type: ignore[attr-defined]
    policy._accept()
    settle(window)
    assert policy.isVisible() and "Saved" in policy.message.text()
    assert records.policy["retention_days"] == 3000
    dialog.close()


def test_the_speech_model_loads_at_sign_in_and_the_wait_is_said(qtbot, records: FakeRecords) -> None:
    import threading

    loaded = threading.Event()
    backend = fake_backend(records)
    backend.prepare_speech = loaded.set
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.show()
    window.start()
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    sign_in(window, "doc")
    qtbot.waitUntil(lambda: "The speech model is ready." in shown)
    assert loaded.is_set() and any("Loading the speech model" in m for m in shown)


def test_help_about_names_the_version_models_licences_and_log_folder(qtbot, window: MainWindow) -> None:
    from desktop import __version__

    dialog = window.open_about()
    text = dialog.text.toPlainText()
    assert __version__ in dialog.windowTitle() + dialog.findChild(QLabel).text()
    assert "whisper-base" in text and "MIT" in text and "LGPL-3.0" in text
    assert dialog.logs.text().endswith("logs")
    dialog.close()


def test_models_can_be_verified_and_added(qtbot, window: MainWindow) -> None:
    sign_in(window, "doc")
    dialog = window.open_settings()
    assert dialog is not None and dialog.models_tab is not None
    tab = dialog.models_tab
    tab.table.selectRow(0)
    # (a job reports from its worker thread: wait on what the tab shows)
    assert tab.verify() is not None
    qtbot.waitUntil(lambda: "every file matches" in tab.message.text())
    qtbot.waitUntil(lambda: tab.add_button.isEnabled())
    tab.add("/media/usb/notes.txt")
    qtbot.waitUntil(lambda: "not a GGUF" in tab.message.text())
    qtbot.waitUntil(lambda: tab.add_button.isEnabled())
    tab.add("/media/usb/qwen2.5-3b.gguf")
    qtbot.waitUntil(lambda: "qwen2.5-3b was added" in tab.message.text())
    dialog.reject()
