"""`consult-scribe process … --store DIR --user USER`: the pipeline's result lands in the encrypted store.

The pipeline itself (real models) is tested by its own tests; here it is replaced by its result so
the wiring, the password handling and what gets stored are checked in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop import pipeline
from desktop.core.types import Patient
from desktop.storage import Store
from tests.integration.test_store_cli import cli
from tests.unit.storage.conftest import PASSWORDS, make_store, sample_note, sample_transcript, tone


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []

    def process(input_path: Path, out_dir: Path, settings: Any, **kwargs: Any) -> pipeline.ProcessResult:
        calls.append(input_path)
        sink = kwargs.get("sink")
        if sink is not None:  # the real job hands each result over as soon as it exists
            sink.audio(tone(3.0))
            sink.transcript(sample_transcript())
            sink.note(sample_note())
        out_dir.mkdir(parents=True, exist_ok=True)
        referral = out_dir / "referral.txt"
        referral.write_text("Dear Doctor, please see Mr Chan about his sore throat.", encoding="utf-8")
        return pipeline.ProcessResult(
            out_dir, sample_transcript(), sample_note(), [referral], {"total_s": 1.0}, 0, 3.0, tone(3.0)
        )

    monkeypatch.setattr(pipeline, "process", process)
    return calls


def test_process_saves_into_the_store(tmp_path: Path, fake_pipeline: list[Path]) -> None:
    setup = make_store(tmp_path / "store")
    recording = tmp_path / "visit.wav"
    recording.write_bytes(b"")
    patient_file = tmp_path / "patient.json"
    patient_file.write_text('{"name": "Chan Tai Man", "mrn": "A1", "sex": "M"}', encoding="utf-8")
    args = [
        "process",
        str(recording),
        "--out",
        str(tmp_path / "out"),
        "--patient",
        str(patient_file),
        "--quiet",
    ]

    wrong = cli([*args, "--store", str(setup.directory), "--user", "drwong"], "wrong-password\n", tmp_path)
    assert wrong.returncode == 3 and "password is wrong" in wrong.stderr
    assert fake_pipeline == []  # refused before the long job started

    out = cli(
        [*args, "--store", str(setup.directory), "--user", "drwong"], f"{PASSWORDS['drwong']}\n", tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "Saved as consultation 1 in the encrypted store." in out.stderr
    with Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor:
        record = doctor.consultation_record(1)
        assert Patient.from_dict(record["patient"]).name == "Chan Tai Man"
        assert [s["speaker"] for s in record["transcript"]["segments"]] == ["doctor", "patient"]
        assert record["note_versions"][0]["kind"] == "ai_draft"
        assert (
            record["letters"][0]["kind"] == "referral" and "sore throat" in record["letters"][0]["rendered"]
        )
        assert record["audio"]["seconds"] == 3.0
        assert np.abs(doctor.read_audio(1) - tone(3.0)).max() < 1e-4

    no_user = cli([*args, "--store", str(setup.directory)], "", tmp_path)
    assert no_user.returncode == 2 and "--store needs --user" in no_user.stderr


def _args(tmp_path: Path, setup: Any) -> list[str]:
    recording = tmp_path / "visit.wav"
    recording.write_bytes(b"")
    return [
        "process",
        str(recording),
        "--out",
        str(tmp_path / "out"),
        "--quiet",
        "--store",
        str(setup.directory),
        "--user",
        "drwong",
    ]


def test_a_job_that_fails_part_way_keeps_what_it_saved_marked_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.errors import UserFacingError

    def process(input_path: Path, out_dir: Path, settings: Any, **kwargs: Any) -> pipeline.ProcessResult:
        kwargs["sink"].audio(tone(3.0))
        kwargs["sink"].transcript(sample_transcript())
        raise UserFacingError("The language model could not be loaded.")

    monkeypatch.setattr(pipeline, "process", process)
    setup = make_store(tmp_path / "store")
    out = cli(_args(tmp_path, setup), f"{PASSWORDS['drwong']}\n", tmp_path)
    assert out.returncode == 1
    assert "kept in the encrypted store as consultation 1 (marked incomplete)" in out.stderr
    assert "Traceback" not in out.stderr
    with Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor:
        record = doctor.consultation_record(1)
        assert record["audio"]["seconds"] == 3.0
        assert [s["speaker"] for s in record["transcript"]["segments"]] == ["doctor", "patient"]
        assert record["note_versions"] == []
    with Store.open(setup.directory, "it", PASSWORDS["it"]) as admin:
        problems = admin.check_integrity()
    assert problems == [
        "consultation 1 is incomplete: the job stopped early: The language model could not be loaded."
    ]


def test_a_failed_output_folder_does_not_drop_the_store_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.errors import UserFacingError

    def process(input_path: Path, out_dir: Path, settings: Any, **kwargs: Any) -> pipeline.ProcessResult:
        kwargs["sink"].audio(tone(2.0))
        kwargs["sink"].transcript(sample_transcript())
        kwargs["sink"].note(sample_note())
        raise UserFacingError(f"The results could not be written to {out_dir}: the disk is full.")

    monkeypatch.setattr(pipeline, "process", process)
    setup = make_store(tmp_path / "store")
    out = cli(_args(tmp_path, setup), f"{PASSWORDS['drwong']}\n", tmp_path)
    assert out.returncode == 1 and "the disk is full" in out.stderr
    assert "The consultation was saved in the encrypted store (consultation 1)." in out.stderr
    with Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor:
        assert doctor.consultation_record(1)["note_versions"][0]["kind"] == "ai_draft"
    with Store.open(setup.directory, "it", PASSWORDS["it"]) as admin:
        assert admin.check_integrity() == []


def test_a_store_disk_without_room_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_pipeline: list[Path]
) -> None:
    import shutil
    from collections import namedtuple

    setup = make_store(tmp_path / "store")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(2**30, 2**30 - 2**20, 2**20))
    out = cli(_args(tmp_path, setup), f"{PASSWORDS['drwong']}\n", tmp_path)
    assert out.returncode == 1 and "has 1 MB free" in out.stderr
    with Store.open(setup.directory, "drwong", PASSWORDS["drwong"]) as doctor:
        assert doctor.list_consultations() == []  # no half record


def test_a_disk_that_fills_mid_recording_leaves_an_incomplete_record_that_verify_store_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_pipeline: list[Path]
) -> None:
    from desktop.storage import journal

    setup = make_store(tmp_path / "store")
    real_sync = journal.AudioJournal._sync
    calls = {"n": 0}

    def filling_disk(self: journal.AudioJournal) -> None:
        calls["n"] += 1
        if calls["n"] > 2:  # the header and the first chunk fit, then the disk is full
            raise OSError(28, "No space left on device")
        real_sync(self)

    monkeypatch.setattr(journal.AudioJournal, "_sync", filling_disk)
    out = cli(_args(tmp_path, setup), f"{PASSWORDS['drwong']}\n", tmp_path)
    monkeypatch.setattr(journal.AudioJournal, "_sync", real_sync)
    assert out.returncode == 1
    assert "only 1.0 of 3.0 s of audio could be saved" in out.stderr, out.stderr
    assert "kept in memory" not in out.stderr
    with Store.open(setup.directory, "it", PASSWORDS["it"]) as admin:
        problems = admin.check_integrity()
    assert any(
        "consultation 1 is incomplete: only 1.0 of 3.0 s of audio could be saved" in p for p in problems
    )
