"""`consult-scribe bench asr`: replay recordings through the live recogniser and measure it.

Every file is replayed through the production streaming path (file source → recogniser, the
same code as the microphone) at real-time pace (``--realtime``, the default: latency is what a
person in the room sees) or as fast as possible (``--fast``: accuracy and stability; latency
is then the audio-position latency, compute time not included). Each file is also transcribed
offline by the same model (beam 5, the ``process`` path) for the word timings latency is
measured against and for the streaming penalty. Metrics follow BENCHMARKS.md A1-A10; the
JSON has one object per file and an ``overall`` object.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from desktop.config import LANGUAGES, SCRIPTS

TARGETS_CPU = {
    "final_latency_p50_s": 4.0,
    "final_latency_p95_s": 7.0,
    "tentative_latency_p50_s": 2.0,
    "utterance_final_latency_p50_s": 3.0,
    "duty_cycle": 0.8,
}
TARGETS_GPU = {
    "final_latency_p50_s": 2.0,
    "final_latency_p95_s": 3.5,
    "tentative_latency_p50_s": 0.8,
    "utterance_final_latency_p50_s": 1.2,
    "duty_cycle": 0.3,
}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "asr",
        help="streaming speech recognition: latency, duty cycle, accuracy, stability, audio loss",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--input",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="audio file to replay (repeatable); reference text in FILE.txt or a manifest.csv beside it",
    )
    parser.add_argument(
        "--nonspeech",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a file with no speech (A8)",
    )
    parser.add_argument(
        "--synthetic",
        type=Path,
        default=None,
        metavar="DIR",
        help="synthesise a consultation (espeak-ng) and a non-speech file (sox) into DIR; include both",
    )
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the results as JSON")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--realtime", dest="realtime", action="store_true", default=True, help="real-time pace (default)"
    )
    mode.add_argument("--fast", dest="realtime", action="store_false", help="as fast as possible")
    parser.add_argument("--language", choices=LANGUAGES, default="auto")
    parser.add_argument("--script", choices=SCRIPTS, default="hk")
    parser.add_argument("--model", default=None, metavar="NAME", help="speech model (default: settings)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None)
    parser.add_argument(
        "--compute-type", default=None, metavar="TYPE", help="CTranslate2 type, e.g. int8, float16"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="CPU threads (0 = one per core, at most 4)",
    )
    parser.add_argument(
        "--step", type=float, default=None, metavar="S", help="seconds of audio between decodes"
    )
    parser.add_argument("--beam", type=int, default=None, metavar="N", help="beam while an utterance runs")
    parser.add_argument(
        "--final-beam", type=int, default=None, metavar="N", help="beam of the closing decode"
    )
    parser.add_argument(
        "--no-vocabulary", action="store_true", help="do not prompt with the clinic vocabulary"
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="live pass only: no record pass (the saved transcript is then the live text)",
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        choices=("consult_dev", "consult_heldout"),
        help="add a synthesised consultation set (rendered into --set-dir); consult_heldout is frozen",
    )
    parser.add_argument("--set-dir", type=Path, default=Path("bench-audio"), metavar="DIR")
    parser.set_defaults(handler=run)


# -- inputs -----------------------------------------------------------------------------------
def _default_inputs() -> list[Path]:
    from desktop import paths

    folder = paths.resource_root().parent / "shared" / "data" / "asr-smoke-clips"
    return sorted(folder.glob("*.wav")) if folder.is_dir() else []


def reference_for(path: Path) -> str | None:
    """FILE.txt beside the audio, else the ``reference_text`` of a manifest.csv in its folder."""
    beside = path.with_suffix(".txt")
    if beside.is_file():
        return beside.read_text(encoding="utf-8").strip()
    manifest = path.parent / "manifest.csv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("file") == path.name:
                    return str(row.get("reference_text", "")).strip()
    return None


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    with contextlib.suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    try:
        import ctranslate2
        import faster_whisper

        info["faster_whisper"] = faster_whisper.__version__
        info["ctranslate2"] = ctranslate2.__version__
        info["cuda_devices"] = int(ctranslate2.get_cuda_device_count())
    except Exception:
        pass
    return info


# -- one file ----------------------------------------------------------------------------------
def bench_file(
    path: Path,
    engine: Any,
    options: Any,
    *,
    realtime: bool,
    nonspeech: bool,
    reference: str | None,
    record_pass: bool = True,
    corrector: Any = None,
) -> dict[str, Any]:
    from desktop.asr.filters import boilerplate_reason, repetition_reason
    from desktop.asr.streaming.recognizer import StreamingRecognizer, transcript_from_segments
    from desktop.asr.streaming.record import RecordPass
    from desktop.asr.streaming.session import run_live
    from desktop.audio.decode import load_audio
    from desktop.audio.sources import ReplaySource
    from desktop.eval.streaming_metrics import percentile, script_conformity

    audio = load_audio(path)
    duration = len(audio) / 16_000
    offline, offline_seconds = _offline_pass(engine, audio, options)
    offline_text = " ".join(s.text for s in offline.segments).strip()

    # Streaming pass (and the record pass beside it), through the app's live loop.
    recognizer = StreamingRecognizer(engine, options, corrector=corrector)
    source = ReplaySource(audio, realtime=realtime, name=path.name)
    record = None
    if record_pass:
        record = RecordPass(
            engine,
            language=options.language,
            script=options.script,
            vocabulary=options.vocabulary,
            corrector=corrector,
            background=realtime,
        )
    result = run_live(source, recognizer, keep_events=True, background=realtime, record=record)
    final_latencies, tentative_latencies, utterance_latencies, emitted = _latencies(result, offline, realtime)

    merged = transcript_from_segments(recognizer.segments, recognizer.session_language)
    stream_text = " ".join(s.text for s in merged).strip()
    record_segments = result.record if record is not None else merged
    record_text = " ".join(s.text for s in record_segments).strip()
    conforming, cjk_total = script_conformity(stream_text, options.script)
    stats = result.streaming
    row: dict[str, Any] = {
        "file": path.name,
        "duration_s": round(duration, 2),
        "mode": "realtime" if realtime else "fast",
        "latency_basis": "wall_clock" if realtime else "audio_position",
        "language": recognizer.session_language,
        "final_latency_p50_s": _r(percentile(final_latencies, 50)),
        "final_latency_p95_s": _r(percentile(final_latencies, 95)),
        "tentative_latency_p50_s": _r(percentile(tentative_latencies, 50)),
        "utterance_final_latency_p50_s": _r(percentile(utterance_latencies, 50)),
        "matched_words": len(final_latencies),
        "duty_cycle": round(stats.duty_cycle, 3),
        "max_recent_duty": round(stats.max_recent_duty, 3),
        "overload_warnings": stats.overload_warnings,
        "final_revisions": _revisions(recognizer.segments, emitted),
        "tentative_revisions_per_min": round(stats.tentative_revisions / max(duration / 60, 1e-9), 2),
        "captured_samples": result.captured_samples,
        "processed_samples": result.processed_samples,
        "lost_samples": result.lost_samples,
        "loops": sum(1 for s in recognizer.segments if repetition_reason(s.text)),
        "boilerplate": sum(1 for s in recognizer.segments if boilerplate_reason(s.text)),
        "script_conformity": round(conforming / cjk_total, 4) if cjk_total else None,
        "cjk_characters": cjk_total,
        "rejected": dict(stats.rejected),
        "decodes": stats.decodes,
        "offline_rtf": round(offline_seconds / duration, 3) if duration else None,
        "offline_gaps_redecoded": offline.gaps_redecoded,
        "offline_recovered_seconds": round(offline.recovered_seconds, 2),
        "record": result.record_stats,
        "stop_to_record_s": result.record_stats.get("finish_seconds"),
        "total_duty_cycle": round(
            (stats.compute_seconds + result.record_stats.get("compute_seconds", 0.0)) / duration, 3
        )
        if duration
        else None,
        **_coverage_fields(audio, recognizer.segments, offline.segments, record_segments),
        "text": stream_text,
        "record_text": record_text,
        "offline_text": offline_text,
        "_final_latencies": final_latencies,
        "_tentative_latencies": tentative_latencies,
        "_utterance_latencies": utterance_latencies,
        "_compute_s": stats.compute_seconds,
    }
    if stats.language_note:
        row["language_note"] = stats.language_note
    _accuracy(row, reference, nonspeech, duration)
    return row


def _offline_pass(engine: Any, audio: Any, options: Any) -> tuple[Any, float]:
    """The same model as ``process`` runs it, with word timings (the latency reference)."""
    t0 = time.perf_counter()
    offline = engine.transcribe(
        audio,
        language=options.language,
        script=options.script,
        vocabulary=options.vocabulary,
        beam_size=5,
        vad=True,
        word_timestamps=True,
    )
    return offline, time.perf_counter() - t0


def _latencies(
    result: Any, offline: Any, realtime: bool
) -> tuple[list[float], list[float], list[float], list[tuple[str, str]]]:
    """Final, tentative and utterance latencies of the live words (aligned to the offline words'
    ends), and the final segments as they were emitted."""
    from desktop.asr.streaming.recognizer import FinalEvent
    from desktop.eval.streaming_metrics import align, tokens

    offline_tokens: list[str] = []
    offline_ends: list[float] = []
    for seg in offline.segments:
        for word in seg.words:
            for tok in tokens(word.text):
                offline_tokens.append(tok)
                offline_ends.append(word.end)
    started = result.started_at
    emitted: list[tuple[str, str]] = []
    stream_tokens: list[str] = []
    token_times: list[tuple[float, float]] = []  # (final, first shown) in the chosen basis
    utterance_latencies: list[float] = []
    for event in result.events:
        if not isinstance(event, FinalEvent):
            continue
        seg = event.segment
        emitted.append((seg.id, seg.text))
        final_at = event.wall - started if realtime else event.audio_time
        if event.utterance_end is not None:
            utterance_latencies.append(final_at - event.utterance_end)
        for i, word in enumerate(seg.words):
            shown = event.first_shown[i] - started if realtime else event.first_shown_audio[i]
            for tok in tokens(word.text):
                stream_tokens.append(tok)
                token_times.append((final_at, min(shown, final_at)))
    final_latencies: list[float] = []
    tentative_latencies: list[float] = []
    for ref_i, hyp_i in align(offline_tokens, stream_tokens):
        final_at, shown_at = token_times[hyp_i]
        final_latencies.append(final_at - offline_ends[ref_i])
        tentative_latencies.append(shown_at - offline_ends[ref_i])
    return final_latencies, tentative_latencies, utterance_latencies, emitted


def _revisions(segments: list[Any], emitted: list[tuple[str, str]]) -> int:
    """Stability (A7): every final segment's text is what it was when emitted, once, in order."""
    final_now = {s.id: s.text for s in segments}
    revisions = sum(1 for sid, text in emitted if final_now.get(sid) != text)
    revisions += len(emitted) - len({sid for sid, _ in emitted})
    return revisions + abs(len(segments) - len(emitted))


