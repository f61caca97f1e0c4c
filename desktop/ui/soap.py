"""The SOAP editor: one editor per section, suggestions marked until accepted, fact-guard flags.

Each statement keeps its evidence links (transcript segment ids); clicking a statement asks the
consultation view to highlight those lines and play that span of audio.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import json
import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.types import NOTE_SECTIONS, SUGGESTED_SECTIONS, NoteStatement, SoapNote
from desktop.services.ports import CheckResult, Flag, NoteVersion


def _status_labels() -> dict[str, str]:
    return {
        "taking": QCoreApplication.translate("Soap", "taking"),
        "started": QCoreApplication.translate("Soap", "started"),
        "changed": QCoreApplication.translate("Soap", "changed"),
        "stopped": QCoreApplication.translate("Soap", "stopped"),
        "allergy": QCoreApplication.translate("Soap", "allergy"),
    }


def section_title(name: str, signed: bool = False) -> str:
    """A section's heading; a signed note has an assessment and a plan, not suggestions."""
    titles = {
        "subjective": QCoreApplication.translate("Soap", "Subjective"),
        "medications": QCoreApplication.translate("Soap", "Medications and allergies"),
        "objective": QCoreApplication.translate("Soap", "Objective"),
        "assessment": QCoreApplication.translate("Soap", "Suggested assessment"),
        "plan": QCoreApplication.translate("Soap", "Suggested plan"),
        "patient_instructions": QCoreApplication.translate("Soap", "Instructions to the patient"),
    }
    if signed:
        titles["assessment"] = QCoreApplication.translate("Soap", "Assessment")
        titles["plan"] = QCoreApplication.translate("Soap", "Plan")
    return titles.get(name, name)


class StatementEdit(QTextEdit):
    """A statement's text; grows with its content. Emits ``clicked()`` on a mouse press."""

    clicked = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setPlainText(text)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabChangesFocus(True)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        self.document().setTextWidth(max(100, self.viewport().width()))
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 4
        self.setFixedHeight(max(height, self.fontMetrics().height() + 12))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self.clicked.emit()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)


