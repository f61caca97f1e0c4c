"""SIGKILL a process recording into the journal: the next open recovers all but the last second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from desktop.core.types import Patient
from desktop.storage import Store
from tests.unit.storage.conftest import FAST_KDF

CHILD = r"""
import os, sys, time
from pathlib import Path
from desktop.audio.sources import FileSource
from desktop.storage import Store

directory, wav, status = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
store = Store.open(directory, "drwong", sys.stdin.readline().rstrip("\n"))
journal = store.open_journal(int(sys.argv[4]))
source = FileSource(wav, realtime=False, block_seconds=0.1)
source.start()
fed = 0
while True:
    try:
        block = source.read()
    except EOFError:
        break
    if block is None:
        continue
    journal.append(block)
    fed += block.size
    tmp = status.with_suffix(".tmp")
    tmp.write_text(f"{fed} {journal.seconds_written}")
    os.replace(tmp, status)
    time.sleep(0.02)  # about 5x real time, so the parent can kill it mid-recording
time.sleep(60)  # never closes the journal
"""


def _make_wav(path: Path) -> np.ndarray:
    text = "The patient reports chest pain on exertion for three weeks, relieved by rest, with no fever."
    subprocess.run(
        ["espeak-ng", "-s", "120", "-w", str(path), text * 2], check=True, capture_output=True, timeout=60
    )
    from desktop.audio.decode import load_audio

    return load_audio(path)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_while_recording_loses_at_most_the_last_second(tmp_path: Path) -> None:
    pytest.importorskip("desktop.audio.sources")
    if not any((Path(p) / "espeak-ng").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.skip("espeak-ng is not installed")
    wav = tmp_path / "speech.wav"
    source = _make_wav(wav)
    assert source.size > 16000 * 8
    directory = tmp_path / "store"
    admin, _ = Store.create(directory, "it", "admin-pass-1", kdf=FAST_KDF)
    admin.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M1")
    admin.close()
    with Store.open(directory, "drwong", "doctor-pass-1") as doctor:
        cid = doctor.create_consultation(doctor.add_patient(Patient(name="Crash Test")), consent=True)

    status = tmp_path / "status.txt"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(directory), str(wav), str(status), str(cid)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    child.stdin.write("doctor-pass-1\n")
    child.stdin.flush()
    deadline = time.monotonic() + 60
    fed = 0
    while time.monotonic() < deadline and child.poll() is None:
        if status.exists():
            fed = int(status.read_text().split()[0])
            if fed >= int(16000 * 4.3):  # mid-chunk: 0.3 s of the fifth second is only in memory
                break
        time.sleep(0.005)
    assert child.poll() is None, child.stderr.read() if child.stderr else ""
    with Store.open(directory, "drwong", "doctor-pass-1") as other:  # a second window while it records
        assert other.recovered == []  # a live recording is never "recovered" under its writer
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    fed_at_kill = int(status.read_text().split()[0])
    assert fed_at_kill < source.size  # killed mid-recording

    with Store.open(directory, "drwong", "doctor-pass-1") as doctor:
        assert [r.consultation_id for r in doctor.recovered] == [cid]
        back = doctor.read_audio(cid)
        assert doctor.verify_audio(cid).closed
    # Everything fed but the chunk being filled survives; nothing invented.
    assert fed_at_kill - 16000 <= back.size <= fed_at_kill + 1600
    assert back.size % 16000 == 0
    assert np.max(np.abs(back - source[: back.size])) <= 1.0 / 32768 + 1e-6
    # The recovered journal can be continued (the consultation goes on after a restart).
    with Store.open(directory, "drwong", "doctor-pass-1") as doctor:
        with doctor.open_journal(cid) as w:
            w.append(source[back.size : back.size + 8000])
        assert doctor.read_audio(cid).size == back.size + 8000
