"""Administration: users and roles, clinic policy, and the audit log with export."""

from __future__ import annotations

import csv
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.config import Settings
from desktop.core.errors import UserFacingError
from desktop.services.ports import AudioPort, AuditEntry, ModelsPort, RecordsPort, UserInfo
from desktop.ui.common import show_error
from desktop.ui.settings import SettingsDialog


def role_label(role: str) -> str:
    return {
        "doctor": QCoreApplication.translate("Roles", "doctor"),
        "nurse": QCoreApplication.translate("Roles", "nurse"),
        "admin": QCoreApplication.translate("Roles", "administrator"),
    }.get(role, role)


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle(self.tr("Add user"))
        form = QFormLayout(self)
        self.username = QLineEdit()
        self.username.setObjectName("newUsername")
        self.display = QLineEdit()
        self.display.setObjectName("newDisplayName")
        self.role = QComboBox()
        self.role.setObjectName("newRole")
        for r in ("doctor", "nurse", "admin"):
            self.role.addItem(role_label(r), r)
        self.registration = QLineEdit()
        self.registration.setObjectName("newRegistration")
        self.password = QLineEdit()
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("newPasswordRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color:#b00020;")
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Full name"), self.display)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Registration no."), self.registration)
        form.addRow(self.tr("Initial password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._validate)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _validate(self) -> None:
        if not self.username.text().strip():
            self.message.setText(self.tr("Choose a user name."))
        elif len(self.password.text()) < 8:
            self.message.setText(self.tr("The password needs at least 8 characters."))
        elif self.password.text() != self.repeat.text():
            self.message.setText(self.tr("The two passwords are different."))
        elif self.role.currentData() == "doctor" and not self.registration.text().strip():
            self.message.setText(self.tr("A doctor's account needs the registration number."))
        else:
            self.accept()


class ResetPasswordDialog(QDialog):
    """A new password for someone who forgot theirs (typed twice)."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resetPasswordDialog")
        self.setWindowTitle(self.tr("Reset password"))
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                self.tr(
                    "A new password for %1. Tell it to them in person; they choose their own at their next sign-in."
                ).replace("%1", username)
            )
        )
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color:#b00020;")
        form.addRow(self.tr("New password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._validate)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _validate(self) -> None:
        if len(self.password.text()) < 8:
            self.message.setText(self.tr("The password needs at least 8 characters."))
        elif self.password.text() != self.repeat.text():
            self.message.setText(self.tr("The two passwords are different."))
        else:
            self.accept()


class AdminDialog(QDialog):
    """Users, policy and the audit log. Shown to administrators only."""

    def __init__(
        self,
        records: RecordsPort,
        user: UserInfo,
        settings: Settings,
        models: ModelsPort,
        audio: AudioPort,
        save_settings: Callable[[Settings], None] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminDialog")
        self.setWindowTitle(self.tr("Administration"))
        self._records = records
        self._user = user
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        # users
        users_tab = QWidget()
        ul = QVBoxLayout(users_tab)
        self.users = QTableWidget(0, 5)
        self.users.setObjectName("usersTable")
        self.users.setHorizontalHeaderLabels(
            [
                self.tr("User name"),
                self.tr("Full name"),
                self.tr("Role"),
                self.tr("Registration no."),
                self.tr("Active"),
            ]
        )
        self.users.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.users.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        ul.addWidget(self.users)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add user…"))
        self.add_button.setObjectName("addUser")
        self.toggle_button = QPushButton(self.tr("Deactivate…"))
        self.toggle_button.setObjectName("deactivateUser")
        self.reset_button = QPushButton(self.tr("Reset password…"))
        self.reset_button.setObjectName("resetPassword")
        row.addWidget(self.add_button)
        row.addWidget(self.reset_button)
        row.addWidget(self.toggle_button)
        row.addStretch(1)
        ul.addLayout(row)
        self.tabs.addTab(users_tab, self.tr("Users"))
        # policy: the admin-only settings sections
        policy = QWidget()
        pl = QVBoxLayout(policy)
        self.policy_dialog = SettingsDialog(
            settings, user, models, audio, save_settings, policy, admin_only=True
        )
        self.policy_dialog.setWindowFlags(Qt.WindowType.Widget)
        pl.addWidget(self.policy_dialog)
        # Save keeps the form on the tab (a dialog would hide itself) and says it was saved.
        self.policy_dialog.accepted.connect(self._policy_saved)
        self.tabs.addTab(policy, self.tr("Policy"))
        # audit
        audit_tab = QWidget()
        al = QVBoxLayout(audit_tab)
        filter_row = QHBoxLayout()
        self.audit_filter = QLineEdit()
        self.audit_filter.setPlaceholderText(self.tr("Filter by user, action or record"))
        self.audit_filter.setObjectName("auditFilter")
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setObjectName("exportAudit")
        filter_row.addWidget(self.audit_filter, 1)
        filter_row.addWidget(self.export_button)
        al.addLayout(filter_row)
        self.audit = QTableWidget(0, 5)
        self.audit.setObjectName("auditTable")
        self.audit.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("User"), self.tr("Action"), self.tr("Record"), self.tr("Detail")]
        )
        self.audit.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.audit.horizontalHeader().setStretchLastSection(True)
        self.audit.verticalHeader().setVisible(False)
        al.addWidget(self.audit)
        self.tabs.addTab(audit_tab, self.tr("Audit log"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_user)
        self.reset_button.clicked.connect(self._reset_selected)
        self.audit_filter.textChanged.connect(self.refresh_audit)
        self.export_button.clicked.connect(self._export_dialog)
        self._entries: list[AuditEntry] = []
        self.refresh_users()
        self.refresh_audit()
        self.resize(900, 600)

    def refresh_users(self) -> None:
        try:
            users = self._records.users()
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return
        self._users = users
        self.users.setRowCount(len(users))
        for r, u in enumerate(users):
            values = (
                u.username,
                u.display_name,
                role_label(u.role),
                u.registration_no,
                self.tr("yes") if u.active else self.tr("no"),
            )
            for c, v in enumerate(values):
                self.users.setItem(r, c, QTableWidgetItem(v))

    def add_user(self) -> None:
        dialog = AddUserDialog(self)
        if dialog.exec():
            self.create_user(
                dialog.username.text().strip(),
                dialog.display.text().strip(),
                str(dialog.role.currentData()),
                dialog.password.text(),
                dialog.registration.text().strip(),
            )

    def create_user(
        self, username: str, display: str, role: str, password: str, registration: str = ""
    ) -> None:
        try:
            self._records.add_user(self._user, username, display or username, role, password, registration)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return
        self.refresh_users()
        self.refresh_audit()

    def _selected(self) -> UserInfo | None:
        row = self.users.currentRow()
        return self._users[row] if 0 <= row < len(self._users) else None

    def toggle_user(self) -> None:
        u = self._selected()
        if u is not None:
            self.deactivate(u.username)

    def deactivate(self, username: str) -> bool:
        """Close an account after asking: its password no longer opens the records (audited)."""
        answer = QMessageBox.question(
            self,
            self.tr("Deactivate account"),
            self.tr(
                "Deactivate %1? They can no longer sign in; what they wrote stays in the records. "
                "This cannot be undone: a returning colleague gets a new account."
            ).replace("%1", username),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self._records.set_user_active(self._user, username, False)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return False
        self.refresh_users()
        self.refresh_audit()
        return True

    def _reset_selected(self) -> None:
        u = self._selected()
        if u is None:
            return
        dialog = ResetPasswordDialog(u.username, self)
        if dialog.exec():
            self.reset_password(u.username, dialog.password.text())

    def reset_password(self, username: str, password: str) -> bool:
        try:
            self._records.reset_password(self._user, username, password)
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return False
        self.refresh_audit()
        return True

    def _policy_saved(self) -> None:
        self.policy_dialog.setVisible(True)
        self.policy_dialog.message.setStyleSheet("color:#2e7d32;")
        self.policy_dialog.message.setText(self.tr("Saved. The clinic policy applies on every computer."))

    def refresh_audit(self) -> None:
        try:
            entries = self._records.audit_entries()
        except UserFacingError as exc:
            show_error(self, exc.message, exc.hint)
            return
        needle = self.audit_filter.text().strip().lower()
        if needle:
            entries = [e for e in entries if needle in f"{e.user} {e.action} {e.target} {e.detail}".lower()]
        self._entries = entries
        self.audit.setRowCount(len(entries))
        for r, e in enumerate(entries):
            for c, v in enumerate((f"{e.at:%Y-%m-%d %H:%M:%S}", e.user, e.action, e.target, e.detail)):
                self.audit.setItem(r, c, QTableWidgetItem(v))

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export audit log"), "audit-log.csv", "CSV (*.csv)"
        )
        if path:
            self.export_audit(path)

    def export_audit(self, path: str) -> int:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["time", "user", "action", "record", "detail"])
            for e in self._entries:
                writer.writerow([e.at.isoformat(timespec="seconds"), e.user, e.action, e.target, e.detail])
        self._records.log_event(self._user, "audit.export", "", f"{len(self._entries)} entries")
        return len(self._entries)
