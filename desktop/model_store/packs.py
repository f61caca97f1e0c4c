"""Model packs: one file IT copies to consulting-room PCs to install a model offline.

A pack is an uncompressed tar archive (model weights do not compress) holding

* ``pack.json`` first: the model's manifest entry (name, role, format, licence, source) and
  the size and SHA-256 of every file;
* ``files/<path>`` for every file of the model.

``install_pack`` streams each file into a temporary folder beside the model folder while
hashing it, and refuses the pack at the first file whose size or SHA-256 differs from the
pack's entry, whose path would escape the model folder, or that the entry does not list.
Only when every file is verified is the folder renamed into place and the model recorded,
so a refused or interrupted install leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from desktop import __version__
from desktop.core.errors import ModelError, UsageError
from desktop.model_store.store import (
    _STAMP,
    ModelEntry,
    ModelFile,
    ModelStore,
    _check_free_space,
    byte_progress,
    copy_hashed,
)

ProgressFn = Callable[[str, float], None]

PACK_KIND = "consult-scribe-model-pack"
PACK_SCHEMA = 1
PACK_INDEX = "pack.json"
PACK_FILES = "files/"
_ROLES = {"asr", "llm", "speaker"}
_FORMATS = {"ctranslate2", "gguf", "onnx"}


def is_pack(path: Path) -> bool:
    """True when ``path`` is a tar archive whose first member is a model-pack index."""
    if not path.is_file():
        return False
    try:
        with tarfile.open(path, "r:*") as tar:
            first = tar.next()
            return first is not None and first.name == PACK_INDEX
    except (tarfile.TarError, OSError):
        return False


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0  # reproducible: the same model always makes the same pack
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing it and reporting progress."""

    def __init__(self, fh: IO[bytes], tick: Callable[[int], None]) -> None:
        self._fh = fh
        self._tick = tick
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        block = self._fh.read(size)
        self.digest.update(block)
        self.size += len(block)
        self._tick(len(block))
        return block


def pack_model(store: ModelStore, name: str, out: Path, progress: ProgressFn | None = None) -> Path:
    """Write the installed model ``name`` as a pack at ``out``.

    ``out`` is the pack file, or a folder (existing, or a path without a suffix) that receives
    ``<name>.tar``.

    Every file is hashed while it is written and must match the store's record, so a pack is
    never made from a damaged model. Returns the path of the pack.
    """
    entry = store.entry(name)
    store.ensure(name, progress)
    folder = store.model_path(entry)
    out = out.expanduser()
    target = out / f"{entry.name}.tar" if out.is_dir() or not out.suffix else out
    target.parent.mkdir(parents=True, exist_ok=True)
    index = {
        "kind": PACK_KIND,
        "schema": PACK_SCHEMA,
        "app_version": __version__,
        "model": {**entry.to_dict(), "languages": list(entry.languages)},
    }
    index_bytes = json.dumps(index, indent=2, ensure_ascii=False).encode("utf-8")
    tick = byte_progress(progress, f"packing {entry.name}", entry.total_size)

    fix = f"Add it again with 'consult-scribe models add PATH --name {entry.name}' before packing."
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(_tarinfo(PACK_INDEX, len(index_bytes)), io.BytesIO(index_bytes))
            for f in entry.files:
                src = folder / f.path
                size = src.stat().st_size
                if size != f.size:
                    raise ModelError(f"The model '{entry.name}' is damaged: {f.path} has {size} bytes.", fix)
                with src.open("rb") as fh:
                    reader = _HashingReader(fh, tick)
                    tar.addfile(_tarinfo(PACK_FILES + f.path, size), reader)
                if reader.digest.hexdigest() != f.sha256:
                    raise ModelError(
                        f"The model '{entry.name}' is damaged: {f.path} does not match its SHA-256.", fix
                    )
        os.chmod(tmp, 0o644)  # a pack is meant to be copied to other PCs
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _refuse(pack: Path, why: str) -> ModelError:
    return ModelError(
        f"The model pack {pack.name} was refused: {why}. Nothing was installed.",
        "Copy the pack again from the original (it may be damaged or altered), or ask IT for a new pack.",
    )


def _safe_relpath(pack: Path, raw: object) -> str:
    if not isinstance(raw, str) or not raw:
        raise _refuse(pack, "a file entry has no path")
    posix = PurePosixPath(raw)
    if posix.is_absolute() or ".." in posix.parts or "\\" in raw or raw.startswith("."):
        raise _refuse(pack, f"the file path {raw!r} is not allowed")
    return posix.as_posix()


def read_pack_entry(pack: Path) -> ModelEntry:
    """Read and check a pack's index without installing anything."""
    try:
        with tarfile.open(pack, "r:*") as tar:
            return _read_index(pack, tar)
    except tarfile.TarError as exc:
        raise _refuse(pack, "it is not a readable tar archive") from exc


