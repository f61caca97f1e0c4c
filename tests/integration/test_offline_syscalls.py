"""Nothing leaves the machine, checked where native libraries run too.

The socket guard in conftest.py sees Python code only. Here every command a clinic runs on
real models — `process` on audio, `listen --input`, `letters`, the app's smoke test — runs
under ``strace -f`` in a fresh home folder, and the test fails on any connect or send to an
IPv4/IPv6 address off this machine, and on any packet to port 53 (a DNS query), whichever
library makes it. It also fails when a library leaves telemetry files in the home folder.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import paths

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "assets" / "samples"))
from make_samples import synthesise  # noqa: E402

pytestmark = pytest.mark.slow

SCRIPT = """D|Good morning. What brings you in today?
P|I have had a sore throat for two days.
D|Take paracetamol five hundred milligrams four times a day and come back if you get worse.
"""

# connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.1")}, 16)
# sendto(5, ..., {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "2001::1", ...
_INET = re.compile(
    r"(?P<call>connect|sendto|sendmsg|sendmmsg)\(.*?sa_family=(?P<family>AF_INET6?)"
    r".*?(?:sin6?_port=htons\((?P<port>\d+)\))?"
    r".*?(?:inet_addr\(\"(?P<v4>[^\"]+)\"\)|inet_pton\(AF_INET6, \"(?P<v6>[^\"]+)\")"
)


def off_machine_attempts(trace: str) -> list[str]:
    """The lines of an strace log that try to reach another host or ask a DNS server."""
    found = []
    for line in trace.splitlines():
        match = _INET.search(line)
        if match is None:
            continue
        address = ipaddress.ip_address(match.group("v4") or match.group("v6"))
        if match.group("port") == "53" or not address.is_loopback:
            found.append(line.strip())
    return found


def test_the_trace_parser_catches_what_it_must() -> None:
    dns = (
        '101 connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0'
    )
    remote6 = (
        "102 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH'
    )
    local = (
        '103 connect(7, {sa_family=AF_INET, sin_port=htons(8443), sin_addr=inet_addr("127.0.0.1")}, 16) = 0'
    )
    unix = '104 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT'
    assert off_machine_attempts("\n".join([dns, remote6, local, unix])) == [dns, remote6]


def _strace() -> str:
    found = shutil.which("strace")
    if found is None:
        pytest.fail("strace is missing: packaging/setup-dev.sh installs it (Debian package strace).")
    return found


def _traced(args: list[str], home: Path, tmp: Path, name: str) -> tuple[int, str]:
    log = tmp / f"{name}.strace"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "CONSULT_SCRIBE_HOME": str(home / "consult-scribe"),
        "CONSULT_SCRIBE_MODELS": str(paths.models_dir()),
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the app must switch it off itself
    cmd = [_strace(), "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", str(log)]
    proc = subprocess.run(
        [*cmd, sys.executable, "-m", "desktop.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"{name} failed: {proc.stderr[-2000:]}"
    return proc.returncode, log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("offline-clip")
    script = work / "consultation.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    audio = work / "consultation.flac"
    synthesise(script, audio)
    return audio


def test_no_command_reaches_off_the_machine(
    clip: Path, tmp_path: Path, asr_model_path: Path, llm_model_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out"
    patient = tmp_path / "patient.json"
    patient.write_text(json.dumps({"name": "LEE Ka Yan", "sex": "F", "mrn": "HK-1"}), encoding="utf-8")
    runs = {
        "process": [
            "process",
            str(clip),
            "--out",
            str(out),
            "--patient",
            str(patient),
            "--llm-model",
            "smollm2-135m-instruct",
            "--doctor",
            "Dr Wong",
            "--registration",
            "M1",
            "--quiet",
        ],
        "listen": ["listen", "--input", str(clip), "--fast", "--out", str(tmp_path / "live")],
        "letters": [
            "letters",
            "--from",
            str(out),
            "--kind",
            "patient_instructions",
            "--no-llm",
            "--doctor",
            "Dr Wong",
            "--registration",
            "M1",
            "--out",
            str(tmp_path / "letters"),
            "--quiet",
        ],
        "smoke-test": ["--smoke-test"],
    }
    attempts: dict[str, list[str]] = {}
    for name, args in runs.items():
        _, trace = _traced(args, home, tmp_path, name)
        if found := off_machine_attempts(trace):
            attempts[name] = found[:3]
    assert attempts == {}, f"network attempts from native or Python code: {attempts}"
    telemetry = [str(p.relative_to(home)) for p in home.rglob("*") if "Microsoft" in p.parts]
    assert telemetry == [], f"telemetry files written: {telemetry}"
