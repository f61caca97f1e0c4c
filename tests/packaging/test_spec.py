"""Sanity of the PyInstaller spec, the entry point and the platform metadata (no build needed)."""

from __future__ import annotations

import ast
import json
import plistlib
import re
import struct
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "consult-scribe.spec"


def _spec_list(name: str) -> list[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not found in the spec")


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_excluded_modules_are_not_used_by_the_app() -> None:
    used = _imported_modules()
    excluded = _spec_list("QT_EXCLUDES") + _spec_list("OTHER_EXCLUDES")
    assert "PySide6.QtWebEngineCore" in excluded and "PySide6.QtQuick" in excluded
    clash = sorted(m for m in used if any(m == e or m.startswith(e + ".") for e in excluded))
    assert clash == [], f"the app imports modules the spec excludes: {clash}"


def test_model_weight_packages_stay_out_of_the_app() -> None:
    manifest = json.loads((REPO / "models" / "manifest.json").read_text(encoding="utf-8"))
    weight_packages = {
        p["package"] for m in manifest["models"] for f in m["files"] for p in f.get("parts", [])
    }
    assert weight_packages, "the manifest names the packages that carry the embedded weights"
    assert weight_packages <= set(_spec_list("OTHER_EXCLUDES"))


def test_spec_collects_what_the_stock_hooks_miss() -> None:
    text = SPEC.read_text(encoding="utf-8")
    ast.parse(text)
    for needle in (
        '"faster_whisper", includes=["assets/*.onnx"]',
        'collect_dynamic_libs("llama_cpp")',
        'collect_dynamic_libs("ctranslate2")',
        '"_sounddevice_data"',
        'find_library("portaudio")',
        'collect_data_files("opencc"',
        '(str(ROOT / "assets"), "assets")',
        '(str(ROOT / "models" / "manifest.json"), "models")',
        'collect_submodules("desktop")',
        "NSMicrophoneUsageDescription",
        "version_info.txt.in",
        "name=APP_NAME",
    ):
        assert needle in text, needle
    assert re.search(r'APP_NAME = "consult-scribe"', text)
    assert "qoffscreen" in text and "qxcb" in text


def test_entry_point_matches_the_installed_command() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'consult-scribe = "desktop.cli:main"' in pyproject
    entry = (REPO / "packaging" / "entry.py").read_text(encoding="utf-8")
    assert "from desktop.cli import main" in entry and "freeze_support()" in entry
    assert '"pyinstaller>=' in pyproject and '"cyclonedx-bom>=' in pyproject


def test_windows_version_resource_renders() -> None:
    text = (REPO / "packaging" / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    for key, value in {"@VERSION@": "0.1.0", "@V0@": "0", "@V1@": "1", "@V2@": "0"}.items():
        text = text.replace(key, value)
    tree = ast.parse(text, mode="eval")
    assert isinstance(tree.body, ast.Call) and getattr(tree.body.func, "id", "") == "VSVersionInfo"
    assert "'ProductName', 'ConsultScribe'" in text and "filevers=(0, 1, 0, 0)" in text


def test_macos_entitlements_grant_the_microphone() -> None:
    plist = plistlib.loads((REPO / "packaging" / "macos" / "entitlements.plist").read_bytes())
    assert plist["com.apple.security.device.audio-input"] is True


def test_icons_are_valid() -> None:
    icons = REPO / "assets" / "icons"
    png = (icons / "consult-scribe.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (256, 256)
    ico = (icons / "consult-scribe.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 3
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 256} <= sizes
    assert "<svg" in (icons / "consult-scribe.svg").read_text(encoding="utf-8")


def test_workflows_build_with_the_spec_and_run_the_smoke_test() -> None:
    for name in ("windows.yml", "macos.yml"):
        path = REPO / ".github" / "workflows" / name
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        steps = workflow["jobs"]["build"]["steps"]
        runs = "\n".join(str(s.get("run", "")) for s in steps)
        assert "packaging/consult-scribe.spec" in runs
        assert "packaging/smoke_test.py" in runs
        assert "-c packaging/constraints.txt" in runs
    windows = (REPO / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    assert "variant: [cpu, cuda]" in windows and "GGML_CUDA=on" in windows and "/qn" in windows
    macos = (REPO / ".github" / "workflows" / "macos.yml").read_text(encoding="utf-8")
    for needle in ("--options runtime", "entitlements.plist", "notarytool submit", "stapler staple"):
        assert needle in macos


def test_constraints_pin_every_runtime_dependency() -> None:
    pins = {
        re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
        for line in (REPO / "packaging" / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0]).lower() for d in deps}
    assert names - pins == set(), (
        "regenerate packaging/constraints.txt (pip freeze) after adding a dependency"
    )
