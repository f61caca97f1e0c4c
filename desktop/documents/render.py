"""Fill a template with data and render it: HTML (preview and PDF), plain text, DOCX.

Structured values (names, dates, MRN, registration number, medication lines) come from
the patient header, the clinic settings, the note and what the user typed; the language
model's prose arrives already checked in ``prose``. Nothing here calls the model and
nothing here imports Qt: the PDF writer (``desktop.services.pdf.write_pdf``) draws the
HTML produced here.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.files import atomic_write
from desktop.core.types import Patient, SoapNote
from desktop.documents import extract
from desktop.documents.templates import LANGUAGES, FieldSpec, Template, load_template

Value = str | list[str] | None

# The families the PDF and the preview ask for, in order; the bundled CJK font comes last
# so Latin text uses the system's sans-serif and Chinese falls through to the bundled font.
FONT_FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",
    "Arial",
    "Helvetica",
    "Liberation Sans",
    "Droid Sans Fallback",
)
CJK_FONT_FILE = "DroidSansFallbackFull.ttf"
CJK_FONT_FAMILY = "Droid Sans Fallback"
SIGNATURE_LINE = "_" * 31  # the line to sign on; the PDF writer keeps the block below it on one page

_NOT_GIVEN = {"en": "(not stated)", "zh": "（未有提供）"}
_TO_COMPLETE = {"en": "[to be completed: {label}]", "zh": "［待填寫：{label}］"}
_SEX = {"m": ("Male", "男"), "male": ("Male", "男"), "f": ("Female", "女"), "female": ("Female", "女")}
_PLACEHOLDER_NOTICE = {
    "en": "Patient details were not supplied; the patient header shows placeholders.",
    "zh": "未有提供病人資料；病人資料為暫代內容。",
}
_UNSIGNED_NOTICE = {
    "en": "Draft: the signing doctor's name or registration number is not set.",
    "zh": "草稿：未設定簽署醫生姓名或註冊編號。",
}
_DRAFT_NOTICE = {
    "en": "DRAFT: made from a note that is not signed. Not valid until the doctor signs the note.",
    "zh": "草稿：根據未簽署的紀錄製作。醫生簽署紀錄前無效。",
}
DRAFT_MARK = "DRAFT 草稿"
_SIGNATURE = {"en": "Signature", "zh": "簽署"}
_PAGE = {"en": "Page {n} of {total}", "zh": "第 {n} 頁，共 {total} 頁"}


def cjk_font_path() -> Path:
    return paths.assets_dir() / "fonts" / CJK_FONT_FILE


class MissingValuesError(UserFacingError):
    """Values a document needs are missing; raised before anything is generated."""

    def __init__(
        self, kind: str, missing: list[FieldSpec], *, by_kind: dict[str, list[FieldSpec]] | None = None
    ) -> None:
        self.kind = kind
        self.missing = missing
        self.by_kind = by_kind or {kind: missing}
        needed: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for k, fields in self.by_kind.items():
            for f in fields:
                needed.setdefault(f.name, []).append(k.replace("_", " "))
                labels[f.name] = f.label_for("en")
        parts = []
        for name, kinds in needed.items():
            where = f" for the {', '.join(kinds)}" if 1 < len(self.by_kind) != len(kinds) else ""
            parts.append(f"{name} ({labels[name]}){where}")
        hints: list[str] = []
        for f in missing:
            if f.name == "doctor.name":
                hints.append("--doctor NAME (or clinic.doctor_name in the settings)")
            elif f.name == "doctor.registration_no":
                hints.append("--registration NO (or clinic.registration_no)")
            elif f.source == "patient":
                hints.append("fill in patient.json")
            else:
                hints.append(f"--value {f.name}=…")
        super().__init__(
            (
                f"The {kind.replace('_', ' ')} cannot be written yet"
                if len(self.by_kind) == 1
                else f"{len(self.by_kind)} documents cannot be written yet"
            )
            + "; missing: "
            + "; ".join(parts)
            + ".",
            "Supply them before generating: " + "; ".join(dict.fromkeys(hints)) + ".",
        )

    @classmethod
    def combine(cls, errors: list[MissingValuesError]) -> MissingValuesError:
        by_kind = {k: v for e in errors for k, v in e.by_kind.items()}
        return cls(", ".join(by_kind), [f for e in errors for f in e.missing], by_kind=by_kind)


@dataclass
class RenderedBlock:
    type: str  # title, fields, paragraph, section, signature, notice
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    style: str = ""


@dataclass
class Letterhead:
    name: str
    name_zh: str
    address: str
    phone: str
    logo: str


@dataclass
class RenderedDocument:
    kind: str
    title: str
    language: str
    script: str
    letterhead: Letterhead
    blocks: list[RenderedBlock]
    footer: str
    page_label: str  # "Page {n} of {total}" in the document's language
    values: dict[str, Value]
    warnings: list[str]
    html: str = ""
    text: str = ""
    draft: bool = False  # made from an unsigned note: every page says so

    @property
    def languages(self) -> list[str]:
        return _languages(self.language)


def _languages(language: str) -> list[str]:
    if language not in LANGUAGES:
        raise UserFacingError(f"Unknown document language '{language}'.", "Choose en, zh or bilingual.")
    return ["en", "zh"] if language == "bilingual" else [language]


class _Script:
    """Converts template and model Chinese to the clinic's script; data values are never converted."""

    def __init__(self, script: str) -> None:
        self.script = script
        self._converter: Any = None

    def template(self, text: str) -> str:
        # Template Chinese is written in Hong Kong Traditional already.
        return text if self.script == "hk" else self.prose(text)

    def prose(self, text: str) -> str:
        if self._converter is None:
            from desktop.asr.script import ScriptConverter

            self._converter = ScriptConverter(self.script)
        return str(self._converter.convert(text))


