"""The twelve documents generated with the real small model, checked in the PDF and the DOCX.

The model writes once per session (a session fixture, modest ``max_tokens``); each test
then reads what was written. With the 135M default model the prose is weak, which is
expected: what is checked is that the structure is always valid, every kept sentence
passes the fact guard, and the data values are exactly right in every output.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from desktop.documents.factguard import FactGuard
from desktop.documents.note_file import note_file_data
from desktop.documents.templates import KINDS, load_template, shipped_templates_dir
from desktop.documents.word import write_docx
from desktop.llm.letters import GeneratedDocument, generate_document
from desktop.services.pdf import write_pdf
from tests.unit.documents.fixtures import (
    TODAY,
    USER_VALUES,
    make_clinic,
    make_note,
    make_patient,
    make_transcript,
)

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u4e00-\u9fff]")
DATA_VALUES = ("Chan Tai Man", "陳大文", "HV-004217", "2026-03-02", "M12345")
LANGUAGE = {"referral": "bilingual"}  # the rest use each template's own default


@dataclass
class Written:
    generated: GeneratedDocument
    pdf_text: str
    docx_text: str


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    section = document.sections[0]
    parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory, llm_model_path: Path) -> dict[str, Written]:
    from desktop.llm.runtime import LlamaRuntime

    out = tmp_path_factory.mktemp("letters")
    # One thread: llama.cpp threads spin while they wait, so on a shared CI machine more threads are slower.
    runtime = LlamaRuntime(llm_model_path, n_ctx=2048, n_gpu_layers=0, n_threads=1)
    note, patient, clinic, transcript = make_note(), make_patient(), make_clinic(), make_transcript()
    results: dict[str, Written] = {}
    timings = {}
    for kind in KINDS:
        started = time.perf_counter()
        generated = generate_document(
            kind,
            note,
            patient,
            clinic,
            runtime=runtime,
            transcript=transcript,
            language=LANGUAGE.get(kind),
            values=USER_VALUES.get(kind),
            vocabulary=["amlodipine"],
            max_tokens=64,
            today=TODAY,
        )
        write_pdf(generated.document, out / f"{kind}.pdf")
        write_docx(generated.document, out / f"{kind}.docx")
        timings[kind] = round(time.perf_counter() - started, 2)
        pdf_text = subprocess.run(
            ["pdftotext", "-layout", str(out / f"{kind}.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[kind] = Written(generated, " ".join(pdf_text.split()), _docx_text(out / f"{kind}.docx"))
    print("seconds per document (max_tokens=64):", json.dumps(timings))
    return results


@pytest.mark.parametrize("kind", KINDS)
def test_data_values_in_pdf_and_docx(written: dict[str, Written], kind: str) -> None:
    w = written[kind]
    for value in DATA_VALUES:
        assert value in w.pdf_text, (kind, "pdf", value)
        assert value in w.docx_text, (kind, "docx", value)
    assert "Page 1 of" in w.pdf_text or "第 1 頁" in w.pdf_text
    assert "Harbour View Clinic" in w.pdf_text  # letterhead


@pytest.mark.parametrize("kind", KINDS)
def test_model_output_is_valid_and_guarded(written: dict[str, Written], kind: str) -> None:
    result = written[kind].generated
    template = load_template(kind)
    if not template.prose_fields():
        assert result.prose.raw == ""  # nothing for the model to write: it is not asked
        return
    data = json.loads(result.prose.raw)  # the grammar makes the answer parse, cut short or not
    languages = result.document.languages
    expected = {
        f.name if len(languages) == 1 else f"{f.name}_{lang}"
        for f in template.prose_fields()
        for lang in languages
    }
    assert set(data) <= expected
    guard = FactGuard.for_transcript(make_transcript().text(), ["amlodipine"])
    for field_name, by_lang in result.prose.prose.items():
        assert template.fields[field_name].source == "llm"
        for text in by_lang.values():
            assert guard.check(text) == [], (kind, field_name, text)


def test_bilingual_documents_have_both_scripts(written: dict[str, Written]) -> None:
    bilingual = [k for k, w in written.items() if w.generated.document.language == "bilingual"]
    assert {"referral", "sick_leave", "prescription", "fitness_to_work", "follow_up"} <= set(bilingual)
    for kind in bilingual:
        text = written[kind].pdf_text
        title = load_template(kind).title
        compact = "".join(text.split())  # a long title may wrap onto two lines
        assert "".join(title["en"].split()) in compact and title["zh"] in compact, kind
        assert "Registration No." in text and "註冊編號" in text, kind
    english = written["medical_report"].pdf_text
    assert "註冊編號" not in english and "陳大文" in english


def _process_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "consultation"
    folder.mkdir()
    # A note the doctor has signed (an unsigned one gives DRAFT documents: test_note_file.py).
    data = note_file_data(make_note(), signed=True)
    (folder / "note.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "transcript.json").write_text(json.dumps(make_transcript().to_dict()), encoding="utf-8")
    return folder


def _cli(*args: str) -> int:
    from desktop.cli import main

    return main(list(args))


def test_cli_writes_pdf_and_docx_and_says_when_the_patient_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(tmp_path / "no-policy.json"))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "no-user.json"))
    folder = _process_folder(tmp_path)
    out = tmp_path / "out"
    # missing values are reported for every kind before anything is written or loaded
    code = _cli("letters", "--from", str(folder), "--kind", "all", "--out", str(out), "--no-llm")
    assert code == 1
    err = capsys.readouterr().err
    assert "doctor.name" in err and "referring_doctor" in err and "insurer" in err
    assert not out.exists() or not any(out.iterdir())
    code = _cli(
        "letters",
        "--from",
        str(folder),
        "--kind",
        "sick_leave,referral",
        "--out",
        str(out),
        "--no-llm",
        "--doctor",
        "Dr Wong Ka Ming",
        "--registration",
        "M12345",
        "--note",
        "-q",
    )
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "sick_leave.pdf",
            "sick_leave.docx",
            "referral.pdf",
            "referral.docx",
            "soap_note.pdf",
            "soap_note.docx",
            "soap_note.fhir.json",
        ]
    )
    placeholder = json.loads((folder / "patient.json").read_text(encoding="utf-8"))
    assert placeholder["placeholder"] is True
    text = subprocess.run(
        ["pdftotext", str(out / "referral.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Patient details were not supplied" in text and "M12345" in text
    # the clinic fills in the header: the documents use it
    placeholder.update(name="Chan Tai Man", name_zh="陳大文", mrn="HV-004217", sex="M")
    (folder / "patient.json").write_text(json.dumps(placeholder, ensure_ascii=False), encoding="utf-8")
    assert (
        _cli(
            "letters",
            "--from",
            str(folder),
            "--kind",
            "referral",
            "--out",
            str(out),
            "--no-llm",
            "--doctor",
            "Dr Wong",
            "--registration",
            "M12345",
            "--lang",
            "zh",
            "-q",
        )
        == 0
    )
    text = subprocess.run(
        ["pdftotext", str(out / "referral.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "陳大文" in text and "HV-004217" in text and "Patient details were not supplied" not in text


def test_cli_uses_the_clinic_template_and_rejects_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "clinic-templates"
    templates.mkdir()
    edited = (shipped_templates_dir() / "sick_leave.toml").read_text(encoding="utf-8")
    edited = edited.replace("is unfit for duty from", "is certified unfit for work and school from")
    (templates / "sick_leave.toml").write_text(edited, encoding="utf-8")
    policy = tmp_path / "policy.json"
    clinic = {"templates_dir": str(templates), "doctor_name": "Dr Wong Ka Ming", "registration_no": "M12345"}
    policy.write_text(json.dumps({"clinic": clinic}), encoding="utf-8")
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(policy))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "no-user.json"))
    folder = _process_folder(tmp_path)
    out = tmp_path / "out"
    assert (
        _cli(
            "letters",
            "--from",
            str(folder),
            "--kind",
            "sick_leave",
            "--out",
            str(out),
            "--no-llm",
            "--format",
            "txt",
            "-q",
        )
        == 0
    )
    assert "certified unfit for work and school" in (out / "sick_leave.txt").read_text(encoding="utf-8")
    assert _cli("letters", "--list") == 0
    listing = capsys.readouterr().out
    assert all(f"{kind}:" in listing for kind in KINDS) and "clinic template" in listing
    (templates / "sick_leave.toml").write_text(
        edited.replace("{leave_to}", "{leave_until}"), encoding="utf-8"
    )
    assert _cli("letters", "--list") == 1
    err = capsys.readouterr().err
    assert "unknown field 'leave_until'" in err and "sick_leave.toml" in err


def test_cli_bad_inputs_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(tmp_path / "no-policy.json"))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "no-user.json"))
    assert _cli("letters", "--from", str(tmp_path / "nowhere")) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli("letters", "--from", str(empty)) == 1
    assert "no note.json" in capsys.readouterr().err
    (empty / "note.json").write_text("{not json", encoding="utf-8")
    assert _cli("letters", "--from", str(empty)) == 1
    assert "not valid JSON" in capsys.readouterr().err
    folder = _process_folder(tmp_path)
    assert _cli("letters", "--from", str(folder), "--kind", "discharge") == 1
    assert "Unknown document kind" in capsys.readouterr().err
    assert _cli("letters", "--from", str(folder), "--kind", "referral", "--format", "rtf") == 2
    assert "rtf" in capsys.readouterr().err
    assert _cli("letters", "--from", str(folder), "--kind", "sick_leave", "--value", "leave_to") == 2
    assert "FIELD=TEXT" in capsys.readouterr().err
