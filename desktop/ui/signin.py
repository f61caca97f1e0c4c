"""Sign-in, first-run administrator set-up, and the lock screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.core.errors import UserFacingError
from desktop.services.db import DbCall, DbWorker
from desktop.services.ports import RecordsPort, UserInfo
from desktop.ui.common import heading

T = TypeVar("T")

MIN_PASSWORD = 8


@contextmanager
def checking(message: QLabel, button: QPushButton | None, text: str) -> Iterator[None]:
    """A short check done here (the keyring): say so, and take no second click meanwhile."""
    end = busy(message, button, text)
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)  # paint it now
    try:
        yield
    finally:
        end()


def busy(message: QLabel, button: QPushButton | None, text: str) -> Callable[[], None]:
    """Unlocking the key takes about a second (scrypt): say so and take no second click until
    the returned function is called (when the store's answer has arrived)."""
    message.setText(text)
    if button is not None:
        button.setEnabled(False)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def end() -> None:
        QApplication.restoreOverrideCursor()
        if button is not None:
            button.setEnabled(True)

    return end


class _Form(Protocol):
    pending: DbCall[Any] | None


def hold(form: _Form, call: DbCall[T], end: Callable[[], None]) -> DbCall[T]:
    """Keep ``call`` as the form's one pending call (a second click is ignored while it is
    set) until the store's answer arrives; then clear it and end the busy state."""
    form.pending = call

    def finished() -> None:
        form.pending = None
        end()

    call.done.connect(finished)
    return call


class SignInPage(QWidget):
    """Username and password. Emits ``signed_in(UserInfo)`` on success."""

    signed_in = Signal(object)

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._records = db.records  # only for the keyring lookup, which reads no database
        self.pending: DbCall[UserInfo] | None = None
        self.setObjectName("signInPage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(420)
        form = QFormLayout(box)
        title = heading(self.tr("ConsultScribe"), 20)
        subtitle = QLabel(self.tr("Sign in to open today's consultations."))
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.button = QPushButton(self.tr("Sign in"))
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        # Single-user PCs where the clinic allows it: the account's key is in the system keyring.
        self.keyring_button = QPushButton(self.tr("Sign in with this computer's keyring"))
        self.keyring_button.setObjectName("keyringSignInButton")
        self.keyring_button.setVisible(False)
        form.addRow(title)
        form.addRow(subtitle)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.message)
        form.addRow(self.button)
        form.addRow(self.keyring_button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.button.clicked.connect(self.attempt)
        self.password.returnPressed.connect(self.attempt)
        self.username.returnPressed.connect(self.password.setFocus)
        self.username.editingFinished.connect(self.check_keyring)
        self.keyring_button.clicked.connect(self.attempt_keyring)

    def reset(self) -> None:
        self.password.clear()
        self.message.clear()
        self.check_keyring()
        self.username.setFocus()

    def check_keyring(self) -> None:
        """Offer keyring sign-in when this PC's keyring holds one for the name typed."""
        name = self.username.text().strip()
        self.keyring_button.setVisible(bool(name) and self._records.keyring_ready(name))

    def attempt_keyring(self) -> DbCall[UserInfo] | None:
        name = self.username.text().strip()
        if self.pending is not None:
            return None
        end = busy(self.message, self.keyring_button, self.tr("Signing in…"))
        call = self._db.call(self.tr("signing in"), lambda r: r.sign_in_with_keyring(name))
        call.then(self._accepted, self._keyring_refused)
        return hold(self, call, end)

    def _keyring_refused(self, message: str, hint: str) -> None:
        self.message.setText(f"{message} {hint}".strip())
        self.check_keyring()

    def attempt(self) -> DbCall[UserInfo] | None:
        name, password = self.username.text().strip(), self.password.text()
        if self.pending is not None:
            return None  # the first click is being answered
        if not name or not password:
            self.message.setText(self.tr("Enter your user name and password."))
            return None
        end = busy(self.message, self.button, self.tr("Signing in…"))
        call = self._db.call(self.tr("signing in"), lambda r: r.sign_in(name, password))
        call.then(self._accepted, self._refused)
        return hold(self, call, end)

    def _refused(self, message: str, hint: str) -> None:
        self.message.setText(f"{message} {hint}".strip())
        self.password.clear()

    def _accepted(self, user: UserInfo) -> None:
        self.password.clear()
        self.message.clear()
        self.signed_in.emit(user)


class LockPage(QWidget):
    """Shown after the idle time; the consultation (and any recording) keeps running behind it.

    Emits ``unlocked()`` when the signed-in user's password is entered, ``sign_out()`` when the
    user chooses to sign out instead.
    """

    unlocked = Signal()
    sign_out = Signal()

    def __init__(self, db: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user: UserInfo | None = None
        self.setObjectName("lockPage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(460)
        form = QFormLayout(box)
        self.title = heading(self.tr("ConsultScribe is locked"), 18)
        self.who = QLabel("")
        self.who.setWordWrap(True)
        self.recording_note = QLabel(self.tr("A recording is in progress and continues while locked."))
        self.recording_note.setObjectName("lockRecordingNote")
        self.recording_note.setStyleSheet("color: #a00000; font-weight: bold;")
        self.recording_note.setVisible(False)
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        form.addRow(self.title)
        form.addRow(self.who)
        form.addRow(self.recording_note)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        form.addRow(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.unlock_button.clicked.connect(self.attempt)
        self.password.returnPressed.connect(self.attempt)
        self.sign_out_button.clicked.connect(self.sign_out.emit)

    def prepare(self, user: UserInfo, recording: bool) -> None:
        self._user = user
        self.who.setText(
            self.tr("Signed in as %1 (%2).").replace("%1", user.display_name).replace("%2", user.role)
        )
        self.recording_note.setVisible(recording)
        self.sign_out_button.setEnabled(not recording)
        self.password.clear()
        self.message.clear()
        self.password.setFocus()

    def attempt(self) -> DbCall[bool] | None:
        if self._user is None:
            return None
        username, password = self._user.username, self.password.text()
        self.password.clear()
        end = busy(self.message, self.unlock_button, self.tr("Checking…"))
        call = self._db.call(self.tr("checking the password"), lambda r: r.check_password(username, password))
        call.then(self._checked, lambda m, h: self.message.setText(f"{m} {h}".strip()))
        call.done.connect(end)
        return call

    def _checked(self, ok: bool) -> None:
        if not ok:
            self.message.setText(self.tr("That password is not right. Try again."))
            return
        self.message.clear()
        self.unlocked.emit()


class _AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("First administrator"))
        self.setSubTitle(
            self.tr(
                "This account manages users and clinic policy. It cannot read clinical notes "
                "unless it also has a clinician account."
            )
        )
        form = QFormLayout(self)
        self.username = QLineEdit("admin")
        self.username.setObjectName("setupUsername")
        self.display = QLineEdit(self.tr("Administrator"))
        self.password = QLineEdit()
        self.password.setObjectName("setupPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("setupRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Full name"), self.display)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)
        form.addRow(self.message)
        for w in (self.username, self.password, self.repeat):
            w.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        problem = ""
        if not self.username.text().strip():
            problem = self.tr("Choose a user name.")
        elif len(self.password.text()) < MIN_PASSWORD:
            problem = self.tr("The password needs at least 8 characters.")
        elif self.password.text() != self.repeat.text():
            problem = self.tr("The two passwords are different.")
        self.message.setText(problem if self.password.text() else "")
        return not problem


class _RecoveryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Recovery key"))
        self.setSubTitle(
            self.tr(
                "Print or save this key and keep it in a safe place. It is the only way to open the "
                "records if every administrator password is lost."
            )
        )
        layout = QVBoxLayout(self)
        self.key = QPlainTextEdit()
        self.key.setObjectName("recoveryKey")
        self.key.setReadOnly(True)
        self.key.setMaximumHeight(80)
        font = self.key.font()
        font.setFamily("monospace")
        font.setPointSize(13)
        self.key.setFont(font)
        buttons = QHBoxLayout()
        self.copy = QPushButton(self.tr("Copy"))
        self.save = QPushButton(self.tr("Save to file…"))
        self.print_button = QPushButton(self.tr("Print…"))
        buttons.addWidget(self.copy)
        buttons.addWidget(self.save)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        self.confirm = QCheckBox(self.tr("I have printed or saved the recovery key."))
        self.confirm.setObjectName("recoveryConfirm")
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addWidget(self.confirm)
        layout.addStretch(1)
        self.confirm.toggled.connect(self.completeChanged)
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.toPlainText()))
        self.save.clicked.connect(self._save)
        self.print_button.clicked.connect(self._print)

    def isComplete(self) -> bool:
        return self.confirm.isChecked()

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save recovery key"), "consultscribe-recovery-key.txt", "Text (*.txt)"
        )
        if path:
            import os

            # The recovery key unlocks every record: readable by this user only.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.chmod(path, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.key.toPlainText() + "\n")

    def _print(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec():
            doc = QTextDocument()
            doc.setPlainText(self.tr("ConsultScribe recovery key") + "\n\n" + self.key.toPlainText())
            doc.print_(printer)


class SetupWizard(QWizard):
    """First run: create the encrypted store and its first administrator, then show the recovery key.

    Emits ``completed(UserInfo)`` with the administrator, signed in.
    """

    completed = Signal(object)
    created = Signal()  # the store exists and the recovery key is shown

    def __init__(self, db: DbWorker, store_location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("setupWizard")
        self.setWindowTitle(self.tr("Set up ConsultScribe"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        welcome = QWizardPage()
        welcome.setTitle(self.tr("Welcome"))
        lay = QVBoxLayout(welcome)
        text = QLabel(
            self.tr(
                "ConsultScribe keeps its records in an encrypted store on this computer. Nothing is sent over "
                "the network.\n\nStore location:"
            )
        )
        text.setWordWrap(True)
        self.location = QLabel(store_location)
        self.location.setObjectName("storeLocation")
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setStyleSheet("font-family: monospace;")
        lay.addWidget(text)
        lay.addWidget(self.location)
        lay.addStretch(1)
        self.admin_page = _AdminPage()
        self.recovery_page = _RecoveryPage()
        self.addPage(welcome)
        self.addPage(self.admin_page)
        self.addPage(self.recovery_page)
        self._user: UserInfo | None = None
        self.currentIdChanged.connect(self._entered)
        self.resize(640, 460)

    def _entered(self, page_id: int) -> DbCall[tuple[str, UserInfo]] | None:
        if self.page(page_id) is not self.recovery_page or self._user is not None:
            return None
        a = self.admin_page
        username, display, password = a.username.text().strip(), a.display.text().strip(), a.password.text()

        def create(r: RecordsPort) -> tuple[str, UserInfo]:
            key = r.initialise(username, display, password)
            return key, r.sign_in(username, password)

        # Creating the store derives its key (scrypt) and writes it: a few seconds on a slow PC.
        page = self.recovery_page
        page.key.setPlainText("")
        page.key.setPlaceholderText(self.tr("Creating the encrypted store… this takes a few seconds."))
        page.confirm.setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        call = self._db.call(self.tr("creating the encrypted store"), create)
        call.then(self._created, self._not_created)
        call.done.connect(QApplication.restoreOverrideCursor)
        return call

    def _created(self, answer: tuple[str, UserInfo]) -> None:
        key, self._user = answer
        self.recovery_page.key.setPlainText(key)
        self.recovery_page.confirm.setEnabled(True)
        self.created.emit()

    def _not_created(self, message: str, hint: str) -> None:
        self.back()
        self.admin_page.message.setText(f"{message} {hint}".strip())

    def accept(self) -> None:
        super().accept()
        if self._user is not None:
            self.completed.emit(self._user)


class KeyringTab(QWidget):
    """Settings → This computer: keep or remove the user's keyring sign-in (when the clinic allows it)."""

    def __init__(self, records: RecordsPort, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyringTab")
        self._records = records
        self._user = user
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "On a computer only you use, you can sign in without typing your password: your "
                "account's key is then kept in this computer's system keyring (Windows Credential "
                "Manager, macOS Keychain or the desktop keyring). Anyone who can use your computer "
                "account can then open ConsultScribe as you, so never turn this on for a shared PC. "
                "Unlocking after the idle lock still asks for your password."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.state = QLabel("")
        self.state.setObjectName("keyringState")
        self.state.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.state)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setObjectName("keyringPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Your password"), self.password)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.on_button = QPushButton(self.tr("Turn on for this computer"))
        self.on_button.setObjectName("keyringOnButton")
        self.off_button = QPushButton(self.tr("Turn off"))
        self.off_button.setObjectName("keyringOffButton")
        buttons.addWidget(self.on_button)
        buttons.addWidget(self.off_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel("")
        self.message.setObjectName("keyringMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.on_button.clicked.connect(self.turn_on)
        self.off_button.clicked.connect(self.turn_off)
        self.password.returnPressed.connect(self.turn_on)
        self.refresh()

    def refresh(self) -> None:
        on = self._records.keyring_ready(self._user.username)
        self.state.setText(
            self.tr("Keyring sign-in is on for this computer.")
            if on
            else self.tr("Keyring sign-in is off: you sign in with your password.")
        )
        self.on_button.setEnabled(not on)
        self.password.setEnabled(not on)
        self.off_button.setEnabled(on)

    def turn_on(self) -> None:
        if not self.password.text():
            self.message.setText(self.tr("Type your password to confirm it is you."))
            return
        self._change(True)

    def turn_off(self) -> None:
        self._change(False)

    def _change(self, enabled: bool) -> None:
        try:
            with checking(self.message, None, self.tr("Checking…")):
                self._records.set_keyring_sign_in(self._user, enabled, self.password.text())
        except UserFacingError as exc:
            self.message.setText(f"{exc.message} {exc.hint}".strip())
        else:
            self.message.clear()
        finally:
            self.password.clear()
        self.refresh()
