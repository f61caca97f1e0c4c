"""Shared widget helpers: error boxes in plain words, fonts, translations, small widgets."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QMessageBox, QWidget

from desktop import paths

log = logging.getLogger(__name__)

UI_LANGUAGES = ("auto", "en", "zh_TW")


def tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def route_qt_messages() -> None:
    """Qt's own warnings go to the log file, not to the terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)
    # Qt still logs while it unloads plugins after Python has shut down; a Python handler
    # called then crashes the process. Hand messages back to Qt before the interpreter goes.
    import atexit

    atexit.register(qInstallMessageHandler, None)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lambda: qInstallMessageHandler(None))


_clipboard_guard_installed = False


def set_clipboard(html: str, text: str) -> None:
    """Put a document on the clipboard as rich text (HTML) and plain text."""
    global _clipboard_guard_installed
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QGuiApplication

    mime = QMimeData()
    mime.setHtml(html)
    mime.setText(text)
    QGuiApplication.clipboard().setMimeData(mime)
    if not _clipboard_guard_installed:
        import atexit

        atexit.register(_plain_clipboard_at_exit)
        _clipboard_guard_installed = True


def _plain_clipboard_at_exit() -> None:
    """Swap our rich clipboard data for plain text while Python still runs.

    Qt frees clipboard data after the interpreter is gone, and freeing data created from
    Python then crashes the process. The text stays on the clipboard for pasting after the
    app has closed (Windows keeps it; X11 hands it to a clipboard manager).
    """
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        return
    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    if data is not None and data.hasHtml():
        clipboard.setText(data.text())


def show_error(parent: QWidget | None, message: str, next_step: str = "") -> None:
    """A plain sentence and what to do next; never a traceback."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Errors", "ConsultScribe"))
    box.setText(message)
    if next_step:
        box.setInformativeText(next_step)
    box.setObjectName("errorBox")
    box.open()


def register_fonts() -> list[str]:
    """Register the bundled CJK font so Traditional Chinese renders on a bare machine.

    Returns the registered family names; the first becomes the fallback after the system UI font.
    """
    families: list[str] = []
    font_dir = paths.assets_dir() / "fonts"
    for path in sorted(font_dir.glob("*.[to]t[fc]")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not register font %s", path.name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    app = QApplication.instance()
    if families and isinstance(app, QApplication):
        font = QFont(app.font())
        base = [f for f in font.families() if f not in families] or [font.family()]
        font.setFamilies([*base, *families])
        app.setFont(font)
    return families


def translations_dir() -> Path:
    return paths.assets_dir() / "translations"


def install_translator(app: QCoreApplication, language: str = "auto") -> QTranslator | None:
    """Load the UI translation for ``language`` ("auto" follows the system locale)."""
    if language == "auto":
        name = QLocale.system().name()
        language = "zh_TW" if name.startswith(("zh_TW", "zh_HK", "zh_Hant")) else "en"
    if language == "en":
        return None
    translator = QTranslator(app)
    qm = translations_dir() / f"consultscribe_{language}.qm"
    if not translator.load(str(qm)):
        log.warning("translation %s not found", qm.name)
        return None
    app.installTranslator(translator)
    return translator


def heading(text: str, size: int = 14) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def keep(owner: QObject, obj: QObject) -> QObject:
    """Parent a helper object so it lives as long as its owner."""
    obj.setParent(owner)
    return obj
