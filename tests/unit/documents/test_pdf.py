"""PDF output: A4, the bundled CJK font embedded, page numbers, the signature kept whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

from desktop.config import ClinicSettings
from desktop.core.types import NoteStatement, Patient, SoapNote
from desktop.documents.render import SIGNATURE_LINE, render_document
from desktop.services.pdf import write_pdf
from tests.unit.documents.fixtures import TODAY


def _run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def test_a4_with_embedded_cjk_font_and_page_numbers(
    tmp_path: Path, note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    clinic.logo = str(Path(__file__).resolve().parents[3] / "assets" / "icons" / "consult-scribe.png")
    doc = render_document("sick_leave", note, patient, clinic, language="bilingual", today=TODAY)
    pdf = write_pdf(doc, tmp_path / "cert.pdf")
    info = _run("pdfinfo", str(pdf))
    assert "(A4)" in info
    fonts = _run("pdffonts", str(pdf))
    assert "DroidSansFallback" in fonts
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert "陳大文" in text and "醫生證明書" in text and "Medical Certificate" in text  # no ligature glyphs
    assert "Page 1 of 1" in text
    assert "image" in _run("pdfimages", "-list", str(pdf))  # the letterhead logo
    assert not list(tmp_path.glob("*.part"))


def test_signature_block_is_never_split(tmp_path: Path, patient: Patient, clinic: ClinicSettings) -> None:
    multi_page = 0
    for count in range(14, 40, 2):
        note = SoapNote(
            chief_complaint="Review",
            plan=[
                NoteStatement(f"Plan item {i}: continue the current treatment and review.")
                for i in range(count)
            ],
        )
        doc = render_document("soap_note", note, patient, clinic, today=TODAY)
        pdf = write_pdf(doc, tmp_path / f"note{count}.pdf")
        pages = int(
            next(
                line for line in _run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")
            ).split()[1]
        )
        texts = [_run("pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-") for p in range(1, pages + 1)]
        line_page = next(i for i, t in enumerate(texts) if SIGNATURE_LINE in t)
        assert "M12345" in texts[line_page] and "Dr Wong Ka Ming" in texts[line_page], count
        assert f"Page {pages} of {pages}" in texts[-1]
        multi_page += pages > 1
    assert multi_page >= 3  # the break point was crossed
