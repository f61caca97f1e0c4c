"""The letters panel: twelve one-click documents, a short form for missing values, preview and edit,
print, export to PDF/DOCX, copy to the clipboard; every generated document is saved as a version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserFacingError
from desktop.services.db import DbCall
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import LetterField, LetterKind, LetterVersion, RenderedLetter
from desktop.ui.common import set_clipboard, show_error

LETTER_SHORTCUTS = [f"Ctrl+F{i}" for i in range(1, 13)]


class ValuesDialog(QDialog):
    """The few values a document needs that the note does not hold (days of leave, addressee…).

    Date fields have a calendar (shown the way this computer writes dates; the document gets the
    ISO date); the others are text. A value refused later (a leave ending before it starts) brings
    the form back with what was typed.
    """

    def __init__(self, kind: LetterKind, defaults: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("letterValues")
        self.setWindowTitle(kind.title)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit | QDateEdit] = {}
        self._fields = kind.fields
        chinese = QLocale().language() == QLocale.Language.Chinese
        for f in kind.fields:
            value = defaults.get(f.key, f.default)
            edit: QLineEdit | QDateEdit
            if f.type == "date":
                edit = QDateEdit()
                edit.setCalendarPopup(True)
                edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
                parsed = QDate.fromString(value, "yyyy-MM-dd") if value else QDate.currentDate()
                edit.setDate(parsed if parsed.isValid() else QDate.currentDate())
            else:
                edit = QLineEdit(value)
            edit.setObjectName(f"value_{f.key}")
            self.edits[f.key] = edit
            label = f.label_zh if chinese and f.label_zh else f.label
            form.addRow(label + (" *" if f.required else ""), edit)
        self.message = QLabel("")
        self.message.setStyleSheet("color:#b00020;")
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._validate)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _validate(self) -> None:
        values = self.values()
        missing = [f.label for f in self._fields if f.required and not values.get(f.key)]
        if missing:
            self.message.setText(self.tr("Please fill in: %1").replace("%1", ", ".join(missing)))
            return
        self.accept()

    def values(self) -> dict[str, str]:
        out = {}
        for k, e in self.edits.items():
            out[k] = e.date().toString("yyyy-MM-dd") if isinstance(e, QDateEdit) else e.text().strip()
        return out


class LettersPanel(QWidget):
    """One-click letters for the open consultation.

    The panel asks its owner (the consultation view) for the render function, so letters come
    from the current note and patient header. Signals (main thread): ``generated(RenderedLetter)``
    after a document is rendered and saved, ``busy(bool)``.
    """

    generated = Signal(object)
    exported = Signal(str, str)
    busy = Signal(bool)

    def __init__(
        self,
        kinds: list[LetterKind],
        submit: Callable[[Job], Job],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lettersPanel")
        self._kinds = {k.id: k for k in kinds}
        self._submit = submit
        self.defaults_fn: Callable[[str], dict[str, str]] = lambda _kind: {}
        self.render_fn: Callable[[str, dict[str, str], JobContext], RenderedLetter] | None = None
        # Saves a version in the store (a new letter when the id is empty); answers (saved, all versions).
        self.save_fn: Callable[[RenderedLetter, dict[str, str], str], DbCall[Any]] | None = None
        self.current_letter_id = ""
        self.export_fn: Callable[[RenderedLetter, str, str], None] | None = None
        self.current: RenderedLetter | None = None
        self.current_values: dict[str, str] = {}
        self.job: Job | None = None
        self.values_provider: Callable[[LetterKind], dict[str, str] | None] = self._ask_values
        self._enabled = True
        self._allowed: set[str] | None = None
        self._refused_tip = ""
        self._tips: dict[str, str] = {}
        self._last_values: dict[str, dict[str, str]] = {}  # a refused form comes back as it was
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(kinds):
            label = kind.title + (f"\n{kind.title_zh}" if kind.title_zh else "")
            button = QPushButton(label)
            button.setObjectName(f"letter_{kind.id}")
            shortcut = kind.shortcut or (LETTER_SHORTCUTS[i] if i < len(LETTER_SHORTCUTS) else "")
            self._tips[kind.id] = f"{kind.title} ({shortcut})" if shortcut else kind.title
            if shortcut:
                button.setToolTip(self._tips[kind.id])
                sc = QShortcut(QKeySequence(shortcut), self)
                sc.activated.connect(lambda k=kind.id: self.generate(k))
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _c=False, k=kind.id: self.generate(k))
            self.buttons[kind.id] = button
            grid.addWidget(button, i // 4, i % 4)
        layout.addLayout(grid)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        split = QSplitter()
        self.history = QListWidget()
        self.history.setObjectName("letterHistory")
        self.history.setMaximumWidth(240)
        self.preview = QTextEdit()
        self.preview.setObjectName("letterPreview")
        self.preview.setPlaceholderText(self.tr("Click a document above to generate it from the note."))
        split.addWidget(self.history)
        split.addWidget(self.preview)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        actions = QHBoxLayout()
        self.language = QComboBox()
        self.language.addItem(self.tr("Form's default"), "")
        self.language.addItem(self.tr("English"), "en")
        self.language.addItem(self.tr("Chinese (Traditional)"), "zh")
        self.language.addItem(self.tr("Bilingual"), "bilingual")
        self.language.setObjectName("letterLanguage")
        self.save_button = QPushButton(self.tr("Save edits"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.docx_button = QPushButton(self.tr("Export DOCX…"))
        self.copy_button = QPushButton(self.tr("Copy"))
        for b, name in (
            (self.save_button, "saveLetter"),
            (self.print_button, "printLetter"),
            (self.pdf_button, "exportPdf"),
            (self.docx_button, "exportDocx"),
            (self.copy_button, "copyLetter"),
        ):
            b.setObjectName(name)
        actions.addWidget(QLabel(self.tr("Language")))
        actions.addWidget(self.language)
        actions.addStretch(1)
        for b in (self.save_button, self.print_button, self.pdf_button, self.docx_button, self.copy_button):
            actions.addWidget(b)
        layout.addLayout(actions)
        self.save_button.clicked.connect(self.save_edits)
        self.print_button.clicked.connect(self.print_letter)
        self.pdf_button.clicked.connect(lambda: self.export_dialog("pdf"))
        self.docx_button.clicked.connect(lambda: self.export_dialog("docx"))
        self.copy_button.clicked.connect(self.copy)
        self._set_actions(False)
        self._versions: list[LetterVersion] = []
        self.history.currentRowChanged.connect(self._show_version)

    def _set_actions(self, enabled: bool) -> None:
        for b in (self.save_button, self.print_button, self.pdf_button, self.docx_button, self.copy_button):
            b.setEnabled(enabled)

    def kind_ids(self) -> list[str]:
        return list(self._kinds)

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._apply_buttons()
        self.preview.setReadOnly(not enabled)

    def set_allowed(self, kinds: set[str], refused_tip: str) -> None:
        """Only ``kinds`` may be generated by this user (the roles decide); the others say why not."""
        self._allowed = set(kinds)
        self._refused_tip = refused_tip
        self._apply_buttons()

    def _apply_buttons(self) -> None:
        for kind_id, b in self.buttons.items():
            allowed = self._allowed is None or kind_id in self._allowed
            b.setEnabled(self._enabled and allowed)
            b.setToolTip(self._tips[kind_id] if allowed else f"{self._tips[kind_id]} — {self._refused_tip}")

    def set_versions(self, versions: list[LetterVersion]) -> None:
        self._versions = list(versions)
        self.history.blockSignals(True)
        self.history.clear()
        # Two certificates of one visit are two documents, each with its own versions:
        # "Medical Certificate 2 · v1", not a second "v1" that looks like the first.
        documents: dict[str, list[str]] = {}
        for v in self._versions:
            ids = documents.setdefault(v.kind, [])
            if v.id not in ids:
                ids.append(v.id)
        for v in self._versions:
            title = self._title(v.kind)
            ids = documents[v.kind]
            name = f"{title} {ids.index(v.id) + 1}" if len(ids) > 1 else title
            version = self.tr("v%1").replace("%1", str(v.number))
            self.history.addItem(name + " · " + version + "\n" + f"{v.created_at:%H:%M}" + " · " + v.author)
        self.history.blockSignals(False)

    def _title(self, kind_id: str) -> str:
        """The document's name in the app's language (the templates carry both)."""
        kind = self._kinds.get(kind_id)
        if kind is None:
            return kind_id
        chinese = QLocale().language() == QLocale.Language.Chinese
        return kind.title_zh if chinese and kind.title_zh else kind.title

    def _show_version(self, row: int) -> None:
        if 0 <= row < len(self._versions):
            v = self._versions[row]
            kind = self._kinds.get(v.kind)
            self.current = RenderedLetter(
                kind=v.kind, title=kind.title if kind else v.kind, html=v.html, text=""
            )
            self.current_values = dict(v.values)
            self.current_letter_id = v.id
            self.preview.setHtml(v.html)
            self._set_actions(True)

    # -- generate -----------------------------------------------------------------------------
    def _ask_values(self, kind: LetterKind) -> dict[str, str] | None:
        if not kind.fields:
            return {}
        values = {**self.defaults_fn(kind.id), **self._last_values.get(kind.id, {})}
        dialog = ValuesDialog(kind, values, self)
        if not dialog.exec():
            return None
        self._last_values[kind.id] = dialog.values()
        return dialog.values()

    def generate(self, kind_id: str) -> Job | None:
        kind = self._kinds.get(kind_id)
        if kind is None or self.render_fn is None or (self.job is not None and self.job.running):
            return None
        if not self.buttons[kind_id].isEnabled():
            return None
        values = self.values_provider(kind)
        if values is None:
            return None
        language = str(self.language.currentData())
        values = {**values, "_language": language}
        render = self.render_fn

        def work(ctx: JobContext) -> RenderedLetter:
            ctx.progress(kind.title, -1)
            return render(kind_id, values, ctx)

        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.busy.emit(True)
        job = Job(self.tr("preparing the document"), work)
        job.succeeded.connect(lambda letter: self._rendered(letter, values))
        job.failed.connect(lambda m, h: show_error(self, m, h))
        job.done.connect(self._finished)
        self.job = job
        self._submit(job)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _finished(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.busy.emit(False)

    def _rendered(self, letter: RenderedLetter, values: dict[str, str]) -> None:
        self._last_values.pop(letter.kind, None)  # written: the next one starts from the note again
        self.current = letter
        self.current_values = values
        self.preview.setHtml(letter.html)
        self.preview.document().setModified(False)
        self._set_actions(True)
        self.current_letter_id = ""
        if self.save_fn is None:
            self.generated.emit(letter)
            return
        call = self.save_fn(letter, values, "")
        call.then(self._saved)
        call.done.connect(lambda: self.generated.emit(letter))

    def _saved(self, answer: tuple[LetterVersion, list[LetterVersion]]) -> None:
        self.current_letter_id = answer[0].id

    # -- actions -----------------------------------------------------------------------------
    def edited_letter(self) -> RenderedLetter | None:
        if self.current is None:
            return None
        return RenderedLetter(
            kind=self.current.kind,
            title=self.current.title,
            html=self.preview.toHtml(),
            text=self.preview.toPlainText(),
            data=self.current.data if not self.preview.document().isModified() else None,
        )

    def save_edits(self) -> DbCall[Any] | None:
        """Save the preview's edits as a new version of the document shown (answered later)."""
        letter = self.edited_letter()
        if letter is None or self.save_fn is None:
            return None
        self.preview.document().setModified(False)
        return self.save_fn(letter, self.current_values, self.current_letter_id).then(self._saved)

    def copy(self) -> None:
        letter = self.edited_letter()
        if letter is None:
            return
        set_clipboard(letter.html, letter.text)

    def print_letter(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("printDialog")
        if dialog.exec():
            self.preview.document().print_(printer)

    def export_dialog(self, fmt: str) -> None:
        letter = self.edited_letter()
        if letter is None:
            return
        suffix = "PDF (*.pdf)" if fmt == "pdf" else "Word (*.docx)"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), f"{letter.kind}.{fmt}", suffix)
        if path:
            self.export(path, fmt)

    def export(self, path: str, fmt: str) -> bool:
        """Write the document (with any edits) as PDF or DOCX. Runs here: it takes well under a second."""
        letter = self.edited_letter()
        if letter is None or self.export_fn is None:
            return False
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.export_fn(letter, path, fmt)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return False
        except OSError as exc:
            show_error(
                self,
                self.tr("The file could not be written: %1").replace("%1", exc.strerror or str(exc)),
                self.tr("Choose another folder or free some disk space."),
            )
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.exported.emit(path, fmt)
        return True


def fields_from(spec: list[tuple[str, str]]) -> list[LetterField]:
    return [LetterField(key=k, label=label) for k, label in spec]
