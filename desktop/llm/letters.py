"""The prose parts of letters and forms, written by the local language model.

The model writes only the fields a template marks ``source = "llm"`` (the reason for a
referral, a history summary, plain-language advice). Everything else — names, dates, MRN,
registration number, medication lines — is data and never passes through the model. The
answer is constrained by a JSON schema (one string per field and language, each with a
length limit), so it always parses; it is grounded in the note (the only text the model
sees), and every sentence goes through the fact guard against the transcript: a sentence
with a number, dose or drug name the consultation never mentioned is dropped and reported.
A field left empty falls back to the matching part of the note.

``generate_document`` runs the whole job: check the required values first (nothing is
generated when one is missing), write the prose, render.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from desktop.config import ClinicSettings
from desktop.core.errors import Cancelled
from desktop.core.types import NOTE_SECTIONS, SUGGESTED_SECTIONS, Patient, SoapNote, Transcript
from desktop.documents.render import MissingValuesError, RenderedDocument, render_document, resolve_values
from desktop.documents.templates import FieldSpec, Template, load_template
from desktop.llm.written import written_chinese

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
DEFAULT_MAX_TOKENS = 384
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LANGUAGE_NAMES = {"en": "English", "zh": "Traditional Chinese as written in Hong Kong"}
_SECTION_TITLES = {
    "subjective": "Subjective",
    "medications": "Medications and allergies",
    "objective": "Objective",
    "assessment": "Assessment (suggested)",
    "plan": "Plan (suggested)",
    "patient_instructions": "Instructions to the patient",
}


class ChatRuntime(Protocol):
    def chat(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.1,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> str: ...


@dataclass
class ProseResult:
    prose: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> language -> text
    warnings: list[str] = field(default_factory=list)
    raw: str = ""
    seconds: float = 0.0
    output_chars: int = 0


@dataclass
class GeneratedDocument:
    document: RenderedDocument
    prose: ProseResult
    seconds: float


def document_language(template: Template, requested: str | None, consultation_language: str = "") -> str:
    """The language to write in: the request, else the template's default.

    ``consultation`` (patient instructions) follows the consultation: Cantonese or Mandarin
    gives Traditional Chinese, anything else English.
    """
    if requested:
        return requested
    if template.default_language == "consultation":
        return "zh" if consultation_language in ("yue", "zh") else "en"
    return template.default_language


def _key(name: str, lang: str, languages: list[str]) -> str:
    return f"{name}_{lang}" if len(languages) > 1 else name


def prose_budget(
    fields: list[FieldSpec], languages: list[str], max_tokens: int
) -> dict[tuple[str, str], int]:
    """Character limit for each (field, language) so the JSON closes within ``max_tokens``.

    English runs about 3.5 characters a token; Chinese about one character for two tokens
    in small models' vocabularies. A fifth of the budget is kept for the JSON around the text.
    """
    if not fields:
        return {}
    usable = max_tokens * 0.8
    share = usable / (len(fields) * len(languages))
    limits: dict[tuple[str, str], int] = {}
    for spec in fields:
        for lang in languages:
            chars_per_token = 3.5 if lang == "en" else 0.5
            limits[(spec.name, lang)] = max(20, min(spec.max_chars, int(share * chars_per_token)))
    return limits


def prose_schema(
    fields: list[FieldSpec], languages: list[str], limits: dict[tuple[str, str], int]
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in fields:
        for lang in languages:
            properties[_key(spec.name, lang, languages)] = {
                "type": "string",
                "minLength": 1,
                "maxLength": limits[(spec.name, lang)],
            }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def accepted_statements(note: SoapNote) -> SoapNote:
    """The note without the suggestions no doctor has accepted: what a document may state as fact
    (a sick-leave certificate from an unsigned draft must not take a suggested diagnosis)."""
    out = SoapNote(chief_complaint=note.chief_complaint)
    for name in NOTE_SECTIONS:
        items = note.section(name)
        setattr(out, name, [st for st in items if st.accepted] if name in SUGGESTED_SECTIONS else list(items))
    return out


def note_text(note: SoapNote) -> str:
    """The note as the model (and the fact guard, when there is no transcript) reads it."""
    lines = [f"Chief complaint: {note.chief_complaint or '-'}"]
    for name in NOTE_SECTIONS:
        items = note.section(name)
        if items:
            lines.append(f"{_SECTION_TITLES[name]}:")
            lines.extend(f"- {st.labelled()}" for st in items)
    return "\n".join(lines)


def build_messages(
    template: Template,
    note: SoapNote,
    fields: list[FieldSpec],
    languages: list[str],
    limits: dict[tuple[str, str], int],
) -> list[dict[str, str]]:
    wanted = []
    for spec in fields:
        for lang in languages:
            key = _key(spec.name, lang, languages)
            wanted.append(
                f'- "{key}": {spec.instruction} Write it in {_LANGUAGE_NAMES[lang]}, '
                f"at most {limits[(spec.name, lang)]} characters."
            )
    # The system prompt and the note come first and are the same for every document of one
    # consultation, so llama.cpp reuses their evaluated prefix from one document to the next.
    system = (
        "You are a doctor's assistant writing parts of letters and forms after a consultation. "
        "Use only facts stated in the consultation note. Never add a number, dose, drug, test result, "
        "name or date that the note does not contain. Do not write greetings or signatures. "
        "Answer with one JSON object."
    )
    user = (
        "Consultation note:\n"
        + note_text(note)
        + f"\n\nDocument: {template.title_for('en')}.\nWrite these parts:\n"
        + "\n".join(wanted)
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _unusable(text: str, lang: str) -> str:
    """Why a field's text cannot be used at all (the wrong language)."""
    cjk = len(_CJK.findall(text))
    letters = sum(ch.isalpha() for ch in text) or 1
    if lang == "zh" and cjk == 0:
        return "the model did not write Chinese"
    if lang == "en" and cjk / letters > 0.2:
        return "the model did not write English"
    return ""


