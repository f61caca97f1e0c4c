"""Command-line entry point: ``consult-scribe``.

With no arguments it opens the desktop app. Sub-commands run the same engines headless:
process a recording, listen live, manage models, evaluate, benchmark, administer the
store, produce letters. Each sub-command lives in ``desktop/commands/`` and registers
itself here; heavy libraries are imported only by the command that needs them, so
``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.core.errors import Cancelled, ExitCode, UserFacingError

log = logging.getLogger(__name__)

COMMAND_MODULES = (
    "desktop.commands.process",
    "desktop.commands.models",
    "desktop.commands.evaluate",
    "desktop.commands.listen",
    "desktop.commands.bench",
    "desktop.commands.admin",
    "desktop.commands.records",
    "desktop.commands.letters",
    "desktop.commands.policy",
    "desktop.commands.intake",
    "desktop.commands.check",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="consult-scribe",
        description="Offline consultation scribe: transcript, SOAP draft and letters, on this computer only.",
    )
    parser.add_argument("--version", action="version", version=f"consult-scribe {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log details (never clinical text) to stderr"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a temporary store with the sample"
    )
    parser.add_argument(
        "--smoke-test", action="store_true", help="start headless, initialise everything, exit 0 when healthy"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import os

    # Everything the app writes (store, audio, exports, logs) is clinical or about it: owner only.
    previous_umask = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(previous_umask)  # callers in the same process (tests, embedding) keep their own


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from desktop import log as applog
    from desktop import paths

    applog.configure(
        level=logging.DEBUG if args.verbose else logging.INFO,
        log_dir=paths.logs_dir(),
        to_stderr=bool(args.verbose),
    )
    try:
        if args.command is None:
            from desktop.app import run_app

            return run_app(demo=args.demo, smoke_test=args.smoke_test)
        handler = args.handler
        return int(handler(args) or 0)
    except UserFacingError as exc:
        print(f"consult-scribe: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except Cancelled:
        print("consult-scribe: cancelled; nothing was written.", file=sys.stderr)
        return ExitCode.CANCELLED
    except KeyboardInterrupt:
        print("consult-scribe: interrupted.", file=sys.stderr)
        return ExitCode.CANCELLED


if __name__ == "__main__":
    sys.exit(main())