def _read_index(pack: Path, tar: tarfile.TarFile) -> ModelEntry:
    first = tar.next()
    if first is None or first.name != PACK_INDEX or not first.isfile():
        raise _refuse(pack, f"it does not start with {PACK_INDEX}")
    fh = tar.extractfile(first)
    if fh is None or first.size > 4 * 1024 * 1024:
        raise _refuse(pack, f"{PACK_INDEX} is not readable")
    try:
        index: Any = json.loads(fh.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(pack, f"{PACK_INDEX} is not valid JSON") from exc
    if not isinstance(index, dict) or index.get("kind") != PACK_KIND:
        raise _refuse(pack, "it is not a ConsultScribe model pack")
    if index.get("schema") != PACK_SCHEMA:
        raise _refuse(pack, f"it uses pack format {index.get('schema')!r}, this version reads {PACK_SCHEMA}")
    model = index.get("model")
    if not isinstance(model, dict):
        raise _refuse(pack, "it has no model entry")
    try:
        entry = ModelEntry.from_dict(model, embedded=False)
    except (KeyError, TypeError, ValueError) as exc:
        raise _refuse(pack, f"its model entry is incomplete ({exc})") from exc
    name = entry.name.strip()
    if not name or name != name.lower() or any(c in name for c in "/\\ ") or name.startswith("."):
        raise _refuse(pack, f"the model name {entry.name!r} is not allowed")
    if entry.role not in _ROLES or entry.format not in _FORMATS:
        raise _refuse(pack, f"unknown model role/format {entry.role!r}/{entry.format!r}")
    if not entry.files:
        raise _refuse(pack, "it lists no files")
    seen: set[str] = set()
    for f in entry.files:
        f.path = _safe_relpath(pack, f.path)
        if f.path in seen or f.path == _STAMP:
            raise _refuse(pack, f"the file {f.path} is listed twice")
        seen.add(f.path)
        if len(f.sha256) != 64 or any(c not in "0123456789abcdef" for c in f.sha256) or f.size < 0:
            raise _refuse(pack, f"the file {f.path} has no valid SHA-256 and size")
    return entry


def install_pack(store: ModelStore, pack: Path, progress: ProgressFn | None = None) -> ModelEntry:
    """Verify and install a model pack into ``store``; returns the installed entry.

    A pack of an embedded model must carry exactly the files of the shipped manifest (it lets a
    PC without the model packages get the default models offline); any other pack is recorded
    in the local registry like ``models add``.
    """
    pack = pack.expanduser()
    if not pack.is_file():
        raise UsageError(f"{pack} does not exist.", "Give the path of a model pack (.tar).")
    remove_stale_work(store)
    try:
        with tarfile.open(pack, "r:*") as tar:
            entry = _read_index(pack, tar)
            shipped = {e.name: e for e in store.entries() if e.embedded}
            if entry.name in shipped:
                expected = {(f.path, f.size, f.sha256) for f in shipped[entry.name].files}
                if {(f.path, f.size, f.sha256) for f in entry.files} != expected:
                    raise _refuse(
                        pack,
                        f"'{entry.name}' is an embedded model and the pack's files differ from the manifest",
                    )
                entry.embedded = True
            work = _extract_verified(store, pack, tar, entry, progress)
    except tarfile.TarError as exc:
        raise _refuse(pack, "it is not a readable tar archive") from exc
    final = store.model_path(entry)
    old = final.with_name(f".{final.name}.old")
    try:
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            os.replace(final, old)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if old.exists() and not final.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if not entry.embedded:
        entry.description = entry.description or f"Installed from the pack {pack.name}"
        store.register(entry)
    return entry


def _extract_verified(
    store: ModelStore, pack: Path, tar: tarfile.TarFile, entry: ModelEntry, progress: ProgressFn | None
) -> Path:
    wanted: dict[str, ModelFile] = {f.path: f for f in entry.files}
    store.models_dir.mkdir(parents=True, exist_ok=True)
    _check_free_space(store.models_dir, entry.total_size)
    work = Path(tempfile.mkdtemp(prefix=f".{entry.name}-pack-", dir=store.models_dir))
    tick = byte_progress(progress, f"installing {entry.name}", entry.total_size)
    stamp: dict[str, Any] = {}
    try:
        for member in tar:
            is_index = member.offset == 0 and member.name == PACK_INDEX
            if is_index or (member.isdir() and member.name.startswith(PACK_FILES)):
                continue
            if not member.isfile() or not member.name.startswith(PACK_FILES):
                raise _refuse(pack, f"it holds an unexpected entry {member.name!r}")
            rel = member.name[len(PACK_FILES) :]
            spec = wanted.pop(rel, None)
            if spec is None:
                raise _refuse(pack, f"it holds {rel!r}, which its manifest does not list (or lists once)")
            if member.size != spec.size:
                raise _refuse(pack, f"{rel} has {member.size} bytes, the manifest says {spec.size}")
            src = tar.extractfile(member)
            if src is None:
                raise _refuse(pack, f"{rel} cannot be read")
            dst = work / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            digest = copy_hashed([src], dst, tick)
            if digest != spec.sha256:
                raise _refuse(
                    pack,
                    f"{rel} does not match its SHA-256 (got {digest[:12]}…, expected {spec.sha256[:12]}…)",
                )
            stamp[rel] = {"sha256": spec.sha256, "mtime_ns": dst.stat().st_mtime_ns}
        if wanted:
            raise _refuse(pack, f"it is missing {', '.join(sorted(wanted))}")
        (work / _STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work


def remove_stale_work(store: ModelStore) -> None:
    """Remove temporary folders left by an install that was killed (power cut, task manager)."""
    if not store.models_dir.is_dir():
        return
    for child in store.models_dir.iterdir():
        if child.is_dir() and child.name.startswith(".") and "-pack-" in child.name:
            with contextlib.suppress(OSError):
                shutil.rmtree(child)
