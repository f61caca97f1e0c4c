"""Installers and their signatures, built from a small stand-in app (the real build is in test_frozen.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from tests.packaging.conftest import need_tools, stop_gpg_agent


def _flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_deb_layout_and_control(release: ModuleType, fake_app: Path, tmp_path: Path) -> None:
    need_tools("dpkg-deb")
    deb = release.build_deb(fake_app, tmp_path / "out", version="1.2.3", arch="amd64")
    assert deb.name == "consult-scribe_1.2.3_amd64.deb"
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    for path in (
        "./opt/consult-scribe/consult-scribe",
        "./opt/consult-scribe/_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "./usr/bin/consult-scribe",
        "./usr/share/applications/consult-scribe.desktop",
        "./usr/share/icons/hicolor/scalable/apps/consult-scribe.svg",
        "./usr/share/icons/hicolor/256x256/apps/consult-scribe.png",
        "./usr/share/doc/consult-scribe/policy.example.json",
    ):
        assert path in listing, path
    assert "root/root" in listing and "rwxr-xr-x root/root" in listing
    field = subprocess.run(
        ["dpkg-deb", "-f", deb, "Package", "Version", "Depends"], capture_output=True, text=True
    )
    assert "Package: consult-scribe" in field.stdout and "Version: 1.2.3" in field.stdout
    assert "libxcb-cursor0" in field.stdout
    root = tmp_path / "x"
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    launcher = root / "usr" / "bin" / "consult-scribe"
    assert os.access(launcher, os.X_OK) and "/opt/consult-scribe/consult-scribe" in launcher.read_text()
    desktop = (root / "usr/share/applications/consult-scribe.desktop").read_text()
    assert "Exec=consult-scribe" in desktop and "Icon=consult-scribe" in desktop
    md5 = subprocess.run(
        ["dpkg-deb", "-I", deb, "md5sums"], capture_output=True, text=True, check=True
    ).stdout
    assert "opt/consult-scribe/consult-scribe" in md5


def test_signed_sums_verify_and_tampering_is_detected(
    release: ModuleType, fake_app: Path, tmp_path: Path, gpg_key: tuple[Path, str, Path]
) -> None:
    need_tools("dpkg-deb")
    home, fpr, keyring = gpg_key
    out = tmp_path / "out"
    deb = release.build_deb(fake_app, out, version="1.2.3", arch="amd64")
    pack = out / "whisper-base.tar"
    pack.write_bytes(b"pack" * 1000)
    sums = release.write_sums(out, home, fpr)
    assert {ln.split("  ")[1] for ln in sums.read_text().splitlines()} == {deb.name, pack.name}
    assert release.verify_release(out, keyring) == []

    original = deb.read_bytes()
    _flip_byte(deb)
    problems = release.verify_release(out, keyring)
    assert any("does not match SHA256SUMS" in p for p in problems)
    assert any(f"bad or missing signature {deb.name}.asc" in p for p in problems)
    deb.write_bytes(original)
    assert release.verify_release(out, keyring) == []

    # Re-hashing the tampered file into SHA256SUMS breaks the signature on SHA256SUMS itself.
    _flip_byte(pack)
    sums.write_text(f"{release.sha256(pack)}  {pack.name}\n{release.sha256(deb)}  {deb.name}\n")
    problems = release.verify_release(out, keyring)
    assert len(problems) == 1 and "SHA256SUMS.asc" in problems[0]

    # A different key (an attacker re-signing everything) is not trusted.
    other_home = tmp_path / "attacker"
    try:
        other = release.make_gpg_key(other_home, "Attacker <a@example.invalid>")
        release.write_sums(out, other_home, other)
    finally:
        stop_gpg_agent(other_home)
    assert release.verify_release(out, keyring) != []

    # And the command-line form exits non-zero.
    assert release.main(["verify", "--dir", str(out), "--keyring", str(keyring)]) == 1


def test_apt_repository_is_signed_and_installable(
    release: ModuleType, fake_app: Path, tmp_path: Path, gpg_key: tuple[Path, str, Path]
) -> None:
    need_tools("dpkg-deb", "dpkg-scanpackages", "apt-ftparchive", "apt-get")
    home, fpr, keyring = gpg_key
    deb = release.build_deb(fake_app, tmp_path / "out", version="1.2.3", arch=release.deb_arch())
    repo = release.build_apt_repo([deb], tmp_path / "apt", home, fpr)
    assert {"Packages", "Packages.gz", "Release", "InRelease", "Release.gpg", deb.name} <= {
        p.name for p in repo.iterdir()
    }
    apt = _apt(tmp_path, repo, keyring)
    assert apt("update").returncode == 0
    policy = apt("policy", "consult-scribe", tool="apt-cache")
    assert "Candidate: 1.2.3" in policy.stdout, policy.stdout
    dl = apt("download", "consult-scribe", cwd=tmp_path / "dl")
    assert dl.returncode == 0, dl.stderr
    assert (tmp_path / "dl" / deb.name).read_bytes() == deb.read_bytes()

    # A Release altered after signing is rejected by apt.
    inrelease = repo / "InRelease"
    inrelease.write_text(inrelease.read_text().replace("Label: ConsultScribe", "Label: Tampered"))
    shutil.rmtree(tmp_path / "apt-state" / "lists")
    (tmp_path / "apt-state" / "lists" / "partial").mkdir(parents=True)
    bad = apt("update")
    assert bad.returncode != 0 and "BADSIG" in bad.stderr and "is not signed" in bad.stderr, bad.stderr


def _apt(tmp_path: Path, repo: Path, keyring: Path):  # type: ignore[no-untyped-def]
    state = tmp_path / "apt-state"
    for sub in ("lists/partial", "cache/archives/partial", "etc/sources.list.d", "etc/preferences.d"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    (tmp_path / "dl").mkdir(exist_ok=True)
    sources = state / "etc" / "sources.list"
    sources.write_text(f"deb [signed-by={keyring}] file:{repo} ./\n")
    opts = [
        f"-oDir::Etc::SourceList={sources}",
        f"-oDir::Etc::SourceParts={state / 'etc' / 'sources.list.d'}",
        f"-oDir::Etc::Preferences={state / 'etc' / 'preferences'}",
        f"-oDir::Etc::PreferencesParts={state / 'etc' / 'preferences.d'}",
        f"-oDir::State::Lists={state / 'lists'}",
        f"-oDir::Cache={state / 'cache'}",
        "-oAPT::Sandbox::User=root",
        "-oDebug::NoLocking=1",
        "-oAcquire::Languages=none",
    ]

    def call(*args: str, tool: str = "apt-get", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool, *opts, *args], capture_output=True, text=True, cwd=cwd, timeout=120)

    return call


def test_msi_builds_with_upgrade_code_and_silent_properties(
    release: ModuleType, fake_app: Path, tmp_path: Path
) -> None:
    need_tools("wixl", "msiinfo", "msibuild")
    msi = release.build_msi(fake_app, tmp_path / "out", version="1.2.3")
    assert msi.name == "ConsultScribe-1.2.3-x64.msi"

    def table(name: str) -> str:
        return subprocess.run(
            ["msiinfo", "export", msi, name], capture_output=True, text=True, check=True
        ).stdout

    props = dict(ln.split("\t", 1) for ln in table("Property").splitlines()[3:] if "\t" in ln)
    assert props["UpgradeCode"] == "{" + release.UPGRADE_CODE + "}"
    assert props["ALLUSERS"] == "1" and props["ProductVersion"] == "1.2.3"
    assert {"STORE_DIR", "POLICY_FILE", "WIX_UPGRADE_DETECTED"} <= set(
        props["SecureCustomProperties"].split(";")
    )
    registry = table("Registry")
    assert "[STORE_DIR]" in registry and "[POLICY_FILE]" in registry and "StoreDir" in registry
    files = table("File")
    n_files = sum(1 for p in fake_app.rglob("*") if p.is_file())
    assert len([ln for ln in files.splitlines()[3:] if ln.strip()]) == n_files
    assert "odd name & more.txt" in files
    assert "INSTALLDIR\tProgramFiles64Folder\tConsult" in table("Directory")
    assert "StartMenuShortcut" in table("Shortcut")
    upgrade = table("Upgrade")
    assert "WIX_UPGRADE_DETECTED" in upgrade and "WIX_DOWNGRADE_DETECTED" in upgrade
    extracted = tmp_path / "extract"
    extracted.mkdir()
    subprocess.run(["msiextract", "-C", extracted, msi], check=True, capture_output=True)
    payload = next(extracted.rglob("libexample.so"))
    assert payload.read_bytes() == (fake_app / "_internal" / "libexample.so").read_bytes()


def test_msi_authenticode_sign_verify_and_tamper(
    release: ModuleType, fake_app: Path, tmp_path: Path, test_cert: dict[str, Path]
) -> None:
    need_tools("wixl", "msibuild", "osslsigncode")
    msi = release.build_msi(fake_app, tmp_path / "out", version="1.2.3")
    with pytest.raises(release.ReleaseError, match="verification"):
        release.verify_msi(msi, test_cert["ca"])  # unsigned
    password = tmp_path / "pass"
    password.write_text("test\n")
    release.sign_msi(msi, test_cert["pkcs12"], password)
    text = release.verify_msi(msi, test_cert["ca"])
    assert "ConsultScribe (test signing)" in text
    # Without the test CA the chain is untrusted: the check is not a rubber stamp.
    with pytest.raises(release.ReleaseError, match="certificate verify error"):
        release.verify_msi(msi, Path("/etc/ssl/certs/ca-certificates.crt"))
    # Change a property after signing (what a tampered installer would do).
    tampered = tmp_path / "tampered.msi"
    shutil.copy2(msi, tampered)
    subprocess.run(
        [
            "msibuild",
            tampered,
            "-q",
            "UPDATE `Property` SET `Value` = 'Evil' WHERE `Property` = 'Manufacturer'",
        ],
        check=True,
    )
    with pytest.raises(release.ReleaseError, match="MISMATCH"):
        release.verify_msi(tampered, test_cert["ca"])
