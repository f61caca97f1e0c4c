"""Help → About: the version, the models in use with their licences, the libraries' licences,
and where the log folder is (what IT asks for first)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.config import Settings
from desktop.core.errors import UserFacingError
from desktop.services.ports import ModelsPort

# The libraries that ship inside the app and their licences (the full texts are in the installer).
LIBRARIES = (
    ("Qt / PySide6", "LGPL-3.0"),
    ("faster-whisper", "MIT"),
    ("CTranslate2", "MIT"),
    ("llama.cpp / llama-cpp-python", "MIT"),
    ("SQLCipher / sqlcipher3", "BSD-3-Clause"),
    ("OpenCC", "Apache-2.0"),
    ("Droid Sans Fallback font", "Apache-2.0"),
)


class AboutDialog(QDialog):
    def __init__(
        self, version: str, settings: Settings, models: ModelsPort, logs: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About ConsultScribe"))
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>ConsultScribe {version}</h2>")
        layout.addWidget(title)
        layout.addWidget(
            QLabel(self.tr("Everything stays on this computer: recordings, notes and the models."))
        )
        self.text = QTextBrowser()
        self.text.setObjectName("aboutText")
        self.text.setHtml(self._html(settings, models))
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Log folder:")))
        self.logs = QLabel(logs)
        self.logs.setObjectName("logFolder")
        self.logs.setStyleSheet("font-family: monospace;")
        self.logs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.logs, 1)
        self.open_logs = QPushButton(self.tr("Open folder"))
        self.open_logs.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(logs)))
        row.addWidget(self.open_logs)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 480)

    def _html(self, settings: Settings, models: ModelsPort) -> str:
        in_use = {settings.asr.model: self.tr("speech"), settings.llm.model: self.tr("language model")}
        rows = []
        try:
            infos = models.models()
        except UserFacingError:
            infos = []
        for m in infos:
            use = in_use.get(m.name, "")
            state = self.tr("ready") if m.usable else (m.problem or self.tr("missing"))
            rows.append(
                f"<tr><td>{m.name}</td><td>{use}</td><td>{m.licence or '—'}</td><td>{state}</td></tr>"
            )
        libraries = "".join(f"<tr><td>{name}</td><td>{licence}</td></tr>" for name, licence in LIBRARIES)
        return (
            f"<h3>{self.tr('Models')}</h3><table cellpadding='3'>"
            f"<tr><th align='left'>{self.tr('Model')}</th><th align='left'>{self.tr('In use for')}</th>"
            f"<th align='left'>{self.tr('Licence')}</th><th align='left'>{self.tr('State')}</th></tr>"
            + "".join(rows)
            + f"</table><h3>{self.tr('Libraries')}</h3><table cellpadding='3'>{libraries}</table>"
        )
