"""The SOAP note as an HL7 FHIR document: a ``Bundle`` (type ``document``) holding a
``Composition`` with one section per part of the note, the ``Patient`` and the authoring
``Practitioner``.

The resources are built as plain JSON and validated with ``fhir.resources`` (its R4B
models: FHIR 4.3, the maintenance release of R4 whose Bundle, Composition, Patient and
Practitioner match R4). The codes the validator cannot check — the status, the document
type, the section codes and the gender — are checked here against their value sets.
"""

from __future__ import annotations

import contextlib
import html
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from desktop.config import ClinicSettings
from desktop.core.errors import UserFacingError
from desktop.core.types import NOTE_SECTIONS, Patient, SoapNote

LOINC = "http://loinc.org"
# http://hl7.org/fhir/R4/valueset-composition-status.html
COMPOSITION_STATUS = frozenset({"preliminary", "final", "amended", "entered-in-error"})
# http://hl7.org/fhir/R4/valueset-administrative-gender.html
ADMINISTRATIVE_GENDER = frozenset({"male", "female", "other", "unknown"})
# http://hl7.org/fhir/R4/valueset-bundle-type.html (the one used here)
BUNDLE_TYPES = frozenset({"document"})
# Document type (FHIR Document Type Codes, LOINC) used for the note.
DOCUMENT_TYPES = {"11488-4": "Consult note"}
SECTION_CODES = {
    "chief_complaint": ("10154-3", "Chief complaint Narrative - Reported"),
    "subjective": ("61150-9", "Subjective Narrative"),
    "medications": ("10160-0", "History of Medication use Narrative"),
    "objective": ("61149-1", "Objective Narrative"),
    "assessment": ("51848-0", "Evaluation note"),
    "plan": ("18776-5", "Plan of care note"),
    "patient_instructions": ("69730-0", "Instructions"),
}
SECTION_TITLES = {
    "chief_complaint": "Chief complaint",
    "subjective": "Subjective",
    "medications": "Medications and allergies",
    "objective": "Objective",
    "assessment": "Assessment (suggested)",
    "plan": "Plan (suggested)",
    "patient_instructions": "Instructions to the patient",
}
MRN_SYSTEM = "urn:consultscribe:mrn"
REGISTRATION_SYSTEM = "urn:consultscribe:medical-registration-no"