def _coverage_fields(audio: Any, live: list[Any], offline: list[Any], record: list[Any]) -> dict[str, Any]:
    """A12 for the live text, the offline pass and the record."""
    from desktop.eval.streaming_metrics import coverage

    found = {
        "live": coverage(audio, live),
        "offline": coverage(audio, offline),
        "record": coverage(audio, record),
    }
    return {
        "coverage": found,
        "uncovered_s": found["live"]["uncovered_speech_s"],
        "gaps_over_1s": found["live"]["gaps_over_1s"],
        "offline_uncovered_s": found["offline"]["uncovered_speech_s"],
        "offline_gaps_over_1s": found["offline"]["gaps_over_1s"],
        "record_uncovered_s": found["record"]["uncovered_speech_s"],
        "record_gaps_over_1s": found["record"]["gaps_over_1s"],
    }


def _accuracy(row: dict[str, Any], reference: str | None, nonspeech: bool, duration: float) -> None:
    """A6/A11 error rates against the reference, or A8 characters on a file without speech."""
    from desktop.eval.streaming_metrics import error_rate, is_chinese

    stream_text, offline_text, record_text = row["text"], row["offline_text"], row["record_text"]
    if nonspeech:
        chars = len([c for c in stream_text if c.isalnum()])
        row["nonspeech_chars"] = chars
        row["nonspeech_chars_per_hour"] = round(chars / (duration / 3600.0), 1) if duration else None
        row["offline_nonspeech_chars"] = len([c for c in offline_text if c.isalnum()])
        row["record_nonspeech_chars"] = len([c for c in record_text if c.isalnum()])
        return
    if not reference:
        return
    kind = "cer" if is_chinese(reference) else "wer"
    edits, n = error_rate(reference, stream_text)
    off_edits, _ = error_rate(reference, offline_text)
    rec_edits, _ = error_rate(reference, record_text)
    vs_edits, vs_n = error_rate(offline_text, stream_text)
    row[kind] = round(edits / n, 4) if n else None
    row[f"offline_{kind}"] = round(off_edits / n, 4) if n else None
    row[f"record_{kind}"] = round(rec_edits / n, 4) if n else None
    row[f"record_minus_offline_{kind}_points"] = round(100 * (rec_edits - off_edits) / n, 2) if n else None
    row[f"{kind}_vs_offline"] = round(vs_edits / vs_n, 4) if vs_n else None
    row["_errors"] = (kind, edits, off_edits, n, rec_edits)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from desktop.eval.streaming_metrics import percentile

    finals = [x for r in rows for x in r["_final_latencies"]]
    tentatives = [x for r in rows for x in r["_tentative_latencies"]]
    utterances = [x for r in rows for x in r["_utterance_latencies"]]
    audio = sum(r["duration_s"] for r in rows)
    out: dict[str, Any] = {
        "files": len(rows),
        "audio_s": round(audio, 2),
        "final_latency_p50_s": _r(percentile(finals, 50)),
        "final_latency_p95_s": _r(percentile(finals, 95)),
        "tentative_latency_p50_s": _r(percentile(tentatives, 50)),
        "utterance_final_latency_p50_s": _r(percentile(utterances, 50)),
        "matched_words": len(finals),
        "duty_cycle": round(sum(r["_compute_s"] for r in rows) / audio, 3) if audio else None,
        "max_recent_duty": max((r["max_recent_duty"] for r in rows), default=0.0),
        "final_revisions": sum(r["final_revisions"] for r in rows),
        "tentative_revisions_per_min": round(
            sum(r["tentative_revisions_per_min"] * r["duration_s"] / 60 for r in rows) / (audio / 60), 2
        )
        if audio
        else None,
        "captured_samples": sum(r["captured_samples"] for r in rows),
        "processed_samples": sum(r["processed_samples"] for r in rows),
        "lost_samples": sum(r["lost_samples"] for r in rows),
        "loops": sum(r["loops"] for r in rows),
        "boilerplate": sum(r["boilerplate"] for r in rows),
        "uncovered_s": round(sum(r["uncovered_s"] for r in rows), 2),
        "gaps_over_1s": sum(r["gaps_over_1s"] for r in rows),
        "offline_uncovered_s": round(sum(r["offline_uncovered_s"] for r in rows), 2),
        "offline_gaps_over_1s": sum(r["offline_gaps_over_1s"] for r in rows),
        "record_uncovered_s": round(sum(r["record_uncovered_s"] for r in rows), 2),
        "record_gaps_over_1s": sum(r["record_gaps_over_1s"] for r in rows),
        "stop_to_record_s_max": max((r["stop_to_record_s"] or 0.0 for r in rows), default=0.0),
        "record_compute_s": round(sum(r["record"].get("compute_seconds", 0.0) for r in rows), 2),
    }
    for kind in ("wer", "cer"):
        scored = [r["_errors"] for r in rows if "_errors" in r and r["_errors"][0] == kind]
        n = sum(s[3] for s in scored)
        if n:
            out[kind] = round(sum(s[1] for s in scored) / n, 4)
            out[f"offline_{kind}"] = round(sum(s[2] for s in scored) / n, 4)
            out[f"record_{kind}"] = round(sum(s[4] for s in scored) / n, 4)
    nonspeech = [r for r in rows if "nonspeech_chars" in r]
    if nonspeech:
        hours = sum(r["duration_s"] for r in nonspeech) / 3600.0
        out["nonspeech_chars_per_hour"] = round(sum(r["nonspeech_chars"] for r in nonspeech) / hours, 1)
    cjk = sum(r["cjk_characters"] for r in rows)
    if cjk:
        conforming = sum((r["script_conformity"] or 0) * r["cjk_characters"] for r in rows)
        out["script_conformity"] = round(conforming / cjk, 4)
    rejected: dict[str, int] = {}
    for r in rows:
        for key, value in r["rejected"].items():
            rejected[key] = rejected.get(key, 0) + value
    out["rejected"] = rejected
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _gaps(r: dict[str, Any]) -> str:
    return f"{r.get('gaps_over_1s', '-')}/{r.get('offline_gaps_over_1s', '-')}/{r.get('record_gaps_over_1s', '-')}"


