"""The pre-consultation intake in the desktop app: codes, the queue, the Category 1 alert, the
nurse's category, and the patient's summary beside the transcript as evidence for the draft."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QImage

from desktop.core.types import Patient
from desktop.services.intake import intake_segments, is_intake_line, with_intake
from desktop.ui.intake.codes import IntakeCodeDialog
from desktop.ui.main import MainWindow
from tests.gui.conftest import new_consultation, settle, sign_in
from tests.gui.fakes import FakeIntake, FakeRecords, fake_backend

SUMMARY = (
    "Main problem: Tight chest since this morning, sweating\n"
    "Started / how long: 2 hours\n"
    "Allergies: penicillin (rash)\n"
    "Medicines: amlodipine 5 mg daily"
)
CHAT = [
    ("assistant", "What is the main problem you would like to see the doctor about today?"),
    ("patient", "Tight chest since this morning, sweating"),
    ("assistant", "Do you have any allergies?"),
    ("patient", "penicillin (rash)"),
]


@pytest.fixture()
def intake(records: FakeRecords) -> FakeIntake:
    return FakeIntake(records)


@pytest.fixture()
def desk(qtbot, records: FakeRecords, intake: FakeIntake) -> MainWindow:
    window = MainWindow(fake_backend(records, intake=intake))
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def _polled(qtbot, window: MainWindow) -> None:
    monitor = window.intake_monitor
    assert monitor is not None
    qtbot.waitUntil(lambda: not monitor.busy, timeout=5000)
    call = monitor.poll()
    assert call is not None
    qtbot.waitUntil(lambda: call.finished, timeout=5000)


def test_nothing_of_the_intake_shows_unless_the_clinic_enables_it(qtbot, window: MainWindow) -> None:
    sign_in(window, "doc")
    assert window.intake_monitor is None and window.intake_queue is None
    view = new_consultation(qtbot, window)
    assert view.intake_tab is None and view.left_tabs is None


def test_reception_gives_a_one_time_code_to_scan_or_print(
    qtbot, desk: MainWindow, intake: FakeIntake, tmp_path: Path
) -> None:
    sign_in(desk, "nurse")
    queue = desk.intake_queue
    assert queue is not None and queue.isVisible()
    call = queue.new_code()
    assert call is not None
    call.result()
    qtbot.waitUntil(lambda: queue.last_code is not None and queue.last_code.isVisible())
    dialog = queue.last_code
    assert isinstance(dialog, IntakeCodeDialog)
    assert dialog.title.text() == "Patient code 0001" and dialog.code.text() == "ABCDE-FGHJK"
    assert "Valid until 11:45, once only" in dialog.expiry.text()
    pixmap = dialog.qr.pixmap()
    side = pixmap.width()
    assert 200 <= side <= 450 and pixmap.height() == side
    image = pixmap.toImage()  # a QR code: dark and light modules, not a blank square
    colours = {image.pixelColor(x, y).lightness() > 128 for x in range(0, side, 7) for y in range(0, side, 7)}
    assert colours == {True, False}
    zxingcpp = pytest.importorskip("zxingcpp")
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(gray.constBits(), np.uint8).reshape(side, gray.bytesPerLine())[:, :side].copy()
    assert [r.text for r in zxingcpp.read_barcodes(pixels)] == [dialog.issued.url]  # a phone reads it
    pdf = Path(dialog.save_pdf(str(tmp_path / "code.pdf")))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000
    assert intake.threads and all(t != "MainThread" for t in intake.threads)  # the store's thread
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1)  # the queue shows the new code at once
    assert queue.table.item(0, 3).text() == "code given"


def test_a_category_1_intake_raises_an_alert_until_someone_acknowledges_it(
    qtbot, desk: MainWindow, records: FakeRecords, intake: FakeIntake
) -> None:
    intake.add("0002", 3, "no red flag found", "Main problem: sore knee", "sore knee", waiting=25)
    sign_in(desk, "nurse")
    _polled(qtbot, desk)
    assert not desk.alert.isVisible()
    urgent = intake.add("0003", 1, "chest pain with sweating", SUMMARY, "Tight chest, sweating", CHAT, 2)
    _polled(qtbot, desk)  # the monitor's timer does this every few seconds
    assert desk.alert.isVisible()
    text = desk.alert.labels[urgent.id].text()
    assert "CATEGORY 1" in text and "0003" in text and "chest pain with sweating" in text
    queue = desk.intake_queue
    assert queue is not None
    assert [queue.table.item(r, 0).text() for r in range(2)] == ["0003", "0002"]  # most urgent first
    assert queue.table.item(0, 1).text() == "1 critical" and queue.table.item(1, 2).text() == "25 min"
    # Locked: the band stays, without who or why, and cannot be acknowledged.
    desk.lock()
    assert desk.alert.isVisible() and "0003" not in desk.alert.labels[urgent.id].text()
    assert desk.acknowledge_alert(urgent) is None
    desk.lock_page.password.setText("password1")
    desk.lock_page.attempt().result()
    qtbot.waitUntil(lambda: not desk.locked)
    assert "0003" in desk.alert.labels[urgent.id].text()
    # Still there after more polls, until acknowledged.
    _polled(qtbot, desk)
    assert desk.alert.isVisible()
    desk.alert.buttons[urgent.id].click()
    qtbot.waitUntil(lambda: not desk.alert.isVisible(), timeout=5000)
    acknowledged = [e for e in records.audit if e.action == "intake_alert_acknowledged"]
    assert [(e.user, e.target) for e in acknowledged] == [("nurse", urgent.id)]
    _polled(qtbot, desk)
    assert not desk.alert.isVisible()


def test_a_nurse_changes_the_category_with_a_reason(
    qtbot, desk: MainWindow, records: FakeRecords, intake: FakeIntake
) -> None:
    row = intake.add("0004", 3, "no red flag found", "Main problem: dizzy", "dizzy")
    sign_in(desk, "nurse")
    _polled(qtbot, desk)
    queue = desk.intake_queue
    assert queue is not None
    queue.select(row.id)
    queue.change_category(1, "pale and sweaty at the desk").result()
    qtbot.waitUntil(lambda: desk.alert.isVisible(), timeout=5000)  # raised to 1: the alert follows
    assert queue.table.item(0, 1).text() == "1 critical"
    assert queue.table.item(0, 5).text() == "pale and sweaty at the desk"
    changed = [e for e in records.audit if e.action == "intake_category_changed"]
    assert [(e.user, e.detail) for e in changed] == [("nurse", "category 3 -> 1")]


def test_the_consultation_shows_the_summary_and_drafts_from_it(
    qtbot, desk: MainWindow, records: FakeRecords, intake: FakeIntake, monkeypatch
) -> None:
    row = intake.add("0005", 2, "pain 7/10 or more", SUMMARY, "Tight chest since this morning", CHAT)
    sign_in(desk, "doc")
    _polled(qtbot, desk)
    queue = desk.intake_queue
    assert queue is not None
    queue.select(row.id)
    seen: list[str] = []

    def fake_exec(dialog) -> int:  # type: ignore[no-untyped-def]
        seen.append(dialog.complaint.text())  # the patient's own words start the complaint
        dialog.name.setText("CHAN Tai Man")
        dialog.consent.setChecked(True)
        return 1

    monkeypatch.setattr("desktop.ui.consultations.NewConsultationDialog.exec", fake_exec)
    call = desk.start_from_intake(row)
    assert call is not None and seen == ["Tight chest since this morning"]
    call.result()
    view = desk.consultation
    assert view is not None and view.intake_tab is not None
    tab = view.intake_tab
    qtbot.waitUntil(lambda: tab.detail is not None, timeout=5000)
    assert tab.title.text() == "Summary for Patient Code 0005"
    assert tab.summary_text() == SUMMARY and "pain 7/10" in tab.category.text()
    assert "Patient: penicillin (rash)" in tab.chat.toPlainText()
    assert "i3  Allergies: penicillin (rash)" in tab.lines.toPlainText().replace("\u00a0", " ")
    assert view.left_tabs is not None and view.left_tabs.tabText(1) == "Intake 0005"
    assert intake.rows[row.id].consultation_id == view.info.id
    tab.copy_button.click()
    assert QGuiApplication.clipboard().text() == SUMMARY
    # Recorded, then drafted: the drafter reads the transcript and then the intake's lines.
    with qtbot.waitSignal(view.draft_finished, timeout=20_000):
        view.open_recording("/clinic/visit.wav")
    read = desk.backend.drafter.read[-1]  # type: ignore[attr-defined]
    intake_lines = [s for s in read.segments if is_intake_line(s.id)]
    assert [s.id for s in intake_lines] == ["i1", "i2", "i3", "i4"]
    assert read.segments[: len(view.transcript.segments)] == view.transcript.segments  # transcript first
    assert all(s.speaker == "patient" for s in intake_lines)
    assert [s.id for s in view.transcript.segments if is_intake_line(s.id)] == []  # never saved as transcript
    # The fact guard reads the intake as the patient's words: a drug named only there is not flagged.
    view.save().result()
    plan = view.editor.sections["plan"].rows[0].statement
    assert "amlodipine" in plan.text.lower() and plan.unsupported == []
    # A statement citing an intake line shows that line.
    cited = next(
        r for r in view.editor.rows() if r.statement.evidence and is_intake_line(r.statement.evidence[0])
    )
    view._statement_clicked(cited)
    assert tab.highlighted == ["i1"] and view.left_tabs.currentIndex() == 1
    plain = next(r for r in view.editor.rows() if r.statement.evidence == [view.transcript.segments[0].id])
    view._statement_clicked(plain)
    assert view.left_tabs.currentIndex() == 0


def test_a_code_given_from_the_consultation_links_its_intake(
    qtbot, desk: MainWindow, intake: FakeIntake
) -> None:
    sign_in(desk, "nurse")
    view = new_consultation(qtbot, desk, patient=Patient(name="HO Wing"))
    tab = view.intake_tab
    assert tab is not None
    qtbot.waitUntil(lambda: tab.title.text() == "No intake for this consultation.")
    tab.issue_code(show=False).result()
    qtbot.waitUntil(lambda: tab.detail is not None, timeout=5000)
    assert tab.detail is not None and tab.detail.consultation_id == view.info.id
    settle(desk)


def test_evidence_lines_come_from_the_confirmed_summary_or_the_answers_so_far() -> None:
    from desktop.core.types import Transcript, TranscriptSegment
    from desktop.services.intake import IntakeDetail

    confirmed = IntakeDetail("1", "0001", "confirmed", "en", summary="Main problem: cough\n\nAllergies: none")
    assert confirmed.evidence_lines() == [("i1", "Main problem: cough"), ("i2", "Allergies: none")]
    answering = IntakeDetail(
        "2", "0002", "open", "zh-Hant", answers={"complaint": "咳 三日", "allergies": "冇"}
    )
    # Before confirmation: the answers under the plan's headings, in the patient's language.
    assert answering.evidence_lines() == [("i1", "主要問題: 咳 三日"), ("i2", "過敏: 冇")]
    spoken = Transcript("en", [TranscriptSegment("u1-1", 0.0, 4.5, "What brings you in?", "doctor")])
    merged = with_intake(spoken, confirmed)
    assert [s.id for s in merged.segments] == ["u1-1", "i1", "i2"] and merged.segments[1].start == 4.5
    assert with_intake(spoken, None) is spoken and intake_segments(None) == []
    assert intake_segments(answering)[0].language == "zh"
