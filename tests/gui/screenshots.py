"""Screenshots of every screen, for docs/app.md.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/gui/screenshots.py docs/img/app

The window runs over the widget-test fakes with a scripted consultation (the sample in
assets/samples), and the real letter templates, so the pictures are reproducible.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.config import Settings  # noqa: E402
from desktop.core.types import NoteStatement, Patient, SoapNote, Transcript, TranscriptSegment  # noqa: E402
from desktop.services.adapters import TemplateLetters  # noqa: E402
from desktop.services.backend import Backend  # noqa: E402
from desktop.services.ports import ProgressFn, TokenFn, VoiceStatus  # noqa: E402
from desktop.ui.main import MainWindow, create_app, setup_qt  # noqa: E402
from tests.gui.fakes import FakeAudio, FakeRecords, FakeVoice, fake_backend  # noqa: E402


class VoiceTabPrompt:
    """The real enrolment prompts from assets/prompts."""

    @staticmethod
    def read(language: str) -> str:
        name = "enrolment_zh.txt" if language == "zh" else "enrolment_en.txt"
        return (ROOT / "assets" / "prompts" / name).read_text(encoding="utf-8").strip()


RATE = 16000


def sample_lines(name: str) -> list[tuple[str, str]]:
    out = []
    for line in (ROOT / "assets" / "samples" / name).read_text(encoding="utf-8").splitlines():
        if "|" in line and not line.startswith("#"):
            who, text = line.split("|", 1)
            out.append(("doctor" if who == "D" else "patient", text))
    return out


class ScriptAsr:
    """Replays the sample consultation's lines as the streaming recogniser would."""

    def __init__(self, lines: list[tuple[str, str]], language: str) -> None:
        self.lines = lines
        self.language = language
        self.samples = 0
        self.count = 0

    @property
    def duty_cycle(self) -> float:
        return 0.42

    def feed(self, samples: np.ndarray) -> list[TranscriptSegment]:
        self.samples += len(samples)
        out = []
        while self.count < len(self.lines) and self.samples >= (self.count + 1) * RATE:
            out.append(self._seg(self.count, True))
            self.count += 1
        if self.count < len(self.lines):
            who, text = self.lines[self.count]
            words = text.split()
            partial = (
                " ".join(words[: max(1, len(words) // 2)])
                if len(words) > 1
                else text[: max(1, len(text) // 2)]
            )
            out.append(
                TranscriptSegment(
                    "tent", self.count * 4.0, self.count * 4.0 + 2, partial, who, self.language, False
                )
            )
        return out

    def _seg(self, k: int, final: bool) -> TranscriptSegment:
        who, text = self.lines[k]
        return TranscriptSegment(f"u{k + 1}-1", k * 4.0, k * 4.0 + 3.5, text, who, self.language, final)

    def finish(self) -> list[TranscriptSegment]:
        out = []
        while self.count < len(self.lines):
            out.append(self._seg(self.count, True))
            self.count += 1
        return out


class ScriptDrafter:
    def load(self, progress: ProgressFn | None = None) -> None:
        return None

    def prefill(self, transcript: Transcript, patient: Patient, chief_complaint: str) -> None:
        return None

    def draft(
        self,
        transcript: Transcript,
        patient: Patient,
        chief_complaint: str,
        on_token: TokenFn | None,
        on_progress: ProgressFn | None,
        cancel: threading.Event,
    ) -> SoapNote:
        st = NoteStatement
        return SoapNote(
            chief_complaint="Headache and dizziness for two weeks",
            subjective=[
                st("Headaches and dizziness for two weeks, mostly in the morning.", ["u2-1"]),
                st("Takes metformin 500 mg twice a day for diabetes.", ["u4-1"]),
                st("No chest pain; ankles swollen in the evening.", ["u6-1"]),
            ],
            objective=[
                st("BP 165/95, pulse 82 regular, heart sounds normal.", ["u7-1"]),
                st("Moderate bilateral ankle swelling.", ["u7-1"]),
            ],
            assessment=[st("Hypertension, newly diagnosed; type 2 diabetes.", ["u7-1", "u8-1"])],
            plan=[
                st("Start amlodipine 5 mg once daily.", ["u8-1"]),
                st(
                    "Check renal function and HbA1c; add lisinopril 10 mg.",
                    ["u8-1"],
                    unsupported=["lisinopril", "10 mg"],
                ),
            ],
            patient_instructions=[st("Reduce salt, keep taking metformin, return in two weeks.", ["u9-1"])],
        )


def shoot(widget: QWidget, out: Path, name: str) -> None:
    app = QApplication.instance()
    assert app is not None
    for _ in range(5):
        app.processEvents()
    path = out / f"{name}.png"
    image = widget.grab().toImage()
    image.save(str(path), "PNG", 0)  # type: ignore[call-overload]  # strongest compression
    if path.stat().st_size > 200 * 1024:  # keep every picture under 200 KB: a palette image
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage

        image.convertToFormat(QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither).save(
            str(path),
            "PNG",
            0,  # type: ignore[call-overload]
        )
    print(f"{path} {path.stat().st_size // 1024} KB")


def wait(condition: Callable[[], object], timeout_ms: int = 10_000) -> None:
    import time

    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("screen did not reach the expected state")
        app.processEvents()
        threading.Event().wait(0.01)


def build(language: str, lines_file: str, asr_language: str) -> tuple[FakeRecords, Backend]:
    records = FakeRecords()
    records.add("drwong", "doctor", reg="M12345").display_name = "Dr. Wong Ka Ming"
    records.add("nurselee", "nurse").display_name = "Nurse Lee Mei"
    records.add("admin", "admin").display_name = "IT administrator"
    settings = Settings()
    settings.clinic.name = "Harbour View Medical Centre"
    settings.clinic.name_zh = "海景醫務中心"
    settings.clinic.address = "12/F, 88 Queen's Road Central, Hong Kong"
    settings.clinic.phone = "2345 6789"
    voice = FakeVoice()
    voice.profiles["drwong"] = VoiceStatus("2026-11-20T09:12:00+08:00", 14.2)
    voice.prompt = lambda language: VoiceTabPrompt.read(language)  # type: ignore[method-assign]
    backend = fake_backend(
        records,
        audio=FakeAudio(seconds=len(sample_lines(lines_file)) + 0.5),
        drafter=ScriptDrafter(),
        voice=voice,
    )
    backend.settings = settings
    backend.asr_factory = lambda **_kw: ScriptAsr(sample_lines(lines_file), asr_language)
    backend.letters = TemplateLetters(None, settings)
    return records, backend


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = create_app()
    settings = Settings()
    setup_qt(app, settings, language="en")
    records, backend = build("en", "consultation_en.txt", "en")
    records.setup_needed = True
    window = MainWindow(backend)
    window.resize(1280, 800)
    window.show()

    wizard = window.start()
    assert wizard is not None
    wizard.next()
    wizard.admin_page.username.setText("admin")
    wizard.admin_page.password.setText("a-long-password")
    wizard.admin_page.repeat.setText("a-long-password")
    shoot(wizard, out, "01-setup-administrator")
    wizard.next()
    wait(lambda: bool(wizard.recovery_page.key.toPlainText()))
    shoot(wizard, out, "02-setup-recovery-key")
    wizard.recovery_page.confirm.setChecked(True)
    wizard.accept()
    window.sign_out()
    window.sign_in.username.setText("drwong")
    shoot(window, out, "03-sign-in")

    window.sign_in.password.setText("password1")
    attempt = window.sign_in.attempt()
    assert attempt is not None
    attempt.result()
    for name, mrn, complaint in (
        ("LAM Siu Fong", "HK-0099812", "Cough for five days"),
        ("HO Ka Yan", "HK-0076541", "Follow-up of diabetes"),
    ):
        call = window.list_page.create_consultation(
            Patient(name=name, mrn=mrn, sex="F", age=47), complaint, True
        )
        assert call is not None
        info = call.result()
        wait(lambda: window.consultation is not None and window.consultation.ready)
        window.back_to_list()
        records.infos[info.id].status = "signed" if mrn.endswith("2") else "draft"
    window.list_page.refresh().result()
    shoot(window, out, "04-consultations")

    from desktop.ui.consultations import NewConsultationDialog

    dialog = NewConsultationDialog(window)
    dialog.name.setText("CHAN Tai Man")
    dialog.name_zh.setText("陳大文")
    dialog.dob.setText("1968-03-14")
    dialog.sex.setCurrentIndex(2)
    dialog.mrn.setText("HK-0012345")
    dialog.complaint.setText("Headache and dizziness for two weeks")
    dialog.consent.setChecked(True)
    dialog.show()
    shoot(dialog, out, "05-new-consultation")
    dialog.close()

    patient = Patient(
        name="CHAN Tai Man", name_zh="陳大文", sex="M", date_of_birth="1968-03-14", mrn="HK-0012345"
    )
    created = window.list_page.create_consultation(patient, "Headache and dizziness for two weeks", True)
    assert created is not None
    created.result()
    wait(lambda: window.consultation is not None and window.consultation.ready)
    live = window.consultation
    assert live is not None
    view = live
    audio: FakeAudio = backend.audio  # type: ignore[assignment]
    view.start_recording()
    wait(lambda: len(live.transcript_view.final_segments()) >= 6)
    audio.sources[0].release.clear()  # hold the "microphone" so the picture shows a live recording
    wait(lambda: bool(live.transcript_view.tentative_segments()))
    view.recorder.level.setValue(38)
    shoot(window, out, "06-recording-live-transcript")

    window.lock()
    shoot(window, out, "07-locked-while-recording")
    window.lock_page.password.setText("password1")
    unlock = window.lock_page.attempt()
    assert unlock is not None
    unlock.result()

    audio.sources[0].release.set()
    done = threading.Event()
    view.draft_finished.connect(lambda _ok: done.set())
    view.stop_recording()
    wait(done.is_set)
    rows = view.editor.sections["objective"].rows
    view._statement_clicked(rows[0])  # highlight the evidence in the transcript
    view.editor.scroll_area.ensureWidgetVisible(view.editor.sections["plan"].rows[1])
    shoot(window, out, "08-draft-soap-editor")

    view.accept_all()
    view.editor.sections["plan"].rows[1].remove_button.click()
    signing = view.sign()
    assert signing is not None
    signing.result()
    shoot(window, out, "09-signed-note")
    history = view.show_history()
    history.resize(900, 560)
    shoot(history, out, "10-version-history")
    history.close()

    view.tabs.setCurrentWidget(view.letters)
    generated = threading.Event()
    view.letters.generated.connect(lambda _l: generated.set())
    view.letters.values_provider = lambda kind: (
        backend.letters.defaults(kind.id, view.current_note(), view.info.patient, view.clinic())
        | {"leave_to": (date.today() + timedelta(days=2)).isoformat()}
    )
    view.letters.buttons["sick_leave"].click()
    wait(generated.is_set)
    shoot(window, out, "11-letters-sick-leave")

    settings_dialog = window.open_settings()
    assert settings_dialog is not None
    shoot(settings_dialog, out, "12-settings")
    assert settings_dialog.voice_tab is not None
    settings_dialog.tabs.setCurrentWidget(settings_dialog.voice_tab)
    shoot(settings_dialog, out, "16-my-voice")
    settings_dialog.close()
    # A single-user PC where the clinic allows keyring sign-in.
    records.policy["keyring_unlock"] = backend.settings.policy.keyring_unlock = True
    settings_dialog = window.open_settings()
    assert settings_dialog is not None and settings_dialog.keyring_tab is not None
    settings_dialog.tabs.setCurrentWidget(settings_dialog.keyring_tab)
    shoot(settings_dialog, out, "17-keyring-sign-in")
    settings_dialog.close()
    records.policy["keyring_unlock"] = backend.settings.policy.keyring_unlock = False

    window.back_to_list()
    window.sign_out()
    window.sign_in.username.setText("admin")
    window.sign_in.password.setText("a-long-password")
    admin_in = window.sign_in.attempt()
    assert admin_in is not None
    admin_in.result()
    admin = window.open_admin()
    assert admin is not None
    admin.tabs.setCurrentIndex(2)
    admin.refresh_audit()
    shoot(admin, out, "13-admin-audit-log")
    admin.tabs.setCurrentIndex(0)
    shoot(admin, out, "14-admin-users")
    admin.close()
    about = window.open_about()
    shoot(about, out, "19-help-about")
    about.close()
    window.close()
    backend.shutdown()

    # The same consultation in Cantonese with the interface in Traditional Chinese.
    setup_qt(app, settings, language="zh_TW")
    records, backend = build("zh_TW", "consultation_yue.txt", "yue")
    window = MainWindow(backend)
    window.resize(1280, 800)
    window.show()
    window.start()
    window.sign_in.username.setText("drwong")
    window.sign_in.password.setText("password1")
    zh_in = window.sign_in.attempt()
    assert zh_in is not None
    zh_in.result()
    zh_created = window.list_page.create_consultation(patient, "頭痛及頭暈兩星期", True)
    assert zh_created is not None
    zh_created.result()
    wait(lambda: window.consultation is not None and window.consultation.ready)
    chinese = window.consultation
    assert chinese is not None
    view = chinese
    done.clear()
    view.draft_finished.connect(lambda _ok: done.set())
    view.start_recording()
    wait(done.is_set, 20_000)
    shoot(window, out, "15-chinese-interface")
    window.close()
    backend.shutdown()
    QTimer.singleShot(0, app.quit)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("CONSULT_SCRIBE_HOME", str(Path("/tmp") / "consultscribe-screens"))
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img/app")))