def print_table(rows: list[dict[str, Any]], total: dict[str, Any], gpu: bool) -> None:
    header = (
        f"{'file':34} {'dur':>6} {'A1 p50':>7} {'A1 p95':>7} {'A2 p50':>7} {'A3 p50':>7} {'A4':>5} "
        f"{'A6 err':>7} {'offl':>6} {'A11 rec':>7} {'A7':>3} {'tr/min':>6} {'A8 c/h':>7} {'loop':>4} {'A9':>6} {'A10':>5} "
        f"{'A12 l/o/r':>9} {'stop s':>6}"
    )
    print(header)
    print("-" * len(header))

    def line(name: str, r: dict[str, Any]) -> str:
        kind = "cer" if r.get("cer") is not None else "wer"
        return (
            f"{name[:34]:34} {_fmt(r.get('duration_s', r.get('audio_s')), 1):>6} "
            f"{_fmt(r.get('final_latency_p50_s')):>7} {_fmt(r.get('final_latency_p95_s')):>7} "
            f"{_fmt(r.get('tentative_latency_p50_s')):>7} {_fmt(r.get('utterance_final_latency_p50_s')):>7} "
            f"{_fmt(r.get('duty_cycle')):>5} {_fmt(r.get(kind), 3):>7} "
            f"{_fmt(r.get('offline_' + kind), 3):>6} {_fmt(r.get('record_' + kind), 3):>7} "
            f"{_fmt(r.get('final_revisions')):>3} {_fmt(r.get('tentative_revisions_per_min'), 1):>6} "
            f"{_fmt(r.get('nonspeech_chars_per_hour'), 0):>7} {_fmt(r.get('loops')):>4} "
            f"{_fmt(r.get('script_conformity'), 3):>6} {_fmt(r.get('lost_samples')):>5} "
            f"{_gaps(r):>9} {_fmt(r.get('stop_to_record_s', r.get('stop_to_record_s_max')), 1):>6}"
        )

    for r in rows:
        print(line(r["file"], r))
    print("-" * len(header))
    print(line("overall", total))
    t = TARGETS_GPU if gpu else TARGETS_CPU
    print(
        f"{'target (' + ('GPU' if gpu else 'CPU') + ')':34} {'':>6} {t['final_latency_p50_s']:>7.2f} "
        f"{t['final_latency_p95_s']:>7.2f} {t['tentative_latency_p50_s']:>7.2f} "
        f"{t['utterance_final_latency_p50_s']:>7.2f} {t['duty_cycle']:>5.2f} {'off+3pt':>7} {'':>6} {'off+1pt':>7} "
        f"{0:>3} {'':>6} {'<=5':>7} {0:>4} {'0.995':>6} {0:>5} {'0 >1s':>9} {'<=5':>6}"
    )
    if "cer" in total or "wer" in total:
        print(
            "A6 err: WER (English) or CER (Chinese) of the live text; offl: the same model offline "
            "(beam 5); A11 rec: the saved record (record pass). A12: speech gaps > 1 s live/offline/record; "
            "stop s: Stop -> record complete."
        )


