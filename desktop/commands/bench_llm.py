"""`consult-scribe bench llm`: Stop -> complete SOAP draft (BENCHMARKS.md L1, L2, L3, L4).

Drafts notes for typed transcripts (``--input``) and/or ACI-Bench test1 dialogues (``--aci N``
the first N; ``--minutes M`` only those about M minutes long at 150 spoken words a minute),
prints a table and saves JSON. Each figure is the app's own path: the drafter object the app
builds (``services.adapters.LlmDrafter`` over the shared language model), with the same
prompts, schemas, repairs, guard and language conversion.

With ``--prefill N`` every case is drafted twice: once from an empty cache (as above), and
once after the transcript was read in through the drafter's read-ahead, as the app does
during a recording, N lines at a time (L3: share of the transcript already in the cache at
Stop, and the Stop -> draft time then).
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
        "--minutes",
        type=float,
        default=0,
        metavar="M",
        help="with --aci: only dialogues about M minutes long (150 words a minute, within 30 %%)",
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
    from desktop.eval.notes import dialogue_to_transcript, read_dataset
    from desktop.model_store.installed import installed_models
    from desktop.services.adapters import LanguageModel, LlmDrafter

    cases: list[tuple[str, Any]] = [(p.name, _load(p)) for p in args.input]
    if args.aci:
        rows = read_dataset(args.data or default_data_dir(), "aci-bench-test1")
        if args.minutes:
            words = args.minutes * 150
            rows = [r for r in rows if abs(len(r["dialogue"].split()) - words) <= 0.3 * words]
        for item in rows[: args.aci]:
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
    store = installed_models()
    store.ensure(settings.llm.model)  # assembling a model is not loading it
    model = LanguageModel(store, settings.llm)
    drafter = LlmDrafter(model, language=settings.note.language, script=settings.asr.script)
    started = time.perf_counter()
    drafter.load()
    runtime = model.runtime
    load_s = time.perf_counter() - started
    rows_out: list[dict[str, Any]] = []
    print(
        f"{'case':28} {'words':>6} {'draft s':>8} {'1st tok s':>9} {'gen tok':>7} {'tok/s':>6} {'valid':>6}"
    )
    for name, transcript in cases:
        rows_out.append(_case(args, drafter, runtime, name, transcript))
    overall = _overall(args, rows_out, load_s)
    _report(args, settings, runtime, rows_out, overall, load_s)
    return 0


def _draft(drafter: Any, transcript: Any) -> Any:
    import threading

    from desktop.core.types import Patient

    drafter.draft(transcript, Patient(), "", None, None, threading.Event())
    return drafter.last_result


def _threads(rows: list[dict[str, Any]], runtime: Any) -> int | list[int]:
    """The threads the drafts were written with (chosen per draft when llm.n_threads is 0): one
    number, or each one used when they differed."""
    used = sorted({int(r.get("threads") or runtime.n_threads_used) for r in rows}) or [runtime.n_threads_used]
    return used[0] if len(used) == 1 else used


def _case(args: argparse.Namespace, drafter: Any, runtime: Any, name: str, transcript: Any) -> dict[str, Any]:
    from desktop.core.types import Patient, Transcript

    words = sum(len(s.text.split()) for s in transcript.segments)
    runtime.forget()
    result = _draft(drafter, transcript)
    gen_s = max(result.seconds - result.first_token_s, 1e-6)
    asked = 7 - (1 if result.note.chief_complaint_source == "typed" else 0)
    row: dict[str, Any] = {
        "case": name,
        "words": words,
        "chunks": result.chunks,
        "draft_s": result.seconds,
        "first_token_s": result.first_token_s,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "tokens_per_s": result.completion_tokens / gen_s,
        "sections_valid": asked - len(result.invalid_sections),
        "sections_total": asked,
        "quoted_sections": result.extracted_sections,
        "filled_lines": result.filled_lines,
        "repaired": result.repaired,
        "unsupported": result.unsupported,
        "step_seconds": result.step_seconds,
        "threads": result.threads,
    }
    print(
        f"{name[:28]:28} {words:6d} {result.seconds:8.1f} {result.first_token_s:9.2f} "
        f"{result.completion_tokens:7d} {row['tokens_per_s']:6.1f} {row['sections_valid']:>4}/{asked}",
        file=sys.stdout,
    )
    if args.prefill > 0:
        runtime.forget()  # as at the start of a new consultation
        prefill_s = 0.0
        segments = transcript.segments
        for k in range(args.prefill, len(segments) + 1, args.prefill):
            t0 = time.perf_counter()
            drafter.prefill(Transcript(transcript.language, segments[:k]), Patient(), "")
            prefill_s += time.perf_counter() - t0
        warm = _draft(drafter, transcript)
        row.update(
            {
                "prefix_reuse": warm.prefix_reuse,
                "draft_after_prefill_s": warm.seconds,
                "first_token_after_prefill_s": warm.first_token_s,
                "prefill_s": prefill_s,
                "step_seconds_after_prefill": warm.step_seconds,
            }
        )
        print(
            f"{'  after prefill':28} {'':6} {warm.seconds:8.1f} {warm.first_token_s:9.2f} "
            f"  L3 {100 * warm.prefix_reuse:3.0f} % of the transcript cached; prefills {prefill_s:.1f} s"
        )
    return row


def _overall(args: argparse.Namespace, rows: list[dict[str, Any]], load_s: float) -> dict[str, Any]:
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
    return overall


def _report(
    args: argparse.Namespace,
    settings: Any,
    runtime: Any,
    rows: list[dict[str, Any]],
    overall: dict[str, Any],
    load_s: float,
) -> None:
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
        f"{_threads(rows, runtime)} threads while drafting, {os.cpu_count()} logical cores; "
        f"model load {load_s:.2f} s."
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "model": settings.llm.model,
            "device": "gpu" if runtime.n_gpu_layers else "cpu",
            "threads": _threads(rows, runtime),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "overall": overall,
            "cases": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"Saved {args.json}")