class FhirError(UserFacingError):
    """The note could not be expressed as a valid FHIR document."""


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _div(lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    body = f"<ul>{items}</ul>" if items else "<p>(nothing recorded)</p>"
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'


def _gender(sex: str) -> str:
    value = sex.strip().lower()
    return {"m": "male", "male": "male", "f": "female", "female": "female", "": "unknown"}.get(value, "other")


def _patient(patient: Patient) -> dict[str, Any]:
    names: list[dict[str, Any]] = []
    if patient.name:
        names.append({"use": "official", "text": patient.name})
    if patient.name_zh:
        names.append({"use": "usual", "text": patient.name_zh})
    resource: dict[str, Any] = {"resourceType": "Patient", "gender": _gender(patient.sex)}
    if names:
        resource["name"] = names
    if patient.mrn and not patient.placeholder:
        resource["identifier"] = [{"system": MRN_SYSTEM, "value": patient.mrn}]
    if patient.date_of_birth:
        with contextlib.suppress(ValueError):  # an unreadable date is left out, not guessed
            resource["birthDate"] = date.fromisoformat(patient.date_of_birth).isoformat()
    return resource


def _practitioner(clinic: ClinicSettings) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Practitioner"}
    if clinic.doctor_name:
        resource["name"] = [{"text": clinic.doctor_name}]
    if clinic.registration_no:
        resource["identifier"] = [{"system": REGISTRATION_SYSTEM, "value": clinic.registration_no}]
    return resource


def note_bundle(
    note: SoapNote,
    patient: Patient,
    clinic: ClinicSettings,
    *,
    status: str = "preliminary",
    when: datetime | None = None,
) -> dict[str, Any]:
    """The note as a FHIR document Bundle (a dict, validated and code-checked)."""
    when = when or datetime.now(UTC)
    stamp = when.isoformat(timespec="seconds")
    patient_url, author_url, composition_url = _urn(), _urn(), _urn()
    sections: list[dict[str, Any]] = []
    parts: list[tuple[str, list[str]]] = [
        ("chief_complaint", [note.chief_complaint] if note.chief_complaint else [])
    ]
    parts += [(name, [st.labelled() for st in note.section(name)]) for name in NOTE_SECTIONS]
    for name, lines in parts:
        code, display = SECTION_CODES[name]
        sections.append(
            {
                "title": SECTION_TITLES[name],
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "text": {"status": "generated", "div": _div(lines)},
            }
        )
    doc_code = "11488-4"
    composition = {
        "resourceType": "Composition",
        "status": status,
        "type": {"coding": [{"system": LOINC, "code": doc_code, "display": DOCUMENT_TYPES[doc_code]}]},
        "subject": {"reference": patient_url, "display": patient.display_name()},
        "date": stamp,
        "author": [{"reference": author_url, "display": clinic.doctor_name or clinic.name}],
        "title": "Consultation note",
        "custodian": {"display": clinic.name},
        "section": sections,
    }
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": _urn()},
        "type": "document",
        "timestamp": stamp,
        "entry": [
            {"fullUrl": composition_url, "resource": composition},
            {"fullUrl": patient_url, "resource": _patient(patient)},
            {"fullUrl": author_url, "resource": _practitioner(clinic)},
        ],
    }
    validate_bundle(bundle)
    return bundle


def check_codes(bundle: dict[str, Any]) -> list[str]:
    """Value-set checks the structural validator does not make; returns the problems."""
    problems: list[str] = []
    if bundle.get("type") not in BUNDLE_TYPES:
        problems.append(f"Bundle.type {bundle.get('type')!r} is not a document bundle")
    entries = bundle.get("entry") or []
    if not entries or entries[0].get("resource", {}).get("resourceType") != "Composition":
        problems.append("the first entry of a document Bundle must be its Composition")
        return problems
    composition = entries[0]["resource"]
    if composition.get("status") not in COMPOSITION_STATUS:
        problems.append(f"Composition.status {composition.get('status')!r} is not in composition-status")
    codings = composition.get("type", {}).get("coding", [])
    if not any(c.get("system") == LOINC and c.get("code") in DOCUMENT_TYPES for c in codings):
        problems.append("Composition.type is not one of the LOINC document types used for notes")
    known_sections = {code for code, _ in SECTION_CODES.values()}
    for section in composition.get("section", []):
        for coding in section.get("code", {}).get("coding", []):
            if coding.get("system") != LOINC or coding.get("code") not in known_sections:
                problems.append(f"section code {coding.get('code')!r} is not a known LOINC section code")
    for entry in entries[1:]:
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "Patient" and resource.get("gender") not in ADMINISTRATIVE_GENDER:
            problems.append(f"Patient.gender {resource.get('gender')!r} is not in administrative-gender")
    urls = {e.get("fullUrl") for e in entries}
    refs = [composition.get("subject", {}).get("reference")] + [
        a.get("reference") for a in composition["author"]
    ]
    problems += [f"reference {ref} does not resolve inside the Bundle" for ref in refs if ref not in urls]
    return problems


def validate_bundle(bundle: dict[str, Any]) -> None:
    """Structural validation with fhir.resources, then the value-set checks."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        Bundle.model_validate(bundle)
    except Exception as exc:  # pydantic's ValidationError lists every problem
        raise FhirError(
            "The note could not be written as a valid FHIR document.", f"Details: {str(exc)[:300]}"
        ) from exc
    problems = check_codes(bundle)
    if problems:
        raise FhirError("The FHIR document has invalid codes: " + "; ".join(problems) + ".")


def write_fhir(bundle: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
