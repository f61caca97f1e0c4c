"""The whole app flow on the real engines: encrypted store, the sample recording replayed through
the live path (journal → streaming Whisper base → speaker labels), SmolLM2 drafting, the letter
templates with model prose, PDF and DOCX export."""

from __future__ import annotations

import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from desktop.app import DEMO_USERS, build_backend, sample_dir
from desktop.config import Settings
from desktop.core.types import Patient
from desktop.services.ports import AudioDevice
from desktop.storage.crypto import KdfParams
from desktop.ui.main import MainWindow
from tests.gui.conftest import new_consultation, open_view, sign_in

pytestmark = pytest.mark.slow

SPEED = 3.0  # the recording is replayed at three times real time, pacing like a microphone
SECONDS = 12.0  # the opening of the sample consultation
FAST_KDF = KdfParams(n=2**10, r=8, p=1)


class SampleAudio:
    """The sample consultation as a microphone: a real-time replay, sped up."""

    def __init__(self) -> None:
        from desktop.audio.decode import load_audio

        self.samples = load_audio(sample_dir() / "sample_consultation.flac")[: int(SECONDS * 16000)]
        self.sources: list[object] = []

    def devices(self) -> list[AudioDevice]:
        return [AudioDevice("sample", "Sample consultation", default=True)]

    def open(self, device_id: str):
        from desktop.audio.sources import ReplaySource

        t0 = time.monotonic()
        source = ReplaySource(
            self.samples,
            realtime=True,
            clock=lambda: t0 + (time.monotonic() - t0) * SPEED,
            sleep=lambda s: time.sleep(s / SPEED),
        )
        self.sources.append(source)
        return source


def _sign_in(window: MainWindow, username: str, password: str) -> None:
    sign_in(window, username, password)
    assert window.user is not None and window.user.username == username


@pytest.fixture()
def app_backend(tmp_path: Path, asr_model_path: Path, llm_model_path: Path):
    from desktop.app import prepare_demo_store

    store_dir = tmp_path / "store"
    prepare_demo_store(store_dir, kdf=FAST_KDF)
    settings = Settings()
    settings.llm.model = "smollm2-135m-instruct"  # the tiny model keeps the flow test fast
    settings.llm.n_ctx = 4096
    settings.asr.language = "en"
    backend = build_backend(settings, store_dir, save=False)
    backend.audio = SampleAudio()
    yield backend
    backend.shutdown()


