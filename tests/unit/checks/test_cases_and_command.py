"""The written cases load as they are meant to, and `consult-scribe check` re-checks a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.checks.engine import Checker
from desktop.cli import main
from desktop.commands.eval_checks import CASE_SETS
from desktop.eval.checks import CASES, ERROR_TYPES, apply_edits, load_cases, score

_CASE_FILES = sorted(p.stem for p in CASES.glob("*.json"))


def test_the_command_offers_every_case_file() -> None:
    assert sorted(CASE_SETS) == _CASE_FILES


@pytest.mark.parametrize("set_name", _CASE_FILES)
def test_every_case_is_a_whole_note_with_one_error(set_name: str) -> None:
    cases = load_cases(set_name)
    errors = [c for c in cases if c.error]
    assert {c.error for c in errors} == set(ERROR_TYPES)
    assert sum(c.error is None for c in cases) >= 12
    ids = {s.id for c in cases for s in c.transcript.segments}
    for case in errors:
        assert case.lines and set(case.lines) <= {s.id for s in case.transcript.segments}, case.id
    assert ids


def test_an_edit_must_match_one_statement() -> None:
    (case,) = [c for c in load_cases("dev") if c.id == "d01-clean"]
    with pytest.raises(ValueError, match="matches 0"):
        apply_edits(case.note, [{"find": "no such text", "replace": ""}])


@pytest.mark.parametrize("set_name", ["dev", "dev2", "dev3", "dev4"])
def test_development_sets_meet_the_targets(set_name: str) -> None:
    # The development sets are what the rules were written on; the frozen test set is scored only
    # by `consult-scribe eval checks` and reported apart.
    report = score(load_cases(set_name), Checker().check)
    assert report["recall"] >= 0.95, report["missed"]
    assert report["per_type"]["dropped_allergy"]["recall"] == 1.0
    assert report["per_type"]["stopped_drug_continued"]["recall"] == 1.0
    assert report["false_alarms_per_clean_note"] <= 0.2, report["false_alarm_flags"]


def _folder(tmp_path: Path, case_id: str) -> Path:
    (case,) = [c for c in load_cases("dev") if c.id == case_id]
    folder = tmp_path / case_id
    folder.mkdir()
    (folder / "transcript.json").write_text(
        json.dumps(case.transcript.to_dict(), ensure_ascii=False), "utf-8"
    )
    (folder / "note.json").write_text(json.dumps(case.note.to_dict(), ensure_ascii=False), "utf-8")
    return folder


def test_check_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--from", str(_folder(tmp_path, "d01-clean"))]) == 0
    assert "nothing left out" in capsys.readouterr().out
    flagged = _folder(tmp_path, "d01-stop")
    assert main(["check", "--from", str(flagged), "--update"]) == 1
    out = capsys.readouterr().out
    # in a doctor's words: what is wrong, the statement quoted, when it was said and the words
    assert out.startswith("1 contradiction: the note says otherwise than the consultation.")
    assert "The note tells the patient to take amlodipine, but in the consultation it was stopped" in out
    assert (
        "In the note: Instructions to the patient, statement 1: “Take amlodipine 5 mg every morning.”" in out
    )
    assert "Said at 00:24, doctor: “你血壓偏低，所以頭暈。amlodipine 你停咗先" in out
    assert "[" not in out and "s8" not in out  # no line ids or note paths
    saved = json.loads((flagged / "note.json").read_text(encoding="utf-8"))
    assert saved["checks"]["contradictions"][0]["lines"] == ["s8"]
    assert (flagged / "note.json").stat().st_mode & 0o077 == 0


def test_check_command_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--from", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    folder = _folder(tmp_path, "d01-clean")
    (folder / "note.json").write_text("{not json", encoding="utf-8")
    assert main(["check", "--from", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err
    (folder / "note.json").write_text("[]", encoding="utf-8")
    assert main(["check", "--from", str(folder)]) == 2
    assert "must hold a JSON object" in capsys.readouterr().err
    (folder / "note.json").write_text("{}", encoding="utf-8")
    (folder / "transcript.json").unlink()
    assert main(["check", "--from", str(folder)]) == 2
    assert "no transcript.json" in capsys.readouterr().err


def test_the_report_quotes_long_lines_where_the_drug_is_named() -> None:
    from desktop.asr.transcript_file import parse_transcript_text
    from desktop.checks.report import markdown, plain_text
    from desktop.core.types import NoteStatement, SoapNote

    transcript = parse_transcript_text(
        "D|Any drug allergies?\nP|Yes, penicillin gives me a rash.\n"
        "D|Your blood pressure is high, I will start amlodipine 5 mg once a day, and come back in two weeks.\n"
    )
    for i, seg in enumerate(transcript.segments):
        seg.start = 10.0 * i
    long = "The patient reports headaches in the morning for two weeks, and has been told to take amlodipine 10 mg."
    note = SoapNote(chief_complaint="Headache", plan=[NoteStatement(long, accepted=True)])
    result = Checker().check(transcript, note)
    out = plain_text(result, transcript, note, "out/visit")
    assert "amlodipine 10 mg" in out.split("In the note: Plan, statement 1: ")[1].splitlines()[0]
    assert (
        "Said at 00:20, doctor:" in out
        and "Said at 00:10, patient: “Yes, penicillin gives me a rash.”" in out
    )
    assert "\n  1. Allergy to penicillin." in out  # a list of what was left out, each a sentence
    # "blood pressure is high … amlodipine 5 mg" names no blood pressure reading: one omission
    assert "1 thing said in the consultation is not in the note:" in out
    md = markdown(result, transcript)
    assert "**Left out:** Allergy to penicillin. _(said at 00:00, doctor" in md  # one space before "("


def test_process_says_what_to_review_in_one_line() -> None:
    from types import SimpleNamespace

    from desktop.checks.model import CONTRADICTION, OMISSION, CheckResult, Flag
    from desktop.commands.process import _to_review

    flagged = CheckResult(
        contradictions=[Flag(CONTRADICTION, "dose", "c1", "…")],
        omissions=[Flag(OMISSION, "allergy", "o1", "…"), Flag(OMISSION, "follow_up", "o2", "…")],
    )
    result = SimpleNamespace(unsupported=2, checks=flagged, out_dir=Path("out/sample"))
    assert _to_review(result) == (
        "To review in the draft: 2 numbers, doses or drugs not in the transcript; "
        "1 statement contradicting the consultation; 2 things said in the consultation but left out. "
        "See: consult-scribe check --from out/sample"
    )
    assert _to_review(SimpleNamespace(unsupported=0, checks=CheckResult(), out_dir=Path("x"))) == ""


def test_the_checks_read_a_models_own_drafts_and_its_kept_answers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shared_data: Path,
    llm_model_path: Path,
) -> None:
    """`eval checks --aci-bench --drafter llm --answers DIR`: the flags on the model's drafts; a
    second run reads the kept answers back and counts the same flags without asking the model."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"llm": {"model": "smollm2-135m-instruct"}}), encoding="utf-8")
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(settings))
    answers = tmp_path / "answers"
    args = ["eval", "checks", "--set", "dev", "--aci-bench", "--limit", "1", "--drafter", "llm"]
    args += ["--answers", str(answers), "--data", str(shared_data)]
    assert main([*args, "--json", str(tmp_path / "first.json")]) == 0
    asked = sorted(p.name for p in answers.iterdir())
    assert asked, "the model was asked nothing"
    assert main([*args, "--json", str(tmp_path / "second.json")]) == 0
    assert sorted(p.name for p in answers.iterdir()) == asked
    first, second = (
        json.loads((tmp_path / f).read_text(encoding="utf-8")) for f in ("first.json", "second.json")
    )
    assert "smollm2" in first["aci_bench_test1"]["drafter"]
    assert first["aci_bench_test1"]["per_note"] == second["aci_bench_test1"]["per_note"]
