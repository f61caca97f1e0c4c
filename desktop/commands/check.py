"""`consult-scribe check --from DIR`: re-check a (possibly edited) note against its transcript.

Reads ``note.json`` and ``transcript.json`` from a folder written by ``consult-scribe process``
(and the referral letter beside them, and any ``--letter`` files), prints what the note left out
and where it contradicts the consultation. Exit status: 0 when nothing is flagged, 1 when
something is, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="re-check a note against its transcript: omissions and contradictions (exit 1 when flagged)",
        description=(
            "Re-reads note.json (as edited) against transcript.json in DIR and prints what the note left "
            "out and where it contradicts what was said. Exit 0 when clean, 1 when something is flagged, "
            "2 when the input cannot be read."
        ),
    )
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--letter",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a letter's text to check too",
    )
    parser.add_argument("--json", action="store_true", help="print the flags as JSON")
    parser.add_argument("--update", action="store_true", help="write the fresh checks into note.json")
    parser.set_defaults(handler=run)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    from desktop.core.errors import UsageError

    if not path.is_file():
        raise UsageError(
            f"{path.parent} has no {path.name}.", "Give a folder written by `consult-scribe process`."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"The {what} {path} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"The {what} {path} is not valid JSON (line {exc.lineno}).") from exc
    if not isinstance(data, dict):
        raise UsageError(f"The {what} {path} must hold a JSON object.")
    return data


def read_folder(folder: Path, letters: list[Path]) -> tuple[Any, Any, dict[str, str]]:
    """The transcript, the note and the letters' texts of a processed consultation folder."""
    from desktop.core.errors import UsageError
    from desktop.core.types import SoapNote, Transcript

    if not folder.is_dir():
        raise UsageError(
            f"The folder {folder} does not exist.", "Give a folder written by `consult-scribe process`."
        )
    note_data = _read_json(folder / "note.json", "note")
    transcript_data = _read_json(folder / "transcript.json", "transcript")
    try:
        note = SoapNote.from_dict(note_data)
        transcript = Transcript.from_dict(transcript_data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(
            f"The note or transcript in {folder} is not in the shape `process` writes ({exc})."
        ) from exc
    if not transcript.segments:
        raise UsageError(f"The transcript in {folder} has no lines to check against.")
    texts: dict[str, str] = {}
    for path in [*([folder / "referral.txt"] if (folder / "referral.txt").is_file() else []), *letters]:
        try:
            texts[path.stem] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"The letter {path} cannot be read as text ({exc.__class__.__name__}).") from exc
    return transcript, note, texts


def run(args: argparse.Namespace) -> int:
    from desktop.checks.engine import Checker
    from desktop.checks.report import plain_text
    from desktop.core.errors import ExitCode

    transcript, note, letters = read_folder(args.source, args.letter)
    result = Checker().check(transcript, note, letters)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(plain_text(result), end="")
    if args.update:
        from desktop.core.files import atomic_write

        data = _read_json(args.source / "note.json", "note")
        data["checks"] = result.to_dict()
        atomic_write(
            args.source / "note.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
        )
    return ExitCode.OK if result.clean else ExitCode.FAILURE
