"""`consult-scribe admin …` and `records …` end to end: passwords on stdin, exit codes, one plain sentence."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from desktop.core.types import Patient
from desktop.storage import Store, save_processed
from desktop.storage.store import DB_FILE
from tests.unit.storage.conftest import (
    PASSWORDS,
    StoreSetup,
    make_store,
    sample_note,
    sample_transcript,
    tone,
)


def cli(
    args: list[str], stdin: str = "", home: Path | None = None, *, separate_process: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``consult-scribe ARGS`` with ``stdin``: in this process (fast) or as a real child process."""
    env = dict(os.environ)
    if home is not None:
        env["CONSULT_SCRIBE_HOME"] = str(home)
        env["CONSULT_SCRIBE_POLICY"] = str(home / "no-policy.json")
        env["CONSULT_SCRIBE_CONFIG"] = str(home / "no-settings.json")
    if not separate_process:
        return _in_process(args, stdin, env)
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _in_process(args: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from desktop import cli as cli_module

    saved_env, saved_stdin = dict(os.environ), sys.stdin
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_module.main(args)
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
    finally:
        sys.stdin = saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def assert_plain_failure(out: subprocess.CompletedProcess[str], code: int, phrase: str) -> None:
    assert out.returncode == code, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    first = out.stderr.strip().splitlines()[0]
    assert first.startswith("consult-scribe: ") and phrase in first, out.stderr


@pytest.fixture
def filled(tmp_path: Path) -> StoreSetup:
    setup = make_store(tmp_path / "store")
    with setup.open("drwong") as doctor:
        saved = save_processed(
            doctor, Patient(name="Chan Tai Man", mrn="A1"), sample_transcript(), sample_note(), tone(2.0)
        )
        doctor.sign_note(saved.consultation_id)
    return setup


def test_init_prints_the_recovery_key_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = cli(
        ["admin", "init", "--store", str(store), "--admin", "it"],
        "pass-word-1\npass-word-1\n",
        tmp_path,
        separate_process=True,
    )
    assert out.returncode == 0, out.stderr
    keys = re.findall(r"\b(?:[A-Z2-7]{4}-){12}[A-Z2-7]{4}\b", out.stdout)
    assert len(keys) == 1
    # production key derivation for stores made by the command
    assert json.loads((store / "keys.json").read_text())["kdf"]["n"] >= 2**17
    again = cli(
        ["admin", "init", "--store", str(store), "--admin", "it"], "pass-word-1\npass-word-1\n", tmp_path
    )
    assert_plain_failure(again, 2, "already exists")
    mismatch = cli(
        ["admin", "init", "--store", str(tmp_path / "s2"), "--admin", "it"],
        "pass-word-1\nother-1\n",
        tmp_path,
    )
    assert_plain_failure(mismatch, 2, "differ")
    out = cli(
        ["admin", "passwd", "--store", str(store), "--user", "it", "--recovery"],
        f"{keys[0]}\nnew-pass-word\nnew-pass-word\n",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr


def test_accounts_and_exit_codes(filled: StoreSetup, tmp_path: Path) -> None:
    d = str(filled.directory)
    it, doc = PASSWORDS["it"], PASSWORDS["drwong"]
    out = cli(
        [
            "admin",
            "add-user",
            "--store",
            d,
            "--as",
            "it",
            "--user",
            "nurse2",
            "--role",
            "nurse",
            "--name",
            "Nurse Two",
        ],
        f"{it}\nnurse-two-1\nnurse-two-1\n",
        tmp_path,
    )
    assert out.returncode == 0 and "Added nurse2 (nurse)" in out.stdout, out.stderr
    assert_plain_failure(
        cli(["records", "list", "--store", d, "--user", "drwong"], "bad-password\n", tmp_path),
        3,
        "user name or password is wrong",
    )
    assert_plain_failure(
        cli(["records", "list", "--store", d, "--user", "it"], f"{it}\n", tmp_path),
        4,
        "not allowed to read clinical records",
    )
    assert_plain_failure(
        cli(
            [
                "admin",
                "add-user",
                "--store",
                d,
                "--as",
                "nurse2",
                "--user",
                "x",
                "--role",
                "admin",
                "--name",
                "X",
            ],
            "nurse-two-1\nlong-pass-1\nlong-pass-1\n",
            tmp_path,
        ),
        4,
        "not allowed to manage user accounts",
    )
    assert_plain_failure(
        cli(["records", "list", "--store", str(tmp_path / "none"), "--user", "x"], "", tmp_path),
        2,
        "There is no record store",
    )
    usage = cli(
        ["admin", "add-user", "--store", d, "--as", "it", "--user", "x", "--role", "surgeon", "--name", "X"],
        "",
        tmp_path,
    )
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert_plain_failure(
        cli(["records", "list", "--store", d, "--user", "drwong"], "", tmp_path), 2, "Standard input ended"
    )
    out = cli(
        ["admin", "passwd", "--store", d, "--user", "drwong"],
        f"{doc}\nnew-doc-pass\nnew-doc-pass\n",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    out = cli(
        ["admin", "passwd", "--store", d, "--user", "drwong", "--as", "it"], f"{it}\n{doc}\n{doc}\n", tmp_path
    )
    assert out.returncode == 0, out.stderr
    out = cli(["admin", "rekey", "--store", d, "--as", "it"], f"{it}\n", tmp_path)
    assert out.returncode == 0, out.stderr
    out = cli(["records", "list", "--store", d, "--user", "drwong", "--json"], f"{doc}\n", tmp_path)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["patient"], r["note"], r["audio"]) for r in rows] == [("Chan Tai Man", "signed", "closed")]


def test_records_show_and_export(filled: StoreSetup, tmp_path: Path) -> None:
    d, doc = str(filled.directory), PASSWORDS["drwong"]
    out = cli(["records", "show", "1", "--diff", "--store", d, "--user", "drwong"], f"{doc}\n", tmp_path)
    assert out.returncode == 0, out.stderr
    assert "A sore throat and fever since Tuesday." in out.stdout
    assert "note version 2: signed by drwong" in out.stdout
    export, wav = tmp_path / "c1.json", tmp_path / "c1.wav"
    out = cli(
        [
            "records",
            "export",
            "1",
            "--out",
            str(export),
            "--audio",
            str(wav),
            "--store",
            d,
            "--user",
            "drwong",
        ],
        f"{doc}\n",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    record = json.loads(export.read_text(encoding="utf-8"))
    assert record["patient"]["name"] == "Chan Tai Man" and len(record["note_versions"]) == 2
    import soundfile as sf

    samples, rate = sf.read(str(wav), dtype="float32")
    assert rate == 16000 and samples.size == 32000 and np.abs(samples - tone(2.0)).max() < 1e-3
    assert_plain_failure(
        cli(["records", "show", "99", "--store", d, "--user", "drwong"], f"{doc}\n", tmp_path),
        2,
        "There is no consultation 99",
    )


def test_export_of_damaged_audio_keeps_the_intact_part_and_names_the_gap(
    filled: StoreSetup, tmp_path: Path
) -> None:
    import soundfile as sf

    d, doc = str(filled.directory), PASSWORDS["drwong"]
    path = next((filled.directory / "audio").glob("*.journal"))
    raw = bytearray(path.read_bytes())
    raw[-200] ^= 0x40  # inside the last audio chunk, before the end record
    path.write_bytes(bytes(raw))
    wav = tmp_path / "c1.wav"
    args = ["records", "export", "1", "--out", str(tmp_path / "c1.json"), "--audio", str(wav)]
    out = cli([*args, "--store", d, "--user", "drwong"], f"{doc}\n", tmp_path)
    assert out.returncode == 5, out.stderr
    assert "the audio has a gap: chunk 1 failed its integrity check" in out.stderr
    assert "Traceback" not in out.stderr
    samples, _ = sf.read(str(wav), dtype="float32")
    assert samples.size == 32000 and np.abs(samples[:16000] - tone(2.0)[:16000]).max() < 1e-3
    assert (tmp_path / "c1.json").exists()


def test_audit_verify_export_and_purge(filled: StoreSetup, tmp_path: Path) -> None:
    d, it = str(filled.directory), PASSWORDS["it"]
    out = cli(["admin", "verify-audit", "--store", d, "--as", "it"], f"{it}\n", tmp_path)
    assert out.returncode == 0 and "intact" in out.stdout, out.stderr
    out = cli(["admin", "verify-store", "--store", d, "--as", "it"], f"{it}\n", tmp_path)
    assert out.returncode == 0 and "passed their integrity checks" in out.stdout, out.stderr
    target = tmp_path / "audit.csv"
    out = cli(
        ["admin", "export-audit", "--store", d, "--as", "it", "--csv", str(target)], f"{it}\n", tmp_path
    )
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {"note_signed", "audio_closed", "audit_verified"} <= {r["action"] for r in rows}
    out = cli(["admin", "purge", "--store", d, "--as", "it", "--older-than", "0"], f"{it}\n", tmp_path)
    assert out.returncode == 0 and "Destroyed the audio of 1 consultation" in out.stdout, out.stderr
    out = cli(
        ["admin", "policy", "--store", d, "--as", "it", "--set", "retention_days=90"], f"{it}\n", tmp_path
    )
    assert out.returncode == 0 and json.loads(out.stdout)["retention_days"] == 90, out.stderr
    with Store.open(filled.directory, "it", it) as admin:
        admin._conn.execute("DROP TRIGGER audit_no_update")
        admin._conn.execute("UPDATE audit SET actor = 'nobody' WHERE id = 5")
        admin._conn.commit()
    assert_plain_failure(
        cli(["admin", "verify-audit", "--store", d, "--as", "it"], f"{it}\n", tmp_path),
        5,
        "The audit log was altered: audit entry 5 was altered",
    )


def test_damaged_store_exits_5(filled: StoreSetup, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(filled.directory, damaged)
    db = damaged / DB_FILE
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    out = cli(
        ["records", "list", "--store", str(damaged), "--user", "drwong"],
        f"{PASSWORDS['drwong']}\n",
        tmp_path,
        separate_process=True,  # SQLCipher's own error log must not reach the real stderr either
    )
    assert_plain_failure(out, 5, "damaged and cannot be opened")
    assert "sqlcipher" not in out.stderr.lower() and "hmac" not in out.stderr.lower()


def test_keyring_sign_in_on_and_off(
    filled: StoreSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`admin keyring` through the real keyring library (a file backend stands in for the OS's)."""
    d, doc = str(filled.directory), PASSWORDS["drwong"]
    secrets = tmp_path / "keyring.json"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.file_keyring.FileKeyring")
    monkeypatch.setenv("CONSULT_SCRIBE_TEST_KEYRING", str(secrets))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    on = ["admin", "keyring", "--store", d, "--user", "drwong", "--on"]
    assert_plain_failure(cli(on, f"{doc}\n", tmp_path, separate_process=True), 4, "not allowed")
    assert not secrets.exists()
    with filled.open("it") as admin:
        admin.set_policy(keyring_unlock=True)
    assert_plain_failure(cli(on, "wrong password\n", tmp_path, separate_process=True), 3, "wrong")
    out = cli(on, f"{doc}\n", tmp_path, separate_process=True)
    assert out.returncode == 0 and "without typing the password" in out.stdout, out.stderr
    stored = json.loads(secrets.read_text())
    store_id = json.loads((filled.directory / "keys.json").read_text())["store_id"]
    assert list(stored) == [f"ConsultScribe/{store_id}:drwong"]
    assert doc not in secrets.read_text()  # the account's key, never the password
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert_plain_failure(cli(on, f"{doc}\n", tmp_path, separate_process=True), 2, "keyring cannot be used")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.file_keyring.FileKeyring")
    off = ["admin", "keyring", "--store", d, "--user", "drwong", "--off"]
    out = cli(off, f"{doc}\n", tmp_path, separate_process=True)
    assert out.returncode == 0 and "was removed" in out.stdout, out.stderr
    assert json.loads(secrets.read_text()) == {}
