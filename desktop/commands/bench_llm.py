"""`consult-scribe bench llm`: Stop -> complete SOAP draft (BENCHMARKS.md L1, L2, L3, L4).

Drafts notes for typed transcripts (``--input``) and/or the first N ACI-Bench dialogues
(``--aci N``), prints a table and saves JSON. Each figure is the production drafting path:
the same prompts, schemas, guard and fallbacks the app uses.

With ``--prefill N`` every case is drafted twice: once from an empty cache (as above), and
once after the transcript was read in as the app does during a recording, N lines at a time
(L3: share of the transcript already in the cache at Stop, and the Stop -> draft time then).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("llm", help="time SOAP drafting (L1, L2, L3, L4)")
    parser.add_argument(
        "--input", type=Path, action="append", default=[], help="transcript .txt or transcript.json"
    )
    parser.add_argument(
        "--aci", type=int, default=0, metavar="N", help="also the first N ACI-Bench test1 dialogues"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="folder holding aci-bench/ (default ../shared/data)"
    )
    parser.add_argument("--llm-model", default=None, metavar="NAME")
    parser.add_argument("--n-gpu-layers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        metavar="N",
        help="also draft after reading the transcript in N lines at a time, as during a recording (L3)",
    )
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    parser.set_defaults(handler=run)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(path: Path) -> Any:
    from desktop.asr.transcript_file import read_transcript_file
    from desktop.core.types import Transcript

    if path.suffix == ".json":
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return read_transcript_file(path)


def run(args: argparse.Namespace) -> int:
    from desktop.commands.evaluate import default_data_dir
    from desktop.config import load_settings
    from desktop.core.types import Patient, Transcript
    from desktop.eval.notes import dialogue_to_transcript, read_dataset
    from desktop.llm.drafting import draft_note, prefill
    from desktop.llm.factory import llama_runtime
    from desktop.model_store.installed import installed_models

    cases: list[tuple[str, Any]] = [(p.name, _load(p)) for p in args.input]
    if args.aci:
        for item in read_dataset(args.data or default_data_dir(), "aci-bench-test1")[: args.aci]:
            cases.append((item["encounter_id"], dialogue_to_transcript(item["dialogue"])))
    if not cases:
        cases.append(("sample (consultation_en.txt)", _load(Path("assets/samples/consultation_en.txt"))))
    settings = load_settings()
    if args.llm_model:
        settings.llm.model = args.llm_model
    if args.n_gpu_layers is not None:
        settings.llm.n_gpu_layers = args.n_gpu_layers
    if args.threads is not None:
        settings.llm.n_threads = args.threads
    installed_models().ensure(settings.llm.model)  # assembling a model is not loading it
    started = time.perf_counter()
    runtime = llama_runtime(settings.llm)
    load_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    print(
        f"{'case':28} {'words':>6} {'draft s':>8} {'1st tok s':>9} {'gen tok':>7} {'tok/s':>6} {'valid':>6}"
    )
    for name, transcript in cases:
        words = sum(len(s.text.split()) for s in transcript.segments)
        result = draft_note(
            runtime,
            transcript,
            Patient(),
            temperature=settings.llm.temperature,
            max_tokens=settings.llm.max_tokens,
        )
        gen_s = max(result.seconds - result.first_token_s, 1e-6)
        row: dict[str, Any] = {
            "case": name,
            "words": words,
            "chunks": result.chunks,
            "draft_s": result.seconds,
            "first_token_s": result.first_token_s,
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "tokens_per_s": result.completion_tokens / gen_s,
            "sections_valid": 6 - len(result.invalid_sections),
            "sections_total": 6,
            "extracted_sections": result.extracted_sections,
            "unsupported": result.unsupported,
        }
        rows.append(row)
        print(
            f"{name[:28]:28} {words:6d} {result.seconds:8.1f} {result.first_token_s:9.2f} "
            f"{result.completion_tokens:7d} {row['tokens_per_s']:6.1f} {row['sections_valid']:>4}/6",
            file=sys.stdout,
        )
        if args.prefill > 0:
            runtime.forget()  # as at the start of a new consultation
            prefill_s = 0.0
            segments = transcript.segments
            for k in range(args.prefill, len(segments) + 1, args.prefill):
                stats = prefill(
                    runtime,
                    Transcript(transcript.language, segments[:k]),
                    Patient(),
                    max_tokens=settings.llm.max_tokens,
                )
                prefill_s += stats.seconds if stats is not None else 0.0
            warm = draft_note(
                runtime,
                transcript,
                Patient(),
                temperature=settings.llm.temperature,
                max_tokens=settings.llm.max_tokens,
            )
            row.update(
                {
                    "prefix_reuse": warm.prefix_reuse,
                    "draft_after_prefill_s": warm.seconds,
                    "first_token_after_prefill_s": warm.first_token_s,
                    "prefill_s": prefill_s,
                }
            )
            print(
                f"{'  after prefill':28} {'':6} {warm.seconds:8.1f} {warm.first_token_s:9.2f} "
                f"  L3 {100 * warm.prefix_reuse:3.0f} % of the transcript cached; prefills {prefill_s:.1f} s"
            )
    drafts = [r["draft_s"] for r in rows]
    overall = {
        "draft_p50_s": statistics.median(drafts),
        "draft_p95_s": _pct(drafts, 0.95),
        "first_token_p50_s": statistics.median(r["first_token_s"] for r in rows),
        "generation_tokens_per_s_median": statistics.median(r["tokens_per_s"] for r in rows),
        "schema_validity": sum(r["sections_valid"] for r in rows) / sum(r["sections_total"] for r in rows),
        "model_load_s": load_s,
    }
    if args.prefill > 0:
        warm_rows = [r for r in rows if "prefix_reuse" in r]
        overall.update(
            {
                "prefill_every_lines": args.prefill,
                "prefix_reuse_p50": statistics.median(r["prefix_reuse"] for r in warm_rows),
                "prefix_reuse_min": min(r["prefix_reuse"] for r in warm_rows),
                "draft_after_prefill_p50_s": statistics.median(r["draft_after_prefill_s"] for r in warm_rows),
                "draft_after_prefill_p95_s": _pct([r["draft_after_prefill_s"] for r in warm_rows], 0.95),
                "first_token_after_prefill_p50_s": statistics.median(
                    r["first_token_after_prefill_s"] for r in warm_rows
                ),
            }
        )
    print(
        f"\nL1 Stop -> draft p50 {overall['draft_p50_s']:.1f} s, p95 {overall['draft_p95_s']:.1f} s; "
        f"first token p50 {overall['first_token_p50_s']:.2f} s; "
        f"L2 generation {overall['generation_tokens_per_s_median']:.1f} tok/s; "
        f"L4 schema validity {100 * overall['schema_validity']:.0f} %"
    )
    if args.prefill > 0:
        print(
            f"L3 prefix reuse p50 {100 * overall['prefix_reuse_p50']:.0f} % "
            f"(min {100 * overall['prefix_reuse_min']:.0f} %); Stop -> draft after prefill "
            f"p50 {overall['draft_after_prefill_p50_s']:.1f} s, p95 {overall['draft_after_prefill_p95_s']:.1f} s; "
            f"first token p50 {overall['first_token_after_prefill_p50_s']:.2f} s"
        )
    print(
        f"Model {settings.llm.model}, {'GPU' if runtime.n_gpu_layers else 'CPU'}, "
        f"{runtime.n_threads_used} threads, {os.cpu_count()} logical cores; model load {load_s:.2f} s."
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "model": settings.llm.model,
            "device": "gpu" if runtime.n_gpu_layers else "cpu",
            "threads": runtime.n_threads_used,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "overall": overall,
            "cases": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"Saved {args.json}")
    return 0
