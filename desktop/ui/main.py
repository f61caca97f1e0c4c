"""The main window: sign-in, the day's consultations, the consultation view, lock, settings, admin."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.config import Settings, apply_store_policy
from desktop.core.types import Patient
from desktop.services.backend import Backend, save_clinic_policy
from desktop.services.db import DbCall
from desktop.services.intake import IntakeRow
from desktop.services.jobs import Job, JobContext
from desktop.services.ports import ConsultationInfo, RecordsPort, UserInfo
from desktop.ui.about import AboutDialog
from desktop.ui.admin import AdminDialog, role_label
from desktop.ui.common import heading, show_error
from desktop.ui.consultation import ConsultationView
from desktop.ui.consultations import ConsultationsPage
from desktop.ui.intake.alert import AlertBanner
from desktop.ui.intake.monitor import IntakeMonitor
from desktop.ui.intake.queue import IntakeQueuePanel
from desktop.ui.password import ChangePasswordPage
from desktop.ui.settings import SettingsDialog
from desktop.ui.signin import LockPage, SetupWizard, SignInPage

log = logging.getLogger(__name__)

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle()`` (main thread) after ``timeout_ms`` without keyboard, mouse or touch input."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, timeout_ms))
        self.timer.timeout.connect(self.idle.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout(self, ms: int) -> None:
        self.timer.setInterval(max(1, ms))
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class AdminHome(QWidget):
    """What an administrator sees: no clinical text, only administration and settings."""

    def __init__(self, open_admin: Callable[[], object], open_settings: Callable[[], object]) -> None:
        super().__init__()
        self.setObjectName("adminHome")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Administration"), 18))
        text = QLabel(
            self.tr(
                "Manage users and roles, the clinic policy and letterhead, models, and read the audit log. "
                "Administrators do not see consultations or notes."
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.admin_button = QPushButton(self.tr("Users, policy and audit log…"))
        self.admin_button.setObjectName("openAdmin")
        self.settings_button = QPushButton(self.tr("Settings…"))
        row.addWidget(self.admin_button)
        row.addWidget(self.settings_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.admin_button.clicked.connect(open_admin)
        self.settings_button.clicked.connect(open_settings)


class MainWindow(QMainWindow):
    """Top-level window. Pages: sign-in, work (list / consultation), admin home, lock.

    Signals (main thread): ``policy_applied()`` after sign-in, once the store's clinic policy is in force.
    """

    policy_applied = Signal()

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.backend = backend
        self.user: UserInfo | None = None
        self.consultation: ConsultationView | None = None
        self.speech_job: Job | None = None  # the speech model loading ahead of the first Record
        self.setWindowTitle(self.tr("ConsultScribe"))
        self.pages = QStackedWidget()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.alert = AlertBanner()  # a Category 1 intake, on every page until acknowledged
        column.addWidget(self.alert)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.sign_in = SignInPage(backend.db)
        self.work = QStackedWidget()
        self.work.setObjectName("workArea")
        self.list_page = ConsultationsPage(backend.db)
        self.work.addWidget(self.list_page)
        self.admin_home = AdminHome(self.open_admin, self.open_settings)
        self.lock_page = LockPage(backend.db)
        self.password_page = ChangePasswordPage(backend.db)
        for page in (self.sign_in, self.work, self.admin_home, self.lock_page, self.password_page):
            self.pages.addWidget(page)
        self._before_lock: QWidget | None = None
        self.idle = IdleWatcher(max(1, backend.settings.policy.auto_lock_minutes) * 60_000, self)
        self.idle.idle.connect(self.lock)
        self.sign_in.signed_in.connect(self.signed_in)
        self.lock_page.unlocked.connect(self.unlock)
        self.lock_page.sign_out.connect(self.sign_out)
        self.password_page.changed.connect(self.signed_in)
        self.password_page.sign_out.connect(self.sign_out)
        self.list_page.open_requested.connect(self.open_consultation)
        self.intake_monitor: IntakeMonitor | None = None
        self.intake_queue: IntakeQueuePanel | None = None
        self._alerted: set[str] = set()
        if backend.intake is not None:  # only where the clinic policy enables the intake
            self.intake_monitor = IntakeMonitor(backend.db, backend.intake, self)
            self.intake_queue = IntakeQueuePanel(backend.db, backend.intake)
            self.list_page.sections.addWidget(self.intake_queue, 2)
            self.intake_monitor.queue_changed.connect(self.intake_queue.show_rows)
            self.intake_monitor.alerts_changed.connect(self._alerts_changed)
            self.intake_queue.changed.connect(lambda: self.intake_monitor and self.intake_monitor.poll())
            self.intake_queue.start_requested.connect(self.start_from_intake)
        self.alert.acknowledge.connect(self.acknowledge_alert)
        self.user_label = QLabel("")
        self.user_label.setObjectName("userLabel")
        self.statusBar().addPermanentWidget(self.user_label)
        self._build_menu()
        self._set_signed_in_actions(False)
        self.resize(1280, 820)

    def _build_menu(self) -> None:
        bar = self.menuBar()
        app_menu = bar.addMenu(self.tr("&ConsultScribe"))
        self.settings_action = QAction(self.tr("Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.admin_action = QAction(self.tr("Administration…"), self)
        self.admin_action.triggered.connect(self.open_admin)
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.sign_out_action = QAction(self.tr("Sign out"), self)
        self.sign_out_action.triggered.connect(self.sign_out)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for a in (self.settings_action, self.admin_action, self.lock_action, self.sign_out_action):
            app_menu.addAction(a)
        app_menu.addSeparator()
        app_menu.addAction(quit_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        about = QAction(self.tr("About ConsultScribe…"), self)
        about.triggered.connect(self.open_about)
        help_menu.addAction(about)

    def _set_signed_in_actions(self, signed_in: bool) -> None:
        self.settings_action.setEnabled(signed_in)
        self.lock_action.setEnabled(signed_in)
        self.sign_out_action.setEnabled(signed_in)
        self.admin_action.setEnabled(signed_in and self.user is not None and self.user.is_admin)

    # -- start -----------------------------------------------------------------------------
    def start(self) -> SetupWizard | None:
        """Show sign-in, or the first-run wizard when the store has no administrator yet."""
        self.pages.setCurrentWidget(self.sign_in)
        if self.backend.records.needs_setup():
            wizard = SetupWizard(self.backend.db, self._store_location(), self)
            wizard.completed.connect(self.signed_in)
            wizard.open()
            return wizard
        self.sign_in.reset()
        return None

    def _store_location(self) -> str:
        from desktop import paths

        return self.backend.settings.policy.store_dir or str(paths.default_store_dir())

    def start_demo(self, username: str, password: str, consultation_id: str, complaint: str) -> None:
        """Demo mode: sign in as the demo doctor, open the sample consultation and replay it."""

        def sign_in(r: RecordsPort) -> UserInfo:
            user = r.sign_in(username, password)
            r.set_chief_complaint(consultation_id, complaint)
            return user

        self.backend.db.call(self.tr("signing in"), sign_in).then(
            lambda user: self._demo_signed_in(user, consultation_id), self._demo_refused
        )

    def _demo_signed_in(self, user: UserInfo, consultation_id: str) -> None:
        self.signed_in(user)
        view = self.open_consultation(ConsultationInfo(id=consultation_id, patient=Patient()))
        if view is not None:
            view.loaded.connect(lambda: QTimer.singleShot(800, view.start_recording))

    def _demo_refused(self, message: str, hint: str) -> None:
        show_error(self, message, hint)
        self.start()

    # -- session ---------------------------------------------------------------------------
    def signed_in(self, user: UserInfo) -> None:
        if user.must_change_password:
            # A new account or a password an administrator reset: the person's own one first.
            self.user = user
            self.user_label.setText(f"{user.display_name} · {role_label(user.role)}")
            self.password_page.prepare(user)
            self.pages.setCurrentWidget(self.password_page)
            return
        self.user = user
        self._apply_policy(user)
        self.user_label.setText(f"{user.display_name} · {role_label(user.role)}")
        self._set_signed_in_actions(True)
        if user.is_clinician:
            self._prepare_speech()
            self.list_page.set_user(user)
            if self.intake_monitor is not None and self.intake_queue is not None:
                self.intake_queue.user = user
                self.intake_monitor.start()
            self.work.setCurrentWidget(self.list_page)
            self.pages.setCurrentWidget(self.work)
        else:
            self.pages.setCurrentWidget(self.admin_home)
        self.idle.start()

    def _prepare_speech(self) -> Job | None:
        """Load the speech model now, in the background, so the first Record starts at once."""
        prepare = self.backend.prepare_speech
        if prepare is None or self.speech_job is not None:
            return None
        self.statusBar().showMessage(
            self.tr(
                "Loading the speech model in the background; a recording started now begins when it is ready."
            )
        )

        def work(ctx: JobContext) -> None:
            prepare()

        job = Job(self.tr("loading the speech model"), work)
        job.succeeded.connect(
            lambda _r: self.statusBar().showMessage(self.tr("The speech model is ready."), 8000)
        )
        job.failed.connect(lambda m, h: self.statusBar().showMessage(f"{m} {h}".strip()))
        self.speech_job = job
        return self.backend.thread("speech").run(job)

    def _apply_policy(self, user: UserInfo) -> None:
        """The store's clinic-wide rules apply on this PC; read on the database worker."""
        self.backend.db.call(self.tr("reading the clinic policy"), lambda r: r.clinic_policy()).then(
            lambda stored: self._policy_arrived(user, stored), lambda _m, _h: self._policy_unread()
        )

    def _policy_unread(self) -> None:
        log.warning("the clinic policy could not be read; this PC's settings apply")
        self.policy_applied.emit()

    def _policy_arrived(self, user: UserInfo, stored: dict[str, object]) -> None:
        # A key IT locked in the policy file keeps IT's value; an administrator's sign-in writes
        # those values to the store (audited), so the purge and every PC agree with IT.
        updates = apply_store_policy(self.backend.settings, stored)
        if updates and user.is_admin:
            self.backend.db.call(
                self.tr("saving the clinic policy"), lambda r: r.set_clinic_policy(user, updates)
            ).then(error=lambda m, h: show_error(self, m, h))
        self.idle.set_timeout(max(1, self.backend.settings.policy.auto_lock_minutes) * 60_000)
        self.policy_applied.emit()

    def sign_out(self) -> None:
        if self.consultation is not None and self.consultation.recording:
            show_error(
                self,
                self.tr("A recording is in progress."),
                self.tr("Stop the recording before signing out."),
            )
            return
        if self.user is not None:
            self._audit("sign_out")
        self._close_consultation()
        if self.intake_monitor is not None:
            self.intake_monitor.stop()
        self._alerted.clear()
        self.user = None
        self.user_label.setText("")
        self._set_signed_in_actions(False)
        self.idle.stop()
        self.pages.setCurrentWidget(self.sign_in)
        self.sign_in.reset()

    def lock(self) -> None:
        if self.user is None or self.pages.currentWidget() is self.lock_page:
            return
        self._before_lock = self.pages.currentWidget()
        recording = self.consultation is not None and self.consultation.recording
        self.lock_page.prepare(self.user, recording)
        self.pages.setCurrentWidget(self.lock_page)
        self.alert.set_locked(True)
        self.menuBar().setEnabled(False)
        self.idle.stop()
        self._audit("lock")

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_page

    def unlock(self) -> None:
        self.alert.set_locked(False)
        self.pages.setCurrentWidget(self._before_lock or self.work)
        self.menuBar().setEnabled(True)
        self.idle.start()
        if self.user is not None:
            self._audit("unlock")

    def _audit(self, action: str) -> None:
        """An audit entry written by the database worker (sign-out, lock, unlock)."""
        user = self.user
        self.backend.db.call(self.tr("writing the audit log"), lambda r: r.log_event(user, action))

    # -- consultations -----------------------------------------------------------------------
    def open_consultation(self, info: ConsultationInfo) -> ConsultationView | None:
        if self.user is None:
            return None
        if self.consultation is not None:
            if self.consultation.recording:
                show_error(
                    self, self.tr("A recording is in progress."), self.tr("Stop it before opening another.")
                )
                return None
            self._close_consultation()
        # The view fetches its records (and audits the opening) on the database worker.
        view = ConsultationView(self.backend, self.user, info)
        view.closed.connect(self.back_to_list)
        view.status_changed.connect(lambda _s: self.list_page.refresh())
        self.consultation = view
        self.work.addWidget(view)
        self.work.setCurrentWidget(view)
        return view

    def back_to_list(self) -> None:
        self._close_consultation()
        self.list_page.refresh()
        self.work.setCurrentWidget(self.list_page)

    def _close_consultation(self) -> None:
        if self.consultation is not None:
            self.consultation.shutdown()
            self.work.removeWidget(self.consultation)
            self.consultation.deleteLater()
            self.consultation = None

    # -- the intake ------------------------------------------------------------------------
    def _alerts_changed(self, rows: list[IntakeRow]) -> None:
        self.alert.show_alerts(rows)
        new = {r.id for r in rows} - self._alerted
        self._alerted |= new
        if new:  # a new Category 1 patient: draw every eye to this window
            if self.isMinimized():
                self.showNormal()
            self.raise_()
            self.activateWindow()
            QApplication.alert(self, 0)
            QApplication.beep()

    def acknowledge_alert(self, row: IntakeRow) -> DbCall[None] | None:
        """Someone has seen the Category 1 alert: it leaves every desk (audited in the store)."""
        user, intake, monitor = self.user, self.backend.intake, self.intake_monitor
        if user is None or intake is None or monitor is None or self.locked:
            return None
        call = self.backend.db.call(
            self.tr("acknowledging the alert"), lambda _r: intake.acknowledge(user, row.id)
        )
        call.then(lambda _r: monitor.poll(), lambda m, h: show_error(self, m, h))
        if self.intake_queue is not None:
            self.intake_queue.select(row.id)
        return call

    def start_from_intake(self, row: IntakeRow) -> DbCall[ConsultationInfo] | ConsultationView | None:
        """Open the intake's consultation, or start one (patient look-up) and link the intake to it."""
        if row.consultation_id:
            return self.open_consultation(ConsultationInfo(id=row.consultation_id, patient=Patient()))
        queue = self.intake_queue
        if queue is None:
            return None
        return self.list_page.new_consultation(
            complaint=row.complaint, then=lambda info: queue.link(row.id, info.id)
        )

    # -- dialogs -----------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog | None:
        if self.user is None:
            return None
        dialog = SettingsDialog(
            self.backend.settings,
            self.user,
            self.backend.models,
            self.backend.audio,
            self.backend.save_settings,
            self,
            voice=self.backend.voice,
            records=self.backend.records,
        )
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        dialog.open()
        return dialog

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        """In force at once; an administrator's clinic-wide keys (policy, letterhead) go to the store."""
        new = dialog.result_settings()
        if new.ui.language != self.backend.settings.ui.language:
            # Qt's widgets keep the text they were built with: say when the new language applies.
            self.statusBar().showMessage(
                self.tr("The new language applies when ConsultScribe is started again."), 20_000
            )
        self.backend.settings.__dict__.update(new.__dict__)
        self.idle.set_timeout(max(1, new.policy.auto_lock_minutes) * 60_000)
        if self.user is None or not self.user.is_admin:
            return
        settings, user = self.backend.settings, self.user
        self.backend.db.call(
            self.tr("saving the clinic policy"), lambda r: save_clinic_policy(settings, r, user)
        ).then(error=lambda m, h: show_error(self, m, h))

    def open_admin(self) -> AdminDialog | None:
        if self.user is None or not self.user.is_admin:
            return None
        dialog = AdminDialog(
            self.backend.records,
            self.user,
            self.backend.settings,
            self.backend.models,
            self.backend.audio,
            self.backend.save_settings,
            self,
        )
        policy = dialog.policy_dialog
        policy.accepted.connect(lambda: self._settings_saved(policy))
        dialog.open()
        return dialog

    def open_about(self) -> AboutDialog:
        """Version, the models in use and their licences, the libraries, the log folder."""
        from desktop import __version__, paths

        dialog = AboutDialog(
            __version__, self.backend.settings, self.backend.models, str(paths.logs_dir()), self
        )
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.consultation is not None and self.consultation.recording:
            show_error(
                self, self.tr("A recording is in progress."), self.tr("Stop the recording before quitting.")
            )
            event.ignore()
            return
        view = self.consultation
        if view is not None and not view.keep_unsaved_edits(
            self.tr("Save your changes to the note before quitting?")
        ):
            event.ignore()
            return
        self._close_consultation()
        event.accept()


def setup_qt(app: QApplication, settings: Settings, language: str | None = None) -> tuple[list[str], bool]:
    """Register the bundled CJK font and install the UI translation; returns (font families, translated)."""
    from desktop.ui.common import install_translator, register_fonts, route_qt_messages

    route_qt_messages()
    families = register_fonts()
    translator = install_translator(app, language or settings.ui.language)
    if translator is not None:
        app.setProperty("consultscribe_translator", translator)
    return families, translator is not None


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with high-DPI rounding, the bundled CJK font and the translation."""
    from PySide6.QtGui import QGuiApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or ["consult-scribe"])
    assert isinstance(app, QApplication)
    app.setApplicationName("ConsultScribe")
    app.setOrganizationName("ConsultScribe")
    return app
