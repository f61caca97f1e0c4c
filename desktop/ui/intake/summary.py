"""The consultation's Intake tab: "Summary for Patient Code 0063", the confirmed summary with Copy,
the numbered lines the draft may cite (i1, i2…), and the chat the patient had before the visit."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.types import Transcript
from desktop.services.db import DbCall, DbWorker
from desktop.services.intake import IntakeDetail, IntakePort, IntakeRow, IssuedIntake, with_intake
from desktop.services.ports import UserInfo
from desktop.ui.common import show_error
from desktop.ui.intake.codes import IntakeCodeDialog
from desktop.ui.intake.queue import CATEGORY_COLOURS, category_label, state_label

HIGHLIGHT = "#fff59d"


class IntakeTab(QWidget):
    """The intake linked to one consultation (or the ways to link one).

    Signals (main thread): ``loaded(object)`` with the IntakeDetail or None once the store answered.
    """

    loaded = Signal(object)

    def __init__(
        self,
        db: DbWorker,
        intake: IntakePort,
        user: UserInfo,
        consultation_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intakeTab")
        self._db = db
        self.intake = intake
        self.user = user
        self.consultation_id = consultation_id
        self.detail: IntakeDetail | None = None
        self.highlighted: list[str] = []
        self.code_dialog: IntakeCodeDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel(self.tr("No intake for this consultation."))
        self.title.setObjectName("intakeTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.category = QLabel("")
        self.category.setObjectName("intakeCategory")
        self.category.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.category)
        # Linking, when none is linked yet.
        self.link_row = QWidget()
        link = QHBoxLayout(self.link_row)
        link.setContentsMargins(0, 0, 0, 0)
        self.waiting = QComboBox()
        self.waiting.setObjectName("waitingIntakes")
        self.link_button = QPushButton(self.tr("Link"))
        self.link_button.setObjectName("linkIntake")
        self.code_button = QPushButton(self.tr("Give the patient a code…"))
        self.code_button.setObjectName("codeForConsultation")
        link.addWidget(QLabel(self.tr("Today's intake:")))
        link.addWidget(self.waiting, 1)
        link.addWidget(self.link_button)
        link.addWidget(self.code_button)
        layout.addWidget(self.link_row)
        # The summary the patient confirmed.
        summary_head = QHBoxLayout()
        self.summary_label = QLabel(self.tr("Summary the patient confirmed"))
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setObjectName("copyIntakeSummary")
        self.copy_button.setToolTip(self.tr("Put the summary on the clipboard"))
        summary_head.addWidget(self.summary_label, 1)
        summary_head.addWidget(self.copy_button)
        layout.addLayout(summary_head)
        # The summary's lines, numbered as the note cites them (i1, i2…).
        self.lines = QTextBrowser()
        self.lines.setObjectName("intakeLines")
        self.lines.setToolTip(
            self.tr("The note's statements may cite these lines (the patient's words before the visit)")
        )
        layout.addWidget(self.lines, 2)
        self.chat_label = QLabel(self.tr("Chat before the visit"))
        layout.addWidget(self.chat_label)
        self.chat = QTextBrowser()
        self.chat.setObjectName("intakeChat")
        layout.addWidget(self.chat, 3)
        self.copy_button.clicked.connect(self.copy_summary)
        self.link_button.clicked.connect(lambda: self.link_selected())
        self.code_button.clicked.connect(lambda: self.issue_code())
        self._show(None)

    # -- the store -----------------------------------------------------------------------------
    def load(self) -> DbCall[Any]:
        intake, cid = self.intake, self.consultation_id

        def fetch(_r: object) -> tuple[IntakeDetail | None, list[IntakeRow]]:
            detail = intake.for_consultation(cid)
            waiting = [] if detail is not None else intake.queue(audit=False)
            return detail, waiting

        call = self._db.call(self.tr("reading the intake"), fetch)
        return call.then(self._arrived, lambda m, h: show_error(self, m, h))

    def _arrived(self, answer: tuple[IntakeDetail | None, list[IntakeRow]]) -> None:
        detail, waiting = answer
        self.waiting.clear()
        for row in waiting:
            if not row.consultation_id and row.state != "cancelled":
                text = f"{row.label} · {category_label(row.category)} · {state_label(row.state)}"
                if row.complaint:
                    text += f" · {row.complaint[:40]}"
                self.waiting.addItem(text, row.id)
        self._show(detail)
        self.loaded.emit(detail)

    def link_selected(self) -> DbCall[Any] | None:
        intake_id = self.waiting.currentData()
        if not intake_id:
            return None
        intake, user, cid = self.intake, self.user, self.consultation_id
        call = self._db.call(self.tr("linking the intake"), lambda _r: intake.link(user, str(intake_id), cid))
        call.then(lambda _r: self.load(), lambda m, h: show_error(self, m, h))
        return call

    def issue_code(self, show: bool = True) -> DbCall[Any]:
        """A code for this consultation's patient: their intake arrives here when they confirm it."""
        intake, user, cid = self.intake, self.user, self.consultation_id
        call = self._db.call(self.tr("making a patient code"), lambda _r: intake.issue(user, cid))
        call.then(lambda issued: self._issued(issued, show), lambda m, h: show_error(self, m, h))
        return call

    def _issued(self, issued: IssuedIntake, show: bool) -> None:
        if show:
            self.code_dialog = IntakeCodeDialog(issued, self)
            self.code_dialog.open()
        self.load()

    # -- showing -------------------------------------------------------------------------------
    def _show(self, detail: IntakeDetail | None) -> None:
        self.detail = detail
        has = detail is not None
        self.link_row.setVisible(not has)
        self.link_button.setEnabled(self.waiting.count() > 0)
        self.waiting.setEnabled(self.waiting.count() > 0)
        for w in (self.summary_label, self.copy_button, self.lines):
            w.setVisible(has)
        self.chat_label.setVisible(has)
        self.chat.setVisible(has)
        if detail is None:
            self.title.setText(self.tr("No intake for this consultation."))
            self.category.setText("")
            return
        self.title.setText(self.tr("Summary for Patient Code %1").replace("%1", detail.label))
        colour = CATEGORY_COLOURS.get(detail.category or 0, "#555")
        triage = self.tr("Category %1").replace("%1", category_label(detail.category))
        if detail.category_reason:
            triage += f" — {detail.category_reason}"
        source = {"rules": self.tr("rules"), "model": self.tr("model"), "nurse": self.tr("nurse")}.get(
            detail.category_source, detail.category_source
        )
        if source:
            triage += f" ({source})"
        self.category.setText(
            f"<span style='color:{colour};font-weight:bold'>{html.escape(triage)}</span> · "
            + html.escape(state_label(detail.state))
            + (f" {detail.confirmed_at:%H:%M}" if detail.confirmed_at else "")
        )
        if detail.confirmed:
            self.summary_label.setText(self.tr("Summary the patient confirmed"))
        else:
            self.summary_label.setText(self.tr("Not confirmed yet: the answers so far"))
        self._render_lines()
        self.chat.setHtml(self._chat_html(detail))

    def _render_lines(self) -> None:
        if self.detail is None:
            return
        rows = []
        for sid, text in self.detail.evidence_lines():
            style = f" style='background:{HIGHLIGHT}'" if sid in self.highlighted else ""
            head, sep, rest = text.partition(": ")
            body = f"<b>{html.escape(head)}:</b> {html.escape(rest)}" if sep else html.escape(text)
            rows.append(f"<p{style}><span style='color:#888'>{sid}</span>&nbsp; {body}</p>")
        self.lines.setHtml("".join(rows))

    def _chat_html(self, detail: IntakeDetail) -> str:
        out = []
        for role, text in detail.chat:
            if role == "patient":
                who, colour = self.tr("Patient"), "#0d47a1"
            else:
                who, colour = self.tr("Intake"), "#555555"
            out.append(f"<p><b style='color:{colour}'>{html.escape(who)}:</b> {html.escape(text)}</p>")
        return "".join(out)

    def title_label(self) -> str:
        return self.detail.label if self.detail is not None else ""

    def summary_text(self) -> str:
        """The summary as the patient confirmed it (their answers so far before that)."""
        if self.detail is None:
            return ""
        if self.detail.summary.strip():
            return self.detail.summary
        return "\n".join(text for _, text in self.detail.evidence_lines())

    def copy_summary(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and self.detail is not None:
            clipboard.setText(self.summary_text())

    def evidence_transcript(self, transcript: Transcript) -> Transcript:
        """The transcript with this intake's lines after it: what the drafter reads."""
        return with_intake(transcript, self.detail)

    def highlight(self, ids: list[str]) -> list[str]:
        """Mark the intake lines a statement cites; returns the ids found here."""
        known = {sid for sid, _ in self.detail.evidence_lines()} if self.detail else set()
        self.highlighted = [i for i in ids if i in known]
        self._render_lines()
        return self.highlighted
