"""The intake service on real HTTPS (uvicorn on loopback), and its commands."""

from __future__ import annotations

import json
import re
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.cli import main
from desktop.intake.loadcheck import RunningService, serve_in_thread, throwaway_store
from desktop.storage import intake as store_intake


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    folder = tmp_path_factory.mktemp("intake-live")
    with throwaway_store(folder) as store, serve_in_thread(store, folder) as running:
        yield running


def test_plain_http_is_not_served(service: RunningService) -> None:
    port = int(service.url.rsplit(":", 1)[1])
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=5).raise_for_status()


def test_a_dropped_connection_mid_answer_loses_nothing(service: RunningService) -> None:
    issued = store_intake.issue_code(service.store)
    with httpx.Client(base_url=service.url, verify=service.ssl_context(), follow_redirects=True) as client:
        page = client.post("/start", data={"code": issued.code, "lang": "en"}).text
        page = client.post(
            "/answer",
            data={
                "answer": "sore knee",
                "csrf": re.findall(r'name="csrf" value="(\w+)"', page)[0],
                "key": "complaint",
            },
        ).text
        cookie = client.cookies.get("__Host-intake")
        # The phone starts sending the next answer and the line drops half-way through the body.
        port = int(service.url.rsplit(":", 1)[1])
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        tls = service.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(
            b"POST /answer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 5000\r\nCookie: __Host-intake="
            + str(cookie).encode()
            + b"\r\n\r\nanswer=since+Mon"
        )
        tls.close()
        # The service is still up, the first answer is kept, and the patient sends the answer again.
        again = client.get("/chat")
        assert again.status_code == 200 and "sore knee" in again.text
        csrf = re.findall(r'name="csrf" value="(\w+)"', again.text)[0]
        key = re.findall(r'name="key" value="(\w+)"', again.text)[0]
        client.post("/answer", data={"answer": "since Monday", "csrf": csrf, "key": key})
    saved = store_intake.get(service.store, issued.session_id)
    assert saved.answers["complaint"] == "sore knee"
    assert "since Monday" in saved.answers.values()
    assert len(saved.answers) == 2


def test_serve_is_off_unless_the_policy_enables_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    monkeypatch.setenv("CONSULT_SCRIBE_POLICY", str(policy))
    monkeypatch.setenv("CONSULT_SCRIBE_CONFIG", str(tmp_path / "user.json"))
    # A user's own settings cannot turn it on.
    (tmp_path / "user.json").write_text(json.dumps({"intake": {"enabled": True}}))
    assert main(["intake", "serve", "--store", str(tmp_path / "s"), "--user", "nurse"]) != 0
    assert "off: the clinic policy does not enable it" in capsys.readouterr().err
    policy.write_text(json.dumps({"intake": {"enabled": True}}))
    assert main(["intake", "serve", "--store", str(tmp_path / "s"), "--user", "nurse"]) != 0
    assert "HTTPS only" in capsys.readouterr().err
    assert main(["policy", "check", str(policy)]) == 0


def test_cert_command_makes_a_private_key(tmp_path: Path) -> None:
    assert (
        main(
            [
                "intake",
                "cert",
                "--out",
                str(tmp_path / "tls"),
                "--host",
                "192.168.1.20",
                "--host",
                "intake.clinic.lan",
            ]
        )
        == 0
    )
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((tmp_path / "tls" / "intake-cert.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "intake.clinic.lan" in names.get_values_for_type(x509.DNSName)
    assert (tmp_path / "tls" / "intake-key.pem").stat().st_mode & 0o077 == 0
    context = ssl.create_default_context()
    context.load_cert_chain(tmp_path / "tls" / "intake-cert.pem", tmp_path / "tls" / "intake-key.pem")


def test_code_command_prints_a_code_and_writes_a_qr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.storage.conftest import PASSWORDS, make_store

    setup = make_store(tmp_path / "store")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORDS["nurse"] + "\n"))
    qr = tmp_path / "code.svg"
    assert (
        main(
            [
                "intake",
                "code",
                "--store",
                str(setup.directory),
                "--user",
                "nurse",
                "--url",
                "https://192.168.1.20:8443",
                "--qr",
                str(qr),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["url"] == f"https://192.168.1.20:8443/c/{data['code']}" and data["label"] == "0001"
    assert qr.read_text().startswith("<?xml") and "<svg" in qr.read_text()
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORDS["nurse"] + "\n"))
    assert main(["intake", "queue", "--store", str(setup.directory), "--user", "nurse", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["label"] for r in rows] == ["0001"] and rows[0]["state"] == "issued"


def test_eval_command_reports_the_frozen_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "triage.json"
    assert main(["intake", "eval", "--set", "test", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Category 1 recall: 100.0%" in printed
    data = json.loads(out.read_text())
    assert data["vignettes"] >= 60 and data["recall"]["1"] == 1.0


def test_the_desktop_sees_the_services_intakes_through_its_own_connection(service: RunningService) -> None:
    from desktop.storage import Store

    issued = store_intake.issue_code(service.store)
    with httpx.Client(base_url=service.url, verify=service.ssl_context(), follow_redirects=True) as client:
        page = client.post("/start", data={"code": issued.code, "lang": "zh-Hans"}).text
        csrf = re.findall(r'name="csrf" value="(\w+)"', page)[0]
        client.post("/answer", data={"answer": "突然说不出话", "csrf": csrf, "key": "complaint"})
    with Store.open(service.store.directory, "nurse", "nurse-pass-1") as desktop:
        row = next(r for r in store_intake.queue(desktop) if r["id"] == issued.session_id)
    assert row["category"] == 1 and row["alert"] and row["state"] == "open"


def test_serve_command_runs_https_and_stops(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from tests.unit.storage.conftest import PASSWORDS, make_store

    setup = make_store(tmp_path / "store")
    main(["intake", "cert", "--out", str(tmp_path / "tls")])
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"intake": {"enabled": True}}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, CONSULT_SCRIBE_POLICY=str(policy), CONSULT_SCRIBE_CONFIG=str(tmp_path / "u.json"))
    repo = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = str(repo)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            "intake",
            "serve",
            "--store",
            str(setup.directory),
            "--user",
            "nurse",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--cert",
            str(tmp_path / "tls" / "intake-cert.pem"),
            "--key",
            str(tmp_path / "tls" / "intake-key.pem"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=repo,
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write((PASSWORDS["nurse"] + "\n").encode())
        proc.stdin.close()
        context = ssl.create_default_context(cafile=str(tmp_path / "tls" / "intake-cert.pem"))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"https://127.0.0.1:{port}/?lang=en", verify=context, timeout=5)
                break
            except httpx.ConnectError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and "Enter the code reception gave you" in page.text
        assert "content-security-policy" in page.headers and "server" not in page.headers
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    err = proc.stderr.read() if proc.stderr else b""
    assert b"Traceback" not in err
