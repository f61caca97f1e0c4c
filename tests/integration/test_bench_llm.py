"""`consult-scribe bench llm` drafts with the real model and saves the L1/L2/L4 figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main

pytestmark = pytest.mark.slow


def test_bench_llm_saves_figures(tmp_path: Path) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_text("D|What brings you in?\nP|I have a sore throat for two days.\n", encoding="utf-8")
    out = tmp_path / "llm.json"
    assert main(["bench", "llm", "--input", str(transcript), "--threads", "2", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    overall = data["overall"]
    assert overall["schema_validity"] == 1.0
    assert 0 < overall["first_token_p50_s"] <= overall["draft_p50_s"]
    assert data["cases"][0]["completion_tokens"] > 0 and data["threads"] == 2
