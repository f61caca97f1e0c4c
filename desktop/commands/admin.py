"""`consult-scribe admin …`: create the encrypted store, manage accounts, keys, policy and the audit log.

Passwords are never taken from the command line or the environment: from the terminal
(hidden) when there is one, otherwise one per line from standard input, in the order each
command documents.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from desktop.core.errors import ExitCode, StoreDamagedError, UsageError
from desktop.core.permissions import ROLES


def read_password(prompt: str, *, confirm: bool = False, stream: TextIO | None = None) -> str:
    """One password: hidden prompt on a terminal, else the next line of standard input."""
    source = stream if stream is not None else sys.stdin
    interactive = source.isatty() if hasattr(source, "isatty") else False
    if interactive:
        value = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass(f"{prompt} (again): ") != value:
            raise UsageError("The two passwords differ.", "Run the command again.")
        return value
    value = _line(source, prompt)
    if confirm and _line(source, prompt + " (again)") != value:
        raise UsageError("The two passwords given on standard input differ.", "Give the new password twice.")
    return value


def _line(source: TextIO, what: str) -> str:
    line = source.readline()
    if not line:
        raise UsageError(
            f"Standard input ended before the {what.lower()} was given.",
            "Give each password on its own line, in the order the command documents.",
        )
    return line.rstrip("\r\n")


def resolve_store_dir(value: str | None) -> Path:
    """``--store`` if given, else the clinic policy's location, else the user data folder."""
    if value:
        return Path(value).expanduser()
    from desktop import paths
    from desktop.config import load_settings

    policy_dir = load_settings().policy.store_dir
    return Path(policy_dir).expanduser() if policy_dir else paths.default_store_dir()


def add_store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="store folder (default: the clinic policy's, else the user data folder)",
    )


def open_store(store_arg: str | None, username: str, prompt: str = "Password") -> Any:
    from desktop.storage import Store

    directory = resolve_store_dir(store_arg)
    Store.check_exists(directory)  # say "no store here" before asking for a password
    return Store.open(directory, username, read_password(f"{prompt} for {username}"))


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "admin", help="create the encrypted store; manage accounts, keys, policy, audit log, retention"
    )
    cmds = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    p = cmds.add_parser(
        "init", help="create the store and its first administrator (prints the recovery key once)"
    )
    add_store_arg(p)
    p.add_argument("--admin", required=True, metavar="USER", help="the first administrator's user name")
    p.add_argument("--name", default="", help="the administrator's display name")
    p.set_defaults(handler=_init)

    p = _admin_action(
        cmds, "add-user", help="add an account (stdin: administrator's password, then the new password twice)"
    )
    p.add_argument("--user", required=True)
    p.add_argument(
        "--role",
        action="append",
        required=True,
        choices=ROLES,
        help="repeat for two roles",
    )
    p.add_argument("--name", required=True, help="display name, e.g. 'Dr Wong Ka Yan'")
    p.add_argument("--registration", default="", metavar="NO", help="registration number (doctors)")
    p.set_defaults(handler=_add_user)

    p = cmds.add_parser(
        "passwd",
        help="change a password (stdin: current password, new twice; with --as: admin's, new twice;"
        " with --recovery: recovery key, new twice)",
    )
    add_store_arg(p)
    p.add_argument("--user", required=True)
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--as", dest="as_user", metavar="ADMIN", help="reset another account's password as ADMIN"
    )
    group.add_argument("--recovery", action="store_true", help="reset with the recovery key printed at setup")
    p.set_defaults(handler=_passwd)

    _add_store_actions(cmds)


