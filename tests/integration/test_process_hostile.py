"""`process` against a hostile world: a reused folder, a folder it cannot write, a full disk, a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from desktop import pipeline
from desktop.storage import Store
from tests.integration.test_store_cli import cli
from tests.unit.storage.conftest import PASSWORDS, make_store

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "assets" / "samples"))
from make_samples import synthesise  # noqa: E402

TYPED = "D|Good morning, what brings you in?\nP|A sore throat for two days.\n"


def _typed(tmp_path: Path) -> Path:
    path = tmp_path / "visit.txt"
    path.write_text(TYPED, encoding="utf-8")
    return path


def test_a_folder_holding_another_consultation_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "patient.json").write_text('{"name": "CHAN Tai Man", "mrn": "HK-0012345"}', encoding="utf-8")
    result = cli(["process", str(_typed(tmp_path)), "--out", str(out), "--quiet"], "", tmp_path)
    assert result.returncode == 2
    assert "already holds files" in result.stderr and "--force" in result.stderr
    assert [p.name for p in out.iterdir()] == ["patient.json"]  # untouched


@pytest.mark.slow
def test_force_replaces_the_folder_whole(tmp_path: Path, llm_model_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "patient.json").write_text('{"name": "CHAN Tai Man", "mrn": "HK-0012345"}', encoding="utf-8")
    (out / "referral.pdf").write_bytes(b"%PDF old")
    args = ["process", str(_typed(tmp_path)), "--out", str(out), "--quiet", "--force"]
    result = cli([*args, "--llm-model", "smollm2-135m-instruct"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    assert "patient.json" not in names  # the earlier patient's header is gone with its folder
    assert {"transcript.json", "note.json", "referral.pdf"} <= names
    assert (out / "referral.pdf").read_bytes() != b"%PDF old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no leftovers


def test_a_folder_that_cannot_be_written_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "out"
    result = cli(["process", str(_typed(tmp_path)), "--out", str(out), "--quiet"], "", tmp_path)
    assert result.returncode == 2
    assert "cannot be written" in result.stderr
    assert "Traceback" not in result.stderr


def test_too_little_free_space_is_refused_up_front(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10 * 2**20, 9 * 2**20, 2**20))
    with pytest.raises(pipeline.UserFacingError) as caught:
        pipeline.prepare_output(tmp_path / "out", force=False, input_bytes=0)
    assert "has 1 MB free" in caught.value.message
    assert not [p for p in tmp_path.iterdir()]  # the working folder was removed again


@pytest.mark.slow
def test_sigkill_during_recognition_keeps_the_consultation_and_all_its_audio(
    tmp_path: Path, asr_model_path: Path
) -> None:
    script = tmp_path / "visit-script.txt"
    script.write_text(
        "D|Good morning. What brings you in today?\n"
        "P|I have had a cough and a fever for three days, and I feel tired all the time.\n"
        "D|Any shortness of breath, chest pain or blood when you cough?\n"
        "P|No chest pain, but I get short of breath when I climb the stairs at home.\n"
        "D|I will listen to your chest now. Please breathe in deeply through your mouth.\n",
        encoding="utf-8",
    )
    audio = tmp_path / "visit.flac"
    synthesise(script, audio)
    seconds = sf.info(str(audio)).duration
    setup = make_store(tmp_path / "store")
    env = {**os.environ, "CONSULT_SCRIBE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    env["CONSULT_SCRIBE_CONFIG"] = str(tmp_path / "no-settings.json")
    env["CONSULT_SCRIBE_POLICY"] = str(tmp_path / "no-policy.json")
    args = ["process", str(audio), "--out", str(tmp_path / "out"), "--store", str(setup.directory)]
    args += ["--llm-model", "smollm2-135m-instruct"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", *args, "--user", "drwong"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(PASSWORDS["drwong"] + "\n")
    proc.stdin.close()
    deadline = time.monotonic() + 300
    seen = ""
    while "transcribing" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    assert "transcribing" in seen, seen
    proc.send_signal(signal.SIGKILL)  # recognition has started: pull the plug
    proc.wait(timeout=30)
    with Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor:
        doctor.recover_journals()
        record = doctor.consultation_record(1)
        assert record["audio"]["seconds"] == pytest.approx(seconds, abs=1.0)
    with Store.open(setup.directory, "it", PASSWORDS["it"]) as admin:
        problems = admin.check_integrity()
    assert problems == ["consultation 1 is incomplete: the job that made it has not finished"]
    assert json.dumps(record["patient"])  # the patient's record is there too
