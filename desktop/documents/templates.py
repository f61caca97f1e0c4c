"""Letter and form templates as data.

Each document kind is one TOML file in ``assets/templates/letters/`` declaring its fields
(where each value comes from, whether it is required, its default) and its layout (a list
of blocks). A clinic copies a file into its own templates folder
(``clinic.templates_dir``) and edits it; its copy overrides the shipped one. Templates are
checked completely when loaded: an unknown key, an unknown source or a layout that refers
to a field the template does not declare is rejected with a message naming the file.

Value sources:

- ``patient``: the patient header (``key`` = name, name_zh, sex, date_of_birth, age, mrn)
- ``clinic``: the clinic policy (name, name_zh, address, phone)
- ``doctor``: the signing doctor (name, registration_no)
- ``note``: taken from the SOAP note by a named extractor (``key``; see ``extract.py``)
- ``llm``: prose the language model writes, grounded in the note (``instruction``);
  ``fallback`` names a note extractor used when no prose was generated
- ``user``: typed in before generating; ``default`` may be ``today``, ``today+N``,
  ``note:EXTRACTOR`` or literal text

Every template also has the standard fields (patient header, clinic, doctor, ``date``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.core.errors import UserFacingError

# The twelve documents, in the order the app lists them.
KINDS: tuple[str, ...] = (
    "referral",
    "reply",
    "prescription",
    "sick_leave",
    "pre_approval",
    "fitness_to_work",
    "patient_instructions",
    "insurance_claim",
    "follow_up",
    "medical_report",
    "lab_request",
    "imaging_request",
)
NOTE_KIND = "soap_note"  # the consultation note itself, exported like a document
SOURCES: tuple[str, ...] = ("patient", "clinic", "doctor", "note", "llm", "user")
FIELD_TYPES: tuple[str, ...] = ("text", "date", "lines")
BLOCK_TYPES: tuple[str, ...] = ("title", "fields", "paragraph", "section", "signature", "notice")
LANGUAGES: tuple[str, ...] = ("en", "zh", "bilingual")

PATIENT_KEYS = ("name", "name_zh", "display_name", "sex", "date_of_birth", "age", "mrn")
CLINIC_KEYS = ("name", "name_zh", "address", "phone")
DOCTOR_KEYS = ("name", "registration_no")

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
DEFAULT_SPEC = re.compile(r"^(today(\+\d+)?|note:[a-z_]+)$")

_FIELD_KEYS = {
    "source",
    "label",
    "required",
    "type",
    "default",
    "key",
    "instruction",
    "max_chars",
    "fallback",
    "help",
    "not_before",
}
_BLOCK_KEYS = {"type", "text", "heading", "field", "rows", "style"}
_TOP_KEYS = {"kind", "version", "title", "description", "default_language", "fields", "layout"}


class TemplateError(UserFacingError):
    """A template file cannot be used (syntax, unknown key, unknown field)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    source: str
    label: dict[str, str]
    required: bool = False
    type: str = "text"
    default: str = ""
    key: str = ""
    instruction: str = ""
    max_chars: int = 400
    fallback: str = ""
    help: str = ""
    not_before: str = ""  # a date field this date may not precede (a leave ends after it starts)

    def label_for(self, language: str) -> str:
        return self.label.get(language) or self.label.get("en") or self.name


@dataclass(frozen=True)
class Block:
    type: str
    text: dict[str, str] = field(default_factory=dict)
    heading: dict[str, str] = field(default_factory=dict)
    field: str = ""
    rows: tuple[str, ...] = ()
    style: str = ""


