"""Training the transcript-line section classifier from silver labels (``consult-scribe eval sections --train``).

Three sources of weak labels, train and valid splits only (ACI-Bench test1 is kept for reporting):

1. **Note sentences.** ``derived/aci_bench_note_sentences_soap.csv``: every sentence of every
   reference note, labelled S/O/A/P by the section header it sits under. Sentences under
   INSTRUCTIONS and "Patient Education and Counseling" bullets become *patient instructions*;
   the ambiguous "A/P" rows (problem names, the summary sentence) are left out. The bullet
   headings ("Medical Treatment:") are removed, since nobody says them aloud.
2. **Aligned dialogue sentences.** Each dialogue turn is split into sentences; each sentence is
   compared with every sentence of the same encounter's note by content words (lower case,
   stop words out, plural ``s`` dropped, number words as digits: ``fact_recall.content_words``).
   Dice = 2·shared / (|sentence words| + |note words|). A dialogue sentence takes the label of
   its best note sentence when they share at least ``MIN_SHARED`` words and Dice ≥ ``LABEL_DICE``;
   it is labelled *none* (not for the note) when it shares at most one content word with every
   note sentence; anything in between, or a best match on an "A/P" sentence, is left out.
3. **MTS-Dialog** (train + validation): short dialogues written for one note section; their
   sentences are aligned to that section's text the same way and take its S/O/A/P label.

The features are those the app computes (``desktop.llm.sections.features``), so training and
run time cannot drift apart; scikit-learn fits a multinomial logistic regression, and the
vocabulary, idf and coefficients are written as ``assets/sections/sections.npz`` with their
size and SHA-256 in ``assets/sections/manifest.json``. Inputs are sorted and the solver is
deterministic, so the same data gives the same file.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.errors import UsageError
from desktop.eval.fact_recall import content_words
from desktop.eval.notes import dialogue_to_transcript
from desktop.llm.sections import LABELS, SectionModel, features, split_sentences, tfidf_row

MIN_SHARED = 2
LABEL_DICE = 0.3
SOAP = {"S": "subjective", "O": "objective", "A": "assessment", "P": "plan"}
SEED = 0
_SILVER = Path("derived") / "aci_bench_note_sentences_soap.csv"
_ACI = Path("aci-bench") / "data" / "challenge_data"
_ACI_FILES = {"train": "train.csv", "valid": "valid.csv", "test1": "clinicalnlp_taskB_test1.csv"}
_MTS = Path("mts-dialog") / "Main-Dataset"
_MTS_FILES = {"train": "MTS-Dialog-TrainingSet.csv", "valid": "MTS-Dialog-ValidationSet.csv"}
_MTS_MAP = Path("derived") / "mts_dialog_section_to_soap.csv"
_BULLET = re.compile(
    r"^[•*\-\s]*(medical reasoning|medical treatment|additional testing|patient education and counseling|"
    r"patient education|counseling|referrals?|follow[- ]up|surgical intervention|patient agreements?)\s*:\s*",
    re.I,
)


@dataclass(frozen=True)
class Example:
    text: str
    speaker: str  # "" for note sentences
    label: str  # one of LABELS
    source: str  # "note", "aligned" or "mts"
    encounter: str


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise UsageError(
            f"The evaluation data {path} is not there.",
            "Point --data at the folder that holds aci-bench/, mts-dialog/ and derived/ (the shared evaluation data).",
        )
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def note_label(row: dict[str, str]) -> str | None:
    """The section of a silver note sentence, or None for the ambiguous "A/P" rows."""
    soap = row["soap_label"]
    if soap not in SOAP:
        return None
    if soap == "P" and (
        row["section_header"].upper() == "INSTRUCTIONS"
        or re.match(r"^[•*\-\s]*patient education", row["text"], re.I)
    ):
        return "patient_instructions"
    return SOAP[soap]


def silver_rows(data_dir: Path, splits: Iterable[str]) -> list[dict[str, str]]:
    wanted = set(splits)
    rows = [r for r in _read_csv(data_dir / _SILVER) if r["split"] in wanted]
    return sorted(rows, key=lambda r: (r["split"], r["encounter_id"], int(r["line_index"])))


def note_examples(rows: list[dict[str, str]]) -> list[Example]:
    out = []
    for r in rows:
        label = note_label(r)
        text = _BULLET.sub("", r["text"]).strip()
        if label and text:
            out.append(Example(text, "", label, "note", r["encounter_id"]))
    return out


def align_label(sentence: str, targets: list[tuple[set[str], str | None]]) -> str | None:
    """The label of a dialogue sentence from the note sentences (content words, label) it best matches."""
    words = content_words(sentence)
    best_dice, best_shared, best_label = 0.0, 0, None
    for target_words, label in targets:
        shared = len(words & target_words)
        if not shared:
            continue
        dice = 2 * shared / (len(words) + len(target_words))
        if (dice, shared) > (best_dice, best_shared):
            best_dice, best_shared, best_label = dice, shared, label
    most_shared = max((len(words & w) for w, _ in targets), default=0)
    if most_shared <= 1:
        return "none"
    if best_shared >= MIN_SHARED and best_dice >= LABEL_DICE:
        return best_label  # None for an "A/P" note sentence: ambiguous, left out
    return None


def aligned_examples(data_dir: Path, split: str, rows: list[dict[str, str]]) -> list[Example]:
    """Dialogue sentences of one ACI-Bench split labelled by alignment to their own note."""
    by_encounter: dict[str, list[tuple[set[str], str | None]]] = defaultdict(list)
    for r in rows:
        if r["split"] == split:
            by_encounter[r["encounter_id"]].append((content_words(r["text"]), note_label(r)))
    out = []
    dialogues = sorted(_read_csv(data_dir / _ACI / _ACI_FILES[split]), key=lambda d: d["encounter_id"])
    for d in dialogues:
        targets = by_encounter.get(d["encounter_id"], [])
        for seg in dialogue_to_transcript(d["dialogue"]).segments:
            for sentence in split_sentences(seg.text):
                label = align_label(sentence, targets)
                if label:
                    out.append(Example(sentence, seg.speaker, label, "aligned", d["encounter_id"]))
    return out


def mts_examples(data_dir: Path, splits: Iterable[str]) -> list[Example]:
    mapping = {r["section_header"]: r["soap_label"] for r in _read_csv(data_dir / _MTS_MAP)}
    out = []
    for split in sorted(splits):
        for r in sorted(_read_csv(data_dir / _MTS / _MTS_FILES[split]), key=lambda x: int(x["ID"])):
            soap = mapping.get(r["section_header"])
            if soap not in SOAP:
                continue
            targets: list[tuple[set[str], str | None]] = [
                (content_words(s), SOAP[soap]) for s in split_sentences(r["section_text"])
            ]
            for line in r["dialogue"].splitlines():
                who, _, text = line.partition(":")
                speaker = {"doctor": "doctor", "patient": "patient"}.get(who.strip().lower(), "other")
                for sentence in split_sentences(text):
                    label = align_label(sentence, targets)
                    if label:
                        out.append(Example(sentence, speaker, label, "mts", f"mts-{split}-{r['ID']}"))
    return out


def training_examples(data_dir: Path, splits: tuple[str, ...], use_mts: bool = True) -> list[Example]:
    rows = silver_rows(data_dir, splits)
    examples = note_examples(rows)
    for split in splits:
        examples += aligned_examples(data_dir, split, rows)
    if use_mts:
        examples += mts_examples(data_dir, [s for s in splits if s in _MTS_FILES])
    return examples


def design_matrix(counts: list[Counter[str]], vocabulary: list[str], idf: np.ndarray) -> Any:
    """Sparse TF-IDF rows, weighted exactly as ``desktop.llm.sections.tfidf_row`` weighs them at run time."""
    from scipy import sparse

    index = {f: i for i, f in enumerate(vocabulary)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, c in enumerate(counts):
        idx, values = tfidf_row(c, index, idf)
        rows += [r] * len(idx)
        cols += idx.tolist()
        vals += values.tolist()
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(vocabulary)))


def fit(examples: list[Example], c: float = 4.0, min_df: int = 2, note_weight: float = 1.0) -> SectionModel:
    """Multinomial logistic regression on the app's own features (scikit-learn, training only)."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise UsageError(
            "Training the section classifier needs scikit-learn, which is not installed.",
            "Install the evaluation extras: pip install -e '.[eval]'.",
        ) from exc

    counts = [features(e.text, e.speaker) for e in examples]
    df: Counter[str] = Counter()
    for c_ in counts:
        df.update(c_.keys())
    vocabulary = sorted(f for f, n in df.items() if n >= min_df)
    idf = np.array([math.log((1 + len(examples)) / (1 + df[f])) + 1.0 for f in vocabulary])
    x = design_matrix(counts, vocabulary, idf)
    y = np.array([LABELS.index(e.label) for e in examples])
    weights = np.array([note_weight if e.source == "note" else 1.0 for e in examples])
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
    clf.fit(x, y, sample_weight=weights)
    coef = np.zeros((len(vocabulary), len(LABELS)))
    coef[:, clf.classes_] = clf.coef_.T
    intercept = np.full(len(LABELS), -1e4)
    intercept[clf.classes_] = clf.intercept_
    return SectionModel(LABELS, vocabulary, idf, coef, intercept)


def summary(examples: list[Example]) -> dict[str, Any]:
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for e in examples:
        by[e.source][e.label] += 1
    return {source: dict(sorted(c.items())) for source, c in sorted(by.items())}
