"""`consult-scribe bench speakers`: who-said-it accuracy, diarisation error rate and added latency.

Without ``--input`` it synthesises its evaluation set (espeak-ng voices, sox room noise; see
``desktop.eval.speaker_samples``) into a cache folder and scores every consultation with and without
the doctor's enrolment. With ``--input FILE`` it scores recordings against reference labels kept
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

TARGETS = {
    "accuracy_enrolled_two_voices": 0.95,
    "accuracy_without_enrolment_two_voices": 0.85,
    "accuracy_two_channel": 0.98,
    "latency_ms_p95": 200.0,
}


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
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the results as JSON")
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
        "--live",
        action="store_true",
        help="also replay each synthetic consultation through the live path (streaming Whisper, its "
        "own lines, one decode step a second as in a live recording, the labeller) and score every "
        "recognised word of the lines as saved; also without splitting lines at sentence ends and "
        "microphone changes, for comparison",
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


def _real_recordings(shared: Path) -> list[tuple[str, np.ndarray, list[Any]]]:
    """Real recordings of one person each (JFK clip; two AISHELL-1 utterances of one speaker), and the
    two people taking turns (different recordings too, so the channel differs as well as the voice)."""
    from desktop.asr.speakers import features as sf
    from desktop.eval.speaker_samples import Turn, read_wav

    clips = shared / "asr-smoke-clips"
    out: list[tuple[str, np.ndarray, list[Any]]] = []
    jfk = clips / "whisper_jfk_en.wav"
    if jfk.exists():
        x, _ = read_wav(jfk)
        speech = sf.frame_features(x).speech
        turns, start, silent = [], None, 0
        for i, s in enumerate(np.append(speech, [False] * 30)):
            if s:
                start = i if start is None else start
                silent = 0
            elif start is not None:
                silent += 1
                if silent == 25:
                    turns.append(Turn("doctor", start / 100.0, (i - 24) / 100.0, ""))
                    start = None
        out.append(("real-jfk-one-voice", x, turns))
    a, b = clips / "BAC009S0764W0121.wav", clips / "BAC009S0764W0122.wav"
    if a.exists() and b.exists():
        xa, _ = read_wav(a)
        xb, _ = read_wav(b)
        gap = np.zeros(8000, dtype=np.float32)
        x = np.concatenate([xa, gap, xb]).astype(np.float32)
        t1 = len(xa) / 16000.0
        turns = [Turn("doctor", 0.0, t1, ""), Turn("doctor", t1 + 0.5, t1 + 0.5 + len(xb) / 16000.0, "")]
        out.append(("real-aishell-one-voice", x, turns))
    if len(out) == 2:
        # Two real people taking turns: JFK's phrases (English) and the AISHELL-1 speaker (Mandarin).
        (_, jx, jturns), (_, ax, aturns) = out
        pieces: list[tuple[str, np.ndarray]] = []
        for k, t in enumerate(jturns):
            pieces.append(("doctor", jx[int(t.start * 16000) : int(t.end * 16000)]))
            if k < len(aturns):
                at = aturns[k]
                pieces.append(("patient", ax[int(at.start * 16000) : int(at.end * 16000)]))
        gap = np.zeros(8000, dtype=np.float32)
        audio: list[np.ndarray] = []
        mixed_turns = []
        pos = 0
        for role, clip in pieces:
            audio += [clip, gap]
            mixed_turns.append(Turn(role, pos / 16000.0, (pos + len(clip)) / 16000.0, ""))
            pos += len(clip) + len(gap)
        out.append(("real-two-voices", np.concatenate(audio).astype(np.float32), mixed_turns))
    return out


_CALLS: list[tuple[float, float]] = []  # (wall ms, cpu ms) of every label() call in this run


def _row(name: str, enrolled: bool, channels: int, scores: Any) -> dict[str, Any]:
    _CALLS.extend(scores.calls_ms)
    return {"name": name, "enrolled": enrolled, "channels": channels, **scores.to_dict()}


def _print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'consultation':30s} {'enrol':>5s} {'turns':>5s} {'acc':>6s} {'acc@end':>7s} {'DER':>6s} "
        f"{'voices':>7s} {'unsure':>6s} {'lat p95':>8s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['name']:30s} {'yes' if r['enrolled'] else 'no':>5s} {r['turns']:5d} "
            f"{r['accuracy'] * 100:5.1f}% {r['accuracy_reviewed'] * 100:6.1f}% {r['der'] * 100:5.1f}% "
            f"{r['voices_found']:>3d}/{r['reference_voices']:<3d} "
            f"{r['uncertain_share'] * 100:5.1f}% {r['latency_ms_p95']:6.1f}ms"
        )


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(sel: list[dict[str, Any]], key: str) -> float | None:
        return round(float(np.mean([r[key] for r in sel])), 4) if sel else None

    clear2 = [r for r in rows if r.get("group") == "two-clear-voices" and r["channels"] == 1]
    two_ch = [r for r in rows if r["channels"] == 2]
    lat = [r["latency_ms_p95"] for r in rows]
    return {
        "accuracy_enrolled_two_voices": mean([r for r in clear2 if r["enrolled"]], "accuracy"),
        "accuracy_without_enrolment_two_voices": mean([r for r in clear2 if not r["enrolled"]], "accuracy"),
        "accuracy_two_channel": mean(two_ch, "accuracy"),
        "doctor_accuracy_two_channel": mean(two_ch, "doctor_accuracy"),
        "accuracy_three_voices": mean(
            [r for r in rows if r.get("group") == "three-voices" and r["channels"] == 1], "accuracy"
        ),
        "accuracy_similar_voices_mono": mean(
            [r for r in rows if r["name"] == "en-similar-voices"], "accuracy"
        ),
        "accuracy_reviewed_all_synthetic": mean(
            [r for r in rows if not r["name"].startswith("real-")], "accuracy_reviewed"
        ),
        "latency_ms_median": _pooled(0, 50),
        "cpu_ms_median": _pooled(1, 50),
        "cpu_ms_p95": _pooled(1, 95),
        "calls": len(_CALLS),
        "single_voice_runs_with_one_voice": sum(
            1 for r in rows if r.get("group") == "one-voice" and r["voices_found"] == 1
        ),
        "single_voice_runs": sum(1 for r in rows if r.get("group") == "one-voice"),
        "latency_ms_p95": _pooled(0, 95),
        "latency_ms_p95_worst_run": round(float(max(lat)), 2) if lat else None,
        "der_mean": mean(rows, "der"),
    }


def _live(runs: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    """The live path on each consultation: the streaming recogniser makes the lines, then labels."""
    from desktop.asr.engine import WhisperEngine
    from desktop.asr.streaming.live import LiveRecogniser
    from desktop.config import load_settings
    from desktop.core.lines import merge_pieces
    from desktop.eval.speaker_metrics import enrol_from, score_live_words
    from desktop.pipeline import model_store

    SAMPLE_RATE = 16000

    settings = load_settings()
    engine = WhisperEngine(
        model_store().ensure(settings.asr.model),
        device=settings.asr.device,
        compute_type=settings.asr.compute_type,
        cpu_threads=settings.asr.cpu_threads,
        name=settings.asr.model,
    )
    rows: list[dict[str, Any]] = []
    for k, (scenario, consultation) in enumerate(runs, 1):
        print(f"[{k}/{len(runs)}] live path: {scenario.name} …", file=sys.stderr, flush=True)
        two_channel = consultation.samples.ndim == 2
        language = (
            "auto" if scenario.name.startswith("en-doctor-yue") else "yue" if "yue" in scenario.name else "en"
        )
        variants = [(True, True), (False, True), (False, False)]
        for enrolled, split in variants:
            profile = enrol_from(consultation.enrolment) if enrolled else None
            live = LiveRecogniser(
                engine,
                language=language,
                doctor_profile=profile,
                doctor_channel=0,
                split_turns=split,
                paced=True,
            )
            for i in range(0, len(consultation.samples), SAMPLE_RATE):
                live.feed(consultation.samples[i : i + SAMPLE_RATE])  # one decode step a second, as live
            live.finish()
            scores = score_live_words(merge_pieces(live.final_segments), consultation.turns)
            rows.append(
                {
                    "name": scenario.name,
                    "enrolled": enrolled,
                    "channels": 2 if two_channel else 1,
                    "turn_split": split,
                    "group": _group(scenario.name),
                    **scores.to_dict(),
                }
            )
    return rows


def _print_live_table(rows: list[dict[str, Any]]) -> None:
    print()
    head = (
        f"{'live path':30s} {'enrol':>5s} {'split':>5s} {'words':>5s} {'word acc':>8s} {'mixed lines':>11s}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['name']:30s} {'yes' if r['enrolled'] else 'no':>5s} {'yes' if r['turn_split'] else '-':>5s} "
            f"{r['words']:5d} {r['word_accuracy'] * 100:7.1f}% {r['mixed_lines']:>5d}/{r['lines']:<5d}"
        )


def _live_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(sel: list[dict[str, Any]]) -> float | None:
        return round(float(np.mean([r["word_accuracy"] for r in sel])), 4) if sel else None

    clear2 = [r for r in rows if r["group"] == "two-clear-voices" and r["channels"] == 1]
    two_ch = [r for r in rows if r["channels"] == 2]
    return {
        "live_word_accuracy_enrolled_two_voices": mean([r for r in clear2 if r["enrolled"]]),
        "live_word_accuracy_without_enrolment_two_voices": mean(
            [r for r in clear2 if not r["enrolled"] and r["turn_split"]]
        ),
        "live_word_accuracy_without_enrolment_two_voices_without_turn_split": mean(
            [r for r in clear2 if not r["turn_split"]]
        ),
        "live_word_accuracy_two_channel": mean([r for r in two_ch if r["turn_split"]]),
        "live_word_accuracy_two_channel_without_turn_split": mean([r for r in two_ch if not r["turn_split"]]),
        "live_mixed_lines_two_channel": sum(r["mixed_lines"] for r in two_ch if r["turn_split"]),
        "live_mixed_lines_two_channel_without_turn_split": sum(
            r["mixed_lines"] for r in two_ch if not r["turn_split"]
        ),
        "live_lines_two_channel": sum(r["lines"] for r in two_ch if r["turn_split"]),
    }


def _pooled(column: int, percentile: float) -> float | None:
    if not _CALLS:
        return None
    return round(float(np.percentile([c[column] for c in _CALLS], percentile)), 2)


def _group(name: str) -> str:
    if "single" in name or "one-voice" in name:
        return "one-voice"
    if "similar" in name:
        return "similar-voices"
    if "3voice" in name:
        return "three-voices"
    return "two-clear-voices"


def _run(args: argparse.Namespace) -> int:
    from desktop.eval import speaker_samples as synth_mod
    from desktop.eval.speaker_metrics import enrol_from, read_reference, run_labeller

    use_text = not args.no_text
    _CALLS.clear()
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    if args.input:
        profile = enrol_from(_load_input(args.enrol)) if args.enrol else None
        for path in args.input:
            samples = _load_input(path)
            turns = read_reference(_reference_for(path))
            scores, _, _ = run_labeller(
                samples, turns, profile=profile, use_text=use_text, piece_s=args.pieces
            )
            channels = 1 if samples.ndim == 1 else samples.shape[1]
            rows.append(_row(path.name, profile is not None, channels, scores))
    else:
        cache = args.cache or Path(tempfile.gettempdir()) / "consult-scribe-speaker-bench"
        synth = synth_mod.Synthesiser(cache)
        scenarios = synth_mod.standard_scenarios()
        if args.only:
            unknown = set(args.only) - {s.name for s in scenarios}
            if unknown:
                raise UsageError(
                    f"Unknown scenario: {', '.join(sorted(unknown))}.",
                    f"Choose from: {', '.join(s.name for s in scenarios)}.",
                )
            scenarios = [s for s in scenarios if s.name in args.only]
        live_runs: list[tuple[Any, Any]] = []
        for i, scenario in enumerate(scenarios, 1):
            print(f"[{i}/{len(scenarios)}] synthesising {scenario.name} …", file=sys.stderr, flush=True)
            consultation = synth_mod.render(synth, scenario)
            live_runs.append((scenario, consultation))
            channels = 1 if consultation.samples.ndim == 1 else consultation.samples.shape[1]
            for enrolled in (True, False):
                profile = enrol_from(consultation.enrolment) if enrolled else None
                scores, _, _ = run_labeller(
                    consultation.samples,
                    consultation.turns,
                    profile=profile,
                    use_text=use_text,
                    piece_s=args.pieces,
                )
                row = _row(scenario.name, enrolled, channels, scores)
                row["group"] = _group(scenario.name)
                row["voices"] = consultation.voices
                row["snr_db"] = scenario.snr_db
                rows.append(row)
        if not args.only:
            for name, samples, turns in _real_recordings(args.shared_data):
                scores, _, _ = run_labeller(
                    samples, turns, profile=None, use_text=use_text, piece_s=args.pieces
                )
                row = _row(name, False, 1, scores)
                row["group"] = "real-two-voices" if name == "real-two-voices" else "one-voice"
                rows.append(row)
    _print_table(rows)
    summary = _summary(rows)
    live_rows: list[dict[str, Any]] = []
    if args.live and not args.input:
        live_rows = _live(live_runs)
        _print_live_table(live_rows)
        summary.update(_live_summary(live_rows))
    print()
    for key, value in summary.items():
        target = TARGETS.get(key)
        suffix = f"  (target {'≤' if 'latency' in key else '≥'} {target})" if target is not None else ""
        print(f"{key:42s} {value}{suffix}")
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
        "method": "mfcc-stats-1 embedder, online clustering, text cues" + ("" if use_text else " disabled"),
        "pieces_s": args.pieces,
        "segmentation": (
            "oracle: the reference turns are the utterances (VAD segments), or pieces of them with --pieces; "
            "DER is speaker confusion only; live_runs (--live): the streaming recogniser's own lines, "
            "every recognised word scored against the reference turn at its midpoint"
        ),
        "targets": TARGETS,
        "summary": summary,
        "runs": rows,
        "live_runs": live_rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0
