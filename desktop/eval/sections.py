"""Scoring the section classifier beside the rule-based sorter (``consult-scribe eval sections``).

Three test sets, none used for training or tuning:

* **note sentences**: the ACI-Bench test1 rows of ``derived/aci_bench_note_sentences_soap.csv``,
  macro-F1 over S/O/A/P (the published recipe); the classifier's answer is taken among the four
  sections (patient instructions count as P), since every row is note text. The rules leave many
  sentences unsorted; they are counted as S, the largest class, which can only help the rules.
  The "A/P" rows (problem names and summaries under ASSESSMENT AND PLAN) are scored apart: the
  share sorted into A or P.
* **dialogue sentences**: test1 dialogue turns split into sentences and labelled by alignment to
  their own note (the method of ``train_sections``); here "none" (not for the note) is a class
  of its own and a wrong answer, as in the app. Macro-F1 over S/O/A/P, and F1 of "none".
* **frozen Chinese lines**: ``desktop/eval/data/sections_zh_frozen.tsv``, 52 Cantonese, code-mixed
  and Mandarin lines written and frozen before the classifier was trained.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.core.types import TranscriptSegment
from desktop.eval import train_sections as ts
from desktop.llm import extractive, sections

FROZEN_ZH = Path(__file__).with_name("data") / "sections_zh_frozen.tsv"
SOAP_LABELS = ("S", "O", "A", "P")
_SHORT = {
    "subjective": "S",
    "objective": "O",
    "assessment": "A",
    "plan": "P",
    "patient_instructions": "P",
    "none": "none",
}

Sorter = Callable[[Sequence[str], Sequence[str]], list[str]]  # (texts, speakers) -> section names


def f1_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Per-label F1 (x 100) and their unweighted mean under "macro"."""
    out: dict[str, float] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        out[label] = 100 * 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    out["macro"] = sum(out[label] for label in labels) / len(labels)
    return out


def classifier_sorter(model: sections.SectionModel | None = None, soap_only: bool = False) -> Sorter:
    def sort(texts: Sequence[str], speakers: Sequence[str]) -> list[str]:
        guesses = sections.classify(texts, speakers, model=model)
        if not soap_only:
            return [g.label for g in guesses]
        out = []
        for g in guesses:
            p = dict(g.probabilities)
            p["plan"] = p.get("plan", 0.0) + p.pop("patient_instructions", 0.0)
            p.pop("none", None)
            out.append(max(p, key=lambda k: p[k]))
        return out

    return sort


def rules_sorter(default: str = "none") -> Sorter:
    """The rule-based sorter: a line's first section, or ``default`` when the rules find none."""

    def sort(texts: Sequence[str], speakers: Sequence[str]) -> list[str]:
        out = []
        for text, speaker in zip(texts, speakers, strict=True):
            found = extractive.rule_sections(TranscriptSegment("s1", 0, 1, text, speaker or "unknown"))
            out.append(found[0] if found else default)
        return out

    return sort


def app_sorter(model: sections.SectionModel | None = None) -> Sorter:
    """What the extractive drafter uses: the classifier, with rules where they are kept."""
    policy = extractive.SortPolicy(model=model)

    def sort(texts: Sequence[str], speakers: Sequence[str]) -> list[str]:
        segs = [
            TranscriptSegment(f"s{i}", i, i + 1, text, speaker or "unknown")
            for i, (text, speaker) in enumerate(zip(texts, speakers, strict=True))
        ]
        return [found[0] if found else "none" for found in extractive.sort_lines(segs, policy)]

    return sort


def score_notes(rows: list[dict[str, str]], sorter: Sorter) -> dict[str, Any]:
    soap = [r for r in rows if r["soap_label"] in SOAP_LABELS]
    pred = [_SHORT[p] if p != "none" else "S" for p in sorter([r["text"] for r in soap], [""] * len(soap))]
    scores = f1_scores([r["soap_label"] for r in soap], pred, SOAP_LABELS)
    ap = [r for r in rows if r["soap_label"] == "A/P"]
    ap_pred = [_SHORT[p] for p in sorter([r["text"] for r in ap], [""] * len(ap))]
    return {
        "rows": len(soap),
        "f1": scores,
        "ap_rows": len(ap),
        "ap_sorted_into_a_or_p": 100 * sum(p in ("A", "P") for p in ap_pred) / max(len(ap), 1),
        "ap_counts": {k: ap_pred.count(k) for k in ("S", "O", "A", "P", "none")},
    }


def score_lines(examples: list[ts.Example], sorter: Sorter) -> dict[str, Any]:
    gold = [_SHORT[e.label] for e in examples]
    pred = [_SHORT[p] for p in sorter([e.text for e in examples], [e.speaker for e in examples])]
    soap = f1_scores(gold, pred, SOAP_LABELS)
    none = f1_scores(gold, pred, ("none",))["none"]
    return {
        "lines": len(examples),
        "gold_counts": {k: gold.count(k) for k in (*SOAP_LABELS, "none")},
        "f1": soap,
        "f1_none": none,
        "accuracy": 100 * sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1),
    }


def frozen_zh_examples(path: Path = FROZEN_ZH) -> list[ts.Example]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [
        ts.Example(r["text"], r["speaker"], r["label"], "frozen-zh", "frozen")
        for r in csv.DictReader(lines, delimiter="\t")
    ]
