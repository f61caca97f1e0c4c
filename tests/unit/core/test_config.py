from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.config import (
    Settings,
    apply_store_policy,
    describe,
    load_settings,
    save_user_settings,
    store_policy_update,
)
from desktop.core.errors import UsageError


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "none.json", tmp_path / "none2.json")
    assert s.asr.language == "auto" and s.asr.script == "hk" and s.asr.model == "whisper-base"


def test_policy_then_user_with_locks(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "asr": {"script": "cn", "model": "whisper-large-v3"},
                "policy": {"auto_lock_minutes": 5},
                "locked": ["asr.model"],
            }
        ),
        encoding="utf-8",
    )
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"asr": {"script": "tw", "model": "whisper-base"}}), encoding="utf-8")
    s = load_settings(policy, user)
    assert s.asr.script == "tw"  # the user may choose the script
    assert s.asr.model == "whisper-large-v3"  # IT locked the model
    assert s.policy.auto_lock_minutes == 5


def test_bad_values_are_reported(tmp_path: Path) -> None:
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"asr": {"language": "fr"}}), encoding="utf-8")
    with pytest.raises(UsageError, match="fr"):
        load_settings(tmp_path / "p.json", user)
    user.write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid JSON"):
        load_settings(tmp_path / "p.json", user)


def test_round_trip_and_description(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "p.json", tmp_path / "u.json")
    s.llm.n_gpu_layers = 12
    save_user_settings(s, tmp_path / "u.json")
    assert load_settings(tmp_path / "p.json", tmp_path / "u.json").llm.n_gpu_layers == 12
    keys = {k for k, _, _ in describe()}
    assert {"asr.model", "llm.n_gpu_layers", "policy.retention_days", "clinic.registration_no"} <= keys


def test_lapel_channel_setting_maps_to_the_doctor_channel() -> None:
    from desktop.config import Settings

    settings = Settings()
    assert settings.doctor_channel is None  # one microphone
    settings.audio.lapel_channel = "left"
    assert settings.doctor_channel == 0
    settings.audio.lapel_channel = "right"
    assert settings.doctor_channel == 1
    settings.validate()
    settings.audio.lapel_channel = "middle"
    with pytest.raises(UsageError, match="lapel channel"):
        settings.validate()


def test_process_lapel_flag_sets_the_channel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import argparse

    from desktop.commands.process import build_settings, register

    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "user.json"))
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(tmp_path / "policy.json"))
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["process", "in.flac", "--out", "out", "--lapel-channel", "right"])
    assert build_settings(args).doctor_channel == 1
    args = parser.parse_args(["process", "in.flac", "--out", "out"])
    assert build_settings(args).doctor_channel is None


STORED = {
    "retention_days": 365,
    "auto_lock_minutes": 3,
    "keyring_unlock": False,
    "letterhead": {"name": "Harbour Clinic", "name_zh": "海港診所", "address": "", "phone": "2345 6789"},
    "default_language": "auto",
}


def test_the_stores_clinic_wide_values_apply_and_an_empty_letterhead_field_changes_nothing() -> None:
    settings = Settings()
    settings.clinic.address = "1 Queen's Road"
    assert apply_store_policy(settings, STORED) == {}
    assert (settings.policy.retention_days, settings.policy.auto_lock_minutes) == (365, 3)
    assert (settings.clinic.name, settings.clinic.name_zh, settings.clinic.phone) == (
        "Harbour Clinic",
        "海港診所",
        "2345 6789",
    )
    assert settings.clinic.address == "1 Queen's Road"  # the store has none: this PC's stays
    assert store_policy_update(settings, STORED) == {
        "letterhead": {**STORED["letterhead"], "address": "1 Queen's Road"}
    }


def test_keys_it_locked_win_and_say_what_the_store_should_hold() -> None:
    settings = Settings()
    settings.locked = ["policy.auto_lock_minutes", "clinic.name"]
    settings.policy.auto_lock_minutes, settings.clinic.name = 5, "IT's Clinic"
    updates = apply_store_policy(settings, STORED)
    assert (settings.policy.auto_lock_minutes, settings.clinic.name) == (5, "IT's Clinic")
    assert settings.policy.retention_days == 365  # not locked: the store's
    assert updates == {"auto_lock_minutes": 5, "letterhead": {**STORED["letterhead"], "name": "IT's Clinic"}}
    # an administrator's edits never overwrite what IT locked, and unchanged keys are not rewritten
    settings.policy.retention_days = 3650
    assert store_policy_update(settings, STORED) == {"retention_days": 3650}
    assert store_policy_update(settings, {**STORED, "retention_days": 3650}) == {}


def test_only_the_policy_file_turns_the_intake_on(tmp_path: Path) -> None:
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"intake": {"enabled": True, "code_minutes": 30}}), encoding="utf-8")
    s = load_settings(tmp_path / "no-policy.json", user)
    assert not s.intake.enabled and s.intake.code_minutes == 30
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"intake": {"enabled": True}}), encoding="utf-8")
    off = tmp_path / "off.json"
    off.write_text(json.dumps({"intake": {"enabled": False}}), encoding="utf-8")
    assert load_settings(policy, off).intake.enabled  # nor can a user's file turn it off