def _standard_value(spec: FieldSpec, patient: Patient, clinic: ClinicSettings, today: date) -> Value:
    if spec.source == "patient":
        if spec.key == "display_name":
            return patient.display_name() or None
        if spec.key == "age":
            age = patient.computed_age(today)
            return str(age) if age is not None else None
        return str(getattr(patient, spec.key, "") or "") or None
    if spec.source == "clinic":
        return str(getattr(clinic, spec.key, "") or "") or None
    if spec.source == "doctor":
        attr = "doctor_name" if spec.key == "name" else "registration_no"
        return str(getattr(clinic, attr, "") or "") or None
    return None


def _default(spec: FieldSpec, note: SoapNote, today: date) -> Value:
    default = spec.default
    if not default:
        return None
    if default == "today":
        return today.isoformat()
    if default.startswith("today+"):
        return (today + timedelta(days=int(default[6:]))).isoformat()
    if default.startswith("note:"):
        return extract.extract(default[5:], note, today)
    return default


# Hong Kong writes the day first (04/12/2026 is 4 December); Chinese documents write 2026年12月4日.
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_CHINESE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def parse_date(value: str) -> date:
    """A date as clinics here write it: 2026-12-04, 4/12/2026 (day first), 04.12.2026 or 2026年12月4日."""
    text = value.strip()
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _CHINESE_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def _check_date(spec: FieldSpec, value: str) -> str:
    try:
        return parse_date(value).isoformat()
    except ValueError as exc:
        raise UserFacingError(
            f"'{value}' is not a date for {spec.name} ({spec.label_for('en')}).",
            "Write the date as DD/MM/YYYY (day first) or YYYY-MM-DD.",
        ) from exc


def _check_order(template: Template, resolved: dict[str, Value]) -> None:
    for name, spec in template.fields.items():
        first = resolved.get(spec.not_before) if spec.not_before else None
        value = resolved.get(name)
        if isinstance(first, str) and isinstance(value, str) and first and value and value < first:
            earlier = template.fields[spec.not_before]
            raise UserFacingError(
                f"{spec.label_for('en')} ({parse_date(value).strftime('%d/%m/%Y')}) is before"
                f" {earlier.label_for('en').lower()} ({parse_date(first).strftime('%d/%m/%Y')}).",
                "Correct one of the two dates.",
            )