class StatementRow(QFrame):
    """One statement: text, suggestion badge with Accept, fact-guard warning, evidence, remove.

    Signals (main thread): ``clicked(StatementRow)``, ``changed()``, ``remove_requested(StatementRow)``.
    """

    clicked = Signal(object)
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(
        self,
        statement: NoteStatement,
        section: str,
        editable: bool,
        can_accept: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statementRow")
        self.section = section
        self.statement = dataclasses.replace(
            statement, evidence=list(statement.evidence), unsupported=list(statement.unsupported)
        )
        self.suggested = section in SUGGESTED_SECTIONS
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        top = QHBoxLayout()
        self.edit = StatementEdit(statement.text)
        self.edit.setReadOnly(not editable)
        top.addWidget(self.edit, 1)
        self.badge = QLabel(self.tr("suggested"))
        self.badge.setObjectName("suggestedBadge")
        self.badge.setStyleSheet(
            "background:#fff3e0;color:#e65100;border:1px solid #ffb74d;border-radius:3px;padding:1px 4px;"
        )
        self.accept_button = QToolButton()
        self.accept_button.setText(self.tr("Accept"))
        self.accept_button.setObjectName("acceptSuggestion")
        self.accept_button.setEnabled(can_accept)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(self.tr("Remove this statement"))
        self.remove_button.setVisible(editable)
        if self.suggested:
            top.addWidget(self.badge)
            top.addWidget(self.accept_button)
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        self.contradiction = ""  # a red check: the statement says otherwise than the consultation
        self.flag = QLabel("")
        self.flag.setObjectName("factFlag")
        self.flag.setWordWrap(True)
        self.flag.setStyleSheet("color:#b71c1c;")
        layout.addWidget(self.flag)
        self.source = QLabel("")
        self.source.setStyleSheet("color:#777777;")
        layout.addWidget(self.source)
        self._refresh()
        self.edit.clicked.connect(lambda: self.clicked.emit(self))
        self.edit.textChanged.connect(self._edited)
        self.accept_button.clicked.connect(self.accept_suggestion)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def _edited(self) -> None:
        self.statement.text = self.edit.toPlainText().strip()
        self.changed.emit()

    def accept_suggestion(self) -> None:
        self.statement.accepted = True
        self._refresh()
        self.changed.emit()

    def set_unsupported(self, items: list[str]) -> None:
        self.statement.unsupported = list(items)
        self._refresh()

    def set_contradiction(self, message: str) -> None:
        if message != self.contradiction:
            self.contradiction = message
            self._refresh()

    def _refresh(self) -> None:
        st = self.statement
        pending = self.suggested and not st.accepted
        self.badge.setVisible(pending)
        self.accept_button.setVisible(pending)
        warnings = []
        if self.contradiction:
            warnings.append("⚠ " + self.contradiction)
        if st.unsupported:
            warnings.append(
                self.tr("⚠ Not in the transcript: %1. Check before signing.").replace(
                    "%1", ", ".join(st.unsupported)
                )
            )
        if warnings:
            self.flag.setText("\n".join(warnings))
            self.edit.setStyleSheet("QTextEdit { background: #ffebee; border: 2px solid #c62828; }")
        else:
            self.flag.setText("")
            style = "QTextEdit { background: #fffaf0; border: 1px dashed #ffb74d; }" if pending else ""
            self.edit.setStyleSheet(style)
        self.flag.setVisible(bool(warnings))
        status = _status_labels().get(st.status, st.status)
        said = self.tr("as said") + " · " if st.source == "quote" else ""
        if st.evidence:
            lines = self.tr("from transcript lines: %1").replace("%1", ", ".join(st.evidence))
            self.source.setText(" · ".join(x for x in (status, said + lines) if x))
        else:
            self.source.setText(status)
        self.source.setVisible(bool(st.evidence or status))


class SectionEditor(QGroupBox):
    """The statements of one SOAP section."""

    statement_clicked = Signal(object)
    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(section_title(name), parent)
        self.setObjectName(f"section_{name}")
        self.name = name
        self.editable = False
        self.can_accept = False
        self.rows: list[StatementRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(2)
        self.empty = QLabel(self.tr("(nothing recorded)"))
        self.empty.setStyleSheet("color:#888888;")
        self._layout.addWidget(self.empty)
        self.add_button = QPushButton(self.tr("Add statement"))
        self.add_button.setObjectName(f"add_{name}")
        self._layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_button.clicked.connect(lambda: self.add(NoteStatement(text="", accepted=True), focus=True))
        if name in SUGGESTED_SECTIONS:
            self.setToolTip(self.tr("Suggestions for the doctor to review; not accepted yet."))

    def set_signed(self, signed: bool) -> None:
        self.setTitle(section_title(self.name, signed))
        if self.name in SUGGESTED_SECTIONS:
            self.setToolTip(
                "" if signed else self.tr("Suggestions for the doctor to review; not accepted yet.")
            )

    def set_statements(self, statements: list[NoteStatement], editable: bool, can_accept: bool) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        self.editable = editable
        self.can_accept = can_accept
        self.add_button.setVisible(editable)
        for st in statements:
            self.add(st)
        self._update_empty()

    def add(self, statement: NoteStatement, focus: bool = False) -> StatementRow:
        row = StatementRow(statement, self.name, self.editable, self.can_accept)
        self._layout.insertWidget(self._layout.count() - 1, row)
        row.setVisible(True)  # not left to the layout's deferred show
        self.rows.append(row)
        row.clicked.connect(self.statement_clicked.emit)
        row.changed.connect(self.changed.emit)
        row.remove_requested.connect(self._remove)
        if focus:
            row.edit.setFocus()
        self._update_empty()
        self.changed.emit()
        return row

    def _remove(self, row: StatementRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
            self._update_empty()
            self.changed.emit()

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)

    def statements(self) -> list[NoteStatement]:
        return [
            dataclasses.replace(
                r.statement,
                evidence=list(r.statement.evidence),
                unsupported=list(r.statement.unsupported),
                accepted=r.statement.accepted if r.suggested else True,
            )
            for r in self.rows
            if r.statement.text.strip()
        ]


class ChecksPanel(QListWidget):
    """What the note left out of the consultation, and where it says the opposite (red, first).

    Clicking an entry emits ``lines_clicked(list of transcript line ids)`` (main thread): the
    consultation view shows those lines and plays them.
    """

    lines_clicked = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteChecks")
        self.setWordWrap(True)
        self.setVisible(False)
        self.flags: list[Flag] = []
        self.itemClicked.connect(self._clicked)

    def show_result(self, result: CheckResult) -> None:
        self.clear()
        self.flags = [*result.contradictions, *result.omissions]
        for flag in self.flags:
            where = self.tr("said at %1").replace("%1", ", ".join(flag.lines)) if flag.lines else ""
            if flag.red:
                item = QListWidgetItem(
                    self.tr("⚠ Contradiction: %1").replace("%1", flag.message) + f"  ({where})"
                )
                item.setForeground(Qt.GlobalColor.white)
                item.setBackground(Qt.GlobalColor.darkRed)
            else:
                message = flag.message.removeprefix("Not in the note: ")
                item = QListWidgetItem(self.tr("Left out: %1").replace("%1", message) + f"  ({where})")
            item.setToolTip(self.tr("Click to see and hear what was said"))
            self.addItem(item)
        rows = sum(self.sizeHintForRow(i) for i in range(min(self.count(), 6)))
        self.setFixedHeight(rows + 2 * self.frameWidth() + 4)
        self.setVisible(bool(self.flags))

    def _clicked(self, item: QListWidgetItem) -> None:
        row = self.row(item)
        if 0 <= row < len(self.flags):
            self.lines_clicked.emit(list(self.flags[row].lines))


class SoapEditor(QWidget):
    """Chief complaint and the five sections.

    Signals (main thread): ``statement_clicked(StatementRow)``, ``changed()`` on any edit.
    """

    statement_clicked = Signal(object)
    changed = Signal()
    lines_clicked = Signal(list)
    checked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("soapEditor")
        # note -> omissions and contradictions against the consultation (None: no checks)
        self.checker: Callable[[SoapNote], CheckResult] | None = None
        self.last_checks: CheckResult | None = None
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(400)  # after typing pauses, not on every key
        self._recheck_timer.timeout.connect(self.recheck)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel("")
        self.banner.setObjectName("noteBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)
        self.stream_label = QLabel("")
        self.stream_label.setObjectName("streamLabel")
        self.stream_label.setWordWrap(True)
        self.stream_label.setStyleSheet("color:#777777;font-style:italic;")
        self.stream_label.setVisible(False)
        outer.addWidget(self.stream_label)
        self.checks = ChecksPanel()
        outer.addWidget(self.checks)
        self.checks.lines_clicked.connect(self.lines_clicked.emit)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.scroll_area = scroll
        inner = QWidget()
        self._inner = QVBoxLayout(inner)
        cc_row = QHBoxLayout()
        cc_row.addWidget(QLabel(self.tr("Chief complaint")))
        self.chief = QLineEdit()
        self.chief.setObjectName("noteChiefComplaint")
        cc_row.addWidget(self.chief, 1)
        self.chief_typed = QLabel(self.tr("as typed"))
        self.chief_typed.setObjectName("chiefComplaintTyped")
        self.chief_typed.setToolTip(self.tr("The chief complaint the user typed, kept as it was typed."))
        self.chief_typed.setStyleSheet("color:#555555;font-style:italic;")
        self.chief_typed.setVisible(False)
        cc_row.addWidget(self.chief_typed)
        self._loaded = SoapNote()
        self._inner.addLayout(cc_row)
        self.sections: dict[str, SectionEditor] = {}
        for name in NOTE_SECTIONS:
            editor = SectionEditor(name)
            editor.statement_clicked.connect(self.statement_clicked.emit)
            editor.changed.connect(self._changed)
            self.sections[name] = editor
            self._inner.addWidget(editor)
        self._inner.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.chief.textEdited.connect(lambda _t: self._changed())
        self._loading = False
        self._stream = ""

    def _changed(self) -> None:
        if not self._loading:
            self.changed.emit()
            if self.checker is not None:
                self._recheck_timer.start()

    def set_note(
        self,
        note: SoapNote,
        editable: frozenset[str],
        can_accept: bool,
        chief_editable: bool,
        banner: str = "",
        signed: bool = False,
    ) -> None:
        self._loading = True
        self._loaded = note
        try:
            self.chief.setText(note.chief_complaint)
            self.chief.setReadOnly(not chief_editable)
            self.chief_typed.setVisible(note.chief_complaint_source == "typed")
            for name, editor in self.sections.items():
                editor.set_statements(note.section(name), name in editable, can_accept)
                editor.set_signed(signed)
        finally:
            self._loading = False
        if note.quoted_sections:
            names = ", ".join(section_title(n) for n in note.quoted_sections)
            banner += " " + self.tr("Quoted from the transcript (the speakers' own words): %1.").replace(
                "%1", names
            )
        if note.notice:
            banner = f"{note.notice} {banner}"
        self.set_banner(banner.strip())
        self.stream_label.setVisible(False)
        self.recheck()

    def recheck(self) -> CheckResult | None:
        """Check the note as it now reads against the consultation; the list and the red rows follow."""
        self._recheck_timer.stop()
        if self.checker is None:
            return None
        result = self.checker(self.note())
        self.last_checks = result
        self.checks.show_result(result)
        located: dict[str, str] = {}
        for flag in result.contradictions:
            for where in flag.where:
                located.setdefault(where, flag.message)
        for name, editor in self.sections.items():
            kept = [r for r in editor.rows if r.statement.text.strip()]
            for row in editor.rows:
                index = kept.index(row) if row in kept else -1
                row.set_contradiction(located.get(f"{name}[{index}]", ""))
        self.checked.emit(result)
        return result

    def set_banner(self, text: str, colour: str = "#e3f2fd") -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background:{colour};padding:6px;border-radius:3px;")
        self.banner.setVisible(bool(text))

    def note(self) -> SoapNote:
        loaded = self._loaded
        chief = self.chief.text().strip()
        note = SoapNote(
            chief_complaint=chief,
            chief_complaint_source=loaded.chief_complaint_source if chief == loaded.chief_complaint else "",
            quoted_sections=list(loaded.quoted_sections),
            notice=loaded.notice,
        )
        for name, editor in self.sections.items():
            setattr(note, name, editor.statements())
        return note

    def rows(self) -> list[StatementRow]:
        return [row for editor in self.sections.values() for row in editor.rows]

    # -- streaming ----------------------------------------------------------------------------
    def begin_stream(self) -> None:
        self._stream = ""
        self._buffers: dict[str, str] = {}
        self._current = ""
        self.set_note(SoapNote(), frozenset(), False, False)
        self.stream_label.setText(self.tr("Drafting…"))
        self.stream_label.setVisible(True)

    def stream_section(self, name: str) -> None:
        """The following tokens belong to section ``name`` (or "chief_complaint")."""
        if name in self.sections or name == "chief_complaint":
            self._current = name
            self._buffers.setdefault(name, "")
            title = section_title(name) if name in self.sections else self.tr("Chief complaint")
            self.stream_label.setText(self.tr("Drafting: %1…").replace("%1", title))

    def append_stream(self, text: str) -> None:
        """Show each statement of the streamed draft as soon as its text is complete."""
        self._stream += text
        name = self._current
        if not name:
            return
        self._buffers[name] = self._buffers.get(name, "") + text
        texts = completed_strings(
            self._buffers[name], "chief_complaint" if name == "chief_complaint" else "text"
        )
        self._loading = True
        try:
            if name == "chief_complaint":
                if texts:
                    self.chief.setText(texts[0])
            else:
                editor = self.sections[name]
                for t in texts[len(editor.rows) :]:
                    editor.add(NoteStatement(text=t))
        finally:
            self._loading = False

    def stream_text(self) -> str:
        return self._stream


def completed_strings(stream: str, key: str) -> list[str]:
    """The values of ``"key": "…"`` pairs whose closing quote has arrived in a partial JSON stream."""
    found = []
    for m in re.finditer(rf'"{re.escape(key)}"\s*:\s*"((?:[^"\\]|\\.)*)"', stream):
        try:
            found.append(json.loads(f'"{m.group(1)}"'))
        except json.JSONDecodeError:
            found.append(m.group(1))
    return found


def diff_html(before: str, after: str) -> str:
    """A line diff as HTML: removed lines red and struck through, added lines green."""
    out = ["<pre style='white-space:pre-wrap;font-family:sans-serif;'>"]
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        tag, text = line[:2], html.escape(line[2:])
        if tag == "- ":
            out.append(
                f"<span style='background:#ffebee;color:#b71c1c;text-decoration:line-through;'>− {text}</span>"
            )
        elif tag == "+ ":
            out.append(f"<span style='background:#e8f5e9;color:#1b5e20;'>+ {text}</span>")
        elif tag == "  ":
            out.append(f"  {text}")
    out.append("</pre>")
    return "\n".join(out)


def version_label(v: NoteVersion) -> str:
    kinds = {
        "ai_draft": QCoreApplication.translate("Soap", "AI draft"),
        "edit": QCoreApplication.translate("Soap", "edited"),
        "signed": QCoreApplication.translate("Soap", "signed"),
    }
    return f"v{v.number} · {kinds.get(v.kind, v.kind)} · {v.by} · {v.created_at:%Y-%m-%d %H:%M}"


class VersionHistoryDialog(QDialog):
    """Every saved version of the note, each shown as a diff against the AI draft."""

    def __init__(self, versions: list[NoteVersion], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionHistory")
        self.setWindowTitle(self.tr("Version history"))
        self.versions = versions
        layout = QVBoxLayout(self)
        split = QSplitter()
        self.list = QListWidget()
        self.view = QTextBrowser()
        self.view.setObjectName("versionDiff")
        split.addWidget(self.list)
        split.addWidget(self.view)
        split.setSizes([260, 560])
        layout.addWidget(split)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.drafts = [v for v in versions if v.kind == "ai_draft"]
        self.base = self.drafts[0].note.to_markdown() if self.drafts else ""
        for v in versions:
            self.list.addItem(QListWidgetItem(version_label(v)))
        self.list.currentRowChanged.connect(self.show_version)
        if versions:
            self.list.setCurrentRow(len(versions) - 1)
        self.resize(880, 560)

    def show_version(self, row: int) -> None:
        if 0 <= row < len(self.versions):
            version = self.versions[row]
            signed = version.kind == "signed"
            # A signed version reads as a signed note: no "suggested" headings or banners,
            # on either side of the comparison.
            text = version.note.to_markdown(signed=signed)
            base = self.drafts[0].note.to_markdown(signed=signed) if self.drafts else ""
            header = self.tr("Changes compared with the AI draft:") if base else ""
            if signed:
                header = self.tr("Signed by %1.").replace("%1", version.by) + " " + header
            self.view.setHtml(f"<p><b>{html.escape(header)}</b></p>" + diff_html(base, text))
