"""`listen --out`: a SIGTERM stops like Ctrl-C, and a SIGKILL keeps every utterance already final."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "assets" / "samples"))
from make_samples import synthesise  # noqa: E402

pytestmark = pytest.mark.slow

SCRIPT = "\n".join(
    [
        "D|Good morning. What brings you in today?",
        "P|I have had a headache for two weeks, mostly in the mornings.",
        "D|Do you take anything for it?",
        "P|Paracetamol, two tablets when it is bad.",
        "D|Let me check your blood pressure now.",
        "P|Thank you, doctor.",
    ]
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("listen-clip")
    (work / "s.txt").write_text(SCRIPT, encoding="utf-8")
    synthesise(work / "s.txt", work / "clip.flac")
    return work / "clip.flac"


def _start(clip: Path, out: Path, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CONSULT_SCRIBE_HOME": str(home), "PYTHONPATH": str(REPO)}
    env["CONSULT_SCRIBE_CONFIG"] = str(home / "no-settings.json")
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "listen", "--input", str(clip), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def _first_final(out: Path, proc: subprocess.Popen[str]) -> list[dict[str, object]]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        path = out / "transcript.json"
        if path.exists():
            segments = json.loads(path.read_text(encoding="utf-8"))["segments"]
            if segments:
                return list(segments)
        time.sleep(0.2)
    pytest.fail("no utterance became final")


def test_sigterm_finishes_and_writes_the_transcript(clip: Path, tmp_path: Path, asr_model_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start(clip, out, tmp_path)
    _first_final(out, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "stopping; finishing the transcript" in err
    assert "Traceback" not in err
    saved = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert saved["segments"] and (out / "transcript.txt").read_text(encoding="utf-8").strip()
    assert (out / "transcript.json").stat().st_mode & 0o077 == 0  # private to the user


def test_sigkill_keeps_what_was_final(clip: Path, tmp_path: Path, asr_model_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start(clip, out, tmp_path)
    first = _first_final(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    saved = json.loads((out / "transcript.json").read_text(encoding="utf-8"))  # whole, never torn
    assert len(saved["segments"]) >= len(first)
    assert str(saved["segments"][0]["text"]).startswith(str(first[0]["text"]))  # finals never change
