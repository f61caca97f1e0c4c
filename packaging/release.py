"""Installers, signatures, checksums and SBOMs for the one-folder ConsultScribe build.

Used by ``packaging/build.sh`` and by the packaging tests; every step is a sub-command:

    release.py test-keys --dir KEYS            throwaway GPG key + Authenticode test certificate (CI)
    release.py deb --app DIR --out DIR         consult-scribe_<ver>_<arch>.deb (installs under /opt)
    release.py apt-repo --deb FILE --out DIR --gpg-home H --key FPR    flat apt repository, signed
    release.py msi --app DIR --out DIR         ConsultScribe-<ver>-x64.msi (wixl)
    release.py sign-msi --msi FILE --pkcs12 P12 [--pass-file F]       Authenticode (osslsigncode)
    release.py verify-msi --msi FILE --ca CA.pem
    release.py sbom --work DIR --artifact FILE...                      CycloneDX JSON per artifact
    release.py sums --dir DIR --gpg-home H --key FPR                  SHA256SUMS + .asc, *.asc per file
    release.py verify --dir DIR --keyring KEYRING.gpg                 checks all of the above

The module must not be named ``packaging`` on import (that name belongs to the PyPI library):
tests load it by path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
APP = "consult-scribe"
PRODUCT = "ConsultScribe"
# Never change: Windows Installer uses it to recognise older versions to upgrade.
UPGRADE_CODE = "6B0F3D8E-2C1A-4E55-9A0B-6C7D1E2F3A4B"
DEB_DEPENDS = [
    "libc6 (>= 2.31)",
    "libstdc++6",
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libglib2.0-0",
    "libdbus-1-3",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libasound2 | libasound2t64",
]
SUMS = "SHA256SUMS"
ARTIFACT_SUFFIXES = (".deb", ".msi", ".tar", ".zip", ".dmg", ".cdx.json", ".gpg", ".pem")


class ReleaseError(RuntimeError):
    pass


def run(cmd: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise ReleaseError(
            f"{' '.join(str(c) for c in cmd)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    return proc.stdout


def app_version() -> str:
    text = (ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise ReleaseError("desktop/__init__.py has no __version__")
    return match.group(1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(4 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# -- keys for CI ---------------------------------------------------------------------------------
def make_gpg_key(
    home: Path, uid: str = "ConsultScribe Test Signing <test-signing@consultscribe.invalid>"
) -> str:
    """A throwaway ed25519 signing key in ``home``; returns its fingerprint."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    run([*gpg, "--quick-gen-key", uid, "ed25519", "sign", "30d"])
    out = run(["gpg", "--homedir", str(home), "--batch", "--with-colons", "--list-secret-keys"])
    fprs = [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")]
    if not fprs:
        raise ReleaseError("gpg made no key")
    return fprs[0]


def export_gpg_key(home: Path, fpr: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the public key as a binary keyring (apt, gpgv) and as armored text (people)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keyring = out_dir / f"{APP}-archive-keyring.gpg"
    armored = out_dir / f"{APP}-signing-key.asc"
    keyring.write_bytes(
        subprocess.run(
            ["gpg", "--homedir", str(home), "--export", fpr], capture_output=True, check=True
        ).stdout
    )
    run(
        [
            "gpg",
            "--homedir",
            str(home),
            "--batch",
            "--yes",
            "--armor",
            "--output",
            str(armored),
            "--export",
            fpr,
        ]
    )
    return keyring, armored


def make_test_certificate(out_dir: Path, password: str = "test") -> dict[str, Path]:
    """A test CA and an Authenticode code-signing certificate signed by it (PKCS#12)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = out_dir / "test-ca.key", out_dir / "test-ca.pem"
    key, csr, pem = out_dir / "codesign.key", out_dir / "codesign.csr", out_dir / "codesign.pem"
    p12 = out_dir / "codesign.p12"
    ext = out_dir / "codesign.ext"
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        encoding="utf-8",
    )
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            ca_key,
            "-out",
            ca_pem,
            "-days",
            "30",
            "-subj",
            "/CN=ConsultScribe Test Code Signing CA/O=ConsultScribe (test)",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]
    )
    run(
        [
            "openssl",
            "req",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            key,
            "-out",
            csr,
            "-subj",
            "/CN=ConsultScribe (test signing)/O=ConsultScribe (test)",
        ]
    )
    run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca_pem,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            pem,
            "-days",
            "30",
            "-sha256",
            "-extfile",
            ext,
        ]
    )
    run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-out",
            p12,
            "-inkey",
            key,
            "-in",
            pem,
            "-certfile",
            ca_pem,
            "-passout",
            f"pass:{password}",
            "-name",
            "ConsultScribe test signing",
        ]
    )
    for tmp in (csr, ext):
        tmp.unlink()
    return {"ca": ca_pem, "cert": pem, "key": key, "pkcs12": p12}


# -- Debian package ------------------------------------------------------------------------------
def deb_arch() -> str:
    return run(["dpkg", "--print-architecture"]).strip()


def build_deb(app_dir: Path, out_dir: Path, version: str | None = None, arch: str | None = None) -> Path:
    """``/opt/consult-scribe`` (the one-folder app), ``/usr/bin`` launcher, desktop entry and icons.

    Compressed with xz level 6 (smallest download); ``CONSULT_SCRIBE_DEB_COMPRESSION=gzip:6``
    builds several times faster (test builds).
    """
    version = version or app_version()
    arch = arch or deb_arch()
    exe = app_dir / APP
    if not exe.is_file():
        raise ReleaseError(f"{exe} is missing: build the one-folder app first")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deb-", dir=out_dir) as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(app_dir, root / "opt" / APP, symlinks=True)
        bindir = root / "usr" / "bin"
        bindir.mkdir(parents=True)
        launcher = bindir / APP
        launcher.write_text(f'#!/bin/sh\nexec /opt/{APP}/{APP} "$@"\n', encoding="utf-8")
        launcher.chmod(0o755)
        apps = root / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        (apps / f"{APP}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
        icons = ROOT / "assets" / "icons"
        for sub, name in (("scalable", f"{APP}.svg"), ("256x256", f"{APP}.png")):
            dest = root / "usr" / "share" / "icons" / "hicolor" / sub / "apps"
            dest.mkdir(parents=True)
            shutil.copy2(icons / name, dest / name)
        doc = root / "usr" / "share" / "doc" / APP
        doc.mkdir(parents=True)
        (doc / "copyright").write_text(
            "ConsultScribe. Proprietary. Bundled third-party components: see the SBOM "
            f"({APP}_{version}_{arch}.deb.cdx.json) published beside this package.\n",
            encoding="utf-8",
        )
        (doc / "policy.example.json").write_text(
            json.dumps(example_policy(), indent=2) + "\n", encoding="utf-8"
        )
        for path in root.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
            elif path.is_file() and not path.is_symlink():
                path.chmod(0o755 if os.access(path, os.X_OK) else 0o644)
        debian = root / "DEBIAN"
        debian.mkdir()
        md5 = []
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            rel = path.relative_to(root).as_posix()
            if not rel.startswith("DEBIAN/"):
                md5.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {rel}")
        (debian / "md5sums").write_text("\n".join(md5) + "\n", encoding="utf-8")
        installed_kb = (dir_size(root) + 1023) // 1024
        (debian / "control").write_text(
            textwrap.dedent(
                f"""\
                Package: {APP}
                Version: {version}
                Architecture: {arch}
                Maintainer: ConsultScribe IT support <it@consultscribe.invalid>
                Installed-Size: {installed_kb}
                Depends: {", ".join(DEB_DEPENDS)}
                Section: misc
                Priority: optional
                Homepage: https://consultscribe.invalid/
                Description: Offline consultation scribe for doctors
                 Live transcript (Cantonese, Mandarin, English), SOAP note draft and
                 letters, on this computer only: no audio or text leaves the PC.
                 Models are installed separately as model packs
                 (consult-scribe models add PACK.tar).
                """
            ),
            encoding="utf-8",
        )
        for script, body in (("postinst", POSTINST), ("postrm", POSTRM)):
            (debian / script).write_text(body, encoding="utf-8")
            (debian / script).chmod(0o755)
        deb = out_dir / f"{APP}_{version}_{arch}.deb"
        kind, _, level = os.environ.get("CONSULT_SCRIBE_DEB_COMPRESSION", "xz:6").partition(":")
        compress = [f"-Z{kind}"] + ([f"-z{level}"] if level else [])
        run(["dpkg-deb", "--root-owner-group", *compress, "--build", root, deb])
    return deb


DESKTOP_ENTRY = f"""[Desktop Entry]
Type=Application
Name={PRODUCT}
GenericName=Consultation scribe
Comment=Offline transcript, SOAP note draft and letters
Exec={APP} %F
Icon={APP}
Terminal=false
Categories=Office;MedicalSoftware;
Keywords=dictation;transcript;SOAP;clinic;
StartupWMClass={APP}
"""

POSTINST = """#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
exit 0
"""

POSTRM = """#!/bin/sh
set -e
# The clinic policy (/etc/consult-scribe/policy.json), models and the encrypted records in each
# user's data folder are never removed by the package: they hold clinical data and IT settings.
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi
exit 0
"""


def example_policy() -> dict[str, object]:
    return {
        "policy": {"store_dir": "/srv/consult-scribe/store", "retention_days": 2555, "auto_lock_minutes": 5},
        "asr": {"model": "whisper-base", "language": "yue", "script": "hk"},
        "llm": {"model": "smollm2-135m-instruct"},
        "clinic": {"name": "Example Medical Centre", "name_zh": "示例醫務中心", "phone": "+852 0000 0000"},
        "locked": ["policy.store_dir", "policy.retention_days", "policy.auto_lock_minutes", "llm.model"],
    }


def build_apt_repo(debs: Iterable[Path], out_dir: Path, gpg_home: Path, key: str) -> Path:
    """A flat repository (``deb [signed-by=KEYRING] file:/DIR ./``) with signed Release files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        shutil.copy2(deb, out_dir / deb.name)
    packages = run(["dpkg-scanpackages", "--multiversion", ".", "/dev/null"], cwd=out_dir)
    (out_dir / "Packages").write_text(packages, encoding="utf-8")
    run(["gzip", "-9fk", "Packages"], cwd=out_dir)
    release = run(
        [
            "apt-ftparchive",
            "-o",
            f"APT::FTPArchive::Release::Origin={PRODUCT}",
            "-o",
            f"APT::FTPArchive::Release::Label={PRODUCT}",
            "-o",
            "APT::FTPArchive::Release::Suite=stable",
            "-o",
            "APT::FTPArchive::Release::Codename=stable",
            "release",
            ".",
        ],
        cwd=out_dir,
    )
    (out_dir / "Release").write_text(release, encoding="utf-8")
    gpg = ["gpg", "--homedir", str(gpg_home), "--batch", "--yes", "--local-user", key]
    run([*gpg, "--clearsign", "--output", "InRelease", "Release"], cwd=out_dir)
    run([*gpg, "--armor", "--detach-sign", "--output", "Release.gpg", "Release"], cwd=out_dir)
    return out_dir


# -- Windows installer ---------------------------------------------------------------------------
def _wix_id(prefix: str, rel: str) -> str:
    return prefix + hashlib.sha1(rel.encode("utf-8")).hexdigest()[:32].upper()


def msi_source(
    app_dir: Path, version: str, exe_name: str, source_prefix: str = "payload", toolset: str = "wixl"
) -> str:
    """The WiX source: every file of the one-folder app under ``[ProgramFiles64Folder]ConsultScribe``.

    wixl takes source paths relative to its working folder: files are named ``<source_prefix>/REL``
    and the icon ``consult-scribe.ico`` (``build_msi`` links both there). ``toolset="wix3"`` writes
    the attributes WiX 3 (candle/light on Windows) needs and wixl rejects.
    """
    wix3 = toolset == "wix3"
    secure = ' Secure="yes"' if wix3 else ""
    platform = ' Platform="x64"' if wix3 else ""
    numeric = ".".join([*re.findall(r"\d+", version), "0", "0", "0"][:3])
    files: dict[str, list[Path]] = {}
    folders = {"."}
    for path in sorted(app_dir.rglob("*")):
        if path.is_file():
            rel_dir = path.parent.relative_to(app_dir).as_posix()
            files.setdefault(rel_dir, []).append(path)
            while rel_dir != ".":
                folders.add(rel_dir)
                rel_dir = _parent(rel_dir)
    components: list[str] = []

    def emit(rel_dir: str, indent: str) -> list[str]:
        out = []
        for path in files.get(rel_dir, []):
            rel = path.relative_to(app_dir).as_posix()
            if rel == exe_name:
                continue  # declared below with its shortcut
            cid = _wix_id("c", rel)
            components.append(cid)
            out.append(
                f'{indent}<Component Id="{cid}" Guid="*" Win64="yes"><File Id="{_wix_id("f", rel)}" '
                f'Name={quoteattr(path.name)} Source={quoteattr(f"{source_prefix}/{rel}")} KeyPath="yes"/>'
                "</Component>"
            )
        for child in sorted(d for d in folders if d != "." and _parent(d) == rel_dir):
            out.append(
                f'{indent}<Directory Id="{_wix_id("d", child)}" Name={quoteattr(child.rsplit("/", 1)[-1])}>'
            )
            out.extend(emit(child, indent + "  "))
            out.append(f"{indent}</Directory>")
        return out

    tree = "\n".join(emit(".", "          "))
    icon = f"{APP}.ico"
    refs = "\n".join(f'      <ComponentRef Id="{c}"/>' for c in components)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="{PRODUCT}" Language="1033" Version="{numeric}" Manufacturer="{PRODUCT}"
           UpgradeCode="{UPGRADE_CODE}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"{platform}
             Description="{PRODUCT} {version} offline consultation scribe"
             Comments="Silent install: msiexec /i this.msi /qn"/>
    <MajorUpgrade DowngradeErrorMessage="A newer version of {PRODUCT} is already installed."/>
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>
    <Icon Id="AppIcon.ico" SourceFile={quoteattr(icon)}/>
    <Property Id="ARPPRODUCTICON" Value="AppIcon.ico"/>
    <Property Id="ARPNOMODIFY" Value="1"/>
    <!-- Silent-install properties (msiexec /i ... /qn STORE_DIR=... POLICY_FILE=...). -->
    <Property Id="STORE_DIR"{secure}/>
    <Property Id="POLICY_FILE"{secure}/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="{PRODUCT}">
          <Component Id="MainExe" Guid="*" Win64="yes">
            <File Id="MainExeFile" Name={quoteattr(exe_name)} KeyPath="yes"
                  Source={quoteattr(f"{source_prefix}/{exe_name}")}>
              <Shortcut Id="StartMenuShortcut" Directory="ProgramMenuFolder" Name="{PRODUCT}"
                        WorkingDirectory="INSTALLDIR" Icon="AppIcon.ico" Advertise="yes"/>
            </File>
          </Component>
          <Component Id="MachineSettings" Guid="*" Win64="yes">
            <RegistryValue Root="HKLM" Key="Software\\{PRODUCT}" Name="StoreDir" Type="string"
                           Value="[STORE_DIR]" KeyPath="yes"/>
            <RegistryValue Root="HKLM" Key="Software\\{PRODUCT}" Name="PolicyFile" Type="string"
                           Value="[POLICY_FILE]"/>
          </Component>
{tree}
        </Directory>
      </Directory>
      <Directory Id="ProgramMenuFolder"/>
    </Directory>
    <Feature Id="Main" Title="{PRODUCT}" Level="1">
      <ComponentRef Id="MainExe"/>
      <ComponentRef Id="MachineSettings"/>
{refs}
    </Feature>
  </Product>
</Wix>
"""


def _parent(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else "."


def build_msi(app_dir: Path, out_dir: Path, version: str | None = None, exe_name: str | None = None) -> Path:
    version = version or app_version()
    if exe_name is None:
        exe_name = f"{APP}.exe" if (app_dir / f"{APP}.exe").exists() else APP
    if not (app_dir / exe_name).is_file():
        raise ReleaseError(f"{app_dir / exe_name} is missing: build the one-folder app first")
    out_dir.mkdir(parents=True, exist_ok=True)
    msi = out_dir / f"{PRODUCT}-{version}-x64.msi"
    with tempfile.TemporaryDirectory(prefix="msi-", dir=out_dir) as tmp:
        work = Path(tmp)
        (work / "payload").symlink_to(app_dir.resolve(), target_is_directory=True)
        shutil.copy2(ROOT / "assets" / "icons" / f"{APP}.ico", work / f"{APP}.ico")
        wxs = work / f"{APP}.wxs"
        wxs.write_text(msi_source(app_dir, version, exe_name), encoding="utf-8")
        run(["wixl", "--arch", "x64", "-o", msi.resolve(), wxs.name], cwd=work)
    # Public properties must be "secure" to reach the elevated part of a per-machine install.
    secure = run(["msiinfo", "export", msi, "Property"])
    current = next(
        (ln.split("\t", 1)[1] for ln in secure.splitlines() if ln.startswith("SecureCustomProperties\t")), ""
    )
    wanted = ";".join(x for x in [current, "STORE_DIR", "POLICY_FILE", "INSTALLDIR"] if x)
    run(
        [
            "msibuild",
            msi,
            "-q",
            f"UPDATE `Property` SET `Value` = '{wanted}' WHERE `Property` = 'SecureCustomProperties'",
        ]
    )
    return msi


def sign_msi(
    msi: Path,
    pkcs12: Path,
    password_file: Path | None = None,
    out: Path | None = None,
    timestamp_url: str | None = None,
) -> Path:
    """Authenticode-sign ``msi`` in place (or to ``out``) with a PKCS#12 certificate."""
    target = out or msi
    tmp = target.with_name(target.name + ".signing")
    cmd: list[str | Path] = [
        "osslsigncode",
        "sign",
        "-pkcs12",
        pkcs12,
        "-h",
        "sha256",
        "-n",
        PRODUCT,
        "-i",
        "https://consultscribe.invalid/",
    ]
    if password_file is not None:
        cmd += ["-readpass", password_file]
    if timestamp_url:
        cmd += ["-ts", timestamp_url]
    run([*cmd, "-in", msi, "-out", tmp])
    os.replace(tmp, target)
    return target


def verify_msi(msi: Path, ca: Path | None = None) -> str:
    """``osslsigncode verify``; raises ReleaseError unless the signature and the file's hash check out."""
    cmd: list[str | Path] = ["osslsigncode", "verify", "-in", msi]
    if ca is not None:
        cmd += ["-CAfile", ca]
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Signature verification: ok" not in text:
        raise ReleaseError(f"Authenticode verification of {msi.name} failed:\n{text[-3000:]}")
    return text


# -- SBOM ----------------------------------------------------------------------------------------
def bundled_distributions(work_dir: Path) -> set[str]:
    """Distributions whose modules PyInstaller put into the app (from its PYZ and Analysis TOCs)."""
    from importlib.metadata import packages_distributions

    tops: set[str] = set()
    for toc in work_dir.glob("*.toc"):
        text = toc.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"\(\s*'([A-Za-z_][\w.]*)'\s*,", text):
            tops.add(name.split(".")[0])
        for name in re.findall(r"'([A-Za-z_][\w]*)[/\\]", text):
            tops.add(name)
    mapping = packages_distributions()
    dists: set[str] = set()
    for top in tops:
        for dist in mapping.get(top, []):
            dists.add(_norm(dist))
    return dists


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def write_sboms(work_dir: Path, artifacts: Sequence[Path], python: Path) -> list[Path]:
    """One CycloneDX JSON per artifact: the Python distributions bundled in the app, plus the artifact."""
    with tempfile.TemporaryDirectory() as tmp:
        env_bom = Path(tmp) / "env.cdx.json"
        run(
            [
                python.parent / "cyclonedx-py",
                "environment",
                "--pyproject",
                ROOT / "pyproject.toml",
                "--of",
                "JSON",
                "--output-reproducible",
                "-o",
                env_bom,
                python,
            ]
        )
        bom = json.loads(env_bom.read_text(encoding="utf-8"))
    keep = bundled_distributions(work_dir)
    if not keep:
        raise ReleaseError(f"no bundled distributions found in {work_dir} (PyInstaller work folder)")
    components = [c for c in bom.get("components", []) if _norm(str(c.get("name", ""))) in keep]
    refs = {c.get("bom-ref") for c in components}
    root_ref = bom.get("metadata", {}).get("component", {}).get("bom-ref")
    deps = []
    for dep in bom.get("dependencies", []):
        if dep.get("ref") in refs or dep.get("ref") == root_ref:
            dep = {**dep, "dependsOn": [d for d in dep.get("dependsOn", []) if d in refs]}
            deps.append(dep)
    out: list[Path] = []
    for artifact in artifacts:
        doc = json.loads(json.dumps(bom))
        doc["serialNumber"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, artifact.name + sha256(artifact))}"
        meta = doc.setdefault("metadata", {})
        component = meta.setdefault("component", {})
        component.update(
            {
                "type": "application",
                "name": APP,
                "version": app_version(),
                "description": f"{PRODUCT} installer {artifact.name}",
                "hashes": [{"alg": "SHA-256", "content": sha256(artifact)}],
            }
        )
        doc["components"] = components
        doc["dependencies"] = deps
        path = artifact.with_name(artifact.name + ".cdx.json")
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        out.append(path)
    return out


