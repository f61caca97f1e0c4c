"""`consult-scribe eval sections`: the scoring, on a small data folder written here, with the shipped classifier."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from desktop import cli
from desktop.eval import sections as ev

_SILVER = [
    ("CHIEF COMPLAINT", "S", "Cough and fever for three days."),
    (
        "HISTORY OF PRESENT ILLNESS",
        "S",
        "The patient reports a cough productive of green sputum for three days.",
    ),
    ("PHYSICAL EXAM", "O", "Respiratory: Crackles at the right base. Heart rate 96."),
    ("ASSESSMENT", "A", "Community-acquired pneumonia, most likely bacterial."),
    ("PLAN", "P", "Start amoxicillin 500 mg three times daily for 7 days and order a chest x-ray."),
    ("ASSESSMENT AND PLAN", "A/P", "Pneumonia."),
]
_DIALOGUE = "\n".join(
    [
        "[doctor] hi , how are you today ?",
        "[patient] i've had a cough with green sputum and a fever for three days .",
        "[doctor] okay . on exam i hear crackles at the right base , and your heart rate is 96 .",
        "[doctor] i think this is a community-acquired pneumonia .",
        "[doctor] i'm going to start you on amoxicillin 500 mg three times a day and order a chest x-ray .",
        "[patient] okay , thank you .",
    ]
)


def _data(root: Path) -> Path:
    derived = root / "derived"
    derived.mkdir(parents=True)
    with (derived / "aci_bench_note_sentences_soap.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["split", "dataset", "encounter_id", "section_header", "soap_label", "line_index", "text"])
        for i, (header, label, text) in enumerate(_SILVER):
            w.writerow(["test1", "aci", "D2N900", header, label, i, text])
    challenge = root / "aci-bench" / "data" / "challenge_data"
    challenge.mkdir(parents=True)
    with (challenge / "clinicalnlp_taskB_test1.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "encounter_id", "dialogue", "note"])
        w.writerow(["aci", "D2N900", _DIALOGUE, "\n".join(t for _, _, t in _SILVER)])
    return root


def test_f1_scores_by_hand() -> None:
    gold = ["S", "S", "O", "A", "none"]
    pred = ["S", "O", "O", "none", "S"]
    f1 = ev.f1_scores(gold, pred, ("S", "O", "A", "P"))
    # S: tp 1, fp 1, fn 1 -> 50; O: tp 1, fp 1, fn 0 -> 66.7; A and P: 0.
    assert round(f1["S"], 1) == 50.0 and round(f1["O"], 1) == 66.7 and f1["A"] == f1["P"] == 0.0
    assert round(f1["macro"], 2) == round((50 + 200 / 3) / 4, 2)


def test_frozen_chinese_lines_are_intact() -> None:
    lines = ev.frozen_zh_examples()
    assert len(lines) == 52
    assert {e.label for e in lines} == {
        "subjective",
        "objective",
        "assessment",
        "plan",
        "patient_instructions",
        "none",
    }
    assert {e.speaker for e in lines} == {"doctor", "patient"}


def test_eval_sections_command_scores_classifier_and_rules(tmp_path: Path) -> None:
    out = tmp_path / "sections.json"
    assert cli.main(["eval", "sections", "--data", str(_data(tmp_path / "data")), "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    notes = data["note_sentences"]
    assert notes["classifier"]["rows"] == 5 and notes["classifier"]["ap_rows"] == 1
    for name in ("classifier", "rules (before)"):
        f1 = notes[name]["f1"]
        assert 0.0 <= f1["macro"] <= 100.0
        assert abs(f1["macro"] - sum(f1[k] for k in "SOAP") / 4) < 1e-9
        assert sum(notes[name]["ap_counts"].values()) == 1
    lines = data["dialogue_sentences"]
    # Seven dialogue sentences (one turn holds two); the greeting, an "okay" and the thanks share
    # at most one content word with the note.
    assert {r["lines"] for r in lines.values()} == {7}
    assert lines["classifier"]["gold_counts"]["none"] == 3
    assert data["frozen_chinese_lines"]["app sorter (as the drafter uses it)"]["lines"] == 52
