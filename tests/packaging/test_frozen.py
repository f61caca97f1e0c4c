"""The real build: packaging/build.sh end to end, the frozen app offline, the real installers verified.

Minutes of work: deselected by default; run with ``pytest -m frozen tests/packaging``. Set
``CONSULT_SCRIBE_FROZEN_OUT=DIR`` to check an existing ``build.sh --out DIR`` instead of building.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import need_tools
from tests.packaging.test_release import _apt, _flip_byte

pytestmark = pytest.mark.frozen

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    existing = os.environ.get("CONSULT_SCRIBE_FROZEN_OUT")
    if existing:
        return Path(existing)
    need_tools("dpkg-deb", "dpkg-scanpackages", "apt-ftparchive", "wixl", "msibuild", "osslsigncode", "gpg")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [str(REPO / "packaging" / "build.sh"), "--out", str(out), "--skip-smoke"],
        capture_output=True,
        text=True,
        timeout=3600,
        # xz takes a quarter of an hour for the .deb on two busy cores; the checks do not depend on it.
        env={**os.environ, "CONSULT_SCRIBE_DEB_COMPRESSION": "gzip:6"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def test_frozen_app_smoke_test_and_offline_processing(dist: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "smoke.json"
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), str(REPO / "packaging" / "smoke_test.py"),
         "--app", str(dist / "consult-scribe"), "--report", str(report_path)],
        capture_output=True, text=True, timeout=3000,
    )  # fmt: skip
    report = json.loads(report_path.read_text())
    failed = [c for c in report["checks"] if not c["ok"]]
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0 and not failed, json.dumps(failed, indent=1)[-4000:] + "\n" + summary
    names = {c["check"] for c in report["checks"]}
    assert (
        "offline: process the sample" in names
        and "offline run: namespace has only the loopback interface" in names
    )


def test_release_folder_verifies(release: ModuleType, dist: Path) -> None:
    assert release.verify_release(dist, dist / "consult-scribe-archive-keyring.gpg") == []
    listed = (dist / "SHA256SUMS").read_text()
    for pattern in (
        "consult-scribe_*.deb",
        "ConsultScribe-*-x64.msi",
        "*.deb.cdx.json",
        "*.msi.cdx.json",
        "*.tar",
    ):
        assert any(p.name in listed for p in dist.glob(pattern)), pattern


def test_tampered_real_artifact_is_detected(release: ModuleType, dist: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in dist.iterdir():
        if p.is_file():
            shutil.copy2(p, copy / p.name)
    deb = _one(copy, "consult-scribe_*.deb")
    _flip_byte(deb, deb.stat().st_size - 5000)
    problems = release.verify_release(copy, copy / "consult-scribe-archive-keyring.gpg")
    assert any(deb.name in p and "SHA-256" in p for p in problems), problems


def test_real_deb_contents_and_installed_app_runs(dist: Path, tmp_path: Path) -> None:
    deb = _one(dist, "consult-scribe_*.deb")
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    for needle in (
        "./opt/consult-scribe/consult-scribe",
        "./opt/consult-scribe/_internal/llama_cpp/lib/libllama.so",
        "./opt/consult-scribe/_internal/faster_whisper/assets/silero_vad_v6.onnx",
        "./opt/consult-scribe/_internal/models/manifest.json",
        "./usr/bin/consult-scribe",
        "./usr/share/applications/consult-scribe.desktop",
    ):
        assert needle in listing, needle
    assert ".gguf" not in listing and "model.bin" not in listing
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    env = {**os.environ, "CONSULT_SCRIBE_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [root / "opt" / "consult-scribe" / "consult-scribe", "--version"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0 and "consult-scribe" in proc.stdout, proc.stderr


def test_real_apt_repository(dist: Path, tmp_path: Path) -> None:
    need_tools("apt-get")
    deb = _one(dist, "consult-scribe_*.deb")
    apt = _apt(tmp_path, dist / "apt", dist / "consult-scribe-archive-keyring.gpg")
    update = apt("update")
    assert update.returncode == 0, update.stderr
    assert apt("download", "consult-scribe", cwd=tmp_path / "dl").returncode == 0
    assert (tmp_path / "dl" / deb.name).read_bytes() == deb.read_bytes()


def test_real_msi_signed_and_complete(release: ModuleType, dist: Path, tmp_path: Path) -> None:
    msi = _one(dist, "ConsultScribe-*-x64.msi")
    text = release.verify_msi(msi, dist / "consult-scribe-test-ca.pem")
    assert "Signature verification: ok" in text
    files = subprocess.run(
        ["msiinfo", "export", msi, "File"], capture_output=True, text=True, check=True
    ).stdout
    n_files = sum(1 for p in (dist / "consult-scribe").rglob("*") if p.is_file())
    assert len([ln for ln in files.splitlines()[3:] if ln.strip()]) == n_files
    tampered = tmp_path / msi.name
    shutil.copy2(msi, tampered)
    subprocess.run(
        [
            "msibuild",
            tampered,
            "-q",
            "UPDATE `Property` SET `Value` = '9.9.9' WHERE `Property` = 'ProductVersion'",
        ],
        check=True,
    )
    with pytest.raises(release.ReleaseError, match="MISMATCH"):
        release.verify_msi(tampered, dist / "consult-scribe-test-ca.pem")


def test_sboms_list_the_bundled_components(dist: Path) -> None:
    for sbom_path in (_one(dist, "*.deb.cdx.json"), _one(dist, "*.msi.cdx.json")):
        sbom = json.loads(sbom_path.read_text())
        assert sbom["bomFormat"] == "CycloneDX"
        names = {c["name"].lower().replace("_", "-") for c in sbom["components"]}
        assert {
            "faster-whisper",
            "ctranslate2",
            "llama-cpp-python",
            "pyside6-essentials",
            "opencc",
        } <= names, names
        assert not {"pytest", "hypothesis", "pyinstaller", "mypy"} & names
        artifact = dist / sbom_path.name.removesuffix(".cdx.json")
        digest = sbom["metadata"]["component"]["hashes"][0]["content"]
        import hashlib

        assert digest == hashlib.sha256(artifact.read_bytes()).hexdigest()
