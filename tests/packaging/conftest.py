"""Fixtures for the packaging tests: the release helpers (loaded by path) and throwaway keys."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_packaging_module(name: str) -> ModuleType:
    # packaging/ is not importable as "packaging" (that is the PyPI library): load files by path.
    path = REPO / "packaging" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"cs_packaging_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def need_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"Debian packaging tools missing: {', '.join(missing)} (see docs/it.md, 'Build')")


@pytest.fixture(scope="session")
def release() -> ModuleType:
    return load_packaging_module("release")


@pytest.fixture(scope="session")
def gpg_key(
    release: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str, Path]]:
    """(GNUPGHOME, fingerprint, public binary keyring) of a throwaway signing key."""
    need_tools("gpg", "gpgv")
    root = tmp_path_factory.mktemp("keys")
    home = root / "gnupg"
    try:
        fpr = release.make_gpg_key(home)
        keyring, _armored = release.export_gpg_key(home, fpr, root / "public")
        yield home, fpr, keyring
    finally:
        stop_gpg_agent(home)


def stop_gpg_agent(home: Path) -> None:
    """gpg starts an agent for each home folder that outlives the test run: stop it."""
    if shutil.which("gpgconf"):
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False, capture_output=True
        )


@pytest.fixture(scope="session")
def test_cert(release: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need_tools("openssl")
    return release.make_test_certificate(tmp_path_factory.mktemp("authenticode"))  # type: ignore[no-any-return]


@pytest.fixture()
def fake_app(tmp_path: Path) -> Path:
    """A stand-in for the one-folder build: an executable and nested support files."""
    app = tmp_path / "app" / "consult-scribe"
    (app / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms").mkdir(parents=True)
    exe = app / "consult-scribe"
    exe.write_text('#!/bin/sh\necho consult-scribe "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    (app / "_internal" / "libexample.so").write_bytes(b"\x7fELF" + b"\x00" * 4000)
    (app / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqoffscreen.so").write_bytes(
        b"x" * 100
    )
    (app / "_internal" / "odd name & more.txt").write_text("spaces and ampersand", encoding="utf-8")
    return app
