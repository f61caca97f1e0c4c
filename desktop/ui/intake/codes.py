"""The one-time patient code reception hands over: a QR code to scan in the waiting room, or to
print, with the code typed out and when it stops working."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.intake import IssuedIntake

QR_PIXELS = 300


def qr_image(svg: bytes, size: int = QR_PIXELS) -> QImage:
    """The QR code drawn from its SVG, about ``size`` pixels square, on white.

    Drawn at a whole multiple of the SVG's own size, so every module is the same number of
    pixels (a code with uneven modules scans badly from a screen).
    """
    renderer = QSvgRenderer(QByteArray(svg))
    natural = max(1, renderer.defaultSize().width())
    side = natural * max(1, round(size / natural))
    image = QImage(QSize(side, side), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    return image


class IntakeCodeDialog(QDialog):
    """Shows one issued code. The secret is shown here once; the store keeps only its hash."""

    def __init__(self, issued: IssuedIntake, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.issued = issued
        self.setObjectName("intakeCodeDialog")
        self.setWindowTitle(self.tr("Patient code %1").replace("%1", issued.label))
        layout = QVBoxLayout(self)
        self.title = QLabel(self.tr("Patient code %1").replace("%1", issued.label))
        font = QFont(self.title.font())
        font.setPointSize(20)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr = QLabel()
        self.qr.setObjectName("intakeQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setPixmap(QPixmap.fromImage(qr_image(issued.qr_svg)))
        self.code = QLabel(issued.code)
        self.code.setObjectName("intakeCode")
        code_font = QFont("monospace")
        code_font.setPointSize(18)
        code_font.setBold(True)
        self.code.setFont(code_font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.expiry = QLabel(
            self.tr("Scan with the phone's camera, or open %1 and type the code. Valid until %2, once only.")
            .replace("%1", issued.url.rsplit("/c/", 1)[0])
            .replace("%2", f"{issued.expires_at:%H:%M}")
        )
        self.expiry.setObjectName("intakeExpiry")
        self.expiry.setWordWrap(True)
        self.expiry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setObjectName("printIntakeCode")
        self.save_button = QPushButton(self.tr("Save as PDF…"))
        self.save_button.setObjectName("saveIntakeCode")
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setDefault(True)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        for w in (self.title, self.qr, self.code, self.expiry):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(lambda: self.print_code())
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.close_button.clicked.connect(self.accept)
        self.setMinimumWidth(420)

    def print_code(self) -> bool:
        """Print on the clinic's printer (the system's print dialog)."""
        from PySide6.QtPrintSupport import QPrintDialog

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return False
        self.render_page(printer)
        return True

    def save_pdf(self, path: str = "") -> str:
        """Write the slip as a PDF (to print elsewhere); returns the path, empty when cancelled."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save the patient code"), f"intake-{self.issued.label}.pdf", "PDF (*.pdf)"
            )
        if not path:
            return ""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(path)
        self.render_page(printer)
        return path

    def render_page(self, device: QPrinter) -> None:
        """The slip: queue number, QR code, the code typed out, the address and the expiry."""
        painter = QPainter(device)
        page = device.pageLayout().paintRectPixels(device.resolution())
        width = page.width()
        unit = width / 20
        y = unit
        big = QFont(self.font())
        big.setPixelSize(int(unit * 1.1))
        big.setBold(True)
        painter.setFont(big)
        painter.drawText(QRectF(0, y, width, unit * 1.6), Qt.AlignmentFlag.AlignCenter, self.title.text())
        y += unit * 2
        side = width * 0.55
        painter.drawImage(QRectF((width - side) / 2, y, side, side), qr_image(self.issued.qr_svg, 1200))
        y += side + unit * 0.5
        mono = QFont("monospace")
        mono.setPixelSize(int(unit * 1.1))
        mono.setBold(True)
        painter.setFont(mono)
        painter.drawText(QRectF(0, y, width, unit * 1.6), Qt.AlignmentFlag.AlignCenter, self.issued.code)
        y += unit * 2
        small = QFont(self.font())
        small.setPixelSize(int(unit * 0.55))
        painter.setFont(small)
        painter.drawText(
            QRectF(unit, y, width - 2 * unit, unit * 4),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
            self.expiry.text(),
        )
        painter.end()