def resolve_values(
    template: Template,
    note: SoapNote,
    patient: Patient,
    clinic: ClinicSettings,
    values: dict[str, Any] | None = None,
    *,
    today: date | None = None,
) -> tuple[dict[str, Value], list[FieldSpec]]:
    """Every field's data value (prose fields excluded) and the required ones still missing."""
    today = today or date.today()
    supplied = {k: v for k, v in (values or {}).items() if v not in (None, "", [])}
    unknown = sorted(set(supplied) - set(template.fields))
    if unknown:
        raise UserFacingError(
            f"The {template.kind.replace('_', ' ')} has no field(s) {', '.join(unknown)}.",
            "See `consult-scribe letters --list` for the fields of each kind.",
        )
    resolved: dict[str, Value] = {}
    missing: list[FieldSpec] = []
    for name, spec in template.fields.items():
        value: Value
        if spec.source == "llm":
            value = supplied.get(name)
            resolved[name] = [str(v) for v in value] if isinstance(value, list) else value
            continue
        if name in supplied:
            raw = supplied[name]
            value = [str(v) for v in raw] if isinstance(raw, list) else str(raw)
        elif spec.source in ("patient", "clinic", "doctor"):
            value = _standard_value(spec, patient, clinic, today)
        elif spec.source == "note":
            value = extract.extract(spec.key, note, today)
        else:
            value = None
        if value in (None, "", []):
            value = _default(spec, note, today)
        if isinstance(value, str) and spec.type == "date" and value:
            value = _check_date(spec, value)
        if isinstance(value, str) and spec.type == "lines":
            value = [line.strip() for line in value.splitlines() if line.strip()]
        resolved[name] = value
        if spec.required and value in (None, "", []):
            missing.append(spec)
    _check_order(template, resolved)
    return resolved, missing


def missing_values(
    kind_or_template: str | Template,
    note: SoapNote,
    patient: Patient,
    clinic: ClinicSettings,
    values: dict[str, Any] | None = None,
    *,
    today: date | None = None,
) -> list[FieldSpec]:
    template = (
        kind_or_template
        if isinstance(kind_or_template, Template)
        else load_template(kind_or_template, clinic.templates_dir)
    )
    return resolve_values(template, note, patient, clinic, values, today=today)[1]


def _as_text(value: Value, lang: str) -> str:
    if value is None or value == "" or value == []:
        return _NOT_GIVEN[lang]
    if isinstance(value, list):
        return "; ".join(value)
    return value


def _sex(value: Value, lang: str) -> Value:
    if isinstance(value, str) and value.strip().lower() in _SEX:
        en, zh = _SEX[value.strip().lower()]
        return en if lang == "en" else zh
    return value


