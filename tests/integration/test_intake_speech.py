"""Spoken answers through the service with the real speech model (whisper-base) on synthesised speech."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from desktop.intake.service import create_app
from desktop.intake.speech import Transcriber
from desktop.storage import Store
from desktop.storage import intake as store_intake
from tests.unit.storage.conftest import PASSWORDS, make_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]


def speech_wav(path: Path, text: str) -> bytes:
    subprocess.run(
        ["espeak-ng", "-s", "140", "-w", str(path), text], check=True, capture_output=True, timeout=60
    )
    return path.read_bytes()


@pytest.fixture(scope="module")
def transcriber(asr_model_path: Path) -> Transcriber:
    from desktop.asr.engine import WhisperEngine

    return Transcriber(WhisperEngine(asr_model_path, device="cpu", compute_type="int8", cpu_threads=1))


@pytest.fixture
def client(tmp_path: Path, transcriber: Transcriber) -> Iterator[tuple[TestClient, Store, str]]:
    setup = make_store(tmp_path / "store")
    store = Store.open(setup.directory, "nurse", PASSWORDS["nurse"])
    issued = store_intake.issue_code(store)
    c = TestClient(
        create_app(store, transcriber=transcriber), base_url="https://intake.test", follow_redirects=True
    )
    page = c.post("/start", data={"code": issued.code, "lang": "en"}).text
    csrf = re.findall(r'name="csrf" value="(\w+)"', page)[0]
    assert 'id="record"' in page and "/static/record.js" in page
    yield c, store, csrf
    store.close()


def test_a_spoken_answer_comes_back_as_text_to_check(
    client: tuple[TestClient, Store, str], tmp_path: Path
) -> None:
    c, _, csrf = client
    audio = speech_wav(tmp_path / "a.wav", "I have had a sore throat and a cough since Monday.")
    reply = c.post("/speech", content=audio, headers={"x-intake-form": csrf, "content-type": "audio/wav"})
    assert reply.status_code == 200, reply.text
    text = reply.json()["text"].lower()
    assert "throat" in text and "cough" in text
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert "microphone=(self)" in reply.headers["permissions-policy"]
    assert c.get("/speech/wait").json() == {"ahead": 0}


def test_bad_recordings_get_a_plain_message(client: tuple[TestClient, Store, str]) -> None:
    c, _, csrf = client
    junk = c.post("/speech", content=b"\x00\x01garbage" * 500, headers={"x-intake-form": csrf})
    assert junk.status_code == 422 and "could not make that out" in junk.json()["message"]
    forged = c.post("/speech", content=b"RIFF", headers={"x-intake-form": "nope"})
    assert forged.status_code == 400
    huge = c.post("/speech", content=b"\x00" * (6 * 1024 * 1024), headers={"x-intake-form": csrf})
    assert huge.status_code == 413 and "too long" in huge.json()["message"]
    # After all that the queue is not stuck, and nothing was saved as an answer.
    assert c.get("/speech/wait").json() == {"ahead": 0}
