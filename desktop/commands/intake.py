"""`consult-scribe intake serve|code|queue|show|category|cert|eval|bench`: the pre-consultation intake.

``serve`` runs the patients' web service (HTTPS only, off unless the clinic policy file turns it
on); ``code`` issues a one-time patient code with its QR code; ``queue``, ``show`` and
``category`` are the staff's side; ``cert`` makes a self-signed certificate for trials; ``eval``
scores the triage rules on the vignette sets; ``bench`` measures the service on loopback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from desktop.commands.admin import add_store_arg, open_store
from desktop.core.errors import UsageError

BENCH_DIR = Path("bench-results")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "intake", help="pre-consultation intake: the patients' web service, codes, queue, triage"
    )
    isub = parser.add_subparsers(dest="intake_command", metavar="ACTION", required=True)

    p = isub.add_parser("serve", help="run the intake web service (HTTPS; the clinic policy must enable it)")
    add_store_arg(p)
    p.add_argument("--user", required=True, help="the service's account (a nurse role)")
    p.add_argument("--host", help="address to listen on (default: intake.host)")
    p.add_argument("--port", type=int, help="port (default: intake.port)")
    p.add_argument("--cert", type=Path, help="TLS certificate, PEM (default: intake.cert_file)")
    p.add_argument("--key", type=Path, help="its private key, PEM (default: intake.key_file)")
    p.add_argument("--llm", action="store_true", help="ask the language model when no triage rule fires")
    p.add_argument(
        "--speech", action="store_true", help="let patients speak their answers (the speech model)"
    )
    p.set_defaults(handler=_serve)

    p = isub.add_parser("code", help="issue a one-time patient code and its QR code")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("--url", help="the service's address as phones see it (default: intake.public_url)")
    p.add_argument("--qr", type=Path, help="write the QR code to this .svg or .png file")
    p.add_argument("--consultation", type=int, help="link the intake to this consultation")
    p.add_argument("--reissue", type=int, metavar="ID", help="a new code for intake ID (the chat stays)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_code)

    p = isub.add_parser("queue", help="today's intakes: category, waiting time, summary")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_queue)

    p = isub.add_parser("show", help="one intake: confirmed summary and the chat")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = isub.add_parser("category", help="change an intake's triage category (audited)")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("id", type=int)
    p.add_argument("category", type=int, choices=(1, 2, 3))
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=_category)

    p = isub.add_parser("cert", help="make a self-signed certificate for a trial of the service")
    p.add_argument("--out", type=Path, required=True, help="folder for intake-cert.pem and intake-key.pem")
    p.add_argument("--host", action="append", default=[], help="name or address phones use (repeatable)")
    p.add_argument("--days", type=int, default=90)
    p.set_defaults(handler=_cert)

    p = isub.add_parser("eval", help="score the triage rules on the vignettes (dev or frozen test set)")
    p.add_argument("--set", dest="set_name", choices=("dev", "test", "holdout"), default="dev")
    p.add_argument("--llm", action="store_true", help="also ask the language model when no rule fires")
    p.add_argument("--out", type=Path, help="JSON results (default: bench-results/intake-triage-SET.json)")
    p.set_defaults(handler=_eval)

    p = isub.add_parser("bench", help="load check on loopback: patients at once, page response times")
    p.add_argument("--patients", type=int, default=30)
    p.add_argument("--out", type=Path, help="JSON results (default: bench-results/intake-load.json)")
    p.set_defaults(handler=_bench)


# ---------------------------------------------------------------- serve
def policy_enables_intake() -> bool:
    """True only when the clinic policy file (not a user's own settings) sets intake.enabled."""
    from desktop import paths

    path = paths.system_policy_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    section = data.get("intake") if isinstance(data, dict) else None
    return isinstance(section, dict) and section.get("enabled") is True


def _serve(args: argparse.Namespace) -> int:
    from desktop.config import load_settings

    settings = load_settings()
    if not policy_enables_intake():
        raise UsageError(
            "The intake service is off: the clinic policy does not enable it.",
            'IT turns it on with "intake": {"enabled": true} in the policy file (see docs/intake.md).',
        )
    cert = args.cert or (Path(settings.intake.cert_file) if settings.intake.cert_file else None)
    key = args.key or (Path(settings.intake.key_file) if settings.intake.key_file else None)
    if cert is None or key is None:
        raise UsageError(
            "The intake service runs on HTTPS only: give the clinic's certificate and key.",
            "Use --cert and --key (or intake.cert_file / intake.key_file); for a trial, "
            "`consult-scribe intake cert --out DIR --host ADDRESS` makes a self-signed one.",
        )
    for path in (cert, key):
        if not path.is_file():
            raise UsageError(f"{path} does not exist.", "Give the path of the certificate or key file (PEM).")
    host = args.host or settings.intake.host
    port = args.port or settings.intake.port
    store = open_store(args.store, args.user)
    model = _load_model(settings) if args.llm else None
    transcriber = _load_transcriber(settings) if args.speech else None
    try:
        import uvicorn

        from desktop.intake.service import create_app

        app = create_app(store, model=model, transcriber=transcriber)
        print(f"intake service on https://{host}:{port} (Ctrl+C stops it)", file=sys.stderr)
        try:
            uvicorn.run(
                app,
                host=host,
                port=port,
                ssl_certfile=str(cert),
                ssl_keyfile=str(key),
                access_log=False,
                log_level="warning",
                server_header=False,
            )
        except OSError as exc:
            raise UsageError(
                f"The intake service cannot listen on {host}:{port} ({exc.strerror or exc}).",
                "Choose another --port or --host, or stop the program using it.",
            ) from exc
    finally:
        store.close()
    return 0


def _load_transcriber(settings: Any) -> Any:
    from desktop import paths
    from desktop.asr.engine import WhisperEngine
    from desktop.intake.speech import Transcriber
    from desktop.model_store import ModelStore

    model_dir = ModelStore(paths.models_dir(), paths.manifest_file()).ensure(settings.asr.model)
    print(f"loading speech model {settings.asr.model}", file=sys.stderr)
    engine = WhisperEngine(
        model_dir,
        device=settings.asr.device,
        compute_type=settings.asr.compute_type,
        cpu_threads=settings.asr.cpu_threads,
        name=settings.asr.model,
    )
    return Transcriber(engine)


def _load_model(settings: Any) -> Any:
    import threading

    from desktop.commands.letters import _load_runtime
    from desktop.intake.triage import model_triage

    ask = model_triage(_load_runtime(settings, quiet=False))
    lock = threading.Lock()  # one model turn at a time; later patients wait their turn

    def queued(text: str) -> tuple[int, str] | None:
        with lock:
            return ask(text)

    return queued


# ---------------------------------------------------------------- staff side
def _base_url(args: argparse.Namespace) -> str:
    from desktop.config import load_settings
    from desktop.intake.codes import public_base_url

    if args.url:
        return str(args.url)
    return public_base_url(load_settings().intake)


def _code(args: argparse.Namespace) -> int:
    from desktop.config import load_settings
    from desktop.intake.codes import intake_url, qr_terminal, save_qr
    from desktop.storage import intake as store_intake

    if args.qr is not None and args.qr.suffix.lower() not in (".svg", ".png"):
        raise UsageError(
            f"{args.qr} must end in .svg or .png.", "Choose the QR code's file type by its name."
        )
    minutes = load_settings().intake.code_minutes
    with open_store(args.store, args.user) as store:
        if args.reissue is not None:
            issued = store_intake.reissue_code(store, args.reissue)
        else:
            issued = store_intake.issue_code(
                store, consultation_id=args.consultation, lifetime=timedelta(minutes=minutes)
            )
    url = intake_url(_base_url(args), issued.code)
    if args.qr is not None:
        save_qr(url, args.qr)
    if args.json:
        print(
            json.dumps(
                {
                    "id": issued.session_id,
                    "label": issued.label,
                    "code": issued.code,
                    "url": url,
                    "expires_at": issued.expires_at.isoformat(timespec="seconds"),
                }
            )
        )
        return 0
    local = issued.expires_at.astimezone().strftime("%H:%M")
    print(f"Patient code {issued.label}: {issued.pretty}  (valid until {local}, one use)")
    print(url)
    print(qr_terminal(url))
    return 0


def _queue(args: argparse.Namespace) -> int:
    from desktop.storage import intake as store_intake

    with open_store(args.store, args.user) as store:
        rows = store_intake.queue(store)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No intakes today.")
    for r in rows:
        flag = "  ALERT" if r["alert"] else ""
        cat = f"Cat {r['category']}" if r["category"] else "Cat -"
        print(
            f"{r['label']}  {cat:6} {r['state']:10} waiting {r['waiting_minutes']:>3} min  (id {r['id']}){flag}"
        )
        if r["category_reason"]:
            print(f"      reason: {r['category_reason']}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from desktop.storage import intake as store_intake

    with open_store(args.store, args.user) as store:
        session = store_intake.get(store, args.id)
    if args.json:
        print(json.dumps(session.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"Summary for Patient Code {session.label} ({session.state}, category {session.category or '-'})")
    if session.category_reason:
        print(f"Triage reason ({session.category_source}): {session.category_reason}")
    print()
    print(session.summary or "(not confirmed yet)")
    print("\nChat:")
    for m in session.chat:
        who = "Patient" if m["role"] == "patient" else "Intake"
        print(f"  {who}: {m['text']}")
    return 0


def _category(args: argparse.Namespace) -> int:
    from desktop.storage import intake as store_intake

    with open_store(args.store, args.user) as store:
        store_intake.set_category(store, args.id, args.category, args.reason)
    print(f"Intake {args.id} is now category {args.category}.")
    return 0


# ---------------------------------------------------------------- certificate
def _cert(args: argparse.Namespace) -> int:
    if args.days < 1 or args.days > 825:
        raise UsageError("--days must be between 1 and 825.")
    from desktop.intake.tls import make_self_signed

    cert, key = make_self_signed(args.out, args.host, args.days)
    print(f"certificate: {cert}\nkey:         {key} (owner only)")
    print(
        "Self-signed: phones warn until the certificate is installed on them. Use the clinic's own in production."
    )
    return 0


# ---------------------------------------------------------------- figures
def _eval(args: argparse.Namespace) -> int:
    from desktop.intake.triage import evaluate

    model = None
    settings: Any = None
    if args.llm:
        from desktop.commands.letters import _load_runtime
        from desktop.config import load_settings
        from desktop.intake.triage import model_triage

        settings = load_settings()
        ask = model_triage(_load_runtime(settings, quiet=False))

        def model(text: str) -> tuple[int, str] | None:
            began = time.perf_counter()
            try:
                return ask(text)
            finally:
                turns.append(time.perf_counter() - began)

    turns: list[float] = []
    report = evaluate(args.set_name, model)
    data = report.to_dict()
    data["model"] = f"rules + {settings.llm.model}" if args.llm else "rules only"
    if turns:
        data["model_turns"] = {
            "count": len(turns),
            "mean_s": round(sum(turns) / len(turns), 3),
            "max_s": round(max(turns), 3),
        }
        print(
            f"  model turns: {len(turns)}, mean {sum(turns) / len(turns):.2f} s, max {max(turns):.2f} s (CPU)"
        )
    print(f"triage on the {args.set_name} set ({report.total} vignettes, {data['model']})")
    print(f"  Category 1 recall: {report.recall(1):.1%}  (target 100 %)")
    print(f"  Category 2 recall: {report.recall(2):.1%}   Category 3 recall: {report.recall(3):.1%}")
    print(
        f"  precision 1/2/3: {report.precision(1):.1%} / {report.precision(2):.1%} / {report.precision(3):.1%}"
    )
    print(f"  accuracy: {report.accuracy:.1%}   under-triaged: {report.under_triaged}")
    for lang, figures in data["by_language"].items():
        print(
            f"  {lang:8} accuracy {figures['accuracy']:.1%}  Category 1 recall {figures['category1_recall']:.1%}"
        )
    for miss in report.misses:
        print(f"  miss {miss['id']}: expected {miss['expected']}, got {miss['got']}")
    out = args.out or BENCH_DIR / f"intake-triage-{args.set_name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"saved {out}")
    return 0 if report.recall(1) == 1.0 else 1


def _bench(args: argparse.Namespace) -> int:
    from desktop.intake.loadcheck import run_load_check

    if not 1 <= args.patients <= 200:
        raise UsageError("--patients must be between 1 and 200.")
    data = run_load_check(args.patients, progress=lambda text: print(text, file=sys.stderr))
    print(
        f"{data['patients']} patients at once, {data['requests']} page requests: "
        f"p50 {data['p50_ms']:.0f} ms, p95 {data['p95_ms']:.0f} ms, max {data['max_ms']:.0f} ms; "
        f"{data['errors']} errors; {data['completed']} intakes confirmed in {data['wall_s']:.1f} s"
    )
    out = args.out or BENCH_DIR / "intake-load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(f"saved {out}")
    return 0