class _Filler:
    def __init__(
        self,
        template: Template,
        resolved: dict[str, Value],
        prose: dict[str, Any],
        languages: list[str],
        script: _Script,
        note: SoapNote,
        today: date,
    ) -> None:
        self.t = template
        self.values = resolved
        self.prose = prose
        self.languages = languages
        self.script = script
        self.note = note
        self.today = today
        self.used_fallback: list[str] = []

    def label(self, name: str) -> str:
        spec = self.t.fields[name]
        return " / ".join(self.script.template(spec.label_for(lang)) for lang in self.languages)

    def text(self, texts: dict[str, str], lang: str) -> str:
        return self.script.template(texts.get(lang) or texts.get("en", ""))

    def value(self, name: str, lang: str) -> Value:
        spec = self.t.fields[name]
        if spec.source == "llm":
            return self.prose_value(spec, lang)
        value = self.values.get(name)
        if spec.name == "patient.sex":
            value = _sex(value, lang)
        if value in (None, "", []) and spec.required:
            return _TO_COMPLETE[lang].format(label=self.script.template(spec.label_for(lang)))
        return value

    def prose_value(self, spec: FieldSpec, lang: str, *, fallback: bool = True) -> Value:
        user = self.values.get(spec.name)
        if user not in (None, "", []):
            return user
        given = self.prose.get(spec.name)
        if isinstance(given, dict):
            given = given.get(lang) or (given.get("en") if lang == "en" else None)
        if isinstance(given, str) and given.strip():
            return self.script.prose(given.strip()) if lang == "zh" else given.strip()
        if spec.fallback and fallback:
            self.used_fallback.append(spec.name)
            return extract.extract(spec.fallback, self.note, self.today)
        return None

    def substitute(self, text: str, lang: str) -> str:
        from desktop.documents.templates import PLACEHOLDER

        return PLACEHOLDER.sub(lambda m: _as_text(self.value(m.group(1), lang), lang), text)

    def block(self, block: Any) -> RenderedBlock | None:
        langs = self.languages
        heading = " / ".join(self.substitute(self.text(block.heading, lang), lang) for lang in langs)
        if not block.heading:
            heading = ""
        if block.type == "title":
            # Bilingual titles stand on two lines, English above Chinese.
            title = "\n".join(self.script.template(self.t.title_for(lang)) for lang in langs)
            return RenderedBlock("title", heading=title, style=block.style)
        if block.type == "fields":
            rows = []
            for name in block.rows:
                value = self.value(name, langs[0])
                if self.t.fields[name].name == "patient.sex" and len(langs) == 2:
                    raw = self.values.get(name)
                    value = f"{_as_text(_sex(raw, 'en'), 'en')} {_sex(raw, 'zh') or ''}".strip()
                # An optional value the data does not have stays blank on a form, to fill in by hand.
                shown = "" if value in (None, "", []) else _as_text(value, langs[0])
                rows.append((self.label(name), shown))
            return RenderedBlock("fields", heading=heading, rows=rows, style=block.style)
        if block.type in ("paragraph", "notice"):
            paras = [self.substitute(self.text(block.text, lang), lang) for lang in langs]
            return RenderedBlock(block.type, heading=heading, paragraphs=paras, style=block.style)
        if block.type == "section":
            spec = self.t.fields[block.field]
            if not heading:
                heading = self.label(block.field)
            out = RenderedBlock("section", heading=heading, style=block.style)
            seen: list[Value] = []
            per_lang = [(lang, self.value(block.field, lang)) for lang in langs]
            if spec.source == "llm":
                # Prose in the languages the model managed; the note's text only when it wrote none.
                written = [(lang, self.prose_value(spec, lang, fallback=False)) for lang in langs]
                written = [(lang, v) for lang, v in written if v not in (None, "", [])]
                per_lang = written or [(langs[0], self.prose_value(spec, langs[0]))]
            for lang, value in per_lang:
                if value in seen or value in (None, "", []):  # data values are the same in both languages
                    continue
                seen.append(value)
                if isinstance(value, list):
                    out.items.extend(value)
                else:
                    out.paragraphs.append(_as_text(value, lang))
            if not out.items and not out.paragraphs:
                if not spec.required:
                    return None  # an optional section with nothing in it is left out
                out.paragraphs.append(_as_text(None, langs[0]))
            return out
        if block.type == "signature":
            rows = [
                (self.label("doctor.name"), _as_text(self.value("doctor.name", langs[0]), langs[0])),
                (
                    self.label("doctor.registration_no"),
                    _as_text(self.value("doctor.registration_no", langs[0]), langs[0]),
                ),
                (self.label("date"), _as_text(self.value("date", langs[0]), langs[0])),
            ]
            sig = " / ".join(
                _SIGNATURE[lang] if lang == "en" else self.script.template(_SIGNATURE[lang]) for lang in langs
            )
            return RenderedBlock("signature", heading=sig, rows=rows, style=block.style)
        return None


