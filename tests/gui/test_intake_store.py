"""The desk and the intake through the real encrypted store: the patient answers on the service's
own connection (as ``intake serve`` writes them), the app sees the queue, raises and clears the
alert, changes the category, starts the consultation from the patient look-up and shows the summary;
cancelling and deleting go through the same store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.config import IntakeSettings
from desktop.core.types import Patient
from desktop.intake import plan
from desktop.intake.triage import triage_answers
from desktop.services.intake import StoreIntake
from desktop.services.records import StoreRecords
from desktop.storage import KdfParams, Store
from desktop.storage import intake as store_intake
from desktop.ui.main import MainWindow
from tests.gui.conftest import settle
from tests.gui.fakes import fake_backend

KDF = KdfParams(n=2**10, r=8, p=1)
ANSWERS = [
    "My chest feels tight and heavy and I am sweating",  # the opening question
    "Since about 8 this morning",
    "7 out of 10, getting worse",
]


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "store"
    store, _ = Store.create(directory, "it", "admin-pass-1", kdf=KDF)
    store.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M1", must_change_password=False)
    store.add_user("nurse", "nurse-pass-1", ["nurse"], "Nurse Ho", must_change_password=False)
    store.add_user("intake-svc", "service-pass-1", ["nurse"], "Intake service", must_change_password=False)
    store.close()
    with Store.open(directory, "nurse", "nurse-pass-1") as nurse:  # seen here before
        nurse.add_patient(Patient(name="CHAN Tai Man", name_zh="陳大文", mrn="HK-1001", sex="M"))
    return directory


@pytest.fixture()
def service(store_dir: Path) -> Iterator[Store]:
    """The intake service's own connection (its account unlocks the same store)."""
    store = Store.open(store_dir, "intake-svc", "service-pass-1")
    yield store
    store.close()


def answer_as_patient(service: Store, code: str, answers: list[str], summary: str = "") -> int:
    """What the service does with a patient's answers (``desktop/intake/service.py``)."""
    session, _token = store_intake.redeem_code(service, code)
    for text in answers:
        question = plan.next_question(session.answers)
        assert question is not None
        session.answers[question.key] = text
        session.chat.append({"role": "assistant", "key": question.key, "text": question.text["en"]})
        session.chat.append({"role": "patient", "key": question.key, "text": text})
        store_intake.save_progress(service, session, triage=triage_answers(session.answers).to_dict())
    if summary:
        store_intake.confirm(service, session, summary, triage_answers({**session.answers}).to_dict())
    return session.id


@pytest.fixture()
def desk(qtbot, store_dir: Path) -> MainWindow:
    records = StoreRecords(store_dir, kdf=KDF)
    intake = StoreIntake(records, IntakeSettings(enabled=True, public_url="https://intake.clinic.test:8443"))
    window = MainWindow(fake_backend(records, intake=intake))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def _sign_in(qtbot, window: MainWindow, user: str, password: str) -> None:
    window.sign_in.username.setText(user)
    window.sign_in.password.setText(password)
    with qtbot.waitSignal(window.policy_applied, timeout=10_000):
        window.sign_in.button.click()
    settle(window)


def _poll(qtbot, window: MainWindow) -> None:
    monitor = window.intake_monitor
    assert monitor is not None
    qtbot.waitUntil(lambda: not monitor.busy, timeout=10_000)
    call = monitor.poll()
    assert call is not None
    qtbot.waitUntil(lambda: call.finished, timeout=10_000)


def _actions(store_dir: Path) -> list[tuple[str, str, str]]:
    with Store.open(store_dir, "it", "admin-pass-1") as admin:
        return [(e.actor, e.action, e.record_id) for e in admin.audit_entries()]


