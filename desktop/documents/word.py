"""DOCX output with python-docx: letterhead in the page header, page numbers in the footer.

Word picks the font for Chinese characters from the East Asian slot of a run's fonts
(``w:eastAsia``), not from the Latin name, so both are set on every style used; without
it Chinese falls back to whatever Word guesses and may show as boxes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from desktop.core.files import replacing
from desktop.documents.render import DRAFT_MARK, RenderedBlock, RenderedDocument

log = logging.getLogger(__name__)

LATIN_FONT = "Arial"
# Fonts present on Windows and Office for Mac for each script.
EAST_ASIA_FONTS = {"hk": "Microsoft JhengHei", "tw": "Microsoft JhengHei", "cn": "Microsoft YaHei"}


def _set_fonts(style_or_run: Any, east_asia: str) -> None:
    from docx.oxml.ns import qn

    style_or_run.font.name = LATIN_FONT
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, sep, text, end):
        run._r.append(element)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def build_docx(doc: RenderedDocument) -> Any:
    from docx import Document

    word = Document()
    _page_setup(word, doc)
    _header_and_footer(word.sections[0], doc)
    for block in doc.blocks:
        _add_block(word, block)
    word.core_properties.title = doc.title
    word.core_properties.author = str(doc.values.get("doctor.name") or doc.letterhead.name)
    return word


def _page_setup(word: Any, doc: RenderedDocument) -> None:
    """A4 with the clinic's margins; fonts that show Chinese in the document's script."""
    from docx.shared import Mm, Pt, RGBColor

    east_asia = EAST_ASIA_FONTS.get(doc.script, EAST_ASIA_FONTS["hk"])
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "List Bullet", "Header", "Footer"):
        style = word.styles[name]
        _set_fonts(style, east_asia)
    word.styles["Normal"].font.size = Pt(10.5)
    for name, size in (("Heading 1", 15), ("Heading 2", 11)):
        word.styles[name].font.size = Pt(size)
        word.styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)


def _header_and_footer(section: Any, doc: RenderedDocument) -> None:
    """The letterhead (and the DRAFT mark of an unsigned note) on every page; page numbers below."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    lh = doc.letterhead
    header = section.header
    first = header.paragraphs[0]
    logo = Path(lh.logo).expanduser() if lh.logo else None
    if logo is not None and logo.is_file():
        try:
            first.add_run().add_picture(str(logo), height=Mm(14))
            first.add_run("  ")
        except Exception:  # an unreadable image: the letterhead is still usable without it
            log.warning("letterhead logo %s could not be placed in the DOCX", logo)
    run = first.add_run(lh.name)
    run.bold = True
    run.font.size = Pt(14)
    if lh.name_zh:
        run = first.add_run("  " + lh.name_zh)
        run.bold = True
        run.font.size = Pt(14)
    contact = " · ".join(x for x in (lh.address, f"Tel {lh.phone}" if lh.phone else "") if x)
    if contact:
        header.add_paragraph(contact).runs[0].font.size = Pt(9)
    if doc.draft:  # on every page, above the letterhead's rule
        stamp = header.add_paragraph().add_run(DRAFT_MARK)
        stamp.bold, stamp.font.size, stamp.font.color.rgb = True, Pt(14), RGBColor(0xC6, 0x28, 0x28)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(doc.footer + "    ").font.size = Pt(8)
    before, _, rest = doc.page_label.partition("{n}")
    middle, _, after = rest.partition("{total}")
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(middle)
    _field(footer, "NUMPAGES")
    footer.add_run(after)


def _add_block(word: Any, block: RenderedBlock) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    if block.type == "title":
        heading = word.add_heading(block.heading, level=1)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.type == "notice":
        for text in block.paragraphs:
            run = word.add_paragraph().add_run("⚠ " + text)
            run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)
    elif block.type == "draft":
        mark = word.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(block.heading)
        run.bold, run.font.size, run.font.color.rgb = True, Pt(26), RGBColor(0xC6, 0x28, 0x28)
        for text in block.paragraphs:
            para = word.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(text)
            run.bold, run.font.color.rgb = True, RGBColor(0xC6, 0x28, 0x28)
    elif block.type == "fields":
        if block.heading:
            word.add_heading(block.heading, level=2)
        table = word.add_table(rows=0, cols=2)
        table.style = word.styles["Table Grid"]
        for label_text, value in block.rows:
            cells = table.add_row().cells
            cells[0].text = label_text
            cells[0].paragraphs[0].runs[0].bold = True
            _shade(cells[0], "EEF2F7")
            cells[1].text = value
            cells[0].width, cells[1].width = Mm(55), Mm(115)
        word.add_paragraph()
    elif block.type in ("paragraph", "section"):
        if block.heading:
            word.add_heading(block.heading, level=2)
        for text in block.paragraphs:
            para = word.add_paragraph(text)
            if block.style == "small":
                para.runs[0].font.size = Pt(9)
        for item in block.items:
            word.add_paragraph(item, style="List Bullet")
    elif block.type == "signature":
        word.add_paragraph()
        word.add_paragraph("_______________________________")
        word.add_paragraph(block.heading).runs[0].font.size = Pt(9)
        for key, value in block.rows:
            para = word.add_paragraph()
            para.add_run(f"{key}: ").bold = True
            para.add_run(value)
            para.paragraph_format.space_after = Pt(0)


def write_docx(doc: RenderedDocument, path: Path) -> Path:
    path = Path(path)
    with replacing(path) as tmp:
        build_docx(doc).save(str(tmp))
    return path