def _add_store_actions(cmds: Any) -> None:
    """Keys, verification, backups, salvage, audit export, retention, policy, keyring, bench."""
    _admin_action(
        cmds, "rekey", help="rotate the database key (close the app on every PC first)", handler=_rekey
    )

    _admin_action(
        cmds,
        "verify-audit",
        help="check the audit log's hash chain (exit 5 if it was altered)",
        handler=_verify_audit,
    )

    _admin_action(
        cmds,
        "verify-store",
        help="check every database page and audio chunk (exit 5 if damaged)",
        handler=_verify_store,
    )

    p = _admin_action(cmds, "backup", help="a verified copy of the whole store into an empty folder")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="an empty folder (another disk)")
    p.set_defaults(handler=_backup)

    p = cmds.add_parser(
        "salvage",
        help="read what is intact out of a damaged store, without changing it (stdin: the password,"
        " or with --recovery the recovery key)",
    )
    add_store_arg(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--as", dest="as_user", metavar="ADMIN", help="unlock with this account's password")
    who.add_argument("--recovery", action="store_true", help="unlock with the recovery key")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="an empty folder for what is saved")
    p.set_defaults(handler=_salvage)

    p = _admin_action(cmds, "export-audit", help="write the audit log as CSV")
    p.add_argument("--csv", required=True, metavar="FILE", help="output file, or - for standard output")
    p.set_defaults(handler=_export_audit)

    p = _admin_action(cmds, "purge", help="destroy recordings older than the retention period")
    p.add_argument("--older-than", type=int, metavar="DAYS", help="override the policy's retention_days")
    p.set_defaults(handler=_purge)

    p = _admin_action(cmds, "policy", help="show or change the clinic policy kept in the store")
    p.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="e.g. retention_days=2555")
    p.set_defaults(handler=_policy)

    p = cmds.add_parser(
        "keyring",
        help="let an account sign in on this PC from the system keyring, or stop it (stdin: its password)",
    )
    add_store_arg(p)
    p.add_argument("--user", required=True)
    switch = p.add_mutually_exclusive_group(required=True)
    switch.add_argument("--on", action="store_true", help="keep the sign-in in this PC's keyring")
    switch.add_argument("--off", action="store_true", help="remove it from this PC's keyring")
    p.set_defaults(handler=_keyring)

    p = cmds.add_parser("bench-store", help="measure open time, journal throughput and size per hour")
    p.add_argument("--out", default="", metavar="JSON", help="also save the figures here")
    p.add_argument("--minutes", type=float, default=10.0, help="minutes of audio to write (default 10)")
    p.add_argument(
        "--audio", default="", metavar="WAV", help="a recording to loop (default: synthetic speech)"
    )
    p.set_defaults(handler=_bench)


def _admin_action(
    cmds: Any, name: str, help: str, handler: Callable[[argparse.Namespace], int] | None = None
) -> argparse.ArgumentParser:
    """An action an administrator runs on the store: ``--store DIR --as ADMIN``."""
    p: argparse.ArgumentParser = cmds.add_parser(name, help=help)
    add_store_arg(p)
    p.add_argument("--as", dest="as_user", required=True, metavar="ADMIN")
    if handler is not None:
        p.set_defaults(handler=handler)
    return p


def _init(args: argparse.Namespace) -> int:
    from desktop.storage import Store

    directory = resolve_store_dir(args.store)
    password = read_password(f"New password for {args.admin}", confirm=True)
    store, recovery = Store.create(directory, args.admin, password, display_name=args.name or args.admin)
    store.close()
    print(f"Created the encrypted record store in {directory} with administrator {args.admin}.")
    print("Recovery key (shown once; print it and keep it locked away, it can unlock the store):")
    print(f"  {recovery}")
    return ExitCode.OK


