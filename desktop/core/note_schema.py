"""JSON schemas of the SOAP note: what the model must produce, and the saved ``note.json``."""

from __future__ import annotations

from typing import Any

from desktop.core.types import NOTE_SECTIONS

SECTION_LIMITS = {
    "subjective": 8,
    "objective": 8,
    "assessment": 4,
    "plan": 6,
    "patient_instructions": 5,
}


def statement_schema(max_statement_chars: int = 240) -> dict[str, Any]:
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
    section: str, max_statement_chars: int = 240, max_items: int | None = None
) -> dict[str, Any]:
    """Schema the language model is constrained to when it answers for one section.

    Bounded lengths keep every answer finite; ids are shaped like the transcript's.
    """
    if section == "chief_complaint":
        return {
            "type": "object",
            "properties": {"chief_complaint": {"type": "string", "minLength": 1, "maxLength": 100}},
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
                "items": statement_schema(max_statement_chars),
                # At least one statement: small models otherwise take the shortest path, "[]".
                # A section with nothing to say gets a statement saying so.
                "minItems": 1,
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
        },
        "required": ["text", "evidence", "unsupported"],
    }
    props: dict[str, Any] = {"chief_complaint": {"type": "string"}}
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
