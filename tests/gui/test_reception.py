"""Starting, cancelling and deleting consultations at the desk, and the forced password change."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from desktop.core.types import Patient
from desktop.ui.consultations import NewConsultationDialog
from desktop.ui.main import MainWindow
from tests.gui.conftest import new_consultation, open_view, settle, sign_in
from tests.gui.fakes import FakeRecords

CHAN = Patient(name="CHAN Tai Man", name_zh="陳大文", sex="M", date_of_birth="1968-03-14", mrn="HK-1")


def test_the_patient_is_found_by_name_chinese_name_or_mrn(qtbot, window: MainWindow, records) -> None:
    sign_in(window, "doc")
    first = new_consultation(qtbot, window, patient=CHAN)
    window.back_to_list()
    records.create_consultation(records.users_["doc"][0], Patient(name="LEE Ka Yan", mrn="HK-2"), "", True)
    dialog = NewConsultationDialog(window.list_page, window.backend.db)
    qtbot.addWidget(dialog)
    lookup = dialog.lookup
    assert lookup is not None
    for typed, expected in (("chan", "CHAN Tai Man"), ("陳大", "CHAN Tai Man"), ("hk-2", "LEE Ka Yan")):
        with qtbot.waitSignal(lookup.searched, timeout=5000):
            if typed.isascii():
                qtbot.keyClicks(lookup.query, typed)  # the search starts after a pause in typing
            else:
                lookup.query.setText(typed)  # typed through an input method (QTest types ASCII only)
        assert [m.patient.name for m in lookup.matches] == [expected]
        lookup.query.clear()
    # Searched in the store's thread, never the window's; one search per pause, not per key.
    assert [q for q, _ in records.searches] == ["chan", "陳大", "hk-2"]
    assert all(thread != "MainThread" for _, thread in records.searches)
    with qtbot.waitSignal(lookup.searched, timeout=5000):
        qtbot.keyClicks(lookup.query, "Tai Man")
    assert "last seen" in lookup.results.item(0).text() and "HK-1" in lookup.results.item(0).text()
    lookup.results.itemClicked.emit(lookup.results.item(0))
    assert dialog.patient_id and dialog.name_zh.text() == "陳大文" and not dialog.mrn.isEnabled()
    dialog.complaint.setText("Follow-up of blood pressure")
    call = window.list_page.create_consultation(dialog.patient(), "Follow-up", True, dialog.patient_id)
    assert call is not None
    second = call.result()
    assert records.patient_of[second.id] == records.patient_of[first.info.id]  # the same patient record
    dialog.new_patient()
    assert dialog.patient_id == "" and dialog.mrn.isEnabled()
    with qtbot.waitSignal(lookup.searched, timeout=5000):
        lookup.query.setText("nobody")
    assert lookup.matches == [] and "No patient found" in lookup.note.text()


def _list_row(window: MainWindow, cid: str) -> None:
    page = window.list_page
    page.all_days.setChecked(True)
    row = next(i for i, c in enumerate(page.items()) if c.id == cid)
    page.table.selectRow(row)


def test_a_consultation_is_cancelled_read_only_and_reopened(qtbot, window: MainWindow, records) -> None:
    sign_in(window, "doc")
    view = new_consultation(qtbot, window, patient=CHAN)
    cid = view.info.id
    window.back_to_list()
    settle(window)
    qtbot.waitUntil(lambda: bool(window.list_page.items()))
    _list_row(window, cid)
    call = window.list_page.cancel_selected(reason="patient left before being seen")
    assert call is not None
    call.result()
    qtbot.waitUntil(lambda: window.list_page.table.item(0, 4).text() == "cancelled")
    assert records.reasons[cid] == "patient left before being seen"
    assert window.list_page.cancel_button.text() == "Reopen" and window.list_page.delete_button.isEnabled()
    view = open_view(qtbot, window, window.list_page.items()[0])
    assert not view.record_button.isEnabled() and not view.manual_button.isVisible()
    assert view.status.text() == "cancelled" and "cancelled" in view.editor.banner.text()
    window.back_to_list()
    settle(window)
    _list_row(window, cid)
    window.list_page.cancel_selected().result()  # Reopen
    qtbot.waitUntil(lambda: window.list_page.table.item(0, 4).text() == "new")
    actions = [e.action for e in records.audit if e.target == cid and e.action != "record_opened"]
    assert actions[-2:] == ["consultation_cancelled", "consultation_reopened"]


def test_delete_removes_a_mistake_but_never_a_signed_note(
    qtbot, window: MainWindow, records: FakeRecords, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("desktop.ui.consultations.show_error", lambda _p, m, h="": shown.append(m))
    sign_in(window, "doc")
    signed = new_consultation(qtbot, window, patient=CHAN)
    signed.manual_button.click()
    signed.editor.sections["assessment"].add_button.click()
    signed.editor.sections["assessment"].rows[-1].edit.setPlainText("Essential hypertension.")
    signed.save().result()
    signed.sign().result()
    window.back_to_list()
    mistake = new_consultation(qtbot, window, patient=Patient(name="Wrong Patient"))
    window.back_to_list()
    settle(window)
    qtbot.waitUntil(lambda: len(window.list_page.items()) == 2)
    _list_row(window, signed.info.id)
    assert not window.list_page.delete_button.isEnabled()  # offered only where it can work
    refused = window.list_page.delete_selected(ask=False)
    assert refused is not None
    qtbot.waitUntil(lambda: refused.finished)
    assert shown == ["A signed note is never deleted."] and signed.info.id in records.infos
    _list_row(window, mistake.info.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert window.list_page.delete_selected() is None and mistake.info.id in records.infos
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.list_page.delete_selected().result()
    qtbot.waitUntil(lambda: len(window.list_page.items()) == 1)
    assert mistake.info.id in records.deleted and window.list_page.items()[0].id == signed.info.id
    assert any(e.action == "consultation_deleted" and e.target == mistake.info.id for e in records.audit)


def test_a_new_account_chooses_its_own_password_first(qtbot, window: MainWindow, records) -> None:
    admin = records.users_["admin"][0]
    records.add_user(admin, "newnurse", "Nurse New", "nurse", "given-pass-1")
    window.sign_in.username.setText("newnurse")
    window.sign_in.password.setText("given-pass-1")
    window.sign_in.button.click()
    assert window.sign_in.pending is not None
    window.sign_in.pending.result()
    page = window.password_page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    assert not window.settings_action.isEnabled() and "administrator" in page.why.text()
    page.current.setText("given-pass-1")
    page.new.setText("short")
    page.repeat.setText("short")
    assert page.attempt() is None and "8 characters" in page.message.text()
    page.new.setText("my-own-pass-1")
    page.repeat.setText("my-own-pass-2")
    assert page.attempt() is None and "different" in page.message.text()
    page.current.setText("not-what-was-given")
    page.repeat.setText("my-own-pass-1")
    call = page.attempt()
    assert call is not None
    qtbot.waitUntil(lambda: page.pending is None)
    assert "wrong" in page.message.text() and window.pages.currentWidget() is page
    page.current.setText("given-pass-1")
    page.new.setText("my-own-pass-1")
    page.repeat.setText("my-own-pass-1")
    with qtbot.waitSignal(window.policy_applied, timeout=10_000):
        page.attempt()
    assert window.pages.currentWidget() is window.work and window.settings_action.isEnabled()
    assert records.users_["newnurse"][1] == "my-own-pass-1"
    assert not records.users_["newnurse"][0].must_change_password
    # After an administrator's reset, once more.
    window.sign_out()
    records.reset_password(admin, "newnurse", "reset-pass-1")
    window.sign_in.username.setText("newnurse")
    window.sign_in.password.setText("reset-pass-1")
    window.sign_in.button.click()
    window.sign_in.pending.result()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    page.leave.click()
    assert window.pages.currentWidget() is window.sign_in and window.user is None
