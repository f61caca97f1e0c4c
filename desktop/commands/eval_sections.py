"""`consult-scribe eval sections`: train (``--train``) and score the transcript-line section classifier."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TRAIN_OPTIONS = {"c": 4.0, "note_weight": 2.0, "min_df": 2, "use_mts": True}


def register(esub: Any) -> None:
    p: argparse.ArgumentParser = esub.add_parser(
        "sections",
        help="score the section classifier beside the rules (ACI-Bench test1, frozen Chinese lines); --train rebuilds it",
    )
    p.add_argument(
        "--data", type=Path, default=None, help="folder holding aci-bench/, mts-dialog/ and derived/"
    )
    p.add_argument(
        "--train",
        action="store_true",
        help="retrain on ACI-Bench train+valid and MTS-Dialog, write the asset",
    )
    p.add_argument(
        "--dev",
        action="store_true",
        help="development run: train on ACI-Bench train only (not saved) and score ACI-Bench valid",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="where --train writes the model (default: assets/sections)"
    )
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="save the figures as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop import paths
    from desktop.commands.evaluate import default_data_dir
    from desktop.eval import train_sections as ts
    from desktop.llm import sections

    data_dir = args.data or default_data_dir()
    model = None
    if args.train or args.dev:
        splits = ("train",) if args.dev else ("train", "valid")
        started = time.perf_counter()
        print(f"Reading silver labels from {data_dir} ({' + '.join(splits)}) …", file=sys.stderr)
        examples = ts.training_examples(data_dir, splits, use_mts=bool(TRAIN_OPTIONS["use_mts"]))
        print(f"Training on {len(examples)} examples …", file=sys.stderr)
        fitted = ts.fit(
            examples,
            c=float(TRAIN_OPTIONS["c"]),
            min_df=int(TRAIN_OPTIONS["min_df"]),
            note_weight=float(TRAIN_OPTIONS["note_weight"]),
        )
        about = _about(ts, examples, splits)
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.out or (Path(tmp) if args.dev else paths.assets_dir() / sections.ASSET_DIR)
            target = fitted.save(folder, about)
            model = sections.load_model(folder)  # what the app will load, verified
            size = target.stat().st_size
        print(
            f"Trained in {time.perf_counter() - started:.0f} s: {len(fitted.vocabulary)} features, "
            f"{size / 1e6:.2f} MB" + ("" if args.dev and not args.out else f", saved to {target}"),
            file=sys.stderr,
        )
        sections.default_model.cache_clear()
    results = evaluate(data_dir, "valid" if args.dev else "test1", model)
    print_results(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        results["machine"] = {"platform": platform.platform(), "processor": platform.processor()}
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"Saved {args.json}")
    return 0


def _about(ts: Any, examples: list[Any], splits: tuple[str, ...]) -> dict[str, Any]:
    import sklearn

    return {
        "trained_on": {
            "aci_bench_splits": list(splits),
            "mts_dialog_splits": ["train", "valid"] if TRAIN_OPTIONS["use_mts"] else [],
            "examples": ts.summary(examples),
        },
        "alignment": {"min_shared_content_words": ts.MIN_SHARED, "min_dice": ts.LABEL_DICE},
        "options": TRAIN_OPTIONS,
        "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression (multinomial, lbfgs, balanced)",
        "command": "consult-scribe eval sections --train",
    }


def evaluate(data_dir: Path, split: str, model: Any) -> dict[str, Any]:
    from desktop.eval import sections as ev
    from desktop.eval import train_sections as ts

    sorters = {
        "classifier": ev.classifier_sorter(model),
        "rules (before)": ev.rules_sorter(),
        "app sorter (as the drafter uses it)": ev.app_sorter(model),
    }
    rows = ts.silver_rows(data_dir, (split,))
    all_ap = [
        r for r in ts.silver_rows(data_dir, ("train", "valid", "test1", "test2")) if r["soap_label"] == "A/P"
    ]
    lines = ts.aligned_examples(data_dir, split, rows)
    frozen = ev.frozen_zh_examples()
    return {
        "split": split,
        "note_sentences": {
            "classifier": ev.score_notes(rows, ev.classifier_sorter(model, soap_only=True)),
            "rules (before)": ev.score_notes(rows, ev.rules_sorter("subjective")),
        },
        "ap_rows_all_splits": {
            "classifier": ev.score_notes(all_ap, ev.classifier_sorter(model, soap_only=True)),
            "rules (before)": ev.score_notes(all_ap, ev.rules_sorter("subjective")),
        },
        "dialogue_sentences": {name: ev.score_lines(lines, sorter) for name, sorter in sorters.items()},
        "frozen_chinese_lines": {name: ev.score_lines(frozen, sorter) for name, sorter in sorters.items()},
    }


def print_results(results: dict[str, Any]) -> None:
    split = results["split"]
    print(f"\nNote sentences, ACI-Bench {split} (silver S/O/A/P from section headers): macro-F1 over S/O/A/P")
    for name, r in results["note_sentences"].items():
        f = r["f1"]
        print(
            f"  {name:46} {f['macro']:5.1f}   S {f['S']:5.1f} O {f['O']:5.1f} A {f['A']:5.1f} P {f['P']:5.1f}"
            f"   ({r['rows']} rows; {r['ap_rows']} A/P rows sorted into A or P: {r['ap_sorted_into_a_or_p']:.1f} %)"
        )
    print("\nAll 'A/P' rows (every split): share sorted into A or P")
    for name, r in results["ap_rows_all_splits"].items():
        print(f"  {name:46} {r['ap_sorted_into_a_or_p']:5.1f} %   {r['ap_counts']}  ({r['ap_rows']} rows)")
    for key, title in (
        ("dialogue_sentences", f"Dialogue sentences, ACI-Bench {split}, labelled by alignment to their note"),
        ("frozen_chinese_lines", "Frozen Cantonese / code-mixed / Mandarin lines (desktop/eval/data)"),
    ):
        first = next(iter(results[key].values()))
        print(
            f"\n{title}: {first['lines']} lines {first['gold_counts']}; macro-F1 over S/O/A/P, F1 of 'none'"
        )
        for name, r in results[key].items():
            f = r["f1"]
            print(
                f"  {name:46} {f['macro']:5.1f}   S {f['S']:5.1f} O {f['O']:5.1f} A {f['A']:5.1f} P {f['P']:5.1f}"
                f"   none {r['f1_none']:5.1f}   accuracy {r['accuracy']:5.1f}"
            )
