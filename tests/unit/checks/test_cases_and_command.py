"""The written cases load as they are meant to, and `consult-scribe check` re-checks a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.checks.engine import Checker
from desktop.cli import main
from desktop.eval.checks import ERROR_TYPES, apply_edits, load_cases, score


@pytest.mark.parametrize("set_name", ["dev", "test"])
def test_every_case_is_a_whole_note_with_one_error(set_name: str) -> None:
    cases = load_cases(set_name)
    errors = [c for c in cases if c.error]
    assert {c.error for c in errors} == set(ERROR_TYPES)
    assert sum(c.error is None for c in cases) >= 15
    ids = {s.id for c in cases for s in c.transcript.segments}
    for case in errors:
        assert case.lines and set(case.lines) <= {s.id for s in case.transcript.segments}, case.id
    assert ids


def test_an_edit_must_match_one_statement() -> None:
    (case,) = [c for c in load_cases("dev") if c.id == "d01-clean"]
    with pytest.raises(ValueError, match="matches 0"):
        apply_edits(case.note, [{"find": "no such text", "replace": ""}])


def test_development_set_meets_the_targets() -> None:
    # The development set is what the rules were written on; the frozen test set is scored only
    # by `consult-scribe eval checks` and reported apart.
    report = score(load_cases("dev"), Checker().check)
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
    assert "CONTRADICTIONS (1)" in out and "amlodipine" in out and "s8" in out
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
