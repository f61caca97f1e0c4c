"""`consult-scribe --smoke-test`: the packaged app's health check starts headless and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_smoke_test_initialises_everything_and_exits_0(tmp_path: Path) -> None:
    env = dict(os.environ, CONSULT_SCRIBE_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    env["CONSULT_SCRIBE_CONFIG"] = str(tmp_path / "settings.json")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--smoke-test"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "smoke test ok" in done.stdout
    for part in ("fonts", "translations", "store", "letter templates", "window"):
        assert part in done.stdout
    assert "Traceback" not in output and done.stderr.strip() == ""