def _add_user(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        password = read_password(f"New password for {args.user}", confirm=True)
        user = store.add_user(args.user, password, args.role, args.name, args.registration)
    print(f"Added {user.username} ({', '.join(sorted(user.roles))}).")
    return ExitCode.OK


def _passwd(args: argparse.Namespace) -> int:
    from desktop.storage import Store

    directory = resolve_store_dir(args.store)
    if args.recovery:
        key = read_password("Recovery key")
        new = read_password(f"New password for {args.user}", confirm=True)
        Store.open_with_recovery(directory, key, args.user, new).close()
    elif args.as_user:
        with open_store(args.store, args.as_user) as store:
            store.set_password(args.user, read_password(f"New password for {args.user}", confirm=True))
    else:
        current = read_password(f"Current password for {args.user}")
        new = read_password(f"New password for {args.user}", confirm=True)
        with Store.open(directory, args.user, current) as store:
            store.set_password(args.user, new, old_password=current)
    print(f"The password of {args.user} was changed.")
    return ExitCode.OK


def _rekey(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        store.rekey()
    print("The database key was replaced; every account and the recovery key still unlock the store.")
    return ExitCode.OK


def _verify_audit(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        report = store.verify_audit()
    if report.ok:
        print(f"The audit log is intact ({report.entries} entries).")
        return ExitCode.OK
    print(f"The audit log has {len(report.problems)} problem(s) in {report.entries} entries:")
    for problem in report.problems:
        print(f"  {problem}")
    raise StoreDamagedError(
        f"The audit log was altered: {report.problems[0]}.",
        "Keep this store as evidence and contact support.",
    )


def _verify_store(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        problems = store.check_integrity()
    if not problems:
        print("The database and every recording passed their integrity checks.")
        return ExitCode.OK
    for problem in problems:
        print(f"  {problem}")
    raise StoreDamagedError(
        f"The store is damaged: {problems[0]}.", "Restore the damaged files from the latest backup."
    )


def _backup(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        counts = store.backup(args.out)
    print(
        f"Backed up the store to {args.out} and checked the copy ({counts.get('consultations', 0)}"
        f" consultations, {counts.get('audit', 0)} audit entries). Keep it on another disk; the"
        " recovery key or an administrator's password opens it."
    )
    return ExitCode.OK


def _salvage(args: argparse.Namespace) -> int:
    from desktop.storage.salvage import salvage

    directory = resolve_store_dir(args.store)
    if args.recovery:
        report = salvage(directory, args.out, recovery_key=read_password("Recovery key"))
    else:
        password = read_password(f"Password for {args.as_user}")
        report = salvage(directory, args.out, username=args.as_user, password=password)
    rows = sum(report.tables.values())
    print(
        f"Saved {rows} rows from {len(report.tables)} tables and {len(report.recordings)} recordings to {args.out}."
    )
    for page in report.damaged_pages:
        print(f"  damaged: {page}")
    for table, lost in report.unreadable.items():
        print(f"  {table}: " + ("could not be read" if lost < 0 else f"{lost} row(s) could not be read"))
    for name, gaps in report.recording_gaps.items():
        print(f"  recording {name}: {'; '.join(gaps)}")
    damaged = report.damaged_pages or report.unreadable or report.recording_gaps
    return ExitCode.STORE_DAMAGED if damaged else ExitCode.OK


def _export_audit(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        if args.csv == "-":
            count = store.export_audit_csv(sys.stdout)
        else:
            with open(args.csv, "w", encoding="utf-8", newline="") as fh:
                count = store.export_audit_csv(fh)
    if args.csv != "-":
        print(f"Wrote {count} audit entries to {args.csv}.")
    return ExitCode.OK


def _purge(args: argparse.Namespace) -> int:
    with open_store(args.store, args.as_user) as store:
        purged = store.purge(args.older_than)
    print(f"Destroyed the audio of {len(purged)} consultation(s).")
    return ExitCode.OK


def _policy(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    for item in args.set:
        key, sep, raw = item.partition("=")
        if not sep:
            raise UsageError(f"'{item}' is not KEY=VALUE.", "For example: --set retention_days=2555")
        try:
            changes[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            changes[key.strip()] = raw
    with open_store(args.store, args.as_user) as store:
        if changes:
            store.set_policy(**changes)
        print(json.dumps(store.policy(), indent=2, ensure_ascii=False))
    return ExitCode.OK


def _keyring(args: argparse.Namespace) -> int:
    """Single-user PCs only, and only where the clinic policy's ``keyring_unlock`` allows it."""
    password = read_password(f"Password for {args.user}")
    from desktop.storage import Store

    directory = resolve_store_dir(args.store)
    Store.check_exists(directory)
    with Store.open(directory, args.user, password) as store:
        if args.on:
            store.enable_keyring_unlock(password)
            print(f"{args.user} can now sign in on this computer without typing the password.")
        elif store.disable_keyring_unlock():
            print(f"{args.user}'s sign-in was removed from this computer's keyring.")
        else:
            print(f"This computer's keyring held no sign-in for {args.user}.")
    return ExitCode.OK


def _bench(args: argparse.Namespace) -> int:
    from desktop.eval import store_bench as bench

    figures = bench.run(
        minutes=args.minutes,
        audio=Path(args.audio) if args.audio else None,
        out=Path(args.out) if args.out else None,
    )
    print(bench.format_table(figures))
    return ExitCode.OK
