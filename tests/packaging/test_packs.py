"""Model packs: round trip, and every kind of damaged or altered pack is refused with nothing installed."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from desktop import paths
from desktop.core.errors import ModelError, UsageError
from desktop.model_store import ModelStore
from desktop.model_store.packs import PACK_INDEX, install_pack, is_pack, pack_model, read_pack_entry


def _store(root: Path) -> ModelStore:
    return ModelStore(root, paths.manifest_file())


@pytest.fixture()
def source_store(tmp_path: Path) -> ModelStore:
    """A store holding one clinic ASR folder model (nested file) and one GGUF model."""
    store = _store(tmp_path / "src-models")
    folder = tmp_path / "whisper-clinic"
    (folder / "extra").mkdir(parents=True)
    (folder / "model.bin").write_bytes(bytes(range(256)) * 4096)
    (folder / "config.json").write_text('{"alignment_heads": []}', encoding="utf-8")
    (folder / "extra" / "tokenizer.json").write_text('{"v": 1}', encoding="utf-8")
    store.add(folder, name="whisper-clinic")
    gguf = tmp_path / "clinic-llm.gguf"
    gguf.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x11" * 50_000)
    store.add(gguf, name="clinic-llm")
    return store


def _leftovers(store: ModelStore) -> list[str]:
    if not store.models_dir.exists():
        return []
    return sorted(p.name for p in store.models_dir.iterdir())


def _rewrite(pack: Path, out: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """Copy a pack member by member, letting ``edit(name, data) -> list[(name, data)]`` change it."""
    with tarfile.open(pack) as src, tarfile.open(out, "w") as dst:
        for member in src:
            fh = src.extractfile(member)
            data = fh.read() if fh else b""
            for name, new in edit(member.name, data):
                info = tarfile.TarInfo(name)
                info.size = len(new)
                dst.addfile(info, io.BytesIO(new))
    return out


def test_pack_round_trip_installs_identical_files(source_store: ModelStore, tmp_path: Path) -> None:
    pack = pack_model(source_store, "whisper-clinic", tmp_path / "packs")
    assert pack == tmp_path / "packs" / "whisper-clinic.tar" and is_pack(pack)
    assert read_pack_entry(pack).name == "whisper-clinic"
    progress: list[float] = []
    target = _store(tmp_path / "pc-models")
    entry = install_pack(target, pack, lambda _what, f: progress.append(f))
    assert entry.name == "whisper-clinic" and entry.role == "asr"
    src_dir = source_store.model_path(source_store.entry("whisper-clinic"))
    for rel in ("model.bin", "config.json", "extra/tokenizer.json"):
        assert (target.models_dir / "whisper-clinic" / rel).read_bytes() == (src_dir / rel).read_bytes()
    status = target.status(target.entry("whisper-clinic"))
    assert status.usable, status.problem
    assert progress and progress[-1] == pytest.approx(1.0)
    assert _leftovers(target) == ["registry.json", "whisper-clinic"]
    # The same model always makes the same pack (reproducible for SHA256SUMS).
    again = pack_model(source_store, "whisper-clinic", tmp_path / "again.tar")
    assert again.read_bytes() == pack.read_bytes()


def test_gguf_pack_resolves_to_the_file(source_store: ModelStore, tmp_path: Path) -> None:
    pack = pack_model(source_store, "clinic-llm", tmp_path / "llm.tar")
    target = _store(tmp_path / "pc")
    install_pack(target, pack)
    path = target.ensure("clinic-llm")
    assert path.is_file() and path.read_bytes()[:4] == b"GGUF"


def test_bad_hash_is_refused_and_nothing_is_installed(source_store: ModelStore, tmp_path: Path) -> None:
    pack = pack_model(source_store, "whisper-clinic", tmp_path / "p.tar")
    with tarfile.open(pack) as tar:
        offset = tar.getmember("files/model.bin").offset_data
    raw = bytearray(pack.read_bytes())
    raw[offset + 1000] ^= 0xFF  # same size, one byte flipped
    pack.write_bytes(bytes(raw))
    target = _store(tmp_path / "pc")
    with pytest.raises(ModelError, match=r"model\.bin does not match its SHA-256.*Nothing was installed"):
        install_pack(target, pack)
    assert _leftovers(target) == []
    with pytest.raises(ModelError):
        target.ensure("whisper-clinic")


def test_failed_reinstall_keeps_the_working_model(source_store: ModelStore, tmp_path: Path) -> None:
    good = pack_model(source_store, "clinic-llm", tmp_path / "good.tar")
    target = _store(tmp_path / "pc")
    install_pack(target, good)

    def corrupt(name: str, data: bytes) -> list[tuple[str, bytes]]:
        return [(name, data[:-1] + b"\x00" if name.startswith("files/") else data)]

    bad = _rewrite(good, tmp_path / "bad.tar", corrupt)
    with pytest.raises(ModelError, match="SHA-256"):
        install_pack(target, bad)
    assert target.ensure("clinic-llm").read_bytes()[:4] == b"GGUF"
    assert target.status(target.entry("clinic-llm")).usable
    assert _leftovers(target) == ["clinic-llm", "registry.json"]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("extra-file", "does not list"),
        ("missing-file", "is missing"),
        ("traversal", "not allowed"),
        ("size", "bytes, the manifest says"),
        ("not-a-pack", "not a ConsultScribe model pack"),
        ("index-not-first", "does not start with"),
        ("symlink", "unexpected entry"),
    ],
)
def test_altered_packs_are_refused(source_store: ModelStore, tmp_path: Path, case: str, message: str) -> None:
    pack = pack_model(source_store, "clinic-llm", tmp_path / "p.tar")

    def edit(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == PACK_INDEX:
            index = json.loads(data)
            files = index["model"]["files"]
            if case == "traversal":
                files[0]["path"] = "../../evil.gguf"
            if case == "size":
                files[0]["size"] += 1
            if case == "not-a-pack":
                index["kind"] = "something-else"
            return [(name, json.dumps(index).encode())]
        if case == "extra-file":
            return [(name, data), ("files/evil.sh", b"echo hi")]
        if case == "missing-file":
            return []
        if case == "traversal":
            return [("files/../../evil.gguf", data)]
        return [(name, data)]

    altered = _rewrite(pack, tmp_path / "altered.tar", edit)
    if case == "index-not-first":
        with tarfile.open(pack) as src, tarfile.open(altered, "w") as dst:
            members = list(src)
            for member in reversed(members):
                dst.addfile(member, src.extractfile(member))
    if case == "symlink":
        with tarfile.open(altered, "a") as dst:
            link = tarfile.TarInfo("files/link")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            dst.addfile(link)
    target = _store(tmp_path / "pc")
    with pytest.raises(ModelError, match=message):
        install_pack(target, altered)
    assert _leftovers(target) == []
    assert not (tmp_path / "evil.gguf").exists()


def test_embedded_model_pack_must_match_the_shipped_manifest(
    source_store: ModelStore, tmp_path: Path
) -> None:
    pack = pack_model(source_store, "clinic-llm", tmp_path / "p.tar")

    def rename(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == PACK_INDEX:
            index = json.loads(data)
            index["model"]["name"] = "smollm2-135m-instruct"
            return [(name, json.dumps(index).encode())]
        return [(name, data)]

    fake = _rewrite(pack, tmp_path / "fake-embedded.tar", rename)
    target = _store(tmp_path / "pc")
    with pytest.raises(ModelError, match="embedded model"):
        install_pack(target, fake)
    assert _leftovers(target) == []


def test_packing_a_damaged_model_is_refused(source_store: ModelStore, tmp_path: Path) -> None:
    entry = source_store.entry("whisper-clinic")
    model_bin = source_store.model_path(entry) / "model.bin"
    data = bytearray(model_bin.read_bytes())
    data[0] ^= 0x01
    model_bin.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged"):
        pack_model(source_store, "whisper-clinic", tmp_path / "p.tar")
    assert not (tmp_path / "p.tar").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".p.tar")] == []


def test_missing_pack_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        install_pack(_store(tmp_path / "pc"), tmp_path / "nope.tar")
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar at all" * 100)
    assert not is_pack(garbage)
    with pytest.raises(ModelError, match="not a readable tar"):
        install_pack(_store(tmp_path / "pc"), garbage)
    shutil.rmtree(tmp_path / "pc", ignore_errors=True)


def test_cli_pack_and_add(
    source_store: ModelStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop.cli import main

    monkeypatch.setenv("CONSULT_SCRIBE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CONSULT_SCRIBE_MODELS", str(source_store.models_dir))
    assert main(["models", "pack", "clinic-llm", "--out", str(tmp_path / "packs")]) == 0
    pack = tmp_path / "packs" / "clinic-llm.tar"
    assert is_pack(pack) and "Wrote" in capsys.readouterr().out
    monkeypatch.setenv("CONSULT_SCRIBE_MODELS", str(tmp_path / "pc-models"))
    assert main(["models", "add", str(pack)]) == 0
    assert "Added llm model 'clinic-llm'" in capsys.readouterr().out
    with tarfile.open(pack) as tar:
        offset = tar.getmember("files/clinic-llm.gguf").offset_data
    raw = bytearray(pack.read_bytes())
    raw[offset + 10] ^= 0x01
    bad = tmp_path / "bad.tar"
    bad.write_bytes(bytes(raw))
    monkeypatch.setenv("CONSULT_SCRIBE_MODELS", str(tmp_path / "pc2"))
    assert main(["models", "add", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "was refused" in err and "Nothing was installed" in err
    assert not (tmp_path / "pc2" / "clinic-llm").exists()
