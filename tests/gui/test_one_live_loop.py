"""One live loop: the app's recording worker and ``bench asr --realtime`` run the same function.

The benchmark's latency and loss figures are only the app's figures if both read the audio
through the same loop; a spy on ``desktop.asr.streaming.session.pump`` records who called it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop.asr.streaming import session as live_loop


class _Spy:
    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls.append(threading.current_thread().name)
        return self.real(*args, **kwargs)


class _ToneSource:
    sample_rate = 16000
    overflows = 0

    def __init__(self, blocks: int = 5) -> None:
        self.left = blocks

    def start(self) -> None:
        pass

    def read(self, timeout: float = 0.1) -> np.ndarray:
        if self.left <= 0:
            raise EOFError
        self.left -= 1
        return np.zeros(1600, dtype=np.float32)

    def stop(self) -> None:
        pass


def test_the_recording_worker_runs_the_live_loop(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.services.recording import RecordingSession
    from tests.gui.fakes import FakeAsr, FakeJournal

    spy = _Spy(live_loop.pump)
    monkeypatch.setattr(live_loop, "pump", spy)
    sink: list[np.ndarray] = []
    session = RecordingSession(_ToneSource(), FakeAsr, lambda: FakeJournal(sink))
    with qtbot.waitSignal(session.finished, timeout=20_000):
        session.start()
    assert len(spy.calls) == 1
    assert sum(len(b) for b in sink) == 5 * 1600  # and the loop delivered every block


@pytest.mark.slow
def test_bench_asr_realtime_runs_the_same_live_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    clip = tmp_path / "one.wav"
    subprocess.run(["espeak-ng", "-w", str(clip), "one two three"], check=True)
    spy = _Spy(live_loop.pump)
    monkeypatch.setattr(live_loop, "pump", spy)
    from desktop.cli import main

    out = tmp_path / "bench.json"
    assert (
        main(["bench", "asr", "--realtime", "--input", str(clip), "--language", "en", "--json", str(out)])
        == 0
    )
    assert len(spy.calls) == 1
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures  # the benchmark finished and saved its figures through that loop
