"""`consult-scribe policy show|keys|check FILE`: what IT pushed, and whether a policy file is valid."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from desktop.core.errors import UsageError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "policy", help="show the clinic policy in force, list policy keys, check a policy file"
    )
    psub = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    p = psub.add_parser("show", help="the effective settings, where each comes from, and which are locked")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_show)
    p = psub.add_parser("keys", help="every policy key with its default (Markdown table)")
    p.set_defaults(handler=_keys)
    p = psub.add_parser("check", help="validate a policy file before pushing it to PCs")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=_check)


def problems(data: Any) -> list[str]:
    """Everything wrong with a policy file's content (unknown keys, wrong types, bad locks)."""
    from desktop.config import LANGUAGES, NOTE_LANGUAGES, SCRIPTS, Settings

    if not isinstance(data, dict):
        return ["the file must hold a JSON object"]
    defaults = Settings()
    known: dict[str, Any] = {}
    for section in dataclasses.fields(defaults):
        value = getattr(defaults, section.name)
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                known[f"{section.name}.{f.name}"] = getattr(value, f.name)
    found: list[str] = []
    for section_name, values in data.items():
        if section_name == "locked":
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                found.append("'locked' must be a list of \"section.key\" names")
                continue
            found += [f"locked key '{v}' is not a setting" for v in values if v not in known]
            continue
        if not isinstance(values, dict) or not any(k.startswith(f"{section_name}.") for k in known):
            found.append(f"'{section_name}' is not a settings section")
            continue
        for key, value in values.items():
            name = f"{section_name}.{key}"
            if name not in known:
                found.append(f"'{name}' is not a setting")
                continue
            default = known[name]
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif isinstance(default, float):
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            else:
                ok = isinstance(value, str)
            if not ok:
                found.append(f"'{name}' must be a {type(default).__name__}, not {json.dumps(value)}")
    asr = data.get("asr", {}) if isinstance(data.get("asr"), dict) else {}
    if "language" in asr and asr["language"] not in LANGUAGES:
        found.append(f"'asr.language' must be one of {', '.join(LANGUAGES)}")
    if "script" in asr and asr["script"] not in SCRIPTS:
        found.append(f"'asr.script' must be one of {', '.join(SCRIPTS)}")
    note = data.get("note", {}) if isinstance(data.get("note"), dict) else {}
    if "language" in note and note["language"] not in NOTE_LANGUAGES:
        found.append(f"'note.language' must be one of {', '.join(NOTE_LANGUAGES)}")
    return found


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path} does not exist.", "Give the path of the policy file.") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path} is not valid JSON (line {exc.lineno}).", "Fix the file and check it again."
        ) from exc


def _check(args: argparse.Namespace) -> int:
    found = problems(_read(args.file))
    for problem in found:
        print(f"{args.file}: {problem}")
    if found:
        raise UsageError(
            f"{args.file} has {len(found)} problem(s).", "Fix them before pushing the policy to PCs."
        )
    print(f"{args.file}: OK")
    return 0


def _keys(args: argparse.Namespace) -> int:
    print(markdown_table())
    return 0


def markdown_table() -> str:
    from desktop.config import describe

    lines = ["| Key | Default | Meaning |", "| --- | --- | --- |"]
    for key, default, description in describe():
        lines.append(f"| `{key}` | `{default}` | {description.replace('|', '/')} |")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    from desktop import paths
    from desktop.config import load_settings

    policy_path = paths.system_policy_file()
    user_path = paths.user_config_file()
    policy = _read(policy_path) if policy_path.exists() else {}
    user = _read(user_path) if user_path.exists() else {}
    settings = load_settings()
    rows = []
    for section in dataclasses.fields(settings):
        values = getattr(settings, section.name)
        if not dataclasses.is_dataclass(values):
            continue
        for f in dataclasses.fields(values):
            name = f"{section.name}.{f.name}"
            locked = name in settings.locked
            if locked or f.name in (policy.get(section.name) or {}):
                source = "policy"
            elif f.name in (user.get(section.name) or {}):
                source = "user"
            else:
                source = "default"
            rows.append({"key": name, "value": getattr(values, f.name), "source": source, "locked": locked})
    if args.json:
        print(
            json.dumps(
                {"policy_file": str(policy_path), "user_file": str(user_path), "settings": rows}, indent=2
            )
        )
        return 0
    print(f"Policy file: {policy_path} ({'found' if policy_path.exists() else 'none'})")
    print(f"User file:   {user_path} ({'found' if user_path.exists() else 'none'})")
    for row in rows:
        lock = " [locked]" if row["locked"] else ""
        print(f"  {row['key']:28} = {json.dumps(row['value'], ensure_ascii=False):30} {row['source']}{lock}")
    found = problems(policy) if policy_path.exists() else []
    for problem in found:
        print(f"policy problem: {problem}")
    return 1 if found else 0