def test_sign_in_record_draft_edit_sign_letters_export(qtbot, app_backend, tmp_path: Path) -> None:
    window = MainWindow(app_backend)
    qtbot.addWidget(window)
    window.show()
    window.start()
    doctor, nurse = DEMO_USERS[0], DEMO_USERS[1]
    _sign_in(window, doctor[0], doctor[3])

    patient = Patient(
        name="CHAN Tai Man", name_zh="陳大文", sex="M", date_of_birth="1968-03-14", mrn="HK-0012345"
    )
    view = new_consultation(qtbot, window, patient=patient, complaint="Headache and dizziness")
    view.start_recording()
    # segments arrive while the recording plays
    qtbot.waitUntil(lambda: len(view.transcript_view.final_segments()) >= 1, timeout=90_000)
    assert view.recording
    with qtbot.waitSignal(view.draft_finished, timeout=900_000) as drafted:
        view.stop_recording()
    assert drafted.args == [True], view.editor.banner.text()
    cid = view.info.id
    store = app_backend.records.store  # the doctor's session; signing out closes it
    transcript = store.transcript(int(cid))
    assert transcript.segments and all(s.final for s in transcript.segments)
    assert {s.speaker for s in transcript.segments} <= {"doctor", "patient", "other", "unknown"}
    # Stop dropped nothing: everything the source delivered is in the encrypted journal
    delivered = app_backend.audio.sources[0].position
    assert len(store.read_audio(int(cid))) == delivered > 0
    versions = [v.kind for v in store.note_versions(int(cid))]
    assert versions == ["ai_draft"]
    # the draft appears in the editor, statement for statement
    draft = store.note_versions(int(cid))[0].note
    assert [r.statement.text for r in view.editor.rows()] == [st.text for _, st in draft.statements()]

    # the nurse edits the instructions to the patient
    window.back_to_list()
    window.sign_out()
    _sign_in(window, nurse[0], nurse[3])
    qtbot.waitUntil(lambda: any(c.id == cid for c in window.list_page.items()))
    view = open_view(qtbot, window, next(c for c in window.list_page.items() if c.id == cid))
    instructions = view.editor.sections["patient_instructions"]
    assert instructions.add_button.isVisibleTo(view)
    assert not view.editor.sections["plan"].add_button.isVisibleTo(view)
    assert all(r.edit.isReadOnly() for r in view.editor.sections["plan"].rows)
    instructions.add_button.click()
    instructions.rows[-1].edit.setPlainText("Rest at home and drink plenty of water.")
    assert view.save().result() is not None

    # the doctor accepts the suggestions and signs
    window.back_to_list()
    window.sign_out()
    _sign_in(window, doctor[0], doctor[3])
    qtbot.waitUntil(lambda: any(c.id == cid for c in window.list_page.items()))
    view = open_view(qtbot, window, next(c for c in window.list_page.items() if c.id == cid))
    texts = [r.statement.text for r in view.editor.sections["patient_instructions"].rows]
    assert "Rest at home and drink plenty of water." in texts
    view.accept_all()
    signed = view.sign().result()
    assert signed is not None
    store = app_backend.records.store  # signed in again: a new session
    assert [v.kind for v in store.note_versions(int(cid))] == ["ai_draft", "edit", "signed"]
    assert all(r.edit.isReadOnly() for r in view.editor.rows())

    # a sick-leave certificate and a referral, each exported as PDF and DOCX
    until = (date.today() + timedelta(days=2)).isoformat()
    answers = {"leave_to": until, "leave_from": date.today().isoformat(), "specialty": "Neurology"}
    view.letters.values_provider = lambda kind: {f.key: answers.get(f.key, "") for f in kind.fields}
    for kind in ("sick_leave", "referral"):
        with qtbot.waitSignal(view.letters.generated, timeout=600_000):
            view.letters.buttons[kind].click()
        assert "CHAN Tai Man" in view.letters.preview.toPlainText()
        if kind == "sick_leave":
            assert until in view.letters.preview.toPlainText()
        pdf, docx = tmp_path / f"{kind}.pdf", tmp_path / f"{kind}.docx"
        assert view.letters.export(str(pdf), "pdf")
        assert view.letters.export(str(docx), "docx")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert "word/document.xml" in zipfile.ZipFile(docx).namelist()
    saved = store.letters(int(cid))
    assert sorted({r["kind"] for r in saved}) == ["referral", "sick_leave"]


def test_missing_language_model_shows_the_message(qtbot, tmp_path: Path) -> None:
    from desktop.app import prepare_demo_store

    store_dir = tmp_path / "store"
    prepare_demo_store(store_dir, kdf=FAST_KDF)
    settings = Settings()
    settings.llm.model = "qwen2.5-7b-instruct-q4_k_m"  # recommended, not installed here
    backend = build_backend(settings, store_dir, save=False)
    shown: list[str] = []
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.start()
    _sign_in(window, DEMO_USERS[0][0], DEMO_USERS[0][3])
    view = new_consultation(qtbot, window, patient=Patient(name="Test"), complaint="cough")
    from desktop.core.types import Transcript, TranscriptSegment

    view.transcript = Transcript("en", [TranscriptSegment("u1-1", 0, 2, "I have had a cough for a week.")])
    import desktop.ui.consultation.view as consultation_module

    original = consultation_module.show_error
    consultation_module.show_error = lambda parent, message, next_step="": shown.append(
        f"{message} {next_step}"
    )
    try:
        with qtbot.waitSignal(view.draft_finished, timeout=60_000) as blocker:
            view.start_draft()
    finally:
        consultation_module.show_error = original
    backend.shutdown()
    assert blocker.args == [False]
    assert shown and "qwen2.5-7b-instruct-q4_k_m" in shown[0] and "models add" in shown[0]
    assert "qwen2.5-7b-instruct-q4_k_m" in view.editor.banner.text()
