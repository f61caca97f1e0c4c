"""PDF output: Qt's text layout (QTextDocument) drawn onto an A4 QPdfWriter.

Qt is used because the app previews documents with the same QTextDocument, so what the
doctor sees is what prints, and Qt embeds exactly the glyphs used (subset fonts keep the
files small even with the 4 MB CJK font). The bundled CJK font is registered with
QFontDatabase so Chinese never depends on what the PC has installed. Headless use (the
command line, tests) gets an off-screen QApplication when none exists (a widgets one, so a
window opened later in the same process, such as the letter preview, still works).

Each page gets a footer with the clinic, the patient and "Page n of N".
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication

from desktop.core.errors import UserFacingError
from desktop.documents.render import (
    CJK_FONT_FAMILY,
    FONT_FAMILIES,
    SIGNATURE_LINE,
    RenderedDocument,
    cjk_font_path,
)

log = logging.getLogger(__name__)

_app: QGuiApplication | None = None
_font_family: str | None = None
_lock = threading.Lock()

RESOLUTION_DPI = 300
MARGINS_MM = QMarginsF(18, 15, 18, 12)
FOOTER_MM = 9.0


def ensure_app() -> None:
    """A Qt application must exist for fonts and painting; make an off-screen one for headless use."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QApplication(["consult-scribe", "-platform", "offscreen"])


def register_cjk_font() -> str:
    """Register the bundled CJK font once; returns its family name."""
    global _font_family
    with _lock:
        if _font_family is not None:
            return _font_family
        ensure_app()
        path = cjk_font_path()
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise UserFacingError(
                f"The bundled Chinese font {path} could not be loaded.",
                "Reinstall ConsultScribe; the font file is missing or damaged.",
            )
        families = QFontDatabase.applicationFontFamilies(font_id)
        _font_family = families[0] if families else CJK_FONT_FAMILY
        return _font_family


def _default_font(point_size: float) -> QFont:
    font = QFont()
    font.setFamilies([*FONT_FAMILIES[:-1], register_cjk_font()])
    font.setPointSizeF(point_size)
    # No ligatures: text copied or extracted from the PDF must read "fi", not one ligature glyph.
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _keep_signature_together(document: QTextDocument, page_height: float) -> None:
    """Move the signature block to the next page when it would be split across two."""
    cursor = document.find(SIGNATURE_LINE)
    if cursor.isNull():
        return
    table = cursor.currentTable()
    if table is None:
        return
    rect = document.documentLayout().frameBoundingRect(table)
    first, last = int(rect.top() // page_height), int((rect.bottom() - 1) // page_height)
    if first != last and rect.height() < page_height:
        fmt = table.format()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        table.setFormat(fmt)


def html_to_pdf(html: str, path: Path, *, footer: str = "", page_label: str = "", title: str = "") -> int:
    """Lay out ``html`` on A4 pages and write ``path`` (atomically). Returns the page count."""
    register_cjk_font()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(title)
    writer.setCreator("ConsultScribe")

    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    document.setDefaultFont(_default_font(10.5))
    document.setDocumentMargin(0)
    document.setHtml(html)
    paint = writer.pageLayout().paintRectPixels(RESOLUTION_DPI)
    footer_px = FOOTER_MM / 25.4 * RESOLUTION_DPI
    body = QSizeF(paint.width(), paint.height() - footer_px)
    document.setPageSize(body)
    _keep_signature_together(document, body.height())
    pages = max(1, document.pageCount())

    painter = QPainter()
    if not painter.begin(writer):
        raise UserFacingError(f"Cannot write the PDF {path}.", "Check that the folder is writable.")
    try:
        footer_font = _default_font(7.5)
        for index in range(pages):
            if index:
                writer.newPage()
            painter.save()
            painter.translate(0, -index * body.height())
            document.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setPen(QColor("#8894a4"))
            top = body.height() + footer_px * 0.25
            painter.drawLine(0, int(top), int(body.width()), int(top))
            painter.setFont(footer_font)
            painter.setPen(QColor("#444444"))
            box = QRectF(0, top, body.width(), footer_px * 0.75)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), footer)
            label = (page_label or "Page {n} of {total}").format(n=index + 1, total=pages)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
    finally:
        painter.end()
    tmp.replace(path)
    return pages


def write_pdf(doc: RenderedDocument, path: Path) -> Path:
    """Write a rendered letter, form or note as an A4 PDF."""
    html_to_pdf(doc.html, path, footer=doc.footer, page_label=doc.page_label, title=doc.title)
    return Path(path)
