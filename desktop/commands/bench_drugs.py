"""`consult-scribe bench drugs`: drug names right on a drug-dense synthesised set (BENCHMARKS A13).

Each file of the set is transcribed as ``process`` does (offline, beam 5, the clinic vocabulary
as hotwords, uncovered speech decoded again) and the drug names said are looked up in what was
recognised, before and after the drug-name corrector as ``process`` and the record pass run it
(``audio``: the speech model choosing on each segment's audio). The corrector is also run on
text alone, as for the live lines (spelling and sound, spelling only, sound only), on the same
recognised text, and over the typed ACI-Bench dialogues, where every correction is a false
alarm. ``drugs_dev`` and ``drugs_dev2`` are development sets; ``drugs_test`` is frozen (never
tuned on).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from desktop.eval.speech_sets import DRUG_SETS

# name -> (corrector settings, whether the speech model scores the candidates on the audio)
VARIANTS: dict[str, tuple[dict[str, bool], bool]] = {
    "audio": ({"use_spelling": True, "use_sound": True}, True),
    "spelling+sound": ({"use_spelling": True, "use_sound": True}, False),
    "spelling": ({"use_spelling": True, "use_sound": False}, False),
    "sound": ({"use_spelling": False, "use_sound": True}, False),
}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "drugs",
        help="drug names right on a drug-dense synthesised set, before and after correction",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--set", dest="sets", action="append", choices=DRUG_SETS, default=[])
    parser.add_argument("--dir", type=Path, default=Path("bench-audio"), help="where the sets are rendered")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    parser.add_argument(
        "--asr-cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the recognised text per file here and reuse it (to compare correctors without decoding again)",
    )
    parser.add_argument("--model", default=None, metavar="NAME")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None)
    parser.add_argument("--threads", type=int, default=None, metavar="N")
    parser.add_argument(
        "--vocabulary",
        choices=("clinic", "none"),
        default="clinic",
        help="decoder hotwords: the clinic vocabulary (default, as the app) or none",
    )
    parser.set_defaults(handler=run)


def _vocabulary(kind: str) -> list[str]:
    from desktop.asr.vocabulary import load_vocabulary
    from desktop.config import load_settings

    settings = load_settings()
    if kind == "none":
        return []
    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    return load_vocabulary(vocab_file)


def run(args: argparse.Namespace) -> int:
    from desktop.asr.drug_names import AudioScorer, DrugNameCorrector, whole_word_tokens
    from desktop.asr.factory import whisper_engine
    from desktop.audio.decode import load_audio
    from desktop.commands.bench_asr import machine_info
    from desktop.config import load_settings
    from desktop.eval.drug_metrics import DrugScore, score_file
    from desktop.eval.speech_sets import render_set
    from desktop.lexicon import DrugLexicon

    sets = args.sets or ["drugs_dev"]
    settings = load_settings()
    engine = whisper_engine(settings.asr, model=args.model, device=args.device, threads=args.threads)
    vocabulary = _vocabulary(args.vocabulary)
    lexicon = DrugLexicon.default()
    common = whole_word_tokens(engine.model_path)
    correctors = {
        name: DrugNameCorrector(lexicon, common_words=common, **kw) for name, (kw, _) in VARIANTS.items()
    }
    report: dict[str, Any] = {
        "benchmark": "drug-names",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": engine.name,
        "device": engine.device,
        "compute_type": engine.compute_type,
        "vocabulary": args.vocabulary,
        "vocabulary_terms": len(vocabulary),
        "machine": machine_info(),
        "sets": {},
    }
    for set_name in sets:
        print(f"{set_name}: rendering into {args.dir / set_name} …", file=sys.stderr)
        files = render_set(set_name, args.dir / set_name)
        before = DrugScore()
        after = {name: DrugScore() for name in correctors}
        correct_seconds = dict.fromkeys(correctors, 0.0)
        seconds = 0.0
        for f in files:
            t0 = time.perf_counter()
            segments = _recognise(engine, f.wav, vocabulary, args.asr_cache, f"{set_name}-{args.vocabulary}")
            seconds += time.perf_counter() - t0
            before.add(score_file(f, segments, lexicon))
            audio = AudioScorer(engine, load_audio(f.wav))
            for name, corrector in correctors.items():
                t0 = time.perf_counter()
                fixed = corrector.correct([_copy(s) for s in segments], audio if VARIANTS[name][1] else None)
                correct_seconds[name] += time.perf_counter() - t0
                after[name].add(score_file(f, fixed, lexicon))
            print(f"  {f.name}: {before.right}/{before.said} right so far before correction", file=sys.stderr)
        report["sets"][set_name] = {
            "files": len(files),
            "asr_seconds": round(seconds, 1),
            "before": before.to_dict(),
            "after": {name: score.to_dict() for name, score in after.items()},
            "correction_seconds": {name: round(t, 2) for name, t in correct_seconds.items()},
        }
    report["clean_text"] = _clean_text_check(correctors["spelling+sound"])  # typed text: no audio
    _print(report)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Wrote {args.json}", file=sys.stderr)
    return 0


def _recognise(engine: Any, wav: Path, vocabulary: list[str], cache: Path | None, key: str) -> list[Any]:
    """The file as ``process`` transcribes it (offline, hotwords, gaps decoded again), cached if asked."""
    from desktop.core.types import TranscriptSegment, Word

    stored = cache / f"{wav.stem}.{key}.{engine.name}.json" if cache is not None else None
    if stored is not None and stored.is_file():
        data = json.loads(stored.read_text(encoding="utf-8"))
        segments = []
        for d in data:
            seg = TranscriptSegment.from_dict(d)
            seg.words = [Word(*w) for w in d["words"]]
            segments.append(seg)
        return segments
    result = engine.transcribe(wav, language="en", vocabulary=vocabulary)
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            {**s.to_dict(), "words": [[w.start, w.end, w.text, w.probability] for w in s.words]}
            for s in result.segments
        ]
        stored.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return list(result.segments)


def _copy(segment: Any) -> Any:
    import copy

    return copy.deepcopy(segment)


def _clean_text_check(corrector: Any) -> dict[str, Any]:
    """Corrections on the typed ACI-Bench dialogues (when the shared data is beside the checkout)."""
    import csv

    from desktop import paths
    from desktop.eval.drug_metrics import corrections_on_clean_text

    folder = paths.resource_root().parent / "shared" / "data" / "aci-bench" / "data" / "challenge_data"
    if not folder.is_dir():
        return {"skipped": "ACI-Bench not found beside the checkout"}
    lines: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        if "metadata" in path.name:
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                lines += row["dialogue"].splitlines()
    return corrections_on_clean_text(lines, corrector)


def _print(report: dict[str, Any]) -> None:
    print(
        f"{'set':12} {'corrector':16} {'said':>5} {'right':>6} {'right %':>8} {'corr.':>6} {'wrong':>6} {'wrong %':>8}"
    )
    for set_name, data in report["sets"].items():
        b = data["before"]
        print(
            f"{set_name:12} {'(none)':16} {b['said']:>5} {b['right']:>6} {100 * b['right_share']:>7.1f}% {'':>6} {'':>6} {'':>8}"
        )
        for name, a in data["after"].items():
            print(
                f"{'':12} {name:16} {a['said']:>5} {a['right']:>6} {100 * a['right_share']:>7.1f}% "
                f"{a['corrections']:>6} {a['wrong_corrections']:>6} {100 * a['wrong_corrections_share_of_names']:>7.1f}%"
            )
    clean = report.get("clean_text", {})
    if "corrections" in clean:
        print(
            f"typed ACI-Bench dialogues: {clean['corrections']} corrections on {clean['lines']} lines (all false alarms)"
        )
    print("wrong %: wrong corrections per drug name said", file=sys.stderr)
