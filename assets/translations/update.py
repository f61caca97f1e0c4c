"""Refresh the Traditional Chinese UI translation.

Run from the repository root:  .venv/bin/python assets/translations/update.py
It extracts the UI strings (pyside6-lupdate), fills in the translations kept in zh_TW.json
(source text -> translation), and compiles the .qm the app loads (pyside6-lrelease).
Strings without a translation are reported and shown in English.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "consultscribe_zh_TW.ts"
QM = HERE / "consultscribe_zh_TW.qm"


def main() -> int:
    bindir = Path(sys.executable).parent
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "desktop" / "ui").rglob("*.py"))
    subprocess.run(
        [str(bindir / "pyside6-lupdate"), *sources, "-no-obsolete", "-ts", str(TS)], cwd=ROOT, check=True
    )
    table = json.loads((HERE / "zh_TW.json").read_text(encoding="utf-8"))
    tree = ET.parse(TS)
    root = tree.getroot()
    root.set("language", "zh_TW")
    missing = []
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        text = table.get(source)
        if text is None:
            missing.append(source)
            continue
        translation.attrib.pop("type", None)
        if message.get("numerus") == "yes":
            translation.text = None
            for child in list(translation):
                translation.remove(child)
            ET.SubElement(translation, "numerusform").text = text
        else:
            translation.text = text
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    subprocess.run([str(bindir / "pyside6-lrelease"), str(TS), "-qm", str(QM)], cwd=ROOT, check=True)
    for source in missing:
        print(f"untranslated: {source!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
