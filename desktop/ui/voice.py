"""My voice: the clinician reads a short prompt once so the transcript can tell their voice apart.

The profile is kept in the encrypted records with the clinician's account; it can be recorded
again (replacing the old one) or deleted. Without one, speakers are still labelled, from the
voices heard and what is said, a little less surely.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.services.enrolment import EnrolmentRecorder
from desktop.services.ports import AudioPort, UserInfo, VoicePort, VoiceStatus

TARGET_SECONDS = 15.0


class VoiceTab(QWidget):
    def __init__(
        self,
        voice: VoicePort,
        audio: AudioPort,
        user: UserInfo,
        preferred_device: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voiceTab")
        self.voice = voice
        self.audio = audio
        self.user = user
        self.recorder: EnrolmentRecorder | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Read the text below aloud once, at your usual consulting voice, in the room where "
                "you consult. The transcript then tells your voice from the patient's more surely. "
                "The profile is kept encrypted with your account."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Reading in")))
        self.language = QComboBox()
        self.language.setObjectName("voiceLanguage")
        self.language.addItem("English", "en")
        self.language.addItem("廣東話", "zh")
        self.language.currentIndexChanged.connect(self._show_prompt)
        row.addWidget(self.language)
        row.addWidget(QLabel(self.tr("Microphone")))
        self.mic = QComboBox()
        self.mic.setObjectName("voiceMicrophone")
        try:
            devices = audio.devices()
        except UserFacingError:
            devices = []
        for d in devices:
            self.mic.addItem(d.name, d.id)
            if (preferred_device and d.name == preferred_device) or (not preferred_device and d.default):
                self.mic.setCurrentIndex(self.mic.count() - 1)
        row.addWidget(self.mic, 1)
        layout.addLayout(row)
        self.prompt = QTextBrowser()
        self.prompt.setObjectName("voicePrompt")
        self.prompt.setMinimumHeight(110)
        font = self.prompt.font()
        font.setPointSizeF(max(13.0, font.pointSizeF() * 1.3))  # read aloud from arm's length
        self.prompt.setFont(font)
        layout.addWidget(self.prompt, 1)
        meter = QHBoxLayout()
        self.level = QProgressBar()
        self.level.setObjectName("voiceLevel")
        self.level.setRange(0, 60)
        self.level.setTextVisible(False)
        self.level.setMaximumHeight(14)
        meter.addWidget(self.level, 1)
        self.elapsed = QLabel("")
        self.elapsed.setObjectName("voiceElapsed")
        meter.addWidget(self.elapsed)
        layout.addLayout(meter)
        self.status = QLabel("")
        self.status.setObjectName("voiceStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.record = QPushButton(self.tr("Start recording"))
        self.record.setObjectName("voiceRecord")
        self.record.clicked.connect(self.toggle)
        self.cancel = QPushButton(self.tr("Discard"))
        self.cancel.setObjectName("voiceCancel")
        self.cancel.setEnabled(False)
        self.cancel.clicked.connect(self.discard)
        self.delete = QPushButton(self.tr("Delete my voice profile"))
        self.delete.setObjectName("voiceDelete")
        self.delete.clicked.connect(self.delete_profile)
        buttons.addWidget(self.record)
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.delete)
        layout.addLayout(buttons)
        self._show_prompt()
        self.refresh()

    # -- state ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            status = self.voice.status(self.user)
        except UserFacingError as exc:
            self.status.setText(f"{exc.message} {exc.hint}".strip())
            self.delete.setEnabled(True)
            return
        self._show_status(status)

    def _show_status(self, status: VoiceStatus | None) -> None:
        if status is None:
            self.status.setText(self.tr("No voice profile yet."))
            self.record.setText(self.tr("Start recording"))
            self.delete.setEnabled(False)
            return
        self.status.setText(
            self.tr("Voice profile recorded {when} from {seconds:.0f} s of speech.").format(
                when=_when(status.created), seconds=status.speech_seconds
            )
        )
        self.record.setText(self.tr("Record again"))
        self.delete.setEnabled(True)

    def _show_prompt(self) -> None:
        try:
            self.prompt.setPlainText(self.voice.prompt(str(self.language.currentData() or "en")))
        except (OSError, UserFacingError):
            self.prompt.setPlainText("")

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.running

    # -- actions -------------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.recording:
            self.finish()
        else:
            self.start()

    def start(self) -> None:
        try:
            source = self.audio.open(str(self.mic.currentData() or ""))
        except UserFacingError as exc:
            self.status.setText(f"{exc.message} {exc.hint}".strip())
            return
        recorder = EnrolmentRecorder(source, self.voice, self.user, parent=self)
        recorder.level_changed.connect(lambda db: self.level.setValue(int(max(0.0, db + 60.0))))
        recorder.elapsed_changed.connect(self._elapsed)
        recorder.enrolled.connect(self._enrolled)
        recorder.failed.connect(self._failed)
        recorder.cancelled.connect(self._cancelled)
        self.recorder = recorder
        self.record.setText(self.tr("Stop and save"))
        self.cancel.setEnabled(True)
        self.delete.setEnabled(False)
        self.status.setText(self.tr("Recording: read the text aloud, then press Stop and save."))
        recorder.start()

    def finish(self) -> None:
        if self.recorder is not None:
            self.record.setEnabled(False)
            self.cancel.setEnabled(False)
            self.status.setText(self.tr("Making your voice profile…"))
            self.recorder.stop()

    def discard(self) -> None:
        if self.recorder is not None:
            self.record.setEnabled(False)
            self.cancel.setEnabled(False)
            self.recorder.cancel()

    def shutdown(self) -> None:
        """Closing the dialog mid-reading discards it."""
        if self.recorder is not None and self.recorder.running:
            self.recorder.cancel()
            self.recorder.wait(5.0)

    def delete_profile(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Delete voice profile"),
            self.tr("Delete your voice profile? Speakers are then told apart without it."),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.delete_now()

    def delete_now(self) -> None:
        try:
            self.voice.delete(self.user)
        except UserFacingError as exc:
            self.status.setText(f"{exc.message} {exc.hint}".strip())
            return
        self._show_status(None)

    # -- recorder signals ----------------------------------------------------------------------
    def _elapsed(self, seconds: float) -> None:
        self.elapsed.setText(
            self.tr("%1 / %2 s").replace("%1", f"{seconds:4.1f}").replace("%2", f"{TARGET_SECONDS:.0f}")
        )

    def _done(self) -> None:
        self.recorder = None
        self.record.setEnabled(True)
        self.cancel.setEnabled(False)
        self.level.setValue(0)

    def _enrolled(self, status: VoiceStatus) -> None:
        self._done()
        self._show_status(status)

    def _failed(self, message: str, hint: str) -> None:
        self._done()
        self.refresh()
        self.status.setText(f"{message} {hint}".strip() + " " + self.status.text())

    def _cancelled(self) -> None:
        self._done()
        self.refresh()


def _when(created: str) -> str:
    try:
        return datetime.fromisoformat(created).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return created
