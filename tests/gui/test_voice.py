"""My voice: enrol, re-record, discard, delete, and the profile reaching the next recording."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.core.types import Patient
from desktop.services.backend import Backend
from desktop.ui.main import MainWindow
from desktop.ui.voice import VoiceTab
from tests.gui.conftest import new_consultation, sign_in
from tests.gui.fakes import FakeAsr, FakeAudio, FakeRecords, FakeVoice, fake_backend


@pytest.fixture()
def voice() -> FakeVoice:
    return FakeVoice()


@pytest.fixture()
def voice_backend(records: FakeRecords, voice: FakeVoice) -> Iterator[Backend]:
    b = fake_backend(records, audio=FakeAudio(seconds=None), voice=voice)
    yield b
    b.shutdown()


@pytest.fixture()
def voice_window(qtbot, voice_backend: Backend) -> MainWindow:
    w = MainWindow(voice_backend)
    qtbot.addWidget(w)
    w.show()
    w.start()
    return w


def _voice_tab(window: MainWindow) -> VoiceTab:
    dialog = window.open_settings()
    assert dialog is not None and dialog.voice_tab is not None
    return dialog.voice_tab


def _read_for(qtbot, tab: VoiceTab, seconds: float) -> None:
    tab.record.click()
    assert tab.recording
    qtbot.waitUntil(lambda: tab.elapsed.text().strip().startswith(f"{seconds:.0f}"), timeout=20_000)


def _enrol(qtbot, window: MainWindow, voice: FakeVoice) -> VoiceTab:
    """Sign the doctor in and record a 9 s reading that is accepted."""
    sign_in(window, "doc")
    tab = _voice_tab(window)
    _read_for(qtbot, tab, 9)
    tab.record.click()
    qtbot.waitUntil(lambda: "doc" in voice.profiles, timeout=10_000)
    return tab


def test_a_doctor_enrols_re_records_and_deletes(qtbot, voice_window: MainWindow, voice: FakeVoice) -> None:
    sign_in(voice_window, "doc")
    tab = _voice_tab(voice_window)
    assert "No voice profile yet" in tab.status.text()
    assert not tab.delete.isEnabled()
    assert "read this text" in tab.prompt.toPlainText()
    tab.language.setCurrentIndex(tab.language.findData("zh"))
    assert "請讀出" in tab.prompt.toPlainText()

    _read_for(qtbot, tab, 9)
    assert tab.level.value() > 0  # the meter moves while the doctor reads
    tab.record.click()  # Stop and save
    qtbot.waitUntil(lambda: "Voice profile recorded" in tab.status.text(), timeout=10_000)
    assert not tab.recording and tab.record.text() == "Record again" and tab.delete.isEnabled()
    first = voice.profiles["doc"].speech_seconds
    assert first >= 9.0

    _read_for(qtbot, tab, 12)  # re-recording replaces the profile
    tab.record.click()
    qtbot.waitUntil(lambda: voice.profiles["doc"].speech_seconds > first, timeout=10_000)

    tab.delete_now()
    assert "doc" not in voice.profiles
    assert "No voice profile yet" in tab.status.text()


def test_a_short_reading_is_refused_and_the_old_profile_kept(
    qtbot, voice_window: MainWindow, voice: FakeVoice
) -> None:
    tab = _enrol(qtbot, voice_window, voice)
    kept = voice.profiles["doc"]
    _read_for(qtbot, tab, 2)
    tab.record.click()
    qtbot.waitUntil(lambda: len(voice.readings) == 2 and not tab.recording, timeout=10_000)
    qtbot.waitUntil(lambda: "at least 8 s are needed" in tab.status.text(), timeout=5_000)
    assert "Voice profile recorded" in tab.status.text()  # and the earlier profile is still there
    assert voice.profiles["doc"] == kept


def test_discarding_a_reading_stores_nothing(qtbot, voice_window: MainWindow, voice: FakeVoice) -> None:
    sign_in(voice_window, "doc")
    tab = _voice_tab(voice_window)
    _read_for(qtbot, tab, 9)
    tab.cancel.click()
    qtbot.waitUntil(lambda: not tab.recording and tab.record.isEnabled(), timeout=10_000)
    assert voice.readings == [] and voice.profiles == {}
    assert "No voice profile yet" in tab.status.text()


def test_delete_asks_first(qtbot, voice_window: MainWindow, voice: FakeVoice, monkeypatch) -> None:
    tab = _enrol(qtbot, voice_window, voice)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    tab.delete_profile()
    assert "doc" in voice.profiles
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.delete_profile()
    assert "doc" not in voice.profiles


def test_the_enrolled_voice_reaches_the_next_recording(
    qtbot, voice_window: MainWindow, voice: FakeVoice
) -> None:
    _enrol(qtbot, voice_window, voice)
    patient = Patient(name="CHAN Tai Man", sex="M", date_of_birth="1968-03-14", mrn="HK-1")
    view = new_consultation(qtbot, voice_window, patient=patient, complaint="Cough")
    FakeAsr.instances.clear()
    session = view.start_recording()
    assert session is not None
    qtbot.waitUntil(lambda: len(FakeAsr.instances) == 1, timeout=10_000)
    assert FakeAsr.instances[0].voice_profile == b"profile:doc"
    view.stop_recording()
    qtbot.waitUntil(lambda: not session.running, timeout=20_000)


def test_the_administrator_has_no_voice_tab(voice_window: MainWindow) -> None:
    sign_in(voice_window, "admin")
    dialog = voice_window.open_settings()
    assert dialog is not None and dialog.voice_tab is None


class _StereoSource:
    """A two-channel input (lapel left, room right) that ends after ``blocks`` 0.1 s blocks."""

    sample_rate = 16000

    def __init__(self, blocks: int = 12) -> None:
        self.left = 0
        self.blocks = blocks
        self.overflows = 0

    def start(self) -> None:
        pass

    def read(self, timeout: float = 0.1):  # type: ignore[no-untyped-def]
        import numpy as np

        if self.left >= self.blocks:
            raise EOFError
        self.left += 1
        t = np.arange(1600) / 16000
        return np.stack(
            [0.4 * np.sin(2 * np.pi * 200 * t), 0.1 * np.sin(2 * np.pi * 200 * t)], axis=1
        ).astype(np.float32)

    def stop(self) -> None:
        pass


def test_a_two_channel_input_is_journalled_as_mono_and_heard_in_stereo(qtbot) -> None:
    import numpy as np

    from desktop.services.recording import RecordingSession
    from tests.gui.fakes import FakeJournal

    class ShapeAsr(FakeAsr):
        def __init__(self) -> None:
            super().__init__()
            self.shapes: list[tuple[int, ...]] = []

        def feed(self, samples):  # type: ignore[no-untyped-def]
            self.shapes.append(np.asarray(samples).shape)
            return super().feed(samples)

    sink: list[np.ndarray] = []
    asr = ShapeAsr()
    session = RecordingSession(_StereoSource(), lambda: asr, lambda: FakeJournal(sink))
    with qtbot.waitSignal(session.finished, timeout=20_000):
        session.start()
    assert all(b.ndim == 1 for b in sink) and sum(len(b) for b in sink) == 12 * 1600
    np.testing.assert_allclose(
        np.concatenate(sink)[:1600], 0.25 * np.sin(2 * np.pi * 200 * np.arange(1600) / 16000), atol=1e-5
    )
    assert asr.shapes and all(s == (1600, 2) for s in asr.shapes)
