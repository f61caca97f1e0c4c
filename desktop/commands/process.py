"""`consult-scribe process INPUT --out DIR`: the headless main job."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from desktop.config import LANGUAGES, SCRIPTS

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "process",
        help="turn a recording or typed transcript into a transcript, SOAP draft and referral letter",
        description=(
            "INPUT is an audio file (wav, flac, mp3, ogg, m4a) or a transcript text file with one turn per "
            "line ('D|…'/'P|…' or 'Doctor: …'/'Patient: …'). Writes transcript.json/.txt, note.json/.md and "
            "referral.pdf/.txt into DIR."
        ),
    )
    parser.add_argument("input", type=Path, metavar="INPUT")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--language", choices=LANGUAGES, default=None)
    parser.add_argument("--script", choices=SCRIPTS, default=None, help="Chinese script (default: hk)")
    parser.add_argument("--asr-model", default=None, metavar="NAME")
    parser.add_argument("--llm-model", default=None, metavar="NAME")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None)
    parser.add_argument("--n-gpu-layers", type=int, default=None, metavar="N", help="LLM layers on the GPU")
    parser.add_argument("--patient", type=Path, default=None, metavar="FILE", help="patient header JSON")
    parser.add_argument("--chief-complaint", default="", metavar="TEXT")
    parser.add_argument("--doctor", default=None, metavar="NAME", help="signing doctor for the letter")
    parser.add_argument("--registration", default=None, metavar="NO", help="doctor's registration number")
    parser.add_argument(
        "--lapel-channel",
        choices=("left", "right"),
        default=None,
        help="two-channel recording with the doctor's lapel microphone on this channel",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--force", action="store_true", help="replace DIR whole when it already holds files")
    parser.add_argument(
        "--store", default=None, metavar="DIR", help="also save into the encrypted store (with --user)"
    )
    parser.add_argument("--user", default=None, metavar="USER", help="save into the store as this account")
    parser.set_defaults(handler=run)


class StderrProgress:
    """One line per stage on stderr, updated in place on a terminal."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.stage = ""
        self.last = -1

    def __call__(self, stage: str, fraction: float) -> None:
        if self.quiet:
            return
        pct = int(fraction * 100)
        if stage != self.stage:
            if self.tty and self.stage:
                sys.stderr.write("\n")
            self.stage, self.last = stage, -1
        if pct == self.last or (not self.tty and pct not in (0, 100) and pct - self.last < 25):
            return
        self.last = pct
        line = f"[{pct:3d}%] {stage}"
        sys.stderr.write(("\r" + line) if self.tty else line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.stage and not self.quiet:
            sys.stderr.write("\n")


def build_settings(args: argparse.Namespace) -> Any:
    from desktop.config import load_settings

    settings = load_settings()
    if args.language:
        settings.asr.language = args.language
    if args.script:
        settings.asr.script = args.script
    if args.asr_model:
        settings.asr.model = args.asr_model
    if args.llm_model:
        settings.llm.model = args.llm_model
    if args.device:
        settings.asr.device = args.device
        if args.device == "cpu":
            settings.llm.n_gpu_layers = 0
    if args.n_gpu_layers is not None:
        settings.llm.n_gpu_layers = args.n_gpu_layers
    if args.doctor:
        settings.clinic.doctor_name = args.doctor
    if args.registration:
        settings.clinic.registration_no = args.registration
    if getattr(args, "lapel_channel", None):
        settings.audio.lapel_channel = args.lapel_channel
    settings.validate()
    return settings


def run(args: argparse.Namespace) -> int:
    from desktop import pipeline

    settings = build_settings(args)
    patient = pipeline.load_patient(args.patient)
    chief = args.chief_complaint or (_chief_from_patient_file(args.patient) if args.patient else "")
    progress = StderrProgress(args.quiet)
    cancel = threading.Event()
    store = _open_store(args)  # before the long job: a wrong password fails at once
    if store is not None:
        from desktop.config import apply_store_policy

        apply_store_policy(settings, store.policy())  # the clinic's letterhead kept in the store
    saver = _saver(store, patient)
    try:
        result = pipeline.process(
            args.input,
            args.out,
            settings,
            patient=patient,
            chief_complaint=chief,
            progress=progress,
            cancel=cancel,
            voice_profile=_voice_profile(store, args.user) if store is not None else None,
            force=args.force,
            sink=saver,
        )
        if saver is not None:
            _save_referral(saver, result.files)
            saved = saver.finish()
            print(f"Saved as consultation {saved.consultation_id} in the encrypted store.", file=sys.stderr)
    except BaseException as exc:
        if saver is not None:
            _keep_what_was_saved(saver, exc)
        raise
    finally:
        progress.close()
        if store is not None:
            store.close()
    if not args.quiet:
        flagged = f", {result.unsupported} statement fact(s) flagged" if result.unsupported else ""
        if result.checks is not None and not result.checks.clean:
            flagged += (
                f", {len(result.checks.contradictions)} contradiction(s) and "
                f"{len(result.checks.omissions)} omission(s) to review (consult-scribe check --from DIR)"
            )
        print(
            f"Wrote {len(result.files)} files to {result.out_dir} "
            f"({len(result.transcript.segments)} transcript segments{flagged}; "
            f"{result.timings.get('total_s', 0):.1f} s).",
            file=sys.stderr,
        )
    return 0


def _saver(store: Any, patient: Any) -> Any:
    if store is None:
        return None
    from desktop.storage.service import ConsultationSaver

    return ConsultationSaver(store, patient)


def _save_referral(saver: Any, files: list[Path]) -> None:
    from desktop.storage.service import LetterToSave

    for path in files:
        if path.name == "referral.txt":
            saver.letter(LetterToSave("referral", "en", {}, path.read_text(encoding="utf-8")))


def _keep_what_was_saved(saver: Any, exc: BaseException) -> None:
    """After a failure, the store keeps what it has; the record says whether it is whole."""
    from desktop.core.errors import Cancelled, UserFacingError

    if saver.consultation_id is None:
        return
    if saver.note_version is not None and isinstance(exc, UserFacingError):
        # Only writing the output folder failed: the consultation itself is complete in the store.
        saved = saver.finish()
        print(
            f"The consultation was saved in the encrypted store (consultation {saved.consultation_id}).",
            file=sys.stderr,
        )
        return
    if isinstance(exc, Cancelled | KeyboardInterrupt):
        reason = "the job was cancelled before the draft was made"
    else:
        reason = f"the job stopped early: {getattr(exc, 'message', type(exc).__name__)}"
    saver.fail(reason)
    print(
        f"What was done so far is kept in the encrypted store as consultation {saver.consultation_id}"
        " (marked incomplete).",
        file=sys.stderr,
    )


def _open_store(args: argparse.Namespace) -> Any:
    """The encrypted store for ``--store/--user`` (password from the terminal or stdin), or None."""
    if not args.store and not args.user:
        return None
    if not args.user:
        from desktop.core.errors import UsageError

        raise UsageError("--store needs --user: the account the consultation is saved under.")
    from desktop.commands.admin import open_store

    return open_store(args.store, args.user)


def _voice_profile(store: Any, username: str) -> Any:
    """The account's enrolled voice (Settings → My voice in the app), or None."""
    from desktop.asr.speakers.profile import load_profile
    from desktop.core.errors import UserFacingError

    try:
        return load_profile(store, username)
    except UserFacingError as exc:
        log.warning("voice profile not used: %s", type(exc).__name__)
        return None


def _chief_from_patient_file(path: Path) -> str:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(data.get("chief_complaint", "")) if isinstance(data, dict) else ""
