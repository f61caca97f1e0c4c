"""Render assets/icons/consult-scribe.svg to the PNG (Linux, macOS) and ICO (Windows) icons.

.venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"


def render_png(svg: Path, size: int) -> bytes:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


def ico_from_pngs(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose images are PNG streams (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries = b""
    body = b""
    for size, png in sorted(pngs.items()):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(body))
        body += png
    return header + entries + body


def main() -> int:
    svg = ICONS / "consult-scribe.svg"
    pngs = {size: render_png(svg, size) for size in (16, 32, 48, 256)}
    (ICONS / "consult-scribe.png").write_bytes(pngs[256])
    (ICONS / "consult-scribe.ico").write_bytes(ico_from_pngs(pngs))
    print(f"wrote {ICONS / 'consult-scribe.png'} and {ICONS / 'consult-scribe.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
