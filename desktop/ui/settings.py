"""Settings in one place, built from the typed schema in ``desktop/config.py``.

Every field of every section appears with its description as the tooltip. Clinic letterhead,
templates and policy (retention, auto-lock, store location) are for administrators only; keys the
clinic policy has locked are shown but cannot be changed.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.config import LANGUAGES, SCRIPTS, Settings
from desktop.core.errors import UserFacingError
from desktop.services.ports import AudioPort, ModelsPort, RecordsPort, UserInfo, VoicePort
from desktop.ui.common import UI_LANGUAGES
from desktop.ui.models import ModelsTab
from desktop.ui.signin import KeyringTab
from desktop.ui.voice import VoiceTab

ADMIN_SECTIONS = frozenset({"clinic", "policy", "intake"})

# Settings that name a file or a folder get a Browse… button: (kind, file filter).
PATHS: dict[str, tuple[str, str]] = {
    "clinic.logo": ("file", "Images (*.png *.jpg *.jpeg *.svg)"),
    "clinic.templates_dir": ("folder", ""),
    "policy.store_dir": ("folder", ""),
    "asr.vocabulary_file": ("file", "Text (*.txt)"),
    "intake.cert_file": ("file", "PEM (*.pem *.crt)"),
    "intake.key_file": ("file", "PEM (*.pem *.key)"),
}


def field_label(key: str) -> str:
    """The words shown for a setting (its key is for the policy file, not for people)."""
    labels = {
        "asr.model": QCoreApplication.translate("Settings", "Speech model"),
        "asr.device": QCoreApplication.translate("Settings", "Run speech recognition on"),
        "asr.compute_type": QCoreApplication.translate("Settings", "Number format"),
        "asr.cpu_threads": QCoreApplication.translate("Settings", "Processor threads"),
        "asr.beam_size": QCoreApplication.translate("Settings", "Search width (files)"),
        "asr.language": QCoreApplication.translate("Settings", "Spoken language"),
        "asr.script": QCoreApplication.translate("Settings", "Chinese characters"),
        "asr.vocabulary_file": QCoreApplication.translate("Settings", "Clinic word list"),
        "llm.model": QCoreApplication.translate("Settings", "Language model"),
        "llm.n_gpu_layers": QCoreApplication.translate("Settings", "Layers on the graphics card"),
        "llm.n_ctx": QCoreApplication.translate("Settings", "Context size (tokens)"),
        "llm.n_threads": QCoreApplication.translate("Settings", "Processor threads"),
        "llm.max_tokens": QCoreApplication.translate("Settings", "Longest answer (tokens)"),
        "llm.temperature": QCoreApplication.translate("Settings", "Creativity (temperature)"),
        "llm.prefill_seconds": QCoreApplication.translate("Settings", "Read ahead while recording (seconds)"),
        "clinic.name": QCoreApplication.translate("Settings", "Clinic name"),
        "clinic.name_zh": QCoreApplication.translate("Settings", "Clinic name (Chinese)"),
        "clinic.address": QCoreApplication.translate("Settings", "Address"),
        "clinic.phone": QCoreApplication.translate("Settings", "Telephone"),
        "clinic.logo": QCoreApplication.translate("Settings", "Logo"),
        "clinic.doctor_name": QCoreApplication.translate("Settings", "Doctor (command line only)"),
        "clinic.registration_no": QCoreApplication.translate(
            "Settings", "Registration no. (command line only)"
        ),
        "clinic.templates_dir": QCoreApplication.translate("Settings", "Clinic's own templates"),
        "policy.store_dir": QCoreApplication.translate("Settings", "Records folder"),
        "policy.retention_days": QCoreApplication.translate("Settings", "Keep recordings (days)"),
        "policy.auto_lock_minutes": QCoreApplication.translate("Settings", "Lock after idle (minutes)"),
        "policy.keyring_unlock": QCoreApplication.translate(
            "Settings", "Allow sign-in from the system keyring"
        ),
        "policy.nurses_may_record": QCoreApplication.translate("Settings", "Nurses may record"),
        "audio.input_device": QCoreApplication.translate("Settings", "Microphone"),
        "audio.lapel_channel": QCoreApplication.translate("Settings", "Lapel microphone channel"),
        "ui.language": QCoreApplication.translate("Settings", "Language of the app"),
        "intake.enabled": QCoreApplication.translate("Settings", "Patient intake service"),
        "intake.host": QCoreApplication.translate("Settings", "Listen on address"),
        "intake.port": QCoreApplication.translate("Settings", "Port"),
        "intake.cert_file": QCoreApplication.translate("Settings", "Certificate"),
        "intake.key_file": QCoreApplication.translate("Settings", "Certificate key"),
        "intake.public_url": QCoreApplication.translate("Settings", "Address for patients' phones"),
        "intake.code_minutes": QCoreApplication.translate("Settings", "Patient code valid for (minutes)"),
    }
    return labels.get(key, key.split(".")[-1].replace("_", " "))


class PathEdit(QWidget):
    """A path typed or chosen with Browse…; ``kind`` is "file" or "folder"."""

    def __init__(self, value: str, kind: str, file_filter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit(value)
        self.browse = QPushButton(self.tr("Browse…"))
        self.kind = kind
        self.file_filter = file_filter
        row.addWidget(self.line, 1)
        row.addWidget(self.browse)
        self.browse.clicked.connect(self._choose)

    def _choose(self) -> None:
        if self.kind == "folder":
            path = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), self.line.text())
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Choose a file"), self.line.text(), self.file_filter
            )
        if path:
            self.line.setText(path)

    def text(self) -> str:
        return self.line.text()


def section_title(name: str) -> str:
    titles = {
        "asr": QCoreApplication.translate("Settings", "Speech"),
        "llm": QCoreApplication.translate("Settings", "Language model"),
        "clinic": QCoreApplication.translate("Settings", "Letterhead and templates"),
        "policy": QCoreApplication.translate("Settings", "Policy"),
        "audio": QCoreApplication.translate("Settings", "Microphone"),
        "ui": QCoreApplication.translate("Settings", "Display"),
        "intake": QCoreApplication.translate("Settings", "Patient intake"),
    }
    return titles.get(name, name)


class SectionForm(QWidget):
    """Editors for one settings section; ``apply(section)`` writes the values back."""

    def __init__(
        self,
        section_name: str,
        section: Any,
        locked: set[str],
        editable: bool,
        choices: dict[str, list[tuple[str, str]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = section_name
        self.setObjectName(f"settings_{section_name}")
        form = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        if not editable:
            note = QLabel(self.tr("Only an administrator can change these settings."))
            note.setStyleSheet("color:#777777;")
            form.addRow(note)
        for f in dataclasses.fields(section):
            key = f"{section_name}.{f.name}"
            value = getattr(section, f.name)
            editor: QWidget
            options = choices.get(key)
            if options is not None:
                combo = QComboBox()
                for data, text in options:
                    combo.addItem(text, data)
                index = combo.findData(value)
                if index < 0:
                    combo.addItem(str(value), value)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)
                editor = combo
            elif isinstance(value, bool):
                box = QCheckBox()
                box.setChecked(value)
                editor = box
            elif isinstance(value, int):
                spin = QSpinBox()
                spin.setRange(-1, 1_000_000)
                spin.setValue(value)
                editor = spin
            elif isinstance(value, float):
                dspin = QDoubleSpinBox()
                dspin.setRange(0.0, 100.0)
                dspin.setDecimals(2)
                dspin.setValue(value)
                editor = dspin
            elif key in PATHS:
                editor = PathEdit(str(value), *PATHS[key])
            else:
                editor = QLineEdit(str(value))
            editor.setObjectName(f"setting_{section_name}_{f.name}")
            description = f.metadata.get("description", "")
            is_locked = key in locked
            if is_locked:
                description += " " + self.tr("(locked by clinic policy)")
            editor.setToolTip(description)
            editor.setEnabled(editable and not is_locked)
            label = QLabel(field_label(key))
            label.setToolTip(description)
            form.addRow(label, editor)
            self.editors[f.name] = editor

    def apply(self, section: Any) -> None:
        for name, editor in self.editors.items():
            if not editor.isEnabled():
                continue
            current = getattr(section, name)
            value: Any
            if isinstance(editor, QComboBox):
                value = editor.currentData()
            elif isinstance(editor, QCheckBox):
                value = editor.isChecked()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                value = editor.value()
            elif isinstance(editor, QLineEdit | PathEdit):
                value = editor.text().strip()
            else:
                continue
            setattr(section, name, type(current)(value))


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``result_settings()`` after acceptance returns the new values."""

    def __init__(
        self,
        settings: Settings,
        user: UserInfo,
        models: ModelsPort,
        audio: AudioPort,
        save: Callable[[Settings], None] | None,
        parent: QWidget | None = None,
        admin_only: bool = False,
        voice: VoicePort | None = None,
        records: RecordsPort | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._settings = copy.deepcopy(settings)
        self._save = save
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.message = QLabel("")
        self.message.setObjectName("settingsMessage")
        self.message.setStyleSheet("color:#b00020;")
        self.message.setWordWrap(True)
        choices = self._choices(models, audio)
        self.forms: list[SectionForm] = []
        locked = set(settings.locked)
        for f in dataclasses.fields(self._settings):
            section = getattr(self._settings, f.name)
            if not dataclasses.is_dataclass(section):
                continue
            if admin_only and f.name not in ADMIN_SECTIONS:
                continue
            editable = user.is_admin or f.name not in ADMIN_SECTIONS
            form = SectionForm(f.name, section, locked, editable, choices)
            self.forms.append(form)
            self.tabs.addTab(form, section_title(f.name))
        self.models_tab: ModelsTab | None = None
        if not admin_only:
            self.models_tab = ModelsTab(models)
            self.tabs.addTab(self.models_tab, self.tr("Models"))
        self.voice_tab: VoiceTab | None = None
        if voice is not None and not admin_only and user.is_clinician:
            self.voice_tab = VoiceTab(voice, audio, user, settings.audio.input_device)
            self.tabs.addTab(self.voice_tab, self.tr("My voice"))
        self.keyring_tab: KeyringTab | None = None
        if records is not None and not admin_only and settings.policy.keyring_unlock:
            self.keyring_tab = KeyringTab(records, user)
            self.tabs.addTab(self.keyring_tab, self.tr("This computer"))
        self.finished.connect(self._closing)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(700, 520)

    @staticmethod
    def _choices(models: ModelsPort, audio: AudioPort) -> dict[str, list[tuple[str, str]]]:
        lang_names = {
            "auto": QCoreApplication.translate("Settings", "automatic"),
            "yue": QCoreApplication.translate("Settings", "Cantonese"),
            "zh": QCoreApplication.translate("Settings", "Mandarin"),
            "en": QCoreApplication.translate("Settings", "English"),
        }
        script_names = {
            "hk": QCoreApplication.translate("Settings", "Traditional (Hong Kong)"),
            "tw": QCoreApplication.translate("Settings", "Traditional (Taiwan)"),
            "cn": QCoreApplication.translate("Settings", "Simplified"),
        }
        choices: dict[str, list[tuple[str, str]]] = {
            "asr.language": [(v, lang_names.get(v, v)) for v in LANGUAGES],
            "asr.script": [(v, script_names.get(v, v)) for v in SCRIPTS],
            "asr.device": [("auto", "auto"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)")],
            "ui.language": [
                (
                    v,
                    {
                        "auto": QCoreApplication.translate("Settings", "system"),
                        "en": "English",
                        "zh_TW": "繁體中文",
                    }[v],
                )
                for v in UI_LANGUAGES
            ],
        }
        try:
            infos = models.models()
            choices["asr.model"] = [(m.name, m.name) for m in infos if m.role == "asr"]
            choices["llm.model"] = [(m.name, m.name) for m in infos if m.role == "llm"]
        except UserFacingError:
            pass
        choices["audio.lapel_channel"] = [
            ("", QCoreApplication.translate("Settings", "none (one microphone)")),
            ("left", QCoreApplication.translate("Settings", "left channel")),
            ("right", QCoreApplication.translate("Settings", "right channel")),
        ]
        with contextlib.suppress(UserFacingError):
            choices["audio.input_device"] = [
                ("", QCoreApplication.translate("Settings", "system default"))
            ] + [(d.name, d.name) for d in audio.devices()]
        return choices

    def _closing(self) -> None:
        if self.models_tab is not None:
            self.models_tab.shutdown()
        if self.voice_tab is not None:
            self.voice_tab.shutdown()

    def _accept(self) -> None:
        for form in self.forms:
            form.apply(getattr(self._settings, form.name))
        try:
            self._settings.validate()
            if self._save is not None:
                self._save(self._settings)
        except UserFacingError as exc:
            self.message.setStyleSheet("color:#b00020;")
            self.message.setText(f"{exc.message} {exc.hint}".strip())
            return
        self.accept()

    def result_settings(self) -> Settings:
        return self._settings