# -- command ------------------------------------------------------------------------------------
def _inputs(args: argparse.Namespace) -> tuple[list[Path], set[Path], dict[Path, str]]:
    """The recordings to replay, those without speech, and the evaluation set of each."""
    from desktop.core.errors import UsageError

    inputs: list[Path] = list(args.input)
    nonspeech: set[Path] = {p.resolve() for p in args.nonspeech}
    inputs += [p for p in args.nonspeech if p not in inputs]
    if args.synthetic is not None:
        from desktop.eval.streaming_samples import synth_consultation, synth_nonspeech

        inputs.append(synth_consultation(args.synthetic))
        quiet = synth_nonspeech(args.synthetic)
        inputs.append(quiet)
        nonspeech.add(quiet.resolve())
    set_of: dict[Path, str] = {}
    for set_name in args.sets:
        from desktop.eval.speech_sets import render_set

        for rendered in render_set(set_name, args.set_dir / set_name):
            inputs.append(rendered.wav)
            set_of[rendered.wav.resolve()] = set_name
    if not inputs:
        inputs = _default_inputs()
    if not inputs:
        raise UsageError("No recordings to replay.", "Give --input FILE (repeatable) or --synthetic DIR.")
    for p in inputs:
        if not p.is_file():
            raise UsageError(f"The recording {p} does not exist.", "Check the path.")
    return inputs, nonspeech, set_of


