"""The intake day as the clinic lives it, with the real app, the real store and the real service.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/gui/intake_walkthrough.py docs/img/app

The demo store (``consult-scribe --demo``'s, made by ``desktop.app.prepare_demo_store``) gets an
account for the intake service; ``consult-scribe intake serve`` runs on loopback HTTPS with a
self-signed certificate, turned on by a clinic policy file; two patients answer on the service's
HTTP pages (as their phones would); the desktop app (the real backend: store, speech model,
language model) is driven as reception, nurse and doctor do, and each screen is saved as a PNG.
Not a test: it takes minutes (the sample consultation is transcribed and drafted for real).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

PORT = 18443
PY = sys.executable


def wait(predicate: Callable[[], bool], seconds: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what or predicate}")
        QTest.qWait(50)


def grab(widget: QWidget, path: Path) -> None:
    QTest.qWait(300)  # let it paint
    widget.grab().save(str(path))
    print(f"saved {path}")


def patient(base: str, cert: Path, code: str, answers: dict[str, str], lang: str = "en") -> str:
    """One patient's intake on the service's pages, as a phone's browser sends it."""
    with httpx.Client(base_url=base, verify=str(cert), follow_redirects=True, timeout=30) as client:
        client.get(f"/c/{code}?lang={lang}").raise_for_status()
        html = client.post("/start", data={"code": code, "lang": lang}).text
        while 'action="/answer"' in html:
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
            key = re.search(r'name="key" value="(\w+)"', html)
            assert csrf and key, html[:400]
            answer = answers.get(key.group(1), "No")
            html = client.post(
                "/answer", data={"answer": answer, "csrf": csrf.group(1), "key": key.group(1)}
            ).text
        summary = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
        assert summary and csrf, html[:400]
        import html as htmllib

        text = htmllib.unescape(summary.group(1)).strip()
        done = client.post("/summary", data={"summary": text, "csrf": csrf.group(1), "action": "done"})
        done.raise_for_status()
        return text


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="consultscribe-walk-"))
    policy = tmp / "policy.json"
    policy.write_text(
        json.dumps(
            {"intake": {"enabled": True, "public_url": f"https://127.0.0.1:{PORT}", "code_minutes": 120}}
        ),
        encoding="utf-8",
    )
    os.environ["CONSULT_SCRIBE_POLICY"] = str(policy)
    from desktop.app import DEMO_USERS, build_backend, prepare_demo_store, sample_dir
    from desktop.config import load_settings
    from desktop.storage import Store
    from desktop.ui.main import MainWindow, create_app, setup_qt

    store_dir = tmp / "store"
    cid, _complaint = prepare_demo_store(store_dir)
    with Store.open(store_dir, "admin", "demo-admin") as admin:
        admin.add_user(
            "intake-svc", "service-pass-1", ["nurse"], "Intake service", must_change_password=False
        )
        admin.add_user("nurse2", "given-pass-1", ["nurse"], "Nurse Ho Wing")  # a new colleague
    subprocess.run(
        [PY, "-m", "desktop.cli", "intake", "cert", "--out", str(tmp), "--host", "127.0.0.1"],
        check=True,
        cwd=ROOT,
    )
    cert = tmp / "intake-cert.pem"
    service = subprocess.Popen(
        [
            PY,
            "-m",
            "desktop.cli",
            "intake",
            "serve",
            "--store",
            str(store_dir),
            "--user",
            "intake-svc",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--cert",
            str(cert),
            "--key",
            str(tmp / "intake-key.pem"),
        ],
        stdin=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    assert service.stdin is not None
    service.stdin.write("service-pass-1\n")
    service.stdin.close()
    base = f"https://127.0.0.1:{PORT}"
    try:
        for _ in range(120):
            try:
                httpx.get(f"{base}/", verify=str(cert), timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        if service.poll() is not None:
            raise SystemExit(f"the intake service did not start (is port {PORT} in use?)")
        return walk(
            out,
            store_dir,
            cid,
            base,
            cert,
            DEMO_USERS,
            build_backend,
            sample_dir,
            load_settings,
            MainWindow,
            create_app,
            setup_qt,
        )
    finally:
        service.terminate()
        service.wait(20)


def walk(
    out: Path,
    store_dir: Path,
    cid: str,
    base: str,
    cert: Path,
    users,
    build_backend,
    sample_dir,  # type: ignore[no-untyped-def]
    load_settings,
    MainWindow,
    create_app,
    setup_qt,
) -> int:
    settings = load_settings()
    app = create_app(["consult-scribe"])
    setup_qt(app, settings, language="en")
    backend = build_backend(
        settings, store_dir, demo_audio=sample_dir() / "sample_consultation.flac", save=False
    )
    assert backend.intake is not None, "the policy file did not turn the intake on"
    window = MainWindow(backend)
    window.resize(1400, 880)
    window.show()
    window.start()
    try:
        return steps(out, window, backend, base, cert, users)
    finally:
        window.close()
        backend.shutdown()


def steps(out: Path, window, backend, base: str, cert: Path, users) -> int:  # type: ignore[no-untyped-def]
    monitor = window.intake_monitor

    def sign_in(user: str, password: str) -> None:
        window.sign_in.username.setText(user)
        window.sign_in.password.setText(password)
        window.sign_in.button.click()
        wait(lambda: window.pages.currentWidget() is window.work, 60, "sign-in")
        wait(lambda: not monitor.busy, 30, "first poll")

    def poll() -> None:
        wait(lambda: not monitor.busy, 30, "poll")
        call = monitor.poll()
        wait(lambda: call.finished, 30, "poll answer")

    # Reception (the nurse at the desk): two patient codes.
    nurse = next(u for u in users if u[2] == "nurse")
    sign_in(nurse[0], nurse[3])
    queue = window.intake_queue
    first = queue.new_code(show=True)
    wait(lambda: first.finished, 30, "first code")
    wait(lambda: queue.last_code is not None and queue.last_code.isVisible(), 10, "code dialog")
    grab(queue.last_code, out / "intake-code.png")
    code_a = first.value.code
    queue.last_code.accept()
    second = queue.new_code(show=False)
    wait(lambda: second.finished, 30, "second code")
    code_b = second.value.code
    # The patients answer on their phones (the service's pages).
    patient(
        base,
        cert,
        code_b,
        {
            "complaint": "Headache and feeling dizzy",
            "pain_site": "Across the forehead, it does not spread",
            "onset": "About two weeks, worse in the mornings",
            "severity": "5 out of 10, about the same",
            "associated": "Ankles a bit swollen in the evening",
            "medicines": "Metformin 500 mg twice a day",
            "allergies": "No allergies",
            "history": "Diabetes",
            "red_flags": "No",
        },
    )
    poll()
    grab(window, out / "intake-queue.png")
    patient(
        base,
        cert,
        code_a,
        {
            "complaint": "Tight heavy chest and I am sweating",
            "pain_site": "Middle of the chest, going to my left arm",
            "onset": "Started 40 minutes ago",
            "severity": "8 out of 10, getting worse",
            "associated": "Short of breath",
            "medicines": "Aspirin sometimes",
            "allergies": "Penicillin",
            "history": "High blood pressure",
            "red_flags": "Yes, the pain goes to my left arm",
        },
    )
    poll()
    wait(lambda: window.alert.isVisible(), 30, "alert")
    grab(window, out / "intake-alert.png")
    urgent = window.alert.rows[0]
    window.alert.buttons[urgent.id].click()
    wait(lambda: not window.alert.isVisible(), 30, "acknowledged")
    # The nurse lowers the other patient's category after seeing them.
    routine = next(r for r in queue.rows if r.id != urgent.id)
    queue.select(routine.id)
    from desktop.ui.intake.queue import CategoryDialog

    dialog = CategoryDialog(routine, window)
    dialog.category.setCurrentIndex(1)
    dialog.reason.setText("BP 182/104 at the desk")
    dialog.show()
    grab(dialog, out / "intake-category.png")
    dialog.close()
    queue.change_category(2, "BP 182/104 at the desk").result()
    poll()
    window.sign_out()

    # The doctor starts the consultation from the queue; the patient is found in the records.
    doctor = next(u for u in users if u[2] == "doctor")
    sign_in(doctor[0], doctor[3])
    poll()
    queue.select(routine.id)
    from desktop.ui.consultations import NewConsultationDialog

    original_exec = NewConsultationDialog.exec

    def exec_(self: NewConsultationDialog) -> int:
        self.show()
        self.lookup.query.setText("chan tai")
        wait(lambda: bool(self.lookup.matches), 30, "patient look-up")
        grab(self, out / "patient-lookup.png")
        self.use_patient(self.lookup.matches[0])
        self.consent.setChecked(True)
        grab(self, out / "patient-chosen.png")
        return 1

    NewConsultationDialog.exec = exec_  # type: ignore[method-assign]
    call = window.start_from_intake(queue.selected())
    NewConsultationDialog.exec = original_exec  # type: ignore[method-assign]
    wait(lambda: call.finished, 30, "consultation created")
    view = window.consultation
    wait(lambda: view.ready and view.intake_tab.detail is not None, 60, "intake tab")
    view.left_tabs.setCurrentIndex(1)
    grab(window, out / "intake-consultation.png")
    # Record (the demo replays the sample consultation through the speech model), then draft.
    view.left_tabs.setCurrentIndex(0)
    finished: list[bool] = []
    view.draft_finished.connect(finished.append)
    QTimer.singleShot(0, view.start_recording)
    wait(
        lambda: finished != [] or (not view.recording and view.info.status in ("recorded", "draft")),
        900,
        "recording and draft",
    )
    wait(lambda: bool(finished), 900, "draft")
    rows = [
        r
        for r in view.editor.rows()
        if any(e.startswith("i") and e[1:].isdigit() for e in r.statement.evidence)
    ]
    print(f"statements citing the intake: {len(rows)} of {len(view.editor.rows())}")
    if rows:
        view._statement_clicked(rows[0])
    else:
        view.left_tabs.setCurrentIndex(1)
    grab(window, out / "intake-draft.png")
    # The demo's own consultation of the same patient is now a duplicate: cancelled, kept.
    view.back_button.click()
    page = window.list_page
    wait(lambda: len(page.items()) == 2, 30, "list")
    page.table.selectRow(next(i for i, c in enumerate(page.items()) if c.status == "new"))
    page.cancel_selected(reason="duplicate: seen in the consultation started from the intake").result()
    wait(lambda: any(c.status == "cancelled" for c in page.items()), 30, "cancelled")
    page.table.selectRow(next(i for i, c in enumerate(page.items()) if c.status == "cancelled"))
    grab(window, out / "consultations-cancel-delete.png")
    window.sign_out()
    # A new colleague's first sign-in: their own password first.
    window.sign_in.username.setText("nurse2")
    window.sign_in.password.setText("given-pass-1")
    window.sign_in.button.click()
    wait(lambda: window.pages.currentWidget() is window.password_page, 60, "password page")
    window.password_page.current.setText("given-pass-1")
    window.password_page.new.setText("my-own-pass-1")
    window.password_page.repeat.setText("my-own-pass-2")
    window.password_page.attempt()
    grab(window, out / "password-change.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img/app")))
