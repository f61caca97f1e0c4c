"""`consult-scribe bench speakers`: who-said-it accuracy, diarisation error rate and added latency.

Without ``--input`` it synthesises its evaluation sets into a cache folder and scores every
consultation with and without the doctor's enrolment, word-weighted, and prints the development
set (:mod:`desktop.eval.speaker_dev_set`, tuned on) and the frozen test set
(:mod:`desktop.eval.speaker_test_set`: other voices, the Piper engine, other wording; never tuned
on) apart. Results are saved as JSON in ``bench-results/``. With ``--input FILE`` it scores recordings against reference labels kept
beside them (``FILE`` with the suffix ``.turns.json`` or ``.rttm``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.errors import AudioError, InputError, UsageError

# Targets on the frozen TEST voices (issue 14; BENCHMARKS.md S1).
TARGETS = {
    "word_accuracy_enrolled": 0.95,
    "word_accuracy_not_enrolled": 0.90,
    "word_accuracy_lapel": 0.98,
    "cpu_ms_median": 20.0,
}
SPLITS = ("dev", "test")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "speakers",
        help="speaker labelling: turn accuracy, diarisation error rate, latency",
        description=(
            "Score doctor/patient/other labels against reference turns. Without --input, synthesise "
            "two- and three-voice consultations (espeak-ng + sox) and score them with and without enrolment."
        ),
    )
    parser.add_argument(
        "--input",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="recording (16 kHz 16-bit WAV, mono or 2-channel lapel+room; other formats mono) with "
        "reference labels in FILE.turns.json or FILE.rttm beside it; repeatable",
    )
    parser.add_argument(
        "--enrol",
        type=Path,
        default=None,
        metavar="WAV",
        help="doctor's enrolment recording for --input files",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="OUT",
        help="where to write the results as JSON (default: bench-results/speakers-DATE-TIME.json)",
    )
    parser.add_argument(
        "--split",
        choices=("all", "dev", "test"),
        default="all",
        help="synthetic consultations of the development set, the frozen test set, or both (default)",
    )
    parser.add_argument(
        "--cache", type=Path, default=None, metavar="DIR", help="folder for synthesised audio (default: temp)"
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run only these synthetic scenarios"
    )
    parser.add_argument("--no-text", action="store_true", help="voice only: do not use the words to decide")
    parser.add_argument(
        "--pieces",
        type=float,
        default=None,
        metavar="SECONDS",
        help="feed each turn as pieces of about this length, as the streaming transcript finalises "
        "long utterances in parts (scores then count pieces)",
    )
    parser.add_argument(
        "--recognised",
        action="store_true",
        help="also score every recognised word on the lines the recogniser makes: the process path "
        "(Whisper on the whole recording) and the live path (streaming Whisper, one decode step a "
        "second as in a live recording; labels as shown and as saved after Stop). Recognition is "
        "cached in the --cache folder; the labelling runs anew each time",
    )
    parser.add_argument(
        "--embedder",
        choices=("default", "mfcc", "ge2e"),
        default="default",
        help="voice description: the app's default, the built-in MFCC/pitch statistics, or the GE2E "
        "speaker encoder (needs the speaker model installed)",
    )
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(__file__).resolve().parents[2].parent / "shared" / "data",
        help="evaluation data folder with asr-smoke-clips/ (real single-voice speech); skipped if absent",
    )
    parser.set_defaults(handler=_run)


def _load_input(path: Path) -> np.ndarray:
    from desktop.eval.speaker_samples import read_wav

    if not path.exists():
        raise AudioError(f"The recording {path} does not exist.", "Check the path.")
    if path.suffix.lower() == ".wav":
        try:
            data, sr = read_wav(path)
        except (OSError, EOFError, UsageError) as exc:
            raise AudioError(
                f"{path.name} could not be read as WAV.", "Convert it: sox IN -r 16000 -b 16 OUT.wav"
            ) from exc
        except Exception as exc:  # wave.Error for non-PCM files
            raise AudioError(
                f"{path.name} is not a 16-bit PCM WAV file.", "Convert it: sox IN -r 16000 -b 16 OUT.wav"
            ) from exc
        if sr != 16000:
            raise AudioError(
                f"{path.name} is sampled at {sr} Hz, not 16 kHz.", "Convert it: sox IN -r 16000 -b 16 OUT.wav"
            )
        return data
    from desktop.audio.decode import load_audio

    return load_audio(path)


def _reference_for(path: Path) -> Path:
    for suffix in (".turns.json", ".rttm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            return candidate
        candidate = path.with_suffix(suffix)
        if candidate.exists():
            return candidate
    raise InputError(
        f"No reference labels found for {path.name}.",
        f"Put them in {path.name}.turns.json (start, end, speaker per turn) or {path.stem}.rttm beside it.",
    )


_CALLS: dict[str, list[tuple[float, float]]] = {}  # split -> (wall ms, cpu ms) of every label() call


def _row(name: str, split: str, enrolled: bool, channels: int, scores: Any) -> dict[str, Any]:
    _CALLS.setdefault(split, []).extend(scores.calls_ms)
    return {"name": name, "split": split, "enrolled": enrolled, "channels": channels, **scores.to_dict()}


def _print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'consultation':30s} {'enrol':>5s} {'words':>5s} {'word acc':>8s} {'@Stop':>6s} {'turn acc':>8s} "
        f"{'DER':>6s} {'voices':>7s} {'unsure':>6s} {'cpu p95':>8s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['name']:30s} {'yes' if r['enrolled'] else 'no':>5s} {r['words']:5d} "
            f"{r['word_accuracy'] * 100:7.1f}% {r['word_accuracy_reviewed'] * 100:5.1f}% "
            f"{r['accuracy'] * 100:7.1f}% {r['der'] * 100:5.1f}% "
            f"{r['voices_found']:>3d}/{r['reference_voices']:<3d} "
            f"{r['uncertain_share'] * 100:5.1f}% {r['cpu_ms_p95']:6.1f}ms"
        )


def _pooled_words(rows: list[dict[str, Any]], key: str = "word_accuracy") -> float | None:
    """Every word of every consultation counts once (not a mean of consultations)."""
    words = sum(r["words"] for r in rows)
    if not words:
        return None
    return round(sum(r[key] * r["words"] for r in rows) / words, 4)


def _summary(rows: list[dict[str, Any]], split: str) -> dict[str, Any]:
    mono = [r for r in rows if r["channels"] == 1 and not r["name"].startswith("real-")]
    lapel = [r for r in rows if r["channels"] == 2]
    calls = _CALLS.get(split, [])

    def pct(column: int, q: float) -> float | None:
        return round(float(np.percentile([c[column] for c in calls], q)), 2) if calls else None

    return {
        "word_accuracy_enrolled": _pooled_words([r for r in mono if r["enrolled"]]),
        "word_accuracy_not_enrolled": _pooled_words([r for r in mono if not r["enrolled"]]),
        "word_accuracy_lapel": _pooled_words(lapel),
        "word_accuracy_enrolled_at_stop": _pooled_words(
            [r for r in mono if r["enrolled"]], "word_accuracy_reviewed"
        ),
        "word_accuracy_not_enrolled_at_stop": _pooled_words(
            [r for r in mono if not r["enrolled"]], "word_accuracy_reviewed"
        ),
        "word_accuracy_lapel_at_stop": _pooled_words(lapel, "word_accuracy_reviewed"),
        "word_accuracy_similar_voices_mono": _pooled_words(
            [r for r in mono if r.get("group") == "similar-voices"]
        ),
        "word_accuracy_three_voices_mono": _pooled_words(
            [r for r in mono if r.get("group") == "three-voices"]
        ),
        "single_voice_runs_with_one_voice": sum(
            1 for r in rows if r.get("group") == "one-voice" and r["voices_found"] == 1
        ),
        "single_voice_runs": sum(1 for r in rows if r.get("group") == "one-voice"),
        "runs_all_one_label_with_two_voices": sum(
            1 for r in rows if r["reference_voices"] >= 2 and r.get("distinct_labels", 2) == 1
        ),
        "cpu_ms_median": pct(1, 50),
        "cpu_ms_p95": pct(1, 95),
        "latency_ms_median": pct(0, 50),
        "latency_ms_p95": pct(0, 95),
        "calls": len(calls),
        "der_mean": round(float(np.mean([r["der"] for r in rows])), 4) if rows else None,
    }


def _print_summary(summary: dict[str, Any], split: str) -> None:
    targets = TARGETS if split == "test" else {}
    for key, value in summary.items():
        target = targets.get(key)
        suffix = f"  (target {'≤' if 'ms' in key else '≥'} {target})" if target is not None else ""
        print(f"  {key:40s} {value}{suffix}")


def _live(runs: list[tuple[Any, Any]], cache: Path, embedder: Any) -> list[dict[str, Any]]:
    """Every recognised word on the process and live paths (recognition cached, labels anew)."""
    from desktop.asr.factory import whisper_engine
    from desktop.config import load_settings
    from desktop.eval.speaker_metrics import enrol_from
    from desktop.eval.speaker_recognised import recognise, score_live, score_process
    from desktop.pipeline import model_store

    settings = load_settings()
    engine = whisper_engine(settings.asr, models=model_store())
    rows: list[dict[str, Any]] = []
    # Whisper base cannot transcribe espeak-ng's Cantonese (unrelated or looping text): those
    # consultations would measure the recogniser, not the labeller, and are left out here.
    runs = [(sc, c) for sc, c in runs if sc.language != "yue"]
    for k, (scenario, consultation) in enumerate(runs, 1):
        print(f"[{k}/{len(runs)}] recognised words: {scenario.name} …", file=sys.stderr, flush=True)
        recognised = recognise(engine, settings.asr.model, consultation, scenario.language, cache)
        for enrolled in (True, False):
            profile = enrol_from(consultation.enrolment, embedder) if enrolled else None
            for path in ("process", "live"):
                if path == "process":
                    scores = score_process(recognised, consultation, profile, embedder)
                else:
                    scores = score_live(
                        engine, recognised, consultation, scenario.language, profile, embedder
                    )
                rows.append(
                    {
                        "name": scenario.name,
                        "split": scenario.split,
                        "path": path,
                        "enrolled": enrolled,
                        "channels": 1 if consultation.samples.ndim == 1 else 2,
                        "group": _group(scenario.name),
                        **scores.__dict__,
                    }
                )
    return rows


def _print_live_table(rows: list[dict[str, Any]]) -> None:
    print()
    head = (
        f"{'recognised words':30s} {'path':>7s} {'enrol':>5s} {'words':>5s} {'saved':>7s} {'live':>7s} "
        f"{'mixed lines':>11s} {'relabelled settling/Stop':>9s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['name']:30s} {r['path']:>7s} {'yes' if r['enrolled'] else 'no':>5s} {r['words']:5d} "
            f"{r['word_accuracy'] * 100:6.1f}% {r['word_accuracy_shown'] * 100:6.1f}% "
            f"{r['mixed_lines']:>5d}/{r['lines']:<5d} {r['changed_while_settling']:>4d}/{r['changed_at_stop']:<4d}"
        )


def _live_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in ("process", "live"):
        chosen = [r for r in rows if r["path"] == path]
        mono = [r for r in chosen if r["channels"] == 1]
        lapel = [r for r in chosen if r["channels"] == 2]
        out[f"{path}_word_accuracy_enrolled"] = _pooled_words([r for r in mono if r["enrolled"]])
        out[f"{path}_word_accuracy_not_enrolled"] = _pooled_words([r for r in mono if not r["enrolled"]])
        out[f"{path}_word_accuracy_lapel"] = _pooled_words(lapel)
        if path == "live":
            out["live_word_accuracy_enrolled_as_shown"] = _pooled_words(
                [r for r in mono if r["enrolled"]], "word_accuracy_shown"
            )
            out["live_word_accuracy_not_enrolled_as_shown"] = _pooled_words(
                [r for r in mono if not r["enrolled"]], "word_accuracy_shown"
            )
            out["live_word_accuracy_lapel_as_shown"] = _pooled_words(lapel, "word_accuracy_shown")
            out["live_lines_relabelled_while_settling"] = sum(r["changed_while_settling"] for r in chosen)
            out["live_lines_relabelled_at_stop"] = sum(r["changed_at_stop"] for r in chosen)
        out[f"{path}_recognised_words"] = sum(r["words"] for r in chosen)
        out[f"{path}_mixed_lines"] = sum(r["mixed_lines"] for r in chosen)
        out[f"{path}_lines"] = sum(r["lines"] for r in chosen)
    return out


def _group(name: str) -> str:
    if "single" in name or "one-voice" in name:
        return "one-voice"
    if "similar" in name:
        return "similar-voices"
    if "3voice" in name:
        return "three-voices"
    return "two-clear-voices"


def _embedder(choice: str) -> Any:
    from desktop.asr.speakers.embed import MfccEmbedder
    from desktop.asr.speakers.embedders import default_embedder, ge2e_embedder
    from desktop.pipeline import model_store

    if choice == "mfcc":
        return MfccEmbedder()
    if choice == "ge2e":
        encoder = ge2e_embedder(model_store())
        if encoder is None:
            raise UsageError(
                "The GE2E speaker model is not installed.",
                "Install it: pip install --no-deps resemblyzer==0.1.4 (packaging/setup-dev.sh does).",
            )
        return encoder
    return default_embedder(model_store())


def _scenarios(args: argparse.Namespace) -> list[Any]:
    from desktop.eval.speaker_dev_set import dev_scenarios
    from desktop.eval.speaker_test_set import frozen_test_scenarios

    scenarios = [s for s in [*dev_scenarios(), *frozen_test_scenarios()] if args.split in ("all", s.split)]
    if args.only:
        unknown = set(args.only) - {s.name for s in scenarios}
        if unknown:
            raise UsageError(
                f"Unknown scenario: {', '.join(sorted(unknown))}.",
                f"Choose from: {', '.join(s.name for s in scenarios)}.",
            )
        scenarios = [s for s in scenarios if s.name in args.only]
    return scenarios


def _synthetic_rows(
    args: argparse.Namespace, use_text: bool, embedder: Any
) -> tuple[list[dict[str, Any]], list[Any]]:
    from desktop.eval import speaker_samples as synth_mod
    from desktop.eval.speaker_dev_set import real_recordings
    from desktop.eval.speaker_metrics import enrol_from, run_labeller

    cache = args.cache or Path(tempfile.gettempdir()) / "consult-scribe-speaker-bench"
    synth = synth_mod.Synthesiser(cache)
    scenarios = _scenarios(args)
    rows: list[dict[str, Any]] = []
    live_runs: list[tuple[Any, Any]] = []
    for i, scenario in enumerate(scenarios, 1):
        print(f"[{i}/{len(scenarios)}] synthesising {scenario.name} …", file=sys.stderr, flush=True)
        consultation = synth_mod.render(synth, scenario)
        live_runs.append((scenario, consultation))
        channels = 1 if consultation.samples.ndim == 1 else consultation.samples.shape[1]
        for enrolled in (True, False):
            profile = enrol_from(consultation.enrolment, embedder) if enrolled else None
            scores, live, _ = run_labeller(
                consultation.samples,
                consultation.turns,
                profile=profile,
                embedder=embedder,
                use_text=use_text,
                piece_s=args.pieces,
            )
            row = _row(scenario.name, scenario.split, enrolled, channels, scores)
            row.update(
                group=_group(scenario.name),
                voices=consultation.voices,
                engines=scenario.engines,
                room=scenario.room,
                noise=scenario.noise,
                snr_db=scenario.snr_db,
                distinct_labels=len({lab.speaker for lab in live}),
            )
            rows.append(row)
    if not args.only and args.split in ("all", "dev"):
        for name, samples, turns in real_recordings(args.shared_data):
            scores, live, _ = run_labeller(
                samples, turns, profile=None, embedder=embedder, use_text=use_text, piece_s=args.pieces
            )
            row = _row(name, "dev", False, 1, scores)
            row["group"] = "real-two-voices" if name == "real-two-voices" else "one-voice"
            row["distinct_labels"] = len({lab.speaker for lab in live})
            rows.append(row)
    return rows, live_runs


def _run(args: argparse.Namespace) -> int:
    from desktop.eval.speaker_metrics import enrol_from, read_reference, run_labeller

    use_text = not args.no_text
    embedder = _embedder(args.embedder)
    _CALLS.clear()
    rows: list[dict[str, Any]] = []
    live_runs: list[tuple[Any, Any]] = []
    started = time.perf_counter()
    if args.input:
        profile = enrol_from(_load_input(args.enrol), embedder) if args.enrol else None
        for path in args.input:
            samples = _load_input(path)
            turns = read_reference(_reference_for(path))
            scores, _, _ = run_labeller(
                samples, turns, profile=profile, embedder=embedder, use_text=use_text, piece_s=args.pieces
            )
            channels = 1 if samples.ndim == 1 else samples.shape[1]
            rows.append(_row(path.name, "input", profile is not None, channels, scores))
    else:
        rows, live_runs = _synthetic_rows(args, use_text, embedder)
    summaries: dict[str, dict[str, Any]] = {}
    live_rows: list[dict[str, Any]] = []
    if args.recognised and not args.input:
        live_rows = _live(
            live_runs, args.cache or Path(tempfile.gettempdir()) / "consult-scribe-speaker-bench", embedder
        )
    for split in ("input", *SPLITS):
        chosen = [r for r in rows if r["split"] == split]
        if not chosen:
            continue
        title = {"dev": "DEVELOPMENT set (tuned on)", "test": "TEST set (frozen, never tuned on)"}.get(
            split, "recordings"
        )
        print(f"\n== {title} ==")
        _print_table(chosen)
        summaries[split] = _summary(chosen, split)
        split_live = [r for r in live_rows if r["split"] == split]
        if split_live:
            _print_live_table(split_live)
            summaries[split].update(_live_summary(split_live))
        print(f"\n{title}: words scored every word of the reference text")
        _print_summary(summaries[split], split)
    result = {
        "benchmark": "speakers",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor(),
            "cpus": os.cpu_count(),
            "load_average_1min_at_end": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        },
        "method": f"{embedder.name} embedder, agglomerative clustering per consultation, roles from the dialogue"
        + ("" if use_text else " (text cues disabled)"),
        "embedder": embedder.name,
        "pieces_s": args.pieces,
        "segmentation": (
            "oracle: the reference turns are the utterances (VAD segments), or pieces of them with --pieces; "
            "word accuracy weighs each turn by its words (English words, Chinese characters); DER is speaker "
            "confusion only; live_runs (--live): the streaming recogniser's own lines, every recognised word "
            "scored against the reference turn at its midpoint"
        ),
        "targets_on_test": TARGETS,
        "summary": summaries,
        "runs": rows,
        "live_runs": live_rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = args.json or Path("bench-results") / f"speakers-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0
