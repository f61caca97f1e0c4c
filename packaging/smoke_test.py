"""Smoke test of the frozen one-folder app, as IT would run it on a fresh PC.

    .venv/bin/python packaging/smoke_test.py --app packaging/build/dist/consult-scribe [--report FILE]

1. Layout: the libraries and data the stock PyInstaller hooks miss are in the build; no model
   weights and no unused Qt modules are.
2. ``consult-scribe --smoke-test`` on an empty temporary home, headless, with Qt's plugin
   diagnostics on: fails on a non-zero exit, a traceback, an import error, a missing shared
   library or a Qt plugin that does not load. Timed cold (the app's files evicted from the page
   cache first) and warm.
3. Offline run (Linux, root): the default models are packed from the development store, then
   inside a network namespace that has only a loopback interface (``unshare -n``) the frozen
   app installs the packs (``models add``), verifies them and processes the sample recording;
   the outputs are checked (transcript words against the sample's script, note, letter).

Exit status 0 when everything passed; the report (JSON) lists every check and timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "samples" / "sample_consultation.flac"
SAMPLE_SCRIPT = ROOT / "assets" / "samples" / "consultation_en.txt"

# Output that means the frozen app is broken even when it exits 0.
FAILURE_PATTERNS = [
    r"Traceback \(most recent call last\)",
    r"ModuleNotFoundError",
    r"ImportError",
    r"error while loading shared libraries",
    r"cannot open shared object file",
    r"Cannot load library",
    r"Could not load the Qt platform plugin",
    r"could not find or load the Qt platform plugin",
    r"qt\.qpa\.plugin: Could not",
    r"\[PYI-\d+:ERROR\]",
    r"Failed to execute script",
]
# Present in every build; patterns are relative to the one-folder build's _internal folder.
REQUIRED = {
    "faster-whisper VAD model": ["faster_whisper/assets/silero_vad_v6.onnx"],
    "llama.cpp libraries": ["llama_cpp/lib/*llama*"],
    "ggml libraries": ["llama_cpp/lib/*ggml*"],
    "CTranslate2 library": [
        "ctranslate2.libs/*ctranslate2*",
        "ctranslate2/*ctranslate2*.*",
        "*ctranslate2*.dll",
    ],
    "ONNX Runtime": ["onnxruntime/capi/*onnxruntime*"],
    "PortAudio": ["libportaudio*", "_sounddevice_data/portaudio-binaries/*portaudio*"],
    "OpenCC dictionaries": ["opencc/**/s2hk.json"],
    "OpenCC phrase tables": ["opencc/**/HKVariants.ocd2"],
    "Qt offscreen platform": [
        "PySide6/Qt/plugins/platforms/*qoffscreen*",
        "PySide6/plugins/platforms/*qoffscreen*",
    ],
    "app assets": ["assets/samples/*", "assets/icons/*"],
    "section classifier": ["assets/sections/sections.npz"],
    "model manifest": ["models/manifest.json"],
}
if sys.platform.startswith("linux"):
    REQUIRED["Qt xcb platform"] = ["PySide6/Qt/plugins/platforms/libqxcb.so"]
FORBIDDEN = {
    "model weights (they ship as model packs)": ["**/*.gguf", "**/model.bin", "**/model.bin.part*"],
    "Qt WebEngine": ["**/*Qt6WebEngine*", "**/QtWebEngineProcess*"],
    "Qt 3D / Multimedia": ["**/*Qt63D*", "**/*Qt6Multimedia*"],
    "test tools": ["pytest/**", "_pytest/**", "hypothesis/**"],
    "training tools (the section classifier runs in numpy)": ["sklearn/**"],
}


class Report:
    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []
        self.timings: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append({"check": name, "ok": ok, "detail": detail[-2000:]})
        print(
            f"{'PASS' if ok else 'FAIL'}  {name}" + (f"\n      {detail[-1500:]}" if detail and not ok else "")
        )
        return ok

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "checks": self.checks,
            "timings_s": self.timings,
            "sizes_bytes": self.sizes,
        }


def internal_dir(app: Path) -> Path:
    for candidate in (app / "_internal", app / "Contents" / "Frameworks", app):
        if candidate.is_dir() and (candidate / "models").exists():
            return candidate
    return app / "_internal"


def executable(app: Path) -> Path:
    for name in ("consult-scribe", "consult-scribe.exe", "Contents/MacOS/consult-scribe"):
        if (app / name).is_file():
            return app / name
    raise SystemExit(f"no consult-scribe executable in {app}")


def check_layout(app: Path, report: Report) -> None:
    internal = internal_dir(app)
    for what, patterns in REQUIRED.items():
        found = [str(p.relative_to(internal)) for pat in patterns for p in internal.glob(pat)]
        report.check(f"layout: {what}", bool(found), f"none of {patterns} under {internal}")
    for what, patterns in FORBIDDEN.items():
        found = [str(p.relative_to(internal)) for pat in patterns for p in internal.glob(pat)]
        report.check(f"layout: no {what}", not found, ", ".join(found[:10]))
    report.sizes["one_folder_build"] = sum(
        p.stat().st_size for p in app.rglob("*") if p.is_file() and not p.is_symlink()
    )


def isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSULT_SCRIBE_", "PYTHON", "QT_"))}
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("VIRTUAL_ENV", None)
    if os.name == "posix":
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    env.update(
        {
            "HOME": str(home),
            "CONSULT_SCRIBE_HOME": str(home / "data"),
            "CONSULT_SCRIBE_MODELS": str(home / "models"),
            "CONSULT_SCRIBE_CONFIG": str(home / "settings.json"),
            "CONSULT_SCRIBE_POLICY": str(home / "no-policy.json"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(home / "runtime"),
            "QT_QPA_PLATFORM": "offscreen",
            "HF_HUB_OFFLINE": "1",
        }
    )
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def evict_page_cache(folder: Path) -> bool:
    """Drop the app's own files from the page cache (a cold start) without touching other processes."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def run_app(
    cmd: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None
) -> tuple[int, str, float]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return 124, out + f"\n[timed out after {timeout} s]", time.perf_counter() - start
    return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - start


