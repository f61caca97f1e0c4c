"""`consult-scribe process`: the main job end to end, and every bad input it must refuse cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from desktop.cli import main
from desktop.core.note_schema import note_file_schema, transcript_file_schema
from desktop.core.types import NoteStatement, SoapNote, Transcript
from desktop.documents.factguard import FactGuard

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "assets" / "samples"))
from make_samples import synthesise  # noqa: E402

SCRIPT = """D|Good morning. What brings you in today?
P|I have had a cough and a fever for three days.
P|I take metformin five hundred milligrams twice a day.
D|Examination. Temperature thirty eight point two. Chest has crackles on the right.
D|I will prescribe doxycycline one hundred milligrams twice a day for seven days.
"""


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("process")
    script = work / "consultation.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    audio = work / "consultation.flac"
    synthesise(script, audio)
    patient = work / "patient.json"
    patient.write_text(
        json.dumps(
            {
                "name": "CHAN Tai Man",
                "name_zh": "陳大文",
                "sex": "M",
                "date_of_birth": "1968-03-14",
                "mrn": "HK-7654321",
                "chief_complaint": "Cough and fever",
            }
        ),
        encoding="utf-8",
    )
    out = work / "out"
    os.environ["CONSULT_SCRIBE_HOME"] = str(work / "home")  # the log folder lives here
    try:
        code = main(
            [
                "process",
                str(audio),
                "--out",
                str(out),
                "--patient",
                str(patient),
                "--doctor",
                "Dr Wong Siu Ming",
                "--registration",
                "M12345",
                "--llm-model",
                "smollm2-135m-instruct",  # the tiny model: this test is about the job, not the prose
                "--quiet",
            ]
        )
    finally:
        del os.environ["CONSULT_SCRIBE_HOME"]
    assert code == 0
    return out


@pytest.mark.slow
def test_outputs_exist_and_validate(processed: Path) -> None:
    names = {p.name for p in processed.iterdir()}
    assert {"transcript.json", "transcript.txt", "note.json", "note.md", "referral.pdf"} <= names
    transcript = json.loads((processed / "transcript.json").read_text(encoding="utf-8"))
    jsonschema.validate(transcript, transcript_file_schema())
    assert transcript["language"] == "en"
    speakers = [s["speaker"] for s in transcript["segments"]]
    assert {"doctor", "patient"} <= set(speakers)  # two synthetic voices, labelled per utterance
    assert all(0.0 <= s["speaker_confidence"] <= 1.0 for s in transcript["segments"])
    note = json.loads((processed / "note.json").read_text(encoding="utf-8"))
    jsonschema.validate(note, note_file_schema())
    ids = {s["id"] for s in transcript["segments"]}
    for section in ("subjective", "objective", "assessment", "plan", "patient_instructions"):
        for st in note[section]:
            assert set(st["evidence"]) <= ids


@pytest.mark.slow
def test_logs_hold_no_clinical_text(processed: Path) -> None:
    logs = list((processed.parent / "home" / "logs").rglob("*"))
    assert logs, "the run wrote no log"
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs if p.is_file()).lower()
    assert "transcribed" in text  # the log has content: sizes and durations
    for word in ("metformin", "doxycycline", "crackles", "cough", "chan tai man", "陳大文", "hk-7654321"):
        assert word not in text, word


@pytest.mark.slow
def test_vocabulary_terms_are_spelled_right(processed: Path) -> None:
    text = (processed / "transcript.txt").read_text(encoding="utf-8").lower()
    assert "metformin" in text
    assert "doxycycline" in text


@pytest.mark.slow
def test_injected_dose_is_flagged(processed: Path) -> None:
    transcript = Transcript.from_dict(json.loads((processed / "transcript.json").read_text(encoding="utf-8")))
    note = SoapNote.from_dict(json.loads((processed / "note.json").read_text(encoding="utf-8")))
    heard = transcript.text().lower()
    assert "100" in heard or "one hundred" in heard  # the dose that was said
    note.plan.append(NoteStatement("Doxycycline 200 mg twice a day."))
    FactGuard.for_transcript(transcript.text()).guard_note(note)
    # The injected dose is flagged; the drug is flagged only where recognition misspelt it.
    expected = ["200 mg"] + ([] if "doxycycline" in heard else ["doxycycline"])
    assert note.plan[-1].unsupported == expected


@pytest.mark.slow
def test_note_json_carries_the_checks_and_check_rereads_an_edit(
    processed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    note = json.loads((processed / "note.json").read_text(encoding="utf-8"))
    assert set(note["checks"]) == {"facts", "omissions", "contradictions"}
    assert note["checks"]["facts"] >= 3  # metformin, its dose, the temperature, doxycycline ...
    assert "## Checks against the transcript" in (processed / "note.md").read_text(encoding="utf-8")
    edited = tmp_path / "edited"
    shutil.copytree(processed, edited)
    note["plan"].append({"text": "Metformin 850 mg three times a day.", "evidence": [], "unsupported": []})
    (edited / "note.json").write_text(json.dumps(note), encoding="utf-8")
    assert main(["check", "--from", str(edited)]) == 1
    out = capsys.readouterr().out
    assert "CONTRADICTIONS" in out and "metformin 850 mg" in out.lower()


@pytest.mark.slow
def test_referral_pdf_has_the_patient_in_both_scripts(processed: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(processed / "referral.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "CHAN Tai Man" in text
    assert "陳大文" in text
    assert "HK-7654321" in text and "M12345" in text


# --- bad inputs: a clear message, a non-zero exit, and nothing left behind -------------------------


def _run_bad(args: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main([*args, "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]
    return err


def test_empty_audio_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audio = tmp_path / "empty.wav"
    audio.write_bytes(b"")
    assert "is empty" in _run_bad(["process", str(audio)], tmp_path / "out", capsys)


def test_random_bytes_named_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audio = tmp_path / "noise.wav"
    audio.write_bytes(os.urandom(50_000))
    assert "could not be read as audio" in _run_bad(["process", str(audio)], tmp_path / "out", capsys)


def test_transcript_without_turns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "t.txt"
    text.write_text("just some notes\nwithout any labels\n", encoding="utf-8")
    assert "no turns" in _run_bad(["process", str(text)], tmp_path / "out", capsys)


def test_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "does not exist" in _run_bad(["process", str(tmp_path / "nope.wav")], tmp_path / "out", capsys)


def _clinic_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    models = tmp_path / "models"
    monkeypatch.setenv("CONSULT_SCRIBE_MODELS", str(models))
    gguf = tmp_path / "clinic.gguf"
    gguf.write_bytes(b"GGUF" + b"\x00" * 4096)
    assert main(["models", "add", str(gguf), "--name", "clinic-llm"]) == 0
    transcript = tmp_path / "t.txt"
    transcript.write_text("D|How are you?\nP|I have a cough.\n", encoding="utf-8")
    return transcript


def test_missing_model_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = _clinic_model(tmp_path, monkeypatch)
    (tmp_path / "models" / "clinic-llm" / "clinic.gguf").unlink()
    capsys.readouterr()
    err = _run_bad(["process", str(transcript), "--llm-model", "clinic-llm"], tmp_path / "out", capsys)
    assert "clinic-llm" in err and "models add" in err


def test_model_hash_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = _clinic_model(tmp_path, monkeypatch)
    model = tmp_path / "models" / "clinic-llm" / "clinic.gguf"
    data = bytearray(model.read_bytes())
    data[100] ^= 0x01
    model.write_bytes(bytes(data))
    capsys.readouterr()
    err = _run_bad(["process", str(transcript), "--llm-model", "clinic-llm"], tmp_path / "out", capsys)
    assert "clinic-llm" in err and "damaged" in err and "SHA-256" in err


def test_unknown_model_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "t.txt"
    text.write_text("D|Hello.\nP|Hi.\n", encoding="utf-8")
    err = _run_bad(["process", str(text), "--llm-model", "gpt-17"], tmp_path / "out", capsys)
    assert "gpt-17" in err and "not in the model manifest" in err