@dataclass(frozen=True)
class Template:
    kind: str
    title: dict[str, str]
    description: str
    default_language: str
    fields: dict[str, FieldSpec]
    layout: tuple[Block, ...]
    path: Path
    overridden: bool = False

    def prose_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if f.source == "llm"]

    def user_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if f.source == "user"]

    def title_for(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.kind


def _std(name: str, source: str, key: str, en: str, zh: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name=name, source=source, key=key, label={"en": en, "zh": zh}, **kw)


# Fields every template has; a template may redeclare one to change its label or default.
STANDARD_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        _std("patient.name", "patient", "display_name", "Patient", "病人姓名", required=True),
        _std("patient.name_en", "patient", "name", "Name", "英文姓名"),
        _std("patient.name_zh", "patient", "name_zh", "Chinese name", "中文姓名"),
        _std("patient.sex", "patient", "sex", "Sex", "性別"),
        _std("patient.date_of_birth", "patient", "date_of_birth", "Date of birth", "出生日期", type="date"),
        _std("patient.age", "patient", "age", "Age", "年齡"),
        _std("patient.mrn", "patient", "mrn", "MRN", "病歷編號", required=True),
        _std("clinic.name", "clinic", "name", "Clinic", "診所"),
        _std("clinic.name_zh", "clinic", "name_zh", "Clinic (Chinese)", "診所名稱"),
        _std("clinic.address", "clinic", "address", "Address", "地址"),
        _std("clinic.phone", "clinic", "phone", "Phone", "電話"),
        _std("doctor.name", "doctor", "name", "Doctor", "醫生", required=True),
        _std(
            "doctor.registration_no",
            "doctor",
            "registration_no",
            "Registration No.",
            "註冊編號",
            required=True,
        ),
        _std("date", "user", "", "Date", "日期", type="date", default="today", required=True),
    )
}


def shipped_templates_dir() -> Path:
    return paths.assets_dir() / "templates" / "letters"


def _fail(path: Path, problem: str) -> TemplateError:
    return TemplateError(
        f"The letter template {path} cannot be used: {problem}.",
        "Fix the file (see docs/letters.md for the template format) or remove it to use the shipped one.",
    )


