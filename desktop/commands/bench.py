"""`consult-scribe bench …`: benchmarks that print a table and save JSON (see BENCHMARKS.md)."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.commands import bench_asr, bench_drugs, bench_llm, bench_speakers


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("bench", help="measure latency, throughput and accuracy")
    bench_sub = parser.add_subparsers(dest="bench_command", metavar="WHAT", required=True)
    bench_asr.register(bench_sub)
    bench_drugs.register(bench_sub)
    bench_llm.register(bench_sub)
    bench_speakers.register(bench_sub)
