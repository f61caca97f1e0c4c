"""The note's medications and allergies against a labelled list, on ACI-Bench.

Every prescription, letter and check depends on this part of the note: which drugs the patient
takes, what the visit started, changed or stopped, and what the patient is allergic to. The
labels in ``desktop/eval/data/aci_medications_<split>.json`` give, for each encounter, each
medicine the visit is about and its status at the end of the visit (taking, started, changed,
stopped, allergy; "unclear" where neither the reference note nor the dialogue settles it). They
were written from the reference notes and the dialogues, and frozen before any scoring; the
valid split is where the drafting is corrected, test1 is reported.

A labelled drug is *listed* when a medications statement names it (brand and generic names
meet through the drug lexicon), and *right* when that statement's status is the label's.
Two errors are counted apart because of what follows them: a drug stopped or an allergen
listed as taken or started (it would be continued or prescribed), and a drug the patient
already takes listed as started (it would go on the prescription as new). A statement that
names no medicine at all ("a1c of six point seven") is counted as a *stray* entry.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.types import NoteStatement
from desktop.lexicon.drugs import DrugLexicon

STATUSES = ("taking", "started", "changed", "stopped", "allergy")
_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LabelledDrug:
    drug: str  # generic name, lower case
    status: str
    said: str = ""  # the name as the dialogue says it (a brand, or a misheard spelling)


@dataclass
class MedicationScore:
    labelled: int = 0  # labelled drugs with a clear status
    listed: int = 0
    right: int = 0
    unsafe: int = 0  # stopped or allergen listed as taking / started / changed
    new_by_mistake: int = 0  # taken already, listed as started
    stray: int = 0  # statements naming no medicine
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, listed as)

    def add(self, other: MedicationScore) -> None:
        self.labelled += other.labelled
        self.listed += other.listed
        self.right += other.right
        self.unsafe += other.unsafe
        self.new_by_mistake += other.new_by_mistake
        self.stray += other.stray
        self.confusion.update(other.confusion)


def labels_path(split: str) -> Path:
    return _DATA / f"aci_medications_{split}.json"


def read_labels(split: str) -> dict[str, list[LabelledDrug]] | None:
    """encounter id -> labelled drugs; None when the split has no labels."""
    path = labels_path(split)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        encounter: [
            LabelledDrug(str(d["drug"]).lower(), str(d["status"]), str(d.get("said", "")).lower())
            for d in drugs
        ]
        for encounter, drugs in data.items()
    }


def _names(lexicon: DrugLexicon, label: LabelledDrug) -> set[str]:
    """The label's drug as the lexicon names it: by its generic name or as said ("macrogol" is
    the British name of what the dialogue calls MiraLAX)."""
    out = {label.drug}
    for name in (label.drug, label.said):
        out |= {m.canonical.lower() for m in lexicon.find(name)}
        canonical = lexicon.canonical(name) if name else None
        if canonical:
            out.add(canonical.lower())
    return out


def score_medications(
    statements: Iterable[NoteStatement], labels: list[LabelledDrug], lexicon: DrugLexicon | None = None
) -> MedicationScore:
    lexicon = lexicon or DrugLexicon.default()
    listed: dict[str, str] = {}  # canonical drug -> status of the first statement naming it
    score = MedicationScore()
    for st in statements:
        names = [m.canonical.lower() for m in lexicon.find(st.text)]
        if not names:
            score.stray += 1
        for name in names:
            listed.setdefault(name, st.status or "taking")
    for label in labels:
        if label.status not in STATUSES:
            continue
        score.labelled += 1
        got = next((listed[n] for n in _names(lexicon, label) if n in listed), None)
        if got is None:
            score.confusion[(label.status, "missing")] += 1
            continue
        score.listed += 1
        score.confusion[(label.status, got)] += 1
        if got == label.status:
            score.right += 1
        elif label.status in ("stopped", "allergy") and got in ("taking", "started", "changed"):
            score.unsafe += 1
        elif label.status == "taking" and got == "started":
            score.new_by_mistake += 1
    return score


def summary(score: MedicationScore) -> dict[str, float]:
    n = score.labelled or 1
    return {
        "labelled": score.labelled,
        "listed_pct": 100 * score.listed / n,
        "status_right_pct": 100 * score.right / n,
        "status_right_of_listed_pct": 100 * score.right / (score.listed or 1),
        "unsafe": score.unsafe,
        "taken_listed_as_new": score.new_by_mistake,
        "stray_entries": score.stray,
    }
