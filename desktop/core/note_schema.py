"""JSON schemas of the SOAP note: what the model must produce, and the saved ``note.json``."""

from __future__ import annotations

from typing import Any

from desktop.core.types import MED_STATUSES, NOTE_SECTIONS

SECTION_LIMITS = {
    "subjective": 8,
    "medications": 8,
    "objective": 8,
    "assessment": 4,
    "plan": 6,
    "patient_instructions": 5,
}


def statement_schema(max_statement_chars: int = 240, with_status: bool = False) -> dict[str, Any]:
    schema = _statement_schema(max_statement_chars)
    if with_status:
        # The medications part: what the patient takes, what was started, changed or stopped, allergies.
        schema["properties"] = {
            "status": {"type": "string", "enum": list(MED_STATUSES)},
            **schema["properties"],
        }
        schema["required"] = ["status", *schema["required"]]
    return schema


def _statement_schema(max_statement_chars: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            # A sentence starts with a letter or a Chinese character (not a digit or a timestamp).
            "text": {
                "type": "string",
                "pattern": f'^[A-Za-z\u4e00-\u9fff][^"\\\\\\n]{{3,{max_statement_chars}}}$',
            },
            "evidence": {
                "type": "array",
                "items": {"type": "string", "pattern": "^s[0-9]{1,4}$"},
                "maxItems": 3,
            },
        },
        "required": ["text", "evidence"],
        "additionalProperties": False,
    }


def section_schema(
    section: str, max_statement_chars: int = 240, max_items: int | None = None, min_items: int = 1
) -> dict[str, Any]:
    """Schema the language model is constrained to when it answers for one section.

    Bounded lengths keep every answer finite; ids are shaped like the transcript's.
    """
    if section == "chief_complaint":
        return {
            "type": "object",
            # A retry (shorter statements) asks for a shorter complaint too, so it closes in budget.
            "properties": {
                "chief_complaint": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100 if max_statement_chars >= 240 else 30,
                }
            },
            "required": ["chief_complaint"],
            "additionalProperties": False,
        }
    if section not in NOTE_SECTIONS:
        raise KeyError(section)
    return {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": statement_schema(max_statement_chars, with_status=section == "medications"),
                # At least one statement where transcript lines were sorted into the section:
                # small models otherwise take the shortest path, "[]". Where none were, an
                # empty answer is allowed, so nothing has to be made up to fill it.
                "minItems": min_items,
                "maxItems": max_items or SECTION_LIMITS[section],
            }
        },
        "required": ["items"],
        "additionalProperties": False,
    }


def note_file_schema() -> dict[str, Any]:
    """Schema of ``note.json`` as written by ``consult-scribe process``."""
    statement = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "evidence": {"type": "array", "items": {"type": "string"}},
            "unsupported": {"type": "array", "items": {"type": "string"}},
            "accepted": {"type": "boolean"},
            "status": {"type": "string", "enum": list(MED_STATUSES)},
            "source": {"type": "string", "enum": ["quote", "typed"]},
        },
        "required": ["text", "evidence", "unsupported"],
    }
    props: dict[str, Any] = {
        "chief_complaint": {"type": "string"},
        "chief_complaint_source": {"type": "string", "enum": ["typed", "draft"]},
        "quoted_sections": {"type": "array", "items": {"type": "string", "enum": list(NOTE_SECTIONS)}},
        "notice": {"type": "string"},
        "signed": {"type": "boolean"},
    }
    for name in NOTE_SECTIONS:
        props[name] = {"type": "array", "items": statement}
    return {"type": "object", "properties": props, "required": ["chief_complaint", *NOTE_SECTIONS]}


def transcript_file_schema() -> dict[str, Any]:
    segment = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "start": {"type": "number"},
            "end": {"type": "number"},
            "speaker": {"type": "string"},
            "language": {"type": "string"},
            "text": {"type": "string"},
        },
        "required": ["id", "start", "end", "speaker", "language", "text"],
    }
    return {
        "type": "object",
        "properties": {"language": {"type": "string"}, "segments": {"type": "array", "items": segment}},
        "required": ["language", "segments"],
    }