def _echoes(sentence: str, instruction: str) -> bool:
    """A sentence that restates the writing instruction rather than the patient's case."""
    ratio = difflib.SequenceMatcher(None, sentence.lower(), instruction.lower()).ratio()
    return ratio > 0.5 or any(
        phrase in sentence.lower() for phrase in ("from the note", "in plain words", "at most", "characters")
    )


def _guard(
    text: str,
    check: Callable[[str], list[str]],
    spec: FieldSpec,
    lang: str,
    warnings: list[str],
) -> str:
    field_name = spec.name
    kept: list[str] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        if _echoes(sentence, spec.instruction):
            warnings.append(f"{field_name} ({lang}): dropped a sentence that repeats the instruction")
            continue
        flagged = check(sentence)
        if flagged:
            warnings.append(
                f"{field_name} ({lang}): dropped a sentence: {', '.join(flagged)} not in the consultation"
            )
            continue
        kept.append(sentence)
    joiner = "" if lang == "zh" else " "
    return joiner.join(kept).strip()


def write_prose(
    runtime: ChatRuntime,
    template: Template,
    note: SoapNote,
    *,
    languages: list[str],
    transcript_text: str = "",
    vocabulary: Iterable[str] = (),
    skip: Iterable[str] = (),
    max_tokens: int = DEFAULT_MAX_TOKENS,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
) -> ProseResult:
    """Ask the model for the template's prose fields and return only what passes the guard."""
    from desktop.documents.factguard import FactGuard

    skipped = set(skip)
    fields = [f for f in template.prose_fields() if f.name not in skipped]
    result = ProseResult()
    if not fields:
        return result
    limits = prose_budget(fields, languages, max_tokens)
    schema = prose_schema(fields, languages, limits)
    messages = build_messages(template, note, fields, languages, limits)
    started = time.perf_counter()
    raw = runtime.chat(messages, schema=schema, max_tokens=max_tokens, cancel=cancel, on_token=on_token)
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    result.seconds = time.perf_counter() - started
    result.raw = raw
    result.output_chars = len(raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        result.warnings.append("the model's answer was cut off; the note's own text is used instead")
        log.warning("letter prose for %s did not parse (%d chars)", template.kind, len(raw))
        return result
    if not isinstance(data, dict):
        result.warnings.append("the model's answer was not an object; the note's own text is used instead")
        return result
    grounding = transcript_text.strip() or note_text(note)
    guard = FactGuard.for_transcript(grounding, vocabulary)
    for spec in fields:
        for lang in languages:
            value = data.get(_key(spec.name, lang, languages))
            if not isinstance(value, str) or not value.strip():
                continue
            if lang == "zh":
                value = written_chinese(value)  # a letter is written Chinese, not spoken Cantonese
            problem = _unusable(value, lang)
            if problem:
                result.warnings.append(f"{spec.name} ({lang}): {problem}; the note's own text is used")
                continue
            kept = _guard(value, guard.check, spec, lang, result.warnings)
            if kept:
                result.prose.setdefault(spec.name, {})[lang] = kept
    return result


def generate_document(
    kind: str,
    note: SoapNote,
    patient: Patient,
    clinic: ClinicSettings,
    *,
    runtime: ChatRuntime | None,
    transcript: Transcript | None = None,
    language: str | None = None,
    values: dict[str, Any] | None = None,
    script: str = "hk",
    vocabulary: Iterable[str] = (),
    max_tokens: int = DEFAULT_MAX_TOKENS,
    cancel: threading.Event | None = None,
    progress: ProgressFn | None = None,
    today: date | None = None,
    template: Template | None = None,
    draft: bool = False,
) -> GeneratedDocument:
    """Check the values, write the prose (when a runtime is given) and render one document.

    A ``draft`` comes from a note that is not signed: it is marked DRAFT on every page and takes
    nothing from suggestions the doctor has not accepted (no suggested diagnosis on a certificate).
    Raises :class:`MissingValuesError` before the model runs when a required value is missing.
    """
    started = time.perf_counter()
    if draft:
        note = accepted_statements(note)
    template = template or load_template(kind, clinic.templates_dir)
    lang = document_language(template, language, transcript.language if transcript else "")
    languages = ["en", "zh"] if lang == "bilingual" else [lang]
    resolved, missing = resolve_values(template, note, patient, clinic, values, today=today)
    if missing:
        raise MissingValuesError(template.kind, missing)
    if progress:
        progress(f"{template.kind}: writing", 0.1)
    prose = ProseResult()
    if runtime is not None:
        supplied = [name for name, value in resolved.items() if value not in (None, "", [])]
        prose = write_prose(
            runtime,
            template,
            note,
            languages=languages,
            transcript_text=transcript.text() if transcript else "",
            vocabulary=vocabulary,
            skip=supplied,
            max_tokens=max_tokens,
            cancel=cancel,
        )
    if progress:
        progress(f"{template.kind}: rendering", 0.9)
    document = render_document(
        template.kind,
        note,
        patient,
        clinic,
        language=lang,
        values=values,
        prose=dict(prose.prose),
        script=script,
        strict=True,
        today=today,
        template=template,
        draft=draft,
    )
    document.warnings.extend(prose.warnings)
    if progress:
        progress(f"{template.kind}: done", 1.0)
    return GeneratedDocument(document=document, prose=prose, seconds=time.perf_counter() - started)
