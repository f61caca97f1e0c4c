"""`consult-scribe letters`: the letters and forms for a processed consultation.

Reads a folder written by ``consult-scribe process`` (``note.json``, ``transcript.json``,
``patient.json``) and writes one PDF and one DOCX per document kind. Required values the
note does not have (a specialty, sick-leave dates, an insurer) are checked for every
requested kind before the language model is loaded, and reported together.

A note that is not signed (``"signed": true`` in ``note.json``) gives documents marked DRAFT on
every page that take nothing from suggestions no doctor accepted, as in the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

FORMATS = ("pdf", "docx", "txt", "html")
DRAFT_NOTICE = (
    "The note is not signed: every document is marked DRAFT and takes nothing from the suggested "
    'assessment or plan unless a doctor accepted it. After review, set "accepted": true on the '
    'suggestions you accept and "signed": true in note.json.'
)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "letters",
        help="write letters and forms (PDF, DOCX) from a processed consultation folder",
        description=(
            "Write letters and forms from a folder written by `consult-scribe process`. "
            "Values come from the note, patient.json and the clinic settings; the language model "
            "writes only the prose parts, checked against the transcript."
        ),
    )
    parser.add_argument("--from", dest="source", type=Path, metavar="DIR", help="folder written by `process`")
    parser.add_argument("--kind", default="all", help="document kind, or 'all' (see --list)")
    parser.add_argument(
        "--lang", choices=("en", "zh", "bilingual"), help="language (default: each kind's own)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: DIR/letters)")
    parser.add_argument("--doctor", help="signing doctor's name (default: clinic.doctor_name)")
    parser.add_argument("--registration", metavar="NO", help="doctor's registration number")
    parser.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="FIELD=TEXT",
        help="a value the document needs, e.g. --value specialty=Cardiology (repeatable; lines split on '|')",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default="pdf,docx",
        help=f"comma-separated output formats from {', '.join(FORMATS)} (default pdf,docx)",
    )
    parser.add_argument("--script", choices=("hk", "tw", "cn"), help="Chinese script (default: the clinic's)")
    parser.add_argument("--no-llm", action="store_true", help="use the note's own text for the prose parts")
    parser.add_argument(
        "--max-tokens", type=int, default=384, help="most tokens the model writes per document"
    )
    parser.add_argument("--threads", type=int, help="CPU threads for the model (default: llm.n_threads)")
    parser.add_argument(
        "--note", action="store_true", help="also export the SOAP note (PDF, DOCX, FHIR JSON)"
    )
    parser.add_argument("--timings", type=Path, metavar="FILE", help="save the time per document as JSON")
    parser.add_argument("--list", action="store_true", help="list the document kinds and their fields")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run)


def _print_list(templates_dir: str) -> None:
    from desktop.documents.templates import STANDARD_FIELDS, load_all

    templates = load_all(templates_dir)
    print("Standard fields on every document: " + ", ".join(STANDARD_FIELDS))
    print()
    for kind, template in templates.items():
        origin = f" (clinic template {template.path})" if template.overridden else ""
        print(f"{kind}: {template.title_for('en')} / {template.title_for('zh')}{origin}")
        print(f"  {template.description}")
        print(f"  default language: {template.default_language}")
        for name, spec in template.fields.items():
            if name in STANDARD_FIELDS and spec == STANDARD_FIELDS[name]:
                continue
            flags = ["required"] if spec.required else []
            if spec.default:
                flags.append(f"default {spec.default}")
            if spec.source == "llm" and spec.fallback:
                flags.append(f"without the model: note {spec.fallback}")
            if spec.source == "note":
                flags.append(f"from note {spec.key}")
            extra = f" [{'; '.join(flags)}]" if flags else ""
            print(f"    {name:<22} {spec.source:<8} {spec.label_for('en')}{extra}")
        print()


def _parse_values(items: list[str]) -> dict[str, Any]:
    from desktop.core.errors import UsageError

    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--value {item!r} is not FIELD=TEXT.", "Example: --value specialty=Cardiology")
        values[name.strip()] = (
            [p.strip() for p in text.split("|") if p.strip()] if "|" in text else text.strip()
        )
    return values


def _read_json(path: Path, what: str) -> Any:
    from desktop.core.errors import InputError

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"The {what} {path} is not valid JSON (line {exc.lineno}).", "Run `process` again."
        ) from exc


def load_folder(folder: Path) -> tuple[Any, Any, Any]:
    """(note file, transcript or None, patient) from a `process` folder; writes a placeholder patient.json.

    The note file (:class:`~desktop.documents.note_file.NoteFile`) says whether the note is signed."""
    from desktop.core.errors import InputError, UsageError
    from desktop.core.types import Patient, Transcript
    from desktop.documents.note_file import read_note_file

    if not folder.is_dir():
        raise UsageError(
            f"The folder {folder} does not exist.", "Give the --out folder of `consult-scribe process`."
        )
    note_file = folder / "note.json"
    if not note_file.is_file():
        raise InputError(f"{folder} has no note.json.", "Run `consult-scribe process INPUT --out DIR` first.")
    data = _read_json(note_file, "note")
    if not isinstance(data, dict):
        raise InputError(f"The note {note_file} must hold a JSON object.")
    note = read_note_file(data)
    transcript = None
    if (folder / "transcript.json").is_file():
        tdata = _read_json(folder / "transcript.json", "transcript")
        transcript = Transcript.from_dict(tdata) if isinstance(tdata, dict) else None
    patient_file = folder / "patient.json"
    if patient_file.is_file():
        pdata = _read_json(patient_file, "patient header")
        if not isinstance(pdata, dict):
            raise InputError(f"The patient header {patient_file} must hold a JSON object.")
        patient = Patient.from_dict(pdata)
        template = Patient.placeholder_header()
        if patient.placeholder and (patient.name, patient.mrn) != (template.name, template.mrn):
            patient.placeholder = False  # edited by hand since it was created
    else:
        patient = Patient.placeholder_header()
        tmp = patient_file.with_suffix(".json.part")
        tmp.write_text(json.dumps(patient.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(patient_file)
    return note, transcript, patient


def run(args: argparse.Namespace) -> int:
    from desktop.config import load_settings
    from desktop.core.errors import UsageError
    from desktop.documents.note_file import document_note
    from desktop.documents.render import MissingValuesError, resolve_values
    from desktop.documents.templates import KINDS, load_template

    settings = load_settings()
    if args.doctor:
        settings.clinic.doctor_name = args.doctor
    if args.registration:
        settings.clinic.registration_no = args.registration
    if args.threads is not None:
        settings.llm.n_threads = args.threads
    script = args.script or settings.asr.script
    if args.list:
        _print_list(settings.clinic.templates_dir)
        return 0
    if args.source is None:
        raise UsageError("Give the consultation folder with --from DIR (or use --list).")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(
            f"Unknown output format(s): {', '.join(bad) or '(none)'}.", f"Use {', '.join(FORMATS)}."
        )
    kinds = list(KINDS) if args.kind == "all" else [k.strip() for k in args.kind.split(",")]
    templates = [load_template(kind, settings.clinic.templates_dir) for kind in kinds]
    note_file, transcript, patient = load_folder(args.source)
    note, draft = note_file.note, note_file.draft
    values = _parse_values(args.value)
    if draft and not args.quiet:
        print(DRAFT_NOTICE, file=sys.stderr)

    # Every required value, for every kind, before any model is loaded (from what a document
    # may use: a draft's suggestions no doctor accepted are not values).
    problems: list[MissingValuesError] = []
    for template in templates:
        own = {k: v for k, v in values.items() if k in template.fields}
        missing = resolve_values(template, document_note(note, draft), patient, settings.clinic, own)[1]
        if missing:
            problems.append(MissingValuesError(template.kind, missing))
    if problems:
        raise MissingValuesError.combine(problems)

    out_dir: Path = args.out or (args.source / "letters")
    out_dir.mkdir(parents=True, exist_ok=True)
    runtime = None if args.no_llm else _load_runtime(settings, args.quiet)
    vocabulary = _vocabulary(settings)
    timings = _generate(
        args, settings, templates, note, transcript, patient, values, script, runtime, vocabulary, draft
    )
    written = [out_dir / name for t in timings for name in t["files"]]
    if args.note:
        written += _export_note(note, patient, settings, script, out_dir, formats, draft)
    if args.timings:
        _save_timings(args.timings, timings, settings, runtime)
    if not args.quiet:
        total = sum(t["seconds"] for t in timings)
        print(
            f"Wrote {len(written)} files to {out_dir} ({len(timings)} documents, {total:.1f} s).",
            file=sys.stderr,
        )
    return 0


def _generate(
    args: argparse.Namespace,
    settings: Any,
    templates: list[Any],
    note: Any,
    transcript: Any,
    patient: Any,
    values: dict[str, Any],
    script: str,
    runtime: Any,
    vocabulary: list[str],
    draft: bool,
) -> list[dict[str, Any]]:
    from desktop.documents.render import write_html, write_text
    from desktop.documents.word import write_docx
    from desktop.llm.letters import generate_document
    from desktop.services.pdf import write_pdf

    writers = {"pdf": write_pdf, "docx": write_docx, "txt": write_text, "html": write_html}
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    out_dir: Path = args.out or (args.source / "letters")
    cancel = threading.Event()
    timings: list[dict[str, Any]] = []
    for index, template in enumerate(templates):
        if not args.quiet:
            print(f"[{index + 1}/{len(templates)}] {template.kind}", file=sys.stderr)
        own = {k: v for k, v in values.items() if k in template.fields}
        started = time.perf_counter()
        result = generate_document(
            template.kind,
            note,
            patient,
            settings.clinic,
            runtime=runtime,
            transcript=transcript,
            language=args.lang,
            values=own,
            script=script,
            vocabulary=vocabulary,
            max_tokens=args.max_tokens,
            cancel=cancel,
            template=template,
            draft=draft,
        )
        generated = time.perf_counter() - started
        files = []
        for fmt in formats:
            name = f"{template.kind}.{fmt}"
            writers[fmt](result.document, out_dir / name)
            files.append(name)
        timings.append(
            {
                "kind": template.kind,
                "language": result.document.language,
                "llm_seconds": round(result.prose.seconds, 3),
                "output_chars": result.prose.output_chars,
                "seconds": round(time.perf_counter() - started, 3),
                "render_seconds": round(time.perf_counter() - started - generated, 3),
                "warnings": len(result.document.warnings),
                "files": files,
            }
        )
        if not args.quiet:
            for warning in result.document.warnings:
                if not (draft and warning.startswith("draft:")):  # said once, before the first document
                    print(f"    note: {warning}", file=sys.stderr)
    return timings


def _load_runtime(settings: Any, quiet: bool) -> Any:
    from desktop.llm.factory import llama_runtime

    if not quiet:
        print(f"loading language model {settings.llm.model}", file=sys.stderr)
    return llama_runtime(settings.llm, n_ctx=min(settings.llm.n_ctx, 4096))


def _vocabulary(settings: Any) -> list[str]:
    from desktop.asr.vocabulary import load_vocabulary

    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    return load_vocabulary(vocab_file)


def _export_note(
    note: Any, patient: Any, settings: Any, script: str, out_dir: Path, formats: list[str], draft: bool
) -> list[Path]:
    from desktop.documents.fhir import note_bundle, write_fhir
    from desktop.documents.note_file import document_note
    from desktop.documents.render import render_document, write_html, write_text
    from desktop.documents.word import write_docx
    from desktop.services.pdf import write_pdf

    doc = render_document(
        "soap_note", note, patient, settings.clinic, language="en", script=script, draft=draft
    )
    writers = {"pdf": write_pdf, "docx": write_docx, "txt": write_text, "html": write_html}
    written = [writers[fmt](doc, out_dir / f"soap_note.{fmt}") for fmt in formats]
    status = "preliminary" if draft else "final"
    bundle = note_bundle(document_note(note, draft), patient, settings.clinic, status=status)
    written.append(write_fhir(bundle, out_dir / "soap_note.fhir.json"))
    return [Path(p) for p in written]


def _save_timings(path: Path, timings: list[dict[str, Any]], settings: Any, runtime: Any) -> None:
    import platform

    seconds = [t["seconds"] for t in timings]
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    report = {
        "command": "consult-scribe " + " ".join(sys.argv[1:]),
        "model": settings.llm.model if runtime is not None else None,
        "threads": settings.llm.n_threads or os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "load_average_1m_after": round(load[0], 2),
        "gpu_layers": getattr(runtime, "n_gpu_layers", 0),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "documents": timings,
        "mean_seconds": round(sum(seconds) / len(seconds), 3) if seconds else 0.0,
        "max_seconds": max(seconds) if seconds else 0.0,
        "total_seconds": round(sum(seconds), 3),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "documents"}))
