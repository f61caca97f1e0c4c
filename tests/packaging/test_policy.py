"""The clinic policy file IT pushes: keys documented, files checked, locks honoured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.commands.policy import markdown_table, problems
from desktop.config import describe, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_docs_list_every_policy_key_with_its_default() -> None:
    text = (REPO / "docs" / "it.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- policy-keys:start -->"), text.index("<!-- policy-keys:end -->")
    documented = text[start:end]
    assert markdown_table() in documented, "regenerate the table: consult-scribe policy keys"
    assert len(describe()) > 20


def test_example_policy_in_the_deb_is_valid_and_applied(tmp_path: Path) -> None:
    from tests.packaging.conftest import load_packaging_module

    example = load_packaging_module("release").example_policy()
    assert problems(example) == []
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(example), encoding="utf-8")
    user = tmp_path / "user.json"
    user.write_text(
        json.dumps({"policy": {"retention_days": 1}, "asr": {"language": "en"}}), encoding="utf-8"
    )
    settings = load_settings(policy, user)
    assert settings.policy.retention_days == 2555  # locked by IT: the user's value is ignored
    assert settings.asr.language == "en"  # not locked: the user's choice wins


def test_bad_policy_files_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {
        "policy": {"retention_days": "forever", "store_dir": 5},
        "asr": {"language": "fr"},
        "locked": ["policy.retention_days", "nope.key"],
        "bogus": {},
    }
    found = problems(bad)
    assert len(found) == 5, found
    path = tmp_path / "p.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 2
    assert "'policy.retention_days' must be a int" in capsys.readouterr().out
    path.write_text("{not json", encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 2


def test_policy_show_reports_sources_and_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"policy": {"auto_lock_minutes": 3}, "locked": ["policy.auto_lock_minutes"]})
    )
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"asr": {"beam_size": 2}, "policy": {"auto_lock_minutes": 60}}))
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(policy))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(user))
    monkeypatch.setenv("CONSULT_SCRIBE_HOME", str(tmp_path / "home"))
    assert main(["policy", "show", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)["settings"]}
    assert rows["policy.auto_lock_minutes"] == {
        "key": "policy.auto_lock_minutes",
        "value": 3,
        "source": "policy",
        "locked": True,
    }
    assert rows["asr.beam_size"]["source"] == "user" and rows["asr.beam_size"]["value"] == 2
    assert rows["asr.model"]["source"] == "default"
