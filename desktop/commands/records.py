"""`consult-scribe records list|show|export`: read consultations from the encrypted store.

The password comes from the terminal (hidden) or, when standard input is not a terminal,
from its first line. Every read is written to the audit log.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop.commands.admin import add_store_arg, open_store
from desktop.core.audio import SAMPLE_RATE
from desktop.core.errors import ExitCode


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "records", help="list, show or export stored consultations"
    )
    cmds = parser.add_subparsers(dest="records_command", metavar="ACTION", required=True)

    p = cmds.add_parser("list", help="list consultations, newest first")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=_list)

    p = cmds.add_parser("show", help="show one consultation: transcript, note versions, letters")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("id", type=int, help="consultation number (from `records list`)")
    p.add_argument("--diff", action="store_true", help="show the change from the AI draft to the signed note")
    p.set_defaults(handler=_show)

    p = cmds.add_parser("export", help="write one consultation to a JSON file (and its audio to a WAV file)")
    add_store_arg(p)
    p.add_argument("--user", required=True)
    p.add_argument("id", type=int)
    p.add_argument(
        "--out", required=True, metavar="FILE", help="JSON file to write (not encrypted: keep it safe)"
    )
    p.add_argument("--audio", metavar="WAV", help="also write the recording as a 16 kHz WAV file")
    p.set_defaults(handler=_export)


def _list(args: argparse.Namespace) -> int:
    with open_store(args.store, args.user) as store:
        rows = store.list_consultations()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return ExitCode.OK
    if not rows:
        print("No consultations stored yet.")
        return ExitCode.OK
    print(f"{'ID':>5}  {'STARTED':<20} {'MRN':<12} {'DOCTOR':<12} {'NOTE':<9} {'AUDIO':<7} PATIENT")
    for r in rows:
        started = str(r["started_at"])[:16].replace("T", " ")
        print(
            f"{r['id']:>5}  {started:<20} {r['mrn']:<12} {r['doctor']:<12} {r['note'] or '-':<9}"
            f" {r['audio'] or '-':<7} {r['patient']}"
        )
    return ExitCode.OK


def _show(args: argparse.Namespace) -> int:
    from desktop.core.types import Patient, SoapNote, Transcript

    with open_store(args.store, args.user) as store:
        record = store.consultation_record(args.id, purpose="viewed")
    c = record["consultation"]
    patient = Patient.from_dict(record["patient"])
    print(
        f"Consultation {c['id']}  started {c['started_at']}  doctor {c['doctor']}"
        f"  language {c['language'] or '-'}"
    )
    print(f"Consent to recording: {'recorded' if c['consent'] else 'not recorded'}")
    if record["audio"]:
        a = record["audio"]
        print(f"Audio: {a['state']}, {a['seconds']:.1f} s in {a['chunks']} chunks")
    print()
    print("## Transcript")
    print(Transcript.from_dict(record["transcript"]).to_plain_text() or "(empty)")
    versions = record["note_versions"]
    for v in versions:
        print(f"- note version {v['version']}: {v['kind']} by {v['author']} at {v['created_at']}")
    if versions:
        print()
        print(SoapNote.from_dict(versions[-1]["note"]).to_markdown(patient))
    if args.diff and record["note_diff"]:
        print(record["note_diff"])
    for letter in record["letters"]:
        print(f"## Letter {letter['letter_id']} ({letter['kind']}, version {letter['version']})")
        print(letter["rendered"])
    return ExitCode.OK


def _export(args: argparse.Namespace) -> int:
    from desktop.storage.store import write_export

    with open_store(args.store, args.user) as store:
        record = store.consultation_record(args.id, purpose="exported")
        gaps: list[str] = []
        if args.audio:
            import soundfile as sf

            from desktop.core.errors import StoreDamagedError

            try:
                samples = store.read_audio(args.id)
            except StoreDamagedError:
                # Export what is intact; the damaged stretch is named below and kept silent.
                samples, gaps = store.salvage_audio(args.id)
            sf.write(args.audio, samples, SAMPLE_RATE, subtype="PCM_16")
    write_export(Path(args.out), record)
    print(
        f"Wrote consultation {args.id} to {args.out}"
        + (f" and its audio to {args.audio}." if args.audio else ".")
    )
    for gap in gaps:
        print(f"consult-scribe: the audio has a gap: {gap}; it is silent in the export.", file=sys.stderr)
    return ExitCode.STORE_DAMAGED if gaps else ExitCode.OK
