"""The SOAP note as a FHIR document Bundle, validated and code-checked."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from desktop.config import ClinicSettings
from desktop.core.types import Patient, SoapNote
from desktop.documents.fhir import FhirError, check_codes, note_bundle, validate_bundle, write_fhir


def test_bundle_validates_and_holds_patient_author_date(
    tmp_path: Path, note: SoapNote, patient: Patient, clinic: ClinicSettings
) -> None:
    bundle = note_bundle(note, patient, clinic)
    assert check_codes(bundle) == []
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition" and composition["status"] == "preliminary"
    assert composition["type"]["coding"][0]["code"] == "11488-4"
    assert composition["date"] == bundle["timestamp"]
    resources = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    assert resources["Patient"]["identifier"][0]["value"] == "HV-004217"
    assert [n["text"] for n in resources["Patient"]["name"]] == ["Chan Tai Man", "陳大文"]
    assert resources["Patient"]["gender"] == "male" and resources["Patient"]["birthDate"] == "1960-03-04"
    assert resources["Practitioner"]["identifier"][0]["value"] == "M12345"
    assert "Suspected stable angina." in json.dumps(composition, ensure_ascii=False)
    path = write_fhir(bundle, tmp_path / "note.fhir.json")
    assert json.loads(path.read_text(encoding="utf-8")) == bundle


def test_invalid_codes_are_caught(note: SoapNote, patient: Patient, clinic: ClinicSettings) -> None:
    bundle = note_bundle(note, patient, clinic, status="final")
    bad = copy.deepcopy(bundle)
    bad["entry"][0]["resource"]["status"] = "signed"  # not in composition-status
    assert any("composition-status" in p for p in check_codes(bad))
    with pytest.raises(FhirError):
        validate_bundle(bad)
    bad = copy.deepcopy(bundle)
    bad["entry"][0]["resource"]["type"]["coding"][0]["code"] = "99999-9"
    assert any("document types" in p for p in check_codes(bad))
    bad = copy.deepcopy(bundle)
    bad["entry"][1]["resource"]["gender"] = "M"
    with pytest.raises(FhirError):  # fhir.resources rejects the unknown code itself
        validate_bundle(bad)
    bad = copy.deepcopy(bundle)
    bad["entry"][0]["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    assert any("does not resolve" in p for p in check_codes(bad))
    with pytest.raises(FhirError):
        note_bundle(note, patient, clinic, status="draft")


def test_placeholder_patient_has_no_identifier(note: SoapNote, clinic: ClinicSettings) -> None:
    bundle = note_bundle(note, Patient.placeholder_header(), clinic)
    patient = bundle["entry"][1]["resource"]
    assert "identifier" not in patient and patient["gender"] == "unknown"