def test_the_intake_day_at_the_desk_through_the_store(
    qtbot, desk: MainWindow, service: Store, store_dir: Path, monkeypatch
) -> None:
    _sign_in(qtbot, desk, "nurse", "nurse-pass-1")
    queue = desk.intake_queue
    assert queue is not None
    issued = queue.new_code(show=False)
    assert issued is not None
    code = issued.result()
    assert code.url == f"https://intake.clinic.test:8443/c/{code.code.replace('-', '')}"
    assert code.qr_svg.startswith(b"<svg")
    sid = answer_as_patient(service, code.code, ANSWERS, summary="Tight heavy chest and sweating since 8 am.")
    _poll(qtbot, desk)
    assert desk.alert.isVisible() and "0001" in desk.alert.labels[str(sid)].text()
    desk.alert.buttons[str(sid)].click()
    qtbot.waitUntil(lambda: not desk.alert.isVisible(), timeout=10_000)
    queue.select(str(sid))
    queue.change_category(2, "ECG normal, pain settled").result()
    _poll(qtbot, desk)
    assert queue.table.item(0, 1).text() == "2 urgent"
    saved = store_intake.get(service, sid)
    assert (saved.category, saved.category_source, saved.category_reason) == (
        2,
        "nurse",
        "ECG normal, pain settled",
    )

    # The doctor starts the consultation from the queue; the patient is found in the store.
    desk.sign_out()
    _sign_in(qtbot, desk, "drwong", "doctor-pass-1")
    _poll(qtbot, desk)
    queue.select(str(sid))
    row = queue.selected()
    assert row is not None and row.complaint == ANSWERS[0]

    def exec_(dialog) -> int:  # type: ignore[no-untyped-def]
        lookup = dialog.lookup
        with qtbot.waitSignal(lookup.searched, timeout=10_000):
            lookup.query.setText("陳大")
        dialog.use_patient(lookup.matches[0])
        dialog.consent.setChecked(True)
        return 1

    monkeypatch.setattr("desktop.ui.consultations.NewConsultationDialog.exec", exec_)
    call = desk.start_from_intake(row)
    assert call is not None
    info = call.result()
    view = desk.consultation
    assert view is not None and view.intake_tab is not None
    qtbot.waitUntil(
        lambda: view.intake_tab is not None and view.intake_tab.detail is not None, timeout=10_000
    )
    tab = view.intake_tab
    assert tab.summary_text() == "Tight heavy chest and sweating since 8 am."
    assert "i1" in tab.lines.toPlainText() and "Tight heavy chest" in tab.lines.toPlainText()
    assert "7 out of 10, getting worse" in tab.chat.toPlainText()
    assert view.info.patient.mrn == "HK-1001"
    assert store_intake.get(service, sid).consultation_id == int(info.id)

    # Cancel it (kept, read-only), then a second one started by mistake is deleted.
    desk.back_to_list()
    settle(desk)
    page = desk.list_page
    qtbot.waitUntil(lambda: len(page.items()) == 1)
    page.table.selectRow(0)
    page.cancel_selected(reason="sent to A&E").result()
    qtbot.waitUntil(lambda: page.table.item(0, 4).text() == "cancelled", timeout=10_000)
    mistake = page.create_consultation(Patient(name="Wrong Person"), "", True)
    assert mistake is not None
    wrong = mistake.result()
    desk.back_to_list()
    settle(desk)
    qtbot.waitUntil(lambda: len(page.items()) == 2)
    page.table.selectRow(next(i for i, c in enumerate(page.items()) if c.id == wrong.id))
    page.delete_selected(ask=False).result()
    qtbot.waitUntil(lambda: len(page.items()) == 1, timeout=10_000)
    desk.sign_out()
    actions = _actions(store_dir)
    assert ("nurse", "intake_alert_acknowledged", str(sid)) in actions
    assert ("nurse", "intake_category_changed", str(sid)) in actions
    assert ("drwong", "intake_linked", str(sid)) in actions
    assert ("drwong", "consultation_cancelled", info.id) in actions
    assert ("drwong", "consultation_deleted", wrong.id) in actions
    assert any(a == "patients_searched" for _, a, _ in actions)