# -- checksums and signatures ----------------------------------------------------------------------
def artifacts_in(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.endswith(ARTIFACT_SUFFIXES) and not p.name.startswith(".")
    )


def write_sums(folder: Path, gpg_home: Path, key: str, files: Sequence[Path] | None = None) -> Path:
    """``SHA256SUMS`` for every artifact, a detached ``.asc`` for each, and a signed ``SHA256SUMS.asc``."""
    files = list(files) if files is not None else artifacts_in(folder)
    if not files:
        raise ReleaseError(f"no artifacts in {folder}")
    gpg = [
        "gpg",
        "--homedir",
        str(gpg_home),
        "--batch",
        "--yes",
        "--local-user",
        key,
        "--armor",
        "--detach-sign",
    ]
    for f in files:
        run([*gpg, "--output", f.with_name(f.name + ".asc"), f])
    lines = [f"{sha256(f)}  {f.relative_to(folder).as_posix()}" for f in files]
    sums = folder / SUMS
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run([*gpg, "--output", folder / f"{SUMS}.asc", sums])
    return sums


def gpg_verify(signature: Path, data: Path, keyring: Path) -> None:
    proc = subprocess.run(
        ["gpgv", "--keyring", str(keyring.resolve()), str(signature), str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise ReleaseError(
            f"bad or missing signature {signature.name} for {data.name}: {proc.stderr.strip()[-500:]}"
        )


def verify_release(folder: Path, keyring: Path) -> list[str]:
    """Everything IT should check before deploying; returns the problems (empty when all is well).

    The signature on SHA256SUMS, every listed file's hash, and each file's detached signature.
    """
    problems: list[str] = []
    sums = folder / SUMS
    try:
        gpg_verify(folder / f"{SUMS}.asc", sums, keyring)
    except (ReleaseError, FileNotFoundError) as exc:
        return [str(exc)]
    listed = 0
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        path = folder / name
        listed += 1
        if not path.is_file():
            problems.append(f"{name}: listed in {SUMS} but missing")
            continue
        actual = sha256(path)
        if actual != digest:
            problems.append(f"{name}: SHA-256 {actual[:16]}… does not match {SUMS} ({digest[:16]}…)")
        try:
            gpg_verify(path.with_name(path.name + ".asc"), path, keyring)
        except ReleaseError as exc:
            problems.append(str(exc))
    if listed == 0:
        problems.append(f"{SUMS} lists no files")
    return problems


# -- command line --------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("test-keys")
    p.add_argument("--dir", type=Path, required=True)
    p = sub.add_parser("deb")
    p.add_argument("--app", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("apt-repo")
    p.add_argument("--deb", type=Path, action="append", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--gpg-home", type=Path, required=True)
    p.add_argument("--key", required=True)
    p = sub.add_parser("msi")
    p.add_argument("--app", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("wxs", help="write the WiX 3 source for candle/light (Windows CI)")
    p.add_argument("--app", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder for consult-scribe.wxs and the icon")
    p = sub.add_parser("sign-msi")
    p.add_argument("--msi", type=Path, required=True)
    p.add_argument("--pkcs12", type=Path, required=True)
    p.add_argument("--pass-file", type=Path)
    p.add_argument("--timestamp-url")
    p = sub.add_parser("verify-msi")
    p.add_argument("--msi", type=Path, required=True)
    p.add_argument("--ca", type=Path)
    p = sub.add_parser("sbom")
    p.add_argument("--work", type=Path, required=True, help="PyInstaller work folder of the build")
    p.add_argument("--python", type=Path, default=Path(sys.executable))
    p.add_argument("--artifact", type=Path, action="append", required=True)
    p = sub.add_parser("sums")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--gpg-home", type=Path, required=True)
    p.add_argument("--key", required=True)
    p = sub.add_parser("verify")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--keyring", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.cmd == "test-keys":
            fpr = make_gpg_key(args.dir / "gnupg")
            export_gpg_key(args.dir / "gnupg", fpr, args.dir)
            make_test_certificate(args.dir / "authenticode")
            (args.dir / "gpg-fingerprint").write_text(fpr + "\n", encoding="utf-8")
            (args.dir / "authenticode" / "password").write_text("test\n", encoding="utf-8")
            print(fpr)
        elif args.cmd == "deb":
            print(build_deb(args.app, args.out))
        elif args.cmd == "apt-repo":
            print(build_apt_repo(args.deb, args.out, args.gpg_home, args.key))
        elif args.cmd == "msi":
            print(build_msi(args.app, args.out))
        elif args.cmd == "wxs":
            args.out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / "assets" / "icons" / f"{APP}.ico", args.out / f"{APP}.ico")
            exe_name = f"{APP}.exe" if (args.app / f"{APP}.exe").exists() else APP
            text = msi_source(args.app, app_version(), exe_name, str(args.app.resolve()), toolset="wix3")
            (args.out / f"{APP}.wxs").write_text(text, encoding="utf-8")
            print(args.out / f"{APP}.wxs")
        elif args.cmd == "sign-msi":
            print(sign_msi(args.msi, args.pkcs12, args.pass_file, timestamp_url=args.timestamp_url))
        elif args.cmd == "verify-msi":
            print(verify_msi(args.msi, args.ca))
        elif args.cmd == "sbom":
            for path in write_sboms(args.work, args.artifact, args.python):
                print(path)
        elif args.cmd == "sums":
            print(write_sums(args.dir, args.gpg_home, args.key))
        elif args.cmd == "verify":
            problems = verify_release(args.dir, args.keyring)
            for problem in problems:
                print(f"FAIL {problem}", file=sys.stderr)
            if problems:
                return 1
            print(f"OK: {SUMS} signature, hashes and signatures of every listed file verified")
    except ReleaseError as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
