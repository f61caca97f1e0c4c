"""`consult-scribe bench llm` drafts with the real model and saves the L1/L2/L4 figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main

pytestmark = pytest.mark.slow
SMALL = "smollm2-135m-instruct"  # the tiny model: these tests check the bench, not the prose


def test_bench_llm_saves_figures(tmp_path: Path) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_text("D|What brings you in?\nP|I have a sore throat for two days.\n", encoding="utf-8")
    out = tmp_path / "llm.json"
    args = ["bench", "llm", "--input", str(transcript), "--threads", "1", "--json", str(out)]
    assert main([*args, "--llm-model", SMALL]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    overall = data["overall"]
    assert overall["schema_validity"] == 1.0
    assert 0 < overall["first_token_p50_s"] <= overall["draft_p50_s"]
    assert data["cases"][0]["completion_tokens"] > 0 and data["threads"] == 1


def test_bench_llm_measures_prefix_reuse_after_prefill(tmp_path: Path) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_text(
        "D|What brings you in?\nP|I have a sore throat for two days.\nD|Any fever?\n"
        "P|Yes, 38 degrees last night.\nD|Throat is red, no pus. Temperature 37.9.\n"
        "D|Take paracetamol 500 mg every six hours and rest.\n",
        encoding="utf-8",
    )
    out = tmp_path / "llm.json"
    args = [
        "bench",
        "llm",
        "--input",
        str(transcript),
        "--threads",
        "1",
        "--prefill",
        "2",
        "--json",
        str(out),
        "--llm-model",
        SMALL,
    ]
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    overall, case = data["overall"], data["cases"][0]
    assert overall["prefill_every_lines"] == 2
    assert overall["prefix_reuse_p50"] >= 0.8  # BENCHMARKS L3
    assert case["prefill_s"] > 0 and 0 < case["first_token_after_prefill_s"] <= case["draft_after_prefill_s"]