def problems_in(output: str) -> list[str]:
    found = []
    for line in output.splitlines():
        if any(re.search(p, line) for p in FAILURE_PATTERNS):
            found.append(line.strip())
    return found


def app_logs(data_home: Path) -> str:
    """The app's log files (Qt's own messages are routed there, not to the terminal)."""
    logs = data_home / "logs"
    if not logs.is_dir():
        return ""
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in sorted(logs.rglob("*")) if p.is_file()
    )


def app_output(output: str) -> str:
    """The app's own messages, without Qt's plugin diagnostics (QT_DEBUG_PLUGINS)."""
    keep = [ln for ln in output.splitlines() if ln and not ln.startswith(("qt.", " ", "{", "}", "\t"))]
    return "\n".join(keep[-40:])


def check_smoke(app: Path, report: Report, work: Path) -> None:
    exe = executable(app)
    version_rc, version_out, _ = run_app([str(exe), "--version"], isolated_env(work / "v"), 120)
    report.check("--version", version_rc == 0 and "consult-scribe" in version_out, version_out)
    cold_evicted = evict_page_cache(app)
    runs = []
    # Three timed runs (the first cold), then one with Qt's plugin diagnostics on, which shows
    # a plugin that is present but cannot be loaded (a missing system library).
    for i in range(4):
        env = isolated_env(work / f"smoke{i}")
        label = f"--smoke-test run {i + 1}: exit 0, no errors"
        if i == 3:
            env["QT_DEBUG_PLUGINS"] = "1"
            label = "--smoke-test with QT_DEBUG_PLUGINS=1: exit 0, every Qt plugin loads"
        rc, out, seconds = run_app([str(exe), "--smoke-test"], env, 300)
        if i < 3:
            runs.append(seconds)
        bad = problems_in(out) + problems_in(app_logs(Path(env["CONSULT_SCRIBE_HOME"])))
        crashed = f" (killed by signal {-rc}: a crash, e.g. at exit)" if rc < 0 else ""
        detail = f"rc={rc}{crashed}\nproblems: {bad}\n{app_output(out)}"
        if not report.check(label, rc == 0 and not bad, detail):
            break
    report.timings["smoke_test_cold"] = round(runs[0], 3)
    report.timings["smoke_test_cold_page_cache_evicted"] = cold_evicted
    if len(runs) > 1:
        report.timings["smoke_test_warm_median"] = round(statistics.median(runs[1:]), 3)
    evict_page_cache(app)
    rc, out, seconds = run_app([str(exe), "--help"], isolated_env(work / "help"), 120)
    report.timings["help_cold"] = round(seconds, 3)
    report.check("--help lists the sub-commands", rc == 0 and "process" in out and "models" in out, out)


def netns_prefix() -> list[str] | None:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return None
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    ip = shutil.which("ip") or "/usr/sbin/ip"
    # A new network namespace has only "lo" (down): bring loopback up, nothing else exists.
    return ["unshare", "-n", "--", "sh", "-c", f'{ip} link set lo up && exec "$0" "$@"']


def make_packs(models_from: Path, out: Path) -> list[Path]:
    """Pack the default models from a development store (assembling them there if needed)."""
    sys.path.insert(0, str(ROOT))
    from desktop import paths
    from desktop.model_store import ModelStore
    from desktop.model_store.packs import pack_model

    store = ModelStore(models_from, paths.manifest_file())
    return [pack_model(store, store.default_name(role), out) for role in ("asr", "llm")]


def content_words(text: str) -> set[str]:
    stop = {
        "the",
        "and",
        "you",
        "for",
        "are",
        "any",
        "have",
        "had",
        "what",
        "with",
        "your",
        "this",
        "that",
        "but",
    }
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in stop}


