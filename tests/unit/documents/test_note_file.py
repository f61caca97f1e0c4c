"""note.json carries each statement's acceptance and the note's signature, and every document made
outside the app from an unsigned note is a DRAFT that takes no suggestion no doctor accepted:
the headless referral of `process` and `consult-scribe letters` (PDF, DOCX, text, FHIR)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest

from desktop.config import Settings
from desktop.core.note_schema import note_file_schema
from desktop.core.types import SoapNote
from desktop.documents.note_file import note_file_data, read_note_file
from desktop.pipeline import write_referral
from tests.unit.documents.fixtures import make_clinic, make_note, make_patient, make_transcript

ANGINA = "stable angina"  # the fixture's assessment: a suggestion until a doctor accepts it


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return [page for page in text.stdout.split("\f") if page.strip()]


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("word/"))


def test_note_json_keeps_acceptance_and_signature_and_reads_old_files_as_drafts() -> None:
    note = make_note()
    note.assessment[0].accepted = True
    data = json.loads(json.dumps(note_file_data(note, signed=True, checks={"omissions": []})))
    jsonschema.validate(data, note_file_schema())
    assert data["signed"] is True and data["assessment"][0]["accepted"] is True
    assert data["plan"][0]["accepted"] is False and data["checks"] == {"omissions": []}
    again = read_note_file(data)
    assert again.signed and not again.draft
    assert [st.accepted for st in again.note.assessment] == [True]
    assert again.note.to_dict() == note.to_dict()
    # a note.json written before these keys existed: an unsigned draft, nothing accepted
    old = {k: v for k, v in data.items() if k not in ("signed", "checks")}
    for name in ("assessment", "plan"):
        old[name] = [{k: v for k, v in st.items() if k != "accepted"} for st in old[name]]
    read = read_note_file(old)
    assert read.draft and not any(st.accepted for st in read.note.assessment + read.note.plan)
    assert read_note_file({**data, "signed": "yes"}).draft  # only a JSON true signs


@pytest.mark.parametrize("signed", [False, True])
def test_the_headless_referral_of_a_draft_is_marked_and_takes_no_suggestion(
    tmp_path: Path, signed: bool
) -> None:
    settings = Settings()
    settings.clinic = make_clinic()
    pdf, txt = write_referral(
        make_note(), make_patient(), settings, tmp_path, make_transcript(), signed=signed
    )
    text = txt.read_text(encoding="utf-8")
    pages = _pdf_pages(pdf)
    assert ("DRAFT" in text) is not signed and ("草稿" in text) is not signed
    assert all("DRAFT" in page for page in pages) is not signed  # every page's footer
    assert (ANGINA in text.lower()) is signed  # a suggestion nobody accepted is not the referral's
    assert "BP 165/95" in text and "amlodipine 5 mg" in text  # what is fact is still there
    # the specialty comes from the plan: a draft's suggested plan does not choose it
    assert ("referring to cardiology" in text) is signed and ("to be completed" in text) is not signed


def _folder(tmp_path: Path, note: SoapNote, signed: bool | None) -> Path:
    folder = tmp_path / "consultation"
    folder.mkdir(exist_ok=True)
    data = note.to_dict() if signed is None else note_file_data(note, signed=signed)
    (folder / "note.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "transcript.json").write_text(json.dumps(make_transcript().to_dict()), encoding="utf-8")
    (folder / "patient.json").write_text(json.dumps(make_patient().to_dict()), encoding="utf-8")
    return folder


def _letters(folder: Path, out: Path) -> int:
    from desktop.cli import main

    return main(
        [
            "letters", "--from", str(folder), "--kind", "sick_leave,referral", "--out", str(out),
            "--no-llm", "--format", "pdf,docx,txt", "--note", "--doctor", "Dr Wong Ka Ming",
            "--registration", "M12345", "--value", "leave_from=2026-03-02", "--value", "leave_to=2026-03-04",
            "--value", "specialty=Cardiology",
        ]
    )  # fmt: skip


def test_letters_from_an_unsigned_note_are_drafts_and_from_a_signed_one_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(tmp_path / "no-policy.json"))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "no-user.json"))
    out = tmp_path / "out"
    # a note.json from before the flags existed: an unsigned draft
    assert _letters(_folder(tmp_path, make_note(), signed=None), out) == 0
    assert "not signed" in capsys.readouterr().err
    for kind in ("sick_leave", "referral", "soap_note"):
        text = (out / f"{kind}.txt").read_text(encoding="utf-8")
        assert "DRAFT" in text and ANGINA not in text.lower(), kind
        assert all("DRAFT" in page and ANGINA not in page.lower() for page in _pdf_pages(out / f"{kind}.pdf"))
        docx = _docx_text(out / f"{kind}.docx")
        assert "DRAFT" in docx and ANGINA not in docx.lower(), kind
    fhir = json.loads((out / "soap_note.fhir.json").read_text(encoding="utf-8"))
    composition = fhir["entry"][0]["resource"]
    assert composition["status"] == "preliminary" and ANGINA not in json.dumps(fhir).lower()
    # the certificate's diagnosis is not the suggested one: it falls back to the chief complaint
    assert "Chest tightness" in (out / "sick_leave.txt").read_text(encoding="utf-8")

    # an accepted suggestion in a draft may be stated; the documents stay drafts
    note = make_note()
    note.assessment[0].accepted = True
    assert _letters(_folder(tmp_path, note, signed=False), out) == 0
    text = (out / "sick_leave.txt").read_text(encoding="utf-8")
    assert "DRAFT" in text and "Suspected stable angina" in text
    assert capsys.readouterr().err.count("not signed") == 1  # said once, not per document

    # signed: no mark, a final FHIR composition, no notice
    assert _letters(_folder(tmp_path, note, signed=True), out) == 0
    assert "not signed" not in capsys.readouterr().err
    for kind in ("sick_leave", "referral", "soap_note"):
        assert "DRAFT" not in (out / f"{kind}.txt").read_text(encoding="utf-8"), kind
        assert not any("DRAFT" in page for page in _pdf_pages(out / f"{kind}.pdf"))
        assert "DRAFT" not in _docx_text(out / f"{kind}.docx")
    fhir = json.loads((out / "soap_note.fhir.json").read_text(encoding="utf-8"))
    assert fhir["entry"][0]["resource"]["status"] == "final"
