"""The forced password change: a new account's first sign-in, or the first after an administrator
reset the password. Nothing else opens until the person has chosen their own password."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.services.db import DbCall, DbWorker
from desktop.services.ports import UserInfo
from desktop.ui.common import heading
from desktop.ui.signin import MIN_PASSWORD, busy, hold


class ChangePasswordPage(QWidget):
    """Current (given) password, a new one twice.

    Signals (main thread): ``changed(UserInfo)`` once the store has the new password;
    ``sign_out()`` when the person leaves instead.
    """

    changed = Signal(object)
    sign_out = Signal()

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user: UserInfo | None = None
        self.pending: DbCall[None] | None = None
        self.setObjectName("changePasswordPage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(480)
        form = QFormLayout(box)
        self.title = heading(self.tr("Choose your own password"), 18)
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.current = QLineEdit()
        self.current.setObjectName("currentPassword")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.new = QLineEdit()
        self.new.setObjectName("newOwnPassword")
        self.new.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeatOwnPassword")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setObjectName("changePasswordMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.button = QPushButton(self.tr("Change password"))
        self.button.setObjectName("changePasswordButton")
        self.button.setDefault(True)
        self.leave = QPushButton(self.tr("Sign out"))
        form.addRow(self.title)
        form.addRow(self.why)
        form.addRow(self.tr("Password you were given"), self.current)
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("Repeat new password"), self.repeat)
        form.addRow(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.leave)
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        form.addRow(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.button.clicked.connect(lambda: self.attempt())
        self.repeat.returnPressed.connect(lambda: self.attempt())
        self.leave.clicked.connect(self.sign_out.emit)

    def prepare(self, user: UserInfo) -> None:
        self._user = user
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.message.clear()
        self.why.setText(
            self.tr(
                "%1, your password was set by an administrator. Choose one only you know before you "
                "continue; the administrator will not see it."
            ).replace("%1", user.display_name)
        )
        self.current.setFocus()

    def problem(self) -> str:
        """What is wrong with the typed passwords, in one sentence; empty when they can be sent."""
        if not self.current.text():
            return self.tr("Type the password you were given.")
        if len(self.new.text()) < MIN_PASSWORD:
            return self.tr("The password needs at least 8 characters.")
        if self.new.text() != self.repeat.text():
            return self.tr("The two passwords are different.")
        if self.new.text() == self.current.text():
            return self.tr("Choose a password different from the one you were given.")
        return ""

    def attempt(self) -> DbCall[None] | None:
        user = self._user
        if user is None or self.pending is not None:
            return None
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return None
        old, new = self.current.text(), self.new.text()
        end = busy(self.message, self.button, self.tr("Changing the password…"))
        call = self._db.call(self.tr("changing the password"), lambda r: r.change_password(user, old, new))
        call.then(lambda _r: self._changed(user), self._refused)
        return hold(self, call, end)

    def _refused(self, message: str, hint: str) -> None:
        self.message.setText(f"{message} {hint}".strip())
        self.current.clear()

    def _changed(self, user: UserInfo) -> None:
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.message.clear()
        user.must_change_password = False
        self.changed.emit(user)