def run(args: argparse.Namespace) -> int:
    from desktop.asr.engine import WhisperEngine
    from desktop.asr.streaming.recognizer import StreamingOptions
    from desktop.asr.vocabulary import load_vocabulary
    from desktop.config import load_settings
    from desktop.pipeline import model_store

    inputs, nonspeech, set_of = _inputs(args)

    settings = load_settings()
    model_name = args.model or settings.asr.model
    device = args.device or settings.asr.device
    compute_type = args.compute_type or settings.asr.compute_type
    threads = settings.asr.cpu_threads if args.threads is None else args.threads
    model_dir = model_store().ensure(model_name)
    engine = WhisperEngine(
        model_dir, device=device, compute_type=compute_type, cpu_threads=threads, name=model_name
    )
    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    options = StreamingOptions(
        language=args.language,
        script=args.script,
        vocabulary=[] if args.no_vocabulary else load_vocabulary(vocab_file),
    )
    if args.step is not None:
        options.step_s = args.step
    if args.beam is not None:
        options.beam_size = args.beam
    if args.final_beam is not None:
        options.final_beam_size = args.final_beam

    from desktop.asr.drug_names import corrector_for

    corrector = corrector_for(engine.model_path)
    machine = machine_info()
    print(
        f"Replaying {len(inputs)} file(s) {'at real-time pace' if args.realtime else 'as fast as possible'} "
        f"with {model_name} on {engine.device}/{engine.compute_type}, threads={threads or os.cpu_count()}; "
        f"load average {machine.get('load_average')}",
        file=sys.stderr,
    )
    rows: list[dict[str, Any]] = []
    for path in inputs:
        is_quiet = path.resolve() in nonspeech
        reference = reference_for(path)
        if reference == "" and not is_quiet:
            is_quiet = True  # an empty reference marks a recording with no speech
        print(f"  {path.name} …", file=sys.stderr)
        rows.append(
            bench_file(
                path,
                engine,
                options,
                realtime=args.realtime,
                nonspeech=is_quiet,
                reference=reference,
                record_pass=not args.no_record,
                corrector=corrector,
            )
        )
        rows[-1]["set"] = set_of.get(path.resolve(), "")
    total = overall(rows)
    gpu = engine.device == "cuda"
    print_table(rows, total, gpu)
    if args.json is not None:
        try:
            load_end = [round(x, 2) for x in os.getloadavg()]
        except OSError:
            load_end = []
        report = {
            "benchmark": "asr-streaming",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "mode": "realtime" if args.realtime else "fast",
            "model": model_name,
            "device": engine.device,
            "compute_type": engine.compute_type,
            "threads": threads or os.cpu_count(),
            "machine": {**machine, "load_average_end": load_end},
            "options": {
                "language": options.language,
                "script": options.script,
                "step_s": options.step_s,
                "beam_size": options.beam_size,
                "final_beam_size": options.final_beam_size,
                "vad_min_silence_ms": options.vad.min_silence_ms,
                "vocabulary_terms": len(options.vocabulary),
                "record_pass": not args.no_record,
            },
            "by_set": {name: overall([r for r in rows if r.get("set") == name]) for name in args.sets},
            "targets": TARGETS_GPU if gpu else TARGETS_CPU,
            "files": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
            "overall": total,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Wrote {args.json}", file=sys.stderr)
    return 0