def check_offline_process(app: Path, report: Report, work: Path, models_from: Path, sample: Path) -> None:
    prefix = netns_prefix()
    if prefix is None:
        report.check(
            "offline run: network namespace available (Linux, root)", False, "unshare -n is not permitted"
        )
        return
    exe = str(executable(app))
    env = isolated_env(work / "offline")
    rc, links, _ = run_app([*prefix, shutil.which("ip") or "/usr/sbin/ip", "-o", "link", "show"], env, 60)
    names = sorted(re.findall(r"^\d+: ([^:@]+)", links, flags=re.M))
    report.check("offline run: namespace has only the loopback interface", rc == 0 and names == ["lo"], links)
    rc, routes, _ = run_app(
        [*prefix, shutil.which("ip") or "/usr/sbin/ip", "route", "get", "1.1.1.1"], env, 60
    )
    report.check("offline run: no route to the internet", rc != 0, routes)

    packs_dir = work / "packs"
    start = time.perf_counter()
    packs = make_packs(models_from, packs_dir)
    report.timings["pack_default_models"] = round(time.perf_counter() - start, 2)
    for pack in packs:
        report.sizes[f"model_pack_{pack.stem}"] = pack.stat().st_size
        rc, out, seconds = run_app([*prefix, exe, "models", "add", str(pack)], env, 600)
        report.check(f"offline: models add {pack.name}", rc == 0 and not problems_in(out), f"rc={rc}\n{out}")
        report.timings[f"install_pack_{pack.stem}"] = round(seconds, 2)
    repack = work / "repack" / packs[-1].name
    rc, out, _ = run_app([*prefix, exe, "models", "pack", packs[-1].stem, "--out", str(repack)], env, 600)
    same = rc == 0 and repack.exists() and repack.read_bytes() == packs[-1].read_bytes()
    report.check("offline: models pack re-creates the identical pack", same, f"rc={rc}\n{app_output(out)}")
    rc, out, _ = run_app([*prefix, exe, "models", "verify"], env, 600)
    report.check("offline: models verify", rc == 0 and "FAILED" not in out and not problems_in(out), out)

    out_dir = work / "process-out"
    rc, out, seconds = run_app(
        [*prefix, exe, "process", str(sample), "--out", str(out_dir), "--language", "en"], env, 1800
    )
    report.timings["process_sample_offline"] = round(seconds, 2)
    if not report.check("offline: process the sample", rc == 0 and not problems_in(out), f"rc={rc}\n{out}"):
        return
    check_outputs(out_dir, report)


def check_outputs(out_dir: Path, report: Report) -> None:
    transcript_json = out_dir / "transcript.json"
    try:
        transcript = json.loads(transcript_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        report.check("output: transcript.json is valid JSON", False, str(exc))
        return
    report.check("output: transcript.json is valid JSON", True)
    text = (
        (out_dir / "transcript.txt").read_text(encoding="utf-8")
        if (out_dir / "transcript.txt").exists()
        else ""
    )
    if not text:
        text = json.dumps(transcript, ensure_ascii=False)
    expected = content_words(
        " ".join(
            ln.split("|", 1)[-1] for ln in SAMPLE_SCRIPT.read_text(encoding="utf-8").splitlines() if "|" in ln
        )
    )
    heard = content_words(text)
    recall = len(expected & heard) / max(len(expected), 1)
    report.timings["transcript_content_word_recall"] = round(recall, 3)
    report.check(
        "output: transcript matches the sample's script (content-word recall >= 0.5)",
        recall >= 0.5,
        f"recall {recall:.2f}; missing e.g. {sorted(expected - heard)[:15]}",
    )
    try:
        note = json.loads((out_dir / "note.json").read_text(encoding="utf-8"))
        report.check(
            "output: note.json is a non-empty JSON object", isinstance(note, dict) and bool(note), ""
        )
    except (OSError, json.JSONDecodeError) as exc:
        report.check("output: note.json is a non-empty JSON object", False, str(exc))
    note_md = out_dir / "note.md"
    report.check("output: note.md written", note_md.exists() and note_md.stat().st_size > 0, str(note_md))
    pdf = out_dir / "referral.pdf"
    report.check(
        "output: referral.pdf is a PDF",
        pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-",
        str(sorted(p.name for p in out_dir.iterdir())),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--app", type=Path, required=True, help="the one-folder build (folder with consult-scribe)"
    )
    parser.add_argument("--models-from", type=Path, default=None, help="development model store to pack from")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--skip-process", action="store_true", help="only the layout and --smoke-test checks")
    parser.add_argument("--report", type=Path, default=None, help="write the JSON report here")
    args = parser.parse_args(argv)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="cs-smoke-") as tmp:
        work = Path(tmp)
        check_layout(args.app, report)
        check_smoke(args.app, report, work)
        if not args.skip_process:
            models_from = args.models_from
            if models_from is None:
                models_from = Path(os.environ.get("CONSULT_SCRIBE_MODELS", ROOT / ".test-models"))
            check_offline_process(args.app, report, work, models_from, args.sample)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    passed = sum(c["ok"] for c in report.checks)
    print(f"\n{passed}/{len(report.checks)} checks passed; timings: {json.dumps(report.timings)}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
