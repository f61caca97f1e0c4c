"""Run the intake service on loopback (real HTTPS, uvicorn in a thread) and measure it.

``serve_in_thread`` is also what the browser test uses: a throwaway store, a self-signed
certificate and a server on a free port of 127.0.0.1. ``run_load_check`` sends that many
patients through a whole intake at once and reports the page response times (the
rule-based plan: no model turns).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.intake.service import Limits, create_app

ANSWERS = (
    "Cough and a sore throat since Monday",
    "Four days ago",
    "3 out of 10, a little better",
    "喉嚨痛，冇發燒",
    "Paracetamol",
    "No allergies",
    "High blood pressure",
    "没有",
    "No",
)


@dataclass
class RunningService:
    url: str
    cert: Path
    store: Any
    server: Any
    thread: threading.Thread

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@contextlib.contextmanager
def serve_in_thread(
    store: Any, folder: Path, limits: Limits | None = None, transcriber: Any = None
) -> Iterator[RunningService]:
    """The service for ``store`` on https://127.0.0.1:PORT until the block ends."""
    import uvicorn

    from desktop.intake.tls import make_self_signed

    cert, key = make_self_signed(folder / "tls", ["127.0.0.1", "localhost"], days=1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(store, limits=limits, transcriber=transcriber),
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the intake service did not start")
        time.sleep(0.05)
    try:
        yield RunningService(f"https://127.0.0.1:{port}", cert, store, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def throwaway_store(folder: Path) -> Iterator[Any]:
    """A new store in ``folder`` with a nurse account, opened as the nurse (cheap key derivation)."""
    from desktop.storage import KdfParams, Store

    admin, _ = Store.create(folder / "store", "it", "admin-pass-1", kdf=KdfParams(n=2**10, r=8, p=1))
    admin.add_user("nurse", "nurse-pass-1", ["nurse"], "Nurse")
    admin.close()
    store = Store.open(folder / "store", "nurse", "nurse-pass-1")
    try:
        yield store
    finally:
        store.close()


def _patient(
    base: str,
    ctx: ssl.SSLContext,
    code: str,
    start: threading.Barrier,
    timings: list[float],
    errors: list[str],
) -> bool:
    import re

    import httpx

    with httpx.Client(base_url=base, verify=ctx, timeout=30.0) as client:

        def call(method: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
            began = time.perf_counter()
            response = client.request(method, path, data=data)
            timings.append(time.perf_counter() - began)
            if response.status_code >= 400:
                errors.append(f"{method} {path}: {response.status_code}")
            return response

        start.wait()
        call("GET", f"/c/{code}?lang=en")
        reply = call("POST", "/start", {"code": code, "lang": "en"})
        page = call("GET", reply.headers.get("location", "/chat")).text
        for n in range(12):
            if "/answer" not in page:
                break
            csrf = re.search(r'name="csrf" value="(\w+)"', page)
            key = re.search(r'name="key" value="(\w+)"', page)
            if not csrf or not key:
                errors.append("answer form incomplete")
                return False
            reply = call(
                "POST", "/answer", {"answer": ANSWERS[n % len(ANSWERS)], "csrf": csrf[1], "key": key[1]}
            )
            page = call("GET", reply.headers.get("location", "/chat")).text
        csrf = re.search(r'name="csrf" value="(\w+)"', page)
        if not csrf:
            errors.append("no summary page")
            return False
        reply = call(
            "POST",
            "/summary",
            {"summary": "Cough and sore throat for four days.", "csrf": csrf[1], "action": "done"},
        )
        done = call("GET", reply.headers.get("location", "/chat"))
        return "Thank you" in done.text


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_load_check(patients: int, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    from desktop.storage import intake as store_intake

    with tempfile.TemporaryDirectory(prefix="intake-load-") as tmp:
        folder = Path(tmp)
        # Every simulated patient comes from 127.0.0.1: the per-address limits would see one
        # very busy phone, so they are lifted here (real phones each have their own address).
        limits = Limits(requests=100_000, per_seconds=60.0, wrong_codes=100_000)
        with throwaway_store(folder) as store, serve_in_thread(store, folder, limits) as service:
            codes = [store_intake.issue_code(store).code for _ in range(patients)]
            timings: list[float] = []
            errors: list[str] = []
            results: list[bool] = []
            barrier = threading.Barrier(patients)
            ctx = service.ssl_context()

            def one(code: str) -> None:
                try:
                    results.append(_patient(service.url, ctx, code, barrier, timings, errors))
                except Exception as exc:  # a failed patient is counted, not fatal to the check
                    errors.append(type(exc).__name__)
                    results.append(False)

            progress(f"{patients} patients start their intake at once on {service.url}")
            began = time.perf_counter()
            threads = [threading.Thread(target=one, args=(c,)) for c in codes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - began
    ms = [t * 1000 for t in timings]
    return {
        "patients": patients,
        "requests": len(ms),
        "completed": sum(results),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
        "p95_ms": round(_percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
        "wall_s": round(wall, 2),
        "model_turns": "none (rule-based question plan)",
        "cpu_count": __import__("os").cpu_count(),
    }