def _lang_map(value: Any, path: Path, where: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(path, f"{where} must be text or a table of en/zh texts")
    unknown = set(value) - {"en", "zh"}
    if unknown:
        raise _fail(path, f"{where} has unknown language(s) {', '.join(sorted(unknown))} (use en and zh)")
    return dict(value)


def _parse_field(name: str, data: Any, path: Path) -> FieldSpec:
    if not isinstance(data, dict):
        raise _fail(path, f"field '{name}' must be a table")
    unknown = set(data) - _FIELD_KEYS
    if unknown:
        raise _fail(path, f"field '{name}' has unknown key(s) {', '.join(sorted(unknown))}")
    source = data.get("source", "")
    if source not in SOURCES:
        raise _fail(path, f"field '{name}' has source '{source}'; expected one of {', '.join(SOURCES)}")
    ftype = data.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise _fail(path, f"field '{name}' has type '{ftype}'; expected one of {', '.join(FIELD_TYPES)}")
    key = str(data.get("key", ""))
    from desktop.documents.extract import EXTRACTORS

    allowed = {
        "patient": PATIENT_KEYS,
        "clinic": CLINIC_KEYS,
        "doctor": DOCTOR_KEYS,
        "note": tuple(EXTRACTORS),
    }
    if source in allowed and key not in allowed[source]:
        raise _fail(
            path,
            f"field '{name}' reads unknown {source} key '{key}'; "
            f"expected one of {', '.join(allowed[source])}",
        )
    default = str(data.get("default", ""))
    if default.startswith(("today", "note:")) and not DEFAULT_SPEC.match(default):
        raise _fail(path, f"field '{name}' has an unreadable default '{default}'")
    if default.startswith("note:") and default[5:] not in EXTRACTORS:
        raise _fail(path, f"field '{name}' defaults to unknown note extractor '{default[5:]}'")
    fallback = str(data.get("fallback", ""))
    if fallback and fallback not in EXTRACTORS:
        raise _fail(path, f"field '{name}' falls back to unknown note extractor '{fallback}'")
    if source == "llm" and not data.get("instruction"):
        raise _fail(path, f"field '{name}' is written by the model but has no 'instruction'")
    max_chars = data.get("max_chars", 400)
    if not isinstance(max_chars, int) or not 20 <= max_chars <= 2000:
        raise _fail(path, f"field '{name}' max_chars must be a whole number from 20 to 2000")
    return FieldSpec(
        name=name,
        source=source,
        label=_lang_map(data.get("label", name), path, f"field '{name}' label"),
        required=bool(data.get("required", False)),
        type=ftype,
        default=default,
        key=key,
        instruction=str(data.get("instruction", "")),
        max_chars=max_chars,
        fallback=fallback,
        help=str(data.get("help", "")),
        not_before=str(data.get("not_before", "")),
    )


def _parse_block(index: int, data: Any, fields: dict[str, FieldSpec], path: Path) -> Block:
    where = f"layout block {index + 1}"
    if not isinstance(data, dict):
        raise _fail(path, f"{where} must be a table")
    unknown = set(data) - _BLOCK_KEYS
    if unknown:
        raise _fail(path, f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    btype = data.get("type", "")
    if btype not in BLOCK_TYPES:
        raise _fail(path, f"{where} has type '{btype}'; expected one of {', '.join(BLOCK_TYPES)}")
    text = _lang_map(data.get("text", {}), path, f"{where} text")
    heading = _lang_map(data.get("heading", {}), path, f"{where} heading")
    rows = data.get("rows", [])
    if not isinstance(rows, list) or not all(isinstance(r, str) for r in rows):
        raise _fail(path, f"{where} rows must be a list of field names")
    referenced = list(rows)
    fname = str(data.get("field", ""))
    if fname:
        referenced.append(fname)
    for value in (*text.values(), *heading.values()):
        referenced.extend(PLACEHOLDER.findall(value))
    for name in referenced:
        if name not in fields:
            raise _fail(path, f"{where} refers to unknown field '{name}'")
    if btype == "section" and not fname:
        raise _fail(path, f"{where} is a section without a 'field'")
    if btype == "fields" and not rows:
        raise _fail(path, f"{where} lists no rows")
    if btype in ("paragraph", "notice") and not text:
        raise _fail(path, f"{where} has no text")
    return Block(
        type=btype,
        text=text,
        heading=heading,
        field=fname,
        rows=tuple(rows),
        style=str(data.get("style", "")),
    )


def parse_template(path: Path, *, overridden: bool = False) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _fail(path, "the file does not exist") from exc
    except UnicodeDecodeError as exc:
        raise _fail(path, "it is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"it is not valid TOML ({exc})") from exc
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))}")
    kind = data.get("kind", "")
    if kind != path.stem:
        raise _fail(path, f"its kind '{kind}' does not match the file name '{path.stem}'")
    default_language = data.get("default_language", "en")
    if default_language not in (*LANGUAGES, "consultation"):
        raise _fail(
            path, f"default_language '{default_language}' is not one of en, zh, bilingual, consultation"
        )
    raw_fields = data.get("fields", {})
    if not isinstance(raw_fields, dict):
        raise _fail(path, "'fields' must be a table")
    fields = dict(STANDARD_FIELDS)
    for name, spec in raw_fields.items():
        fields[name] = _parse_field(name, spec, path)
    for name, spec in fields.items():
        other = fields.get(spec.not_before) if spec.not_before else None
        if spec.not_before and (other is None or other.type != "date" or spec.type != "date"):
            raise _fail(
                path, f"field '{name}' may not precede '{spec.not_before}', which is not a date field"
            )
    raw_layout = data.get("layout", [])
    if not isinstance(raw_layout, list) or not raw_layout:
        raise _fail(path, "it has no [[layout]] blocks")
    layout = tuple(_parse_block(i, b, fields, path) for i, b in enumerate(raw_layout))
    return Template(
        kind=kind,
        title=_lang_map(data.get("title", kind), path, "title"),
        description=str(data.get("description", "")),
        default_language=default_language,
        fields=fields,
        layout=layout,
        path=path,
        overridden=overridden,
    )


def template_path(kind: str, templates_dir: str | Path | None = None) -> tuple[Path, bool]:
    if templates_dir:
        candidate = Path(templates_dir).expanduser() / f"{kind}.toml"
        if candidate.is_file():
            return candidate, True
    return shipped_templates_dir() / f"{kind}.toml", False


def load_template(kind: str, templates_dir: str | Path | None = None) -> Template:
    if kind not in KINDS and kind != NOTE_KIND:
        raise UserFacingError(
            f"Unknown document kind '{kind}'.", f"Choose one of: {', '.join(KINDS)} (or 'all')."
        )
    path, overridden = template_path(kind, templates_dir)
    return parse_template(path, overridden=overridden)


def load_all(templates_dir: str | Path | None = None) -> dict[str, Template]:
    """Load and check every kind (the app calls this at start so a broken clinic template shows at once)."""
    return {kind: load_template(kind, templates_dir) for kind in KINDS}