def render_document(
    kind: str,
    note: SoapNote,
    patient: Patient,
    clinic: ClinicSettings,
    *,
    language: str = "en",
    values: dict[str, Any] | None = None,
    prose: dict[str, Any] | None = None,
    script: str = "hk",
    strict: bool = False,
    today: date | None = None,
    template: Template | None = None,
    draft: bool = False,
) -> RenderedDocument:
    """Fill and render one document.

    ``values`` holds what the user typed (field name -> text); ``prose`` the checked model
    prose (field name -> text, or -> {"en": …, "zh": …}). With ``strict`` a missing required
    value raises :class:`MissingValuesError`; otherwise the document shows a visible
    "to be completed" mark there (drafts written by the headless pipeline). A ``draft``
    (made from a note that is not signed) says so at the top and in every page's footer.
    """
    today = today or date.today()
    template = template or load_template(kind, clinic.templates_dir)
    languages = _languages(language)
    resolved, missing = resolve_values(template, note, patient, clinic, values, today=today)
    if strict and missing:
        raise MissingValuesError(template.kind, missing)
    conv = _Script(script)
    filler = _Filler(template, resolved, prose or {}, languages, conv, note, today)
    blocks: list[RenderedBlock] = []
    warnings: list[str] = [f"missing: {f.name}" for f in missing]
    notices: list[RenderedBlock] = []
    if patient.placeholder:
        notices.append(
            RenderedBlock(
                "notice", paragraphs=[conv.template(_PLACEHOLDER_NOTICE[lang]) for lang in languages]
            )
        )
        warnings.append("patient header is a placeholder")
    if not resolved.get("doctor.name") or not resolved.get("doctor.registration_no"):
        notices.append(
            RenderedBlock("notice", paragraphs=[conv.template(_UNSIGNED_NOTICE[lang]) for lang in languages])
        )
    for block in template.layout:
        rendered = filler.block(block)
        if rendered is not None:
            blocks.append(rendered)
    if notices:
        title_at = next((i for i, b in enumerate(blocks) if b.type == "title"), -1)
        blocks[title_at + 1 : title_at + 1] = notices
    if draft:
        blocks.insert(
            0,
            RenderedBlock(
                "draft",
                heading=DRAFT_MARK,
                paragraphs=[conv.template(_DRAFT_NOTICE[lang]) for lang in languages],
            ),
        )
        warnings.append("draft: the note is not signed")
    copied = [
        v for name, v in resolved.items() if template.fields[name].source == "note" and isinstance(v, list)
    ]
    flags = extract.unsupported_in(
        note, [line for lines in copied if isinstance(lines, list) for line in lines]
    )
    warnings += [f"not in transcript: {flag}" for flag in dict.fromkeys(flags)]
    warnings += [f"prose from the note for: {name}" for name in dict.fromkeys(filler.used_fallback)]
    title = " ".join(conv.template(template.title_for(lang)) for lang in languages)
    letterhead = Letterhead(
        name=clinic.name, name_zh=clinic.name_zh, address=clinic.address, phone=clinic.phone, logo=clinic.logo
    )
    footer_parts = [clinic.name, f"{_as_text(resolved.get('patient.name'), 'en')}"]
    if resolved.get("patient.mrn"):
        footer_parts.append(f"MRN {resolved['patient.mrn']}")
    page_label = " ".join(
        _PAGE[lang] if lang == "en" else conv.template(_PAGE[lang]) for lang in languages[:1]
    )
    doc = RenderedDocument(
        kind=template.kind,
        title=title,
        language=language,
        script=script,
        letterhead=letterhead,
        blocks=blocks,
        footer=" · ".join(p for p in [DRAFT_MARK if draft else "", *footer_parts] if p),
        page_label=page_label,
        values=resolved,
        warnings=warnings,
        draft=draft,
    )
    doc.html = to_html(doc)
    doc.text = to_text(doc)
    return doc


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body { font-family: %(fonts)s; font-size: 10.5pt; color: #111; }
h1 { font-size: 15pt; font-weight: bold; text-align: center; margin-top: 10px; margin-bottom: 8px; }
h2 { font-size: 11pt; font-weight: bold; margin-top: 10px; margin-bottom: 3px; color: #1f3a5f; }
p { margin-top: 2px; margin-bottom: 5px; }
td { padding: 3px; vertical-align: top; }
td.label { font-weight: bold; color: #333; background-color: #eef2f7; }
.clinic { font-size: 16pt; font-weight: bold; color: #1f3a5f; }
.clinicsub { font-size: 9pt; color: #444; }
.notice { color: #8a4b00; font-size: 9.5pt; }
.draftmark { color: #c62828; font-size: 26pt; font-weight: bold; text-align: center; margin: 0; }
.draft { color: #c62828; font-size: 10pt; font-weight: bold; text-align: center; }
.small { font-size: 9pt; color: #444; }
"""


def _e(text: str) -> str:
    return htmlmod.escape(text, quote=True)


def _letterhead_html(lh: Letterhead) -> str:
    lines = [f'<div class="clinic">{_e(lh.name)}</div>']
    if lh.name_zh:
        lines.append(f'<div class="clinic">{_e(lh.name_zh)}</div>')
    contact = " · ".join(x for x in (lh.address, f"Tel {lh.phone}" if lh.phone else "") if x)
    if contact:
        lines.append(f'<div class="clinicsub">{_e(contact)}</div>')
    text_cell = "".join(lines)
    logo = Path(lh.logo).expanduser() if lh.logo else None
    if logo and logo.is_file():
        return (
            '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="80"><img src="{_e(logo.resolve().as_uri())}" height="60"></td>'
            f"<td>{text_cell}</td></tr></table><hr>"
        )
    return f"{text_cell}<hr>"


def _rows_html(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><td class="label" width="36%">{_e(label)}</td><td>{_e(value) or "&nbsp;"}</td></tr>'
        for label, value in rows
    )
    table = '<table width="100%" border="0.5" cellspacing="0" cellpadding="4" style="border-color:#b8c4d4">'
    return f'{table}{cells}</table><p style="font-size:4pt">&nbsp;</p>'


def to_html(doc: RenderedDocument) -> str:
    parts: list[str] = [_letterhead_html(doc.letterhead)]
    for block in doc.blocks:
        if block.type == "title":
            parts.append(f"<h1>{'<br>'.join(_e(line) for line in block.heading.splitlines())}</h1>")
        elif block.type == "notice":
            parts.extend(f'<p class="notice">⚠ {_e(p)}</p>' for p in block.paragraphs)
        elif block.type == "draft":
            parts.append(
                '<table width="100%" cellspacing="0" cellpadding="6" style="border: 3px solid #c62828; '
                f'margin-bottom: 8px"><tr><td><p class="draftmark">{_e(block.heading)}</p>'
                + "".join(f'<p class="draft">{_e(p)}</p>' for p in block.paragraphs)
                + "</td></tr></table>"
            )
        elif block.type == "fields":
            if block.heading:
                parts.append(f"<h2>{_e(block.heading)}</h2>")
            parts.append(_rows_html(block.rows))
        elif block.type == "paragraph":
            if block.heading:
                parts.append(f"<h2>{_e(block.heading)}</h2>")
            cls = ' class="small"' if block.style == "small" else ""
            parts.extend(f"<p{cls}>{_e(p)}</p>" for p in block.paragraphs)
        elif block.type == "section":
            parts.append(f"<h2>{_e(block.heading)}</h2>")
            parts.extend(f"<p>{_e(p)}</p>" for p in block.paragraphs)
            if block.items:
                parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
        elif block.type == "signature":
            # One table row holds the whole block, so the page layout keeps it on one page.
            rows = "".join(
                f'<tr><td style="padding-right:12px"><b>{_e(k)}:</b></td><td>{_e(v)}</td></tr>'
                for k, v in block.rows
            )
            parts.append(
                '<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:24px"><tr><td>'
                f'<p style="margin-top:28px">{SIGNATURE_LINE}</p>'
                f'<p class="small">{_e(block.heading)}</p>'
                f'<table cellspacing="0" cellpadding="1">{rows}</table>'
                "</td></tr></table>"
            )
    fonts = ", ".join(f"'{f}'" for f in FONT_FAMILIES) + ", sans-serif"
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{_e(doc.title)}</title><style>{_CSS % {'fonts': fonts}}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


# --- plain text -------------------------------------------------------------------------


def to_text(doc: RenderedDocument) -> str:
    lh = doc.letterhead
    out: list[str] = [lh.name]
    if lh.name_zh:
        out.append(lh.name_zh)
    contact = " · ".join(x for x in (lh.address, f"Tel {lh.phone}" if lh.phone else "") if x)
    if contact:
        out.append(contact)
    out.append("")
    for block in doc.blocks:
        if block.type == "title":
            out += [*(block.heading.upper() if doc.language == "en" else block.heading).splitlines(), ""]
        elif block.type == "notice":
            out += [f"! {p}" for p in block.paragraphs] + [""]
        elif block.type == "draft":
            out += [f"*** {block.heading} ***", *block.paragraphs, ""]
        elif block.type == "fields":
            if block.heading:
                out.append(block.heading)
            width = max((len(k) for k, _ in block.rows), default=0)
            out += [f"{k.ljust(width)}  {v}" for k, v in block.rows] + [""]
        elif block.type in ("paragraph", "section"):
            if block.heading:
                out.append(block.heading)
            out += block.paragraphs
            out += [f"  - {item}" for item in block.items]
            out.append("")
        elif block.type == "signature":
            out += ["", "_______________________________", block.heading]
            out += [f"{k}: {v}" for k, v in block.rows]
    return "\n".join(out).rstrip() + "\n"


def write_text(doc: RenderedDocument, path: Path) -> Path:
    atomic_write(path, doc.text.encode("utf-8"))
    return path


def write_html(doc: RenderedDocument, path: Path) -> Path:
    atomic_write(path, doc.html.encode("utf-8"))
    return path
