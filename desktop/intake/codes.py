"""What reception hands the patient: the intake address with its one-time code, as a QR code."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from desktop.config import IntakeSettings


def public_base_url(settings: IntakeSettings) -> str:
    """The service's address as patients' phones reach it (``intake.public_url``, else host and port)."""
    return settings.public_url or f"https://{settings.host}:{settings.port}"


def intake_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/c/{quote(code)}"


def qr_svg(url: str, scale: int = 6) -> str:
    """An SVG QR code for ``url``, drawn here (segno, no network)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=scale, title="Intake code"))


def save_qr(url: str, path: Path, scale: int = 8) -> None:
    """Write the QR code as SVG or PNG (by the file's extension)."""
    import segno

    segno.make(url, error="m").save(str(path), scale=scale, border=4)


def qr_terminal(url: str) -> str:
    """The QR code as text for a terminal (two rows a line)."""
    import io

    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()
