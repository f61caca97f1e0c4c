"""Sign-off: before a note is signed, the doctor sees what is still open and deals with each item.

Open items are the checks' contradictions (red) and omissions, numbers or drugs the fact guard
found nowhere in the transcript, and suggestions nobody accepted. Each is fixed in the note (Back
to the note) or acknowledged here with a reason; a suggestion can be accepted as written. Sign
is enabled only when every item is dealt with; the consultation view audits each
acknowledgement with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.types import NOTE_SECTIONS, SUGGESTED_SECTIONS, SoapNote
from desktop.services.ports import CheckResult
from desktop.ui.soap import SoapEditor

CONTRADICTION, UNSUPPORTED, OMISSION, SUGGESTION = "contradiction", "unsupported", "omission", "suggestion"


@dataclass
class OpenItem:
    id: str  # stable: the check's id, or the statement's place ("plan[0]")
    kind: str  # CONTRADICTION, UNSUPPORTED, OMISSION or SUGGESTION
    text: str
    lines: list[str] = field(default_factory=list)

    @property
    def red(self) -> bool:
        return self.kind in (CONTRADICTION, UNSUPPORTED)


def open_items(note: SoapNote, checks: CheckResult | None) -> list[OpenItem]:
    """Everything still open on ``note``, the red items first."""
    items: list[OpenItem] = []
    if checks is not None:
        items += [OpenItem(f.id, CONTRADICTION, f.message, list(f.lines)) for f in checks.contradictions]
    for name in NOTE_SECTIONS:
        for i, st in enumerate(note.section(name)):
            if st.unsupported:
                items.append(
                    OpenItem(
                        f"unsupported:{name}[{i}]",
                        UNSUPPORTED,
                        f"“{st.text}” — not in the transcript: {', '.join(st.unsupported)}",
                        list(st.evidence),
                    )
                )
    if checks is not None:
        items += [OpenItem(f.id, OMISSION, f.message, list(f.lines)) for f in checks.omissions]
    for name in SUGGESTED_SECTIONS:
        for i, st in enumerate(note.section(name)):
            if not st.accepted:
                items.append(
                    OpenItem(f"suggestion:{name}[{i}]", SUGGESTION, f"“{st.text}”", list(st.evidence))
                )
    return items


class _ItemRow(QFrame):
    def __init__(self, item: OpenItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("openItem")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = {
            CONTRADICTION: self.tr("⚠ Contradicts the consultation"),
            UNSUPPORTED: self.tr("⚠ Not in the transcript"),
            OMISSION: self.tr("Left out of the note"),
            SUGGESTION: self.tr("Suggestion not accepted"),
        }[item.kind]
        label = QLabel(f"<b>{title}</b><br>{_escape(item.text)}")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        if item.red:
            self.setStyleSheet("QFrame#openItem { border: 2px solid #c62828; background: #ffebee; }")
        layout.addWidget(label)
        if item.lines:
            layout.addWidget(
                QLabel(self.tr("Said at transcript lines %1").replace("%1", ", ".join(item.lines)))
            )
        row = QHBoxLayout()
        self.check = QCheckBox(
            self.tr("Accept as written") if item.kind == SUGGESTION else self.tr("Acknowledge")
        )
        self.check.setObjectName("acknowledge")
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("Reason (required to acknowledge)"))
        self.reason.setVisible(item.kind != SUGGESTION)
        row.addWidget(self.check)
        row.addWidget(self.reason, 1)
        layout.addLayout(row)

    def done(self) -> bool:
        if self.item.kind == SUGGESTION:
            return self.check.isChecked()
        return self.check.isChecked() and bool(self.reason.text().strip())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SignOffDialog(QDialog):
    """What is still open before signing.

    Signals (main thread): ``signed_off(list of (OpenItem, reason))`` when the doctor signs with
    every item dealt with.
    """

    signed_off = Signal(list)

    def __init__(self, items: list[OpenItem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signOff")
        self.setWindowTitle(self.tr("Before you sign"))
        layout = QVBoxLayout(self)
        red = sum(1 for i in items if i.red)
        summary = self.tr(
            "%1 item(s) are still open, %2 of them red. Fix each in the note, or acknowledge it here with a reason."
        )
        intro = QLabel(summary.replace("%1", str(len(items))).replace("%2", str(red)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        rows_layout = QVBoxLayout(inner)
        self.rows = [_ItemRow(item) for item in items]
        for row in self.rows:
            rows_layout.addWidget(row)
            row.check.toggled.connect(self._update)
            row.reason.textChanged.connect(self._update)
        rows_layout.addStretch(1)
        scroll.setWidget(inner)
        layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("Back to the note"))
        self.back_button.setObjectName("backToNote")
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setObjectName("signAnyway")
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_button)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.reject)
        self.sign_button.clicked.connect(self.accept)
        self._update()
        self.resize(640, 480)

    def _update(self) -> None:
        self.sign_button.setEnabled(all(row.done() for row in self.rows))

    def accept(self) -> None:
        if all(row.done() for row in self.rows):  # the button can be reached only then; a key press too
            acknowledged = self.acknowledgements()
            super().accept()
            self.signed_off.emit(acknowledged)

    def acknowledgements(self) -> list[tuple[OpenItem, str]]:
        """The items acknowledged, each with its reason (suggestions accepted as written have none)."""
        return [(row.item, row.reason.text().strip()) for row in self.rows if row.done()]


def accept_listed(editor: SoapEditor, acknowledged: list[tuple[OpenItem, str]]) -> None:
    """Accept in the editor the suggestions the doctor accepted as written at sign-off."""
    wanted = {item.id for item, _ in acknowledged if item.kind == SUGGESTION}
    for name in SUGGESTED_SECTIONS:
        kept = [r for r in editor.sections[name].rows if r.statement.text.strip()]
        for i, row in enumerate(kept):
            if f"suggestion:{name}[{i}]" in wanted:
                row.accept_suggestion()
