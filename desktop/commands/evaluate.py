"""`consult-scribe eval notes`: note quality on ACI-Bench (ROUGE) and PriMock57 (critical-fact recall)."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

from desktop import paths


def default_data_dir() -> Path:
    return paths.resource_root().parent / "shared" / "data"


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("eval", help="evaluate note quality on public datasets")
    esub = parser.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    p = esub.add_parser(
        "notes",
        help="draft notes for public dialogues: ROUGE on ACI-Bench test1, critical-fact recall on PriMock57",
    )
    p.add_argument(
        "--dataset",
        default="aci-bench-test1",
        choices=("aci-bench-test1", "aci-bench-valid", "primock57", "frozen", "dev"),
        help="frozen: ConsultScribe's own consultations, never tuned on; dev: its development cases",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder holding aci-bench/, primock57/ and derived/ (default: ../shared/data)",
    )
    p.add_argument("--llm-model", default=None, metavar="NAME")
    p.add_argument(
        "--drafter",
        choices=("llm", "extractive", "rules"),
        default="llm",
        help="extractive: the speakers' own sentences sorted into sections, no language model; "
        "rules: the same with the keyword rules alone (the earlier sorter)",
    )
    p.add_argument(
        "--sections-model",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="extractive: a section classifier other than the shipped one (e.g. eval sections --dev --out)",
    )
    p.add_argument(
        "--none-threshold",
        type=float,
        default=None,
        metavar="P",
        help="extractive: leave out sentences at least this likely small talk (default: the app's)",
    )
    p.add_argument("--limit", type=int, default=0, help="score only the first N dialogues")
    p.add_argument("--n-gpu-layers", type=int, default=None)
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="save per-note and overall figures")
    p.add_argument(
        "--answers",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the model's answers in DIR and read them back when a later run asks the same "
        "question (the drafting around the model runs anew; times are then not drafting times)",
    )
    p.set_defaults(handler=run)
    from desktop.commands import eval_checks, eval_sections

    eval_sections.register(esub)
    eval_checks.register(esub)


def run(args: argparse.Namespace) -> int:
    from desktop.config import load_settings
    from desktop.eval.medications import read_labels
    from desktop.eval.notes import PAPER_BASELINES, evaluate_notes, read_dataset, recipe_check

    data_dir = args.data or default_data_dir()
    if args.dataset in ("frozen", "dev"):
        return _own(args)
    if args.dataset == "primock57":
        from desktop.eval.fact_recall import read_primock57

        consultations = read_primock57(data_dir)  # fails fast, before any model loads
        rows: list[dict[str, str]] = []
    else:
        rows = read_dataset(data_dir, args.dataset)
        if args.limit:
            rows = rows[: args.limit]
    settings = load_settings()
    if args.llm_model:
        settings.llm.model = args.llm_model
    if args.n_gpu_layers is not None:
        settings.llm.n_gpu_layers = args.n_gpu_layers
    draft, model_label = _drafter(
        args.drafter, settings, args.none_threshold, args.sections_model, answers=args.answers
    )
    if args.dataset == "primock57":
        return _recall(args, consultations[: args.limit] if args.limit else consultations, draft, model_label)

    def show(i: int, n: int, score: Any) -> None:
        print(
            f"[{i:2d}/{n}] {score.encounter_id}: R1 {score.rouge1:5.2f} R2 {score.rouge2:5.2f} "
            f"RLsum {score.rougeLsum:5.2f}  flagged {score.unsupported}  {score.seconds:5.1f} s",
            file=sys.stderr,
        )

    split = args.dataset.rsplit("-", 1)[1]
    labels = read_labels(split)
    scores, overall = evaluate_notes(rows, draft, show, medication_labels=labels)
    check = recipe_check(data_dir, rows) if not args.limit else None
    print(
        f"\nACI-Bench {args.dataset.rsplit('-', 1)[1]}, {len(scores)} dialogues; rouge_score, use_stemmer=False, F-measure mean"
    )
    print(f"{'system':48} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-Lsum':>10}")
    print(f"{'ConsultScribe: ' + model_label:48} {overall[0]:8.2f} {overall[1]:8.2f} {overall[2]:10.2f}")
    for name, (a, b, c) in PAPER_BASELINES.items():
        print(f"{'paper: ' + name:48} {a:8.2f} {b:8.2f} {c:10.2f}")
    if check is not None:
        print(
            f"{'recipe check (transcript copied, recomputed)':48} {check[0]:8.2f} {check[1]:8.2f} {check[2]:10.2f}"
        )
    flagged = [s.unsupported for s in scores]
    seconds = [s.seconds for s in scores]
    recall = statistics.mean(s.rouge1_recall for s in scores)
    print(f"ROUGE-1 recall of the draft (share of the reference note's words it holds): {recall:.2f}")
    print(
        f"\nUnsupported facts flagged by the guard: {sum(flagged)} in total, "
        f"{statistics.mean(flagged):.2f} per note (notes with any: {sum(1 for f in flagged if f)})."
    )
    print(f"Drafting time per note: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s.")
    meds = _medication_figures(scores)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "dataset": args.dataset,
            "drafter": args.drafter,
            "model": model_label,
            "scoring": "rouge_score RougeScorer(['rouge1','rouge2','rougeLsum'], use_stemmer=False), mean F x 100",
            "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": _cpus()},
            "overall": {
                "rouge1": overall[0],
                "rouge2": overall[1],
                "rougeLsum": overall[2],
                "rouge1_recall": recall,
            },
            "recipe_check_transcript_copied": check,
            "unsupported_total": sum(flagged),
            "seconds_median": statistics.median(seconds),
            "medications": meds,
            "notes": [{**s.__dict__, "medications": _medication_dict(s.medications)} for s in scores],
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"Saved {args.json}")
    return 0


def _medication_figures(scores: list[Any]) -> dict[str, Any] | None:
    """Print and return the medications part against the labelled list (None without labels)."""
    from desktop.eval.medications import MedicationScore, summary

    total = MedicationScore()
    labelled = [s.medications for s in scores if s.medications is not None]
    if not labelled:
        return None
    for m in labelled:
        total.add(m)
    figures = summary(total)
    print(
        f"\nMedications and allergies against the labelled list ({figures['labelled']} drugs in "
        f"{len(labelled)} notes): listed {figures['listed_pct']:.1f} %, status right "
        f"{figures['status_right_pct']:.1f} % ({figures['status_right_of_listed_pct']:.1f} % of those listed); "
        f"stopped or allergen listed as taken or new: {figures['unsafe']}; taken listed as new: "
        f"{figures['taken_listed_as_new']}; entries naming no medicine: {figures['stray_entries']}."
    )
    confusion = " ".join(f"{a}->{b}:{n}" for (a, b), n in sorted(total.confusion.items()) if a != b)
    if confusion:
        print(f"Status errors (label->listed): {confusion}")
    return {**figures, "confusion": {f"{a}->{b}": n for (a, b), n in sorted(total.confusion.items())}}


def _medication_dict(score: Any) -> dict[str, Any] | None:
    if score is None:
        return None
    from desktop.eval.medications import summary

    return {**summary(score), "confusion": {f"{a}->{b}": n for (a, b), n in sorted(score.confusion.items())}}


def _recall(args: argparse.Namespace, consultations: list[Any], draft: Any, model_label: str) -> int:
    from desktop.eval.fact_recall import MATCH_SHARE, evaluate_recall

    def show(i: int, n: int, score: Any) -> None:
        print(
            f"[{i:2d}/{n}] {score.encounter_id}: critical facts {score.recalled}/{score.critical_items} "
            f"({100 * score.recall:4.1f} %; transcript {100 * score.transcript_recall:4.1f} %)  "
            f"flagged {score.unsupported}  {score.seconds:5.1f} s",
            file=sys.stderr,
        )

    scores, overall = evaluate_recall(consultations, draft, show)
    seconds = [s.seconds for s in scores]
    print(
        f"\nPriMock57, {len(scores)} consultations with clinician checklists (Clinician_1), critical items only"
    )
    print(
        f"Matching: at least {MATCH_SHARE:.0%} of an item's content words in the note (see desktop/eval/fact_recall.py)"
    )
    print(f"{'system':48} {'recall':>8} {'pooled':>8}")
    print(
        f"{'ConsultScribe: ' + model_label:48} {100 * overall['recall_mean']:7.1f}% {100 * overall['recall_pooled']:7.1f}%"
    )
    print(
        f"{'transcript copied as note (matching ceiling)':48} {100 * overall['transcript_recall_mean']:7.1f}%"
    )
    print(
        f"\nUnsupported facts flagged by the guard: {int(overall['unsupported_total'])} in total, "
        f"{overall['unsupported_per_note']:.2f} per note."
    )
    print(f"Drafting time per note: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "dataset": "primock57",
            "drafter": args.drafter,
            "model": model_label,
            "matching": f"content words, >= {MATCH_SHARE:.0%} of an item's words in the note",
            "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": _cpus()},
            "overall": overall,
            "notes": [s.__dict__ for s in scores],
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"Saved {args.json}")
    return 0


def _own(args: argparse.Namespace) -> int:
    """The frozen set (or the development cases): facts recalled, medication statuses, empty drafts."""
    from desktop.config import load_settings
    from desktop.eval.frozen import evaluate_cases, read_cases

    cases = read_cases(args.dataset)
    if args.limit:
        cases = cases[: args.limit]
    settings = load_settings()
    if args.llm_model:
        settings.llm.model = args.llm_model
    if args.n_gpu_layers is not None:
        settings.llm.n_gpu_layers = args.n_gpu_layers
    draft, model_label = _drafter(args.drafter, settings, answers=args.answers)

    def with_cc(transcript: Any, patient: Any, chief_complaint: str) -> Any:
        note, flagged, _ = draft(transcript, patient, chief_complaint)
        return note, flagged

    def show(i: int, n: int, s: Any) -> None:
        empty = f" empty {'ok' if s.empty_ok else 'WRONG'}" if s.expect_empty or not s.empty_ok else ""
        print(
            f"[{i:2d}/{n}] {s.name:28} facts {s.facts_recalled}/{s.facts} meds {s.meds_recalled}/{s.meds}"
            f"{empty}  flagged {s.unsupported}  {s.seconds:5.1f} s",
            file=sys.stderr,
        )

    scores, overall = evaluate_cases(cases, with_cc, _hearing(settings), show)
    label = "frozen set (never tuned on)" if args.dataset == "frozen" else "development cases"
    print(f"\nConsultScribe's own consultations, {label}: {len(scores)} cases; {model_label}")
    print(f"Facts and medication statuses recalled: {100 * overall['fact_recall']:.1f} %")
    for key in ("typed", "spoken", "english", "chinese"):
        value = overall[f"fact_recall_{key}"]
        if value is not None:
            print(f"  {key:8} {100 * value:5.1f} %")
    print(
        f"Empty drafts where nothing clinical was said (and only there): {100 * overall['empty_correct']:.0f} %"
    )
    print(f"Flagged items: {overall['unsupported_total']}; drafting median {overall['seconds_median']:.1f} s")
    if overall["skipped"]:
        print(f"Not run (no speech synthesiser): {', '.join(overall['skipped'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "dataset": args.dataset,
            "drafter": args.drafter,
            "model": model_label,
            "machine": {"platform": platform.platform(), "cpus": _cpus()},
            "overall": overall,
            "cases": [s.__dict__ for s in scores],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"Saved {args.json}")
    return 0


def _hearing(settings: Any) -> Any:
    """Typed cases as they are; spoken ones synthesised, recognised and labelled as a recording is."""
    import tempfile

    def hear(case: Any) -> Any:
        from desktop.asr.transcript_file import parse_transcript_text

        if case.speech == "typed":
            return parse_transcript_text(case.transcript_text(), script=settings.asr.script)
        from desktop import pipeline
        from desktop.eval.frozen import spoken_audio

        try:
            from desktop.eval.tts import write_wav
        except ImportError:
            print(f"{case.name}: skipped, the speech synthesiser is not installed here", file=sys.stderr)
            return None

        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / f"{case.name}.wav"
            write_wav(wav, spoken_audio(case))
            asr = settings.asr
            asr.language = "en" if case.language == "en" else "yue"
            transcript, _, _ = pipeline.transcribe(wav, settings, lambda what, f: None, None)
            return transcript

    return hear


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _drafter(
    kind: str,
    settings: Any,
    none_threshold: float | None = None,
    sections_model: Path | None = None,
    *,
    answers: Path | None = None,
) -> tuple[Any, str]:
    from desktop.core.types import SoapNote
    from desktop.documents.factguard import FactGuard
    from desktop.llm import extractive as ex
    from desktop.llm.sections import load_model

    if kind in ("extractive", "rules"):
        policy = ex.SortPolicy(model=load_model(sections_model) if sections_model else None)
        if none_threshold is not None:
            policy = ex.SortPolicy(none_threshold=none_threshold, model=policy.model)

        def extractive(
            transcript: Any, patient: Any, chief_complaint: str = ""
        ) -> tuple[SoapNote, int, list[str]]:
            note = SoapNote()
            sorted_ = (
                ex.extract_sections_by_rules(transcript)
                if kind == "rules"
                else ex.extract_sections(transcript, policy)
            )
            for name, items in sorted_.items():
                setattr(note, name, items)
            return note, FactGuard.for_transcript(transcript.text()).guard_note(note), []

        if kind == "rules":
            return extractive, "keyword rules alone, whole lines (the earlier sorter), no model"
        source = f"classifier {sections_model}" if sections_model else "shipped classifier"
        return (
            extractive,
            f"extractive sorter, {source}, small talk at p >= {policy.none_threshold:g} left out",
        )

    from desktop.llm.drafting import draft_note
    from desktop.llm.factory import llama_runtime

    runtime = llama_runtime(settings.llm)
    book = None
    if answers is not None:
        from desktop.eval.answers import AnswerBook

        book = AnswerBook(answers)
        book.attach(runtime)

    def llm(transcript: Any, patient: Any, chief_complaint: str = "") -> tuple[SoapNote, int, list[str]]:
        result = draft_note(
            runtime,
            transcript,
            patient,
            chief_complaint,
            temperature=settings.llm.temperature,
            max_tokens=settings.llm.max_tokens,
            language=settings.note.language,
            script=settings.asr.script,
        )
        return result.note, result.unsupported, result.extracted_sections

    label = f"{settings.llm.model} (llama.cpp, {'GPU' if runtime.n_gpu_layers else 'CPU'})"
    if book is not None:
        label += f", answers kept in {answers}"
    return llm, label
