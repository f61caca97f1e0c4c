"""`consult-scribe models list|verify|add|remove`: the models this computer can use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("models", help="list, verify and add models")
    msub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    p = msub.add_parser("list", help="show known models and whether they are installed and usable")
    p.set_defaults(handler=_list)
    p = msub.add_parser("verify", help="re-check the SHA-256 of every installed model file")
    p.add_argument("name", nargs="?", help="one model (default: all installed)")
    p.set_defaults(handler=_verify)
    p = msub.add_parser(
        "add", help="install a clinic-supplied model: CTranslate2 folder, .gguf file or model pack"
    )
    p.add_argument("path", type=Path)
    p.add_argument("--name", default=None, help="name to select it by (default: from the file name)")
    p.set_defaults(handler=_add)
    p = msub.add_parser("pack", help="write an installed model as a verified pack file for other PCs")
    p.add_argument("name")
    p.add_argument("--out", type=Path, required=True, help="pack file, or a folder for NAME.tar")
    p.set_defaults(handler=_pack)
    p = msub.add_parser("remove", help="remove a clinic-added model")
    p.add_argument("name")
    p.set_defaults(handler=_remove)
    p = msub.add_parser(
        "prepare", help="assemble the embedded default models now (normally done on first use)"
    )
    p.set_defaults(handler=_prepare)


def _store() -> Any:
    from desktop.pipeline import model_store

    return model_store()


def _progress(label: str) -> Any:
    state = {"last": -1}

    def report(what: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if pct // 10 != state["last"] // 10 or pct == 100:
            state["last"] = pct
            print(f"[{pct:3d}%] {what or label}", file=sys.stderr)

    return report


def _size(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def _list(args: argparse.Namespace) -> int:
    store = _store()
    defaults = {store.default_name("asr"), store.default_name("llm")}
    print(f"Model folder: {store.models_dir}")
    print(f"{'name':40} {'role':5} {'format':12} {'size':>8}  {'state':10} note")
    for st in store.statuses():
        e = st.entry
        state = "ready" if st.installed and st.usable else ("available" if st.usable else "NOT USABLE")
        mark = " (default)" if e.name in defaults else ""
        print(
            f"{e.name + mark:40} {e.role:5} {e.format:12} {_size(e.total_size):>8}  {state:10} {st.problem}"
        )
    rec = store.recommended()
    if rec:
        print("\nRecommended for clinical use (install with 'consult-scribe models add'):")
        for r in rec:
            print(f"  {r['name']:28} {r['role']:5} {r.get('note', '')}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _store()
    entries = [store.entry(args.name)] if args.name else [s.entry for s in store.statuses() if s.installed]
    if not entries:
        print(
            "No models are installed yet; they are assembled on first use ('consult-scribe models prepare')."
        )
        return 0
    failed = 0
    for entry in entries:
        if not store.model_path(entry).exists():
            print(f"{entry.name}: not installed")
            failed += 1
            continue
        problem = store.verify(entry, _progress(f"verifying {entry.name}"))
        print(f"{entry.name}: {'OK' if not problem else 'FAILED - ' + problem}")
        failed += bool(problem)
    if failed:
        print(
            "Re-add damaged models with 'consult-scribe models add PATH --name NAME' "
            "(embedded ones are re-assembled with 'consult-scribe models prepare').",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _add(args: argparse.Namespace) -> int:
    store = _store()
    from desktop.model_store.packs import install_pack, is_pack

    if args.path.is_file() and is_pack(args.path):
        entry = install_pack(store, args.path, progress=_progress("installing pack"))
    else:
        entry = store.add(args.path, name=args.name, progress=_progress("adding"))
    print(f"Added {entry.role} model '{entry.name}' ({_size(entry.total_size)}), verified and recorded.")
    print(f"Select it in Settings, or use --{entry.role}-model {entry.name}.")
    return 0


def _pack(args: argparse.Namespace) -> int:
    from desktop.model_store.packs import pack_model

    path = pack_model(_store(), args.name, args.out, progress=_progress(f"packing {args.name}"))
    print(
        f"Wrote {path} ({_size(path.stat().st_size)}). Install it with 'consult-scribe models add {path.name}'."
    )
    return 0


def _remove(args: argparse.Namespace) -> int:
    _store().remove(args.name)
    print(f"Removed '{args.name}'.")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    store = _store()
    for role in ("asr", "llm"):
        name = store.default_name(role)
        path = store.ensure(name, progress=_progress(f"preparing {name}"))
        print(f"{name}: ready at {path}")
    return 0
