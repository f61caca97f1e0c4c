"""`consult-scribe eval checks`: recall and false alarms of the omission and contradiction checks.

On the written cases (``desktop/checks/cases``): recall per injected error type and false alarms per
clean note, the development and the frozen test set reported apart. With ``--aci-bench``: the
flags a clinician would face on each ACI-Bench test1 draft and on the human reference note of the
same dialogue. The drafts are the extractive sorter's (no model, the default) or, with ``--drafter
llm``, the configured model's through the app's drafting; ``--answers DIR`` reads back the answers
an ``eval notes --answers DIR`` run kept, so the checks see the very drafts that run scored.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path
from typing import Any

from desktop import paths

# The case sets, development first, the frozen ones last (a blind set moves to development once the
# next blind set is frozen: desktop/checks/cases/README.md)
CASE_SETS = (
    "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12",
    "test", "test3", "test13",
)  # fmt: skip


def register(esub: Any) -> None:
    p: argparse.ArgumentParser = esub.add_parser(
        "checks",
        help="omission and contradiction checks: recall per error type, false alarms per clean note",
    )
    p.add_argument(
        "--set",
        dest="set_name",
        choices=(*CASE_SETS, "all"),
        default="all",
    )
    p.add_argument(
        "--aci-bench",
        action="store_true",
        help="also count the flags on ACI-Bench drafts and reference notes (the split: --aci-split)",
    )
    p.add_argument(
        "--aci-split",
        choices=("test1", "valid", "train"),
        default="test1",
        help="with --aci-bench: the split (valid and train are where the checks were corrected; test1 is reported)",
    )
    p.add_argument(
        "--data", type=Path, default=None, help="folder holding aci-bench/ (default: ../shared/data)"
    )
    p.add_argument("--limit", type=int, default=0, help="ACI-Bench: only the first N dialogues")
    p.add_argument(
        "--drafter",
        choices=("extractive", "llm"),
        default="extractive",
        help="ACI-Bench: who drafts the notes checked (default: the extractive sorter, no model)",
    )
    p.add_argument(
        "--answers",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --drafter llm: keep the model's answers in DIR and read them back on later runs",
    )
    p.add_argument(
        "--json", type=Path, default=None, metavar="OUT", help="default: bench-results/checks-<set>.json"
    )
    p.set_defaults(handler=run)


def _row(name: str, figure: Any, target: str) -> str:
    return f"  {name:34} {figure:>12}   {target}"


def _print_cases(set_name: str, report: dict[str, Any]) -> None:
    label = {
        "test": "FROZEN test set (never tuned on)",
        "test3": "FROZEN blind test set (written without reading the rules; never tuned on)",
        "dev4": "fourth development set (written blind as test4, then used to correct the rules)",
        "dev5": "fifth development set (written blind as test5, then used to correct the rules)",
        "dev7": "seventh development set (written blind as test7, then used to correct the rules)",
        "dev8": "eighth development set (written blind as test8, then used to correct the rules)",
        "dev9": "ninth development set (written blind as test9, then used to correct the rules)",
        "dev10": "tenth development set (written blind as test10, then used to correct the rules)",
        "dev11": "eleventh development set (written blind as test11, then used to correct the rules)",
        "dev12": "twelfth development set (written blind as test12, then used to correct the rules)",
        "test13": "FROZEN blind test set, twentieth and twenty-first authors (written without reading the rules; never tuned on)",
        "dev6": "sixth development set (written blind as test6, then used to correct the rules)",
        "dev3": "third development set (written blind, then used to correct the rules)",
        "dev": "development set (rules written on it)",
        "dev2": "second development set (more dose, frequency and negation phrasings)",
    }[set_name]
    print(f"\n{label}: {report['error_cases']} injected-error notes, {report['clean_notes']} clean notes")
    for error, counts in report["per_type"].items():
        target = "target 100 %" if error in ("dropped_allergy", "stopped_drug_continued") else ""
        figure = f"{counts['found']}/{counts['cases']} {100 * (counts['recall'] or 0):5.1f} %"
        print(_row(error, figure, target))
    print(
        _row(
            "recall, all errors",
            f"{report['found']}/{report['error_cases']} {100 * report['recall']:5.1f} %",
            "target >= 95 %",
        )
    )
    print(
        _row("false alarms per clean note", f"{report['false_alarms_per_clean_note']:.2f}", "target <= 0.2")
    )
    for lang, figures in report["per_language"].items():
        print(
            f"    {lang:6} recall {100 * figures['recall']:5.1f} % on {figures['error_cases']}, "
            f"false alarms {figures['false_alarms_per_clean_note']:.2f} per clean note on {figures['clean_notes']}"
        )
    for miss in report["missed"]:
        print(f"    missed {miss['id']} ({miss['error']})")
    for fa in report["false_alarm_flags"]:
        for flag in fa["flags"]:
            print(f"    false alarm on {fa['id']}: {flag['message']}")


def run(args: argparse.Namespace) -> int:
    from desktop.checks.engine import Checker
    from desktop.checks.meds import default_drug_finder
    from desktop.eval.checks import load_cases, score

    checker = Checker()
    finder = type(default_drug_finder()).__name__
    payload: dict[str, Any] = {
        "drug_names": finder,
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
    }
    sets = CASE_SETS if args.set_name == "all" else (args.set_name,)
    for set_name in sets:
        report = score(load_cases(set_name), checker.check)
        _print_cases(set_name, report)
        payload[set_name] = report
    if args.aci_bench:
        payload[f"aci_bench_{args.aci_split}"] = _aci_bench(args, checker)
    out = args.json or paths.resource_root() / "bench-results" / f"checks-{args.set_name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nDrug names from {finder}. Saved {out}")
    return 0


def _aci_bench(args: argparse.Namespace, checker: Any) -> dict[str, Any]:
    from desktop.commands.evaluate import default_data_dir
    from desktop.core.types import SoapNote
    from desktop.eval.checks import flags_per_note
    from desktop.eval.notes import read_dataset
    from desktop.llm.extractive import extract_sections

    rows = read_dataset(args.data or default_data_dir(), f"aci-bench-{args.aci_split}")
    if args.limit:
        rows = rows[: args.limit]

    def extractive(transcript: Any) -> SoapNote:
        note = SoapNote()
        for name, items in extract_sections(transcript).items():
            setattr(note, name, items)
        return note

    draft = extractive
    drafter = "rule-based extractive (desktop.llm.extractive, no model)"
    if args.drafter == "llm":
        from desktop.commands.evaluate import _drafter
        from desktop.config import load_settings
        from desktop.core.types import Patient

        model_draft, drafter = _drafter("llm", load_settings(), answers=args.answers)

        def draft(transcript: Any) -> SoapNote:
            note: SoapNote = model_draft(transcript, Patient())[0]
            return note

    report = flags_per_note(rows, draft, checker.check)
    print(
        f"\nACI-Bench {args.aci_split}, {report['notes']} dialogues ({report['facts_per_dialogue_mean']} facts each on average)"
    )
    kind = "model draft" if args.drafter == "llm" else "rule-based extractive draft"
    for which, label in (("draft", kind), ("reference", "human reference note")):
        s = report[which]
        print(
            f"  {label:30} flags per note: mean {s['flags_per_note_mean']}, median {s['flags_per_note_median']}, "
            f"max {s['flags_per_note_max']}; contradictions {s['contradictions_per_note_mean']} per note "
            f"({s['notes_with_a_contradiction']} notes with one)"
        )
        print("    " + ", ".join(f"{t} {n}" for t, n in list(s["by_type"].items())[:8]))
    report["drafter"] = drafter
    return report
