"""繁體中文: every string of the app's own text is translated, and every user-visible string is
wrapped for translation (``self.tr``/``translate``), so none stays English in the Chinese interface."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "assets" / "translations" / "consultscribe_zh_TW.ts"
UI = ROOT / "desktop" / "ui"

# Widgets whose first argument is shown, and methods whose (first) string argument is shown.
SHOWN_CONSTRUCTORS = {"QLabel", "QPushButton", "QCheckBox", "QAction", "QGroupBox", "QRadioButton"}
SHOWN_METHODS = {
    "setText",
    "setToolTip",
    "setPlaceholderText",
    "setWindowTitle",
    "setTitle",
    "setSubTitle",
    "addTab",
    "addRow",
    "addItem",
    "addMenu",
    "showMessage",
    "setSpecialValueText",
    "set_banner",
}
# Shown as they are in every language: the product's name, language names written in themselves.
UNTRANSLATED = {"ConsultScribe", "English", "繁體中文", "廣東話", "CPU", "GPU (CUDA)", "auto"}


def _letters(text: str) -> bool:
    return any(c.isalpha() for c in text) and text.strip() not in UNTRANSLATED


def _literal_text(node: ast.AST) -> str:
    """The literal text of a str constant or of an f-string's fixed parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return ""


def _plain(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", text)  # markup is not words


def test_every_string_in_the_translation_is_finished() -> None:
    root = ET.parse(TS).getroot()
    unfinished = []
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        text = "".join(translation.itertext()) if translation is not None else ""
        if translation is None or translation.get("type") in ("unfinished", "obsolete") or not text.strip():
            unfinished.append(source)
    assert unfinished == [], (
        f"{len(unfinished)} untranslated (run assets/translations/update.py): {unfinished[:10]}"
    )


def test_every_shown_string_is_wrapped_for_translation() -> None:
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name not in SHOWN_CONSTRUCTORS and name not in SHOWN_METHODS:
                continue
            args = node.args[:1]  # the text (addItem and addRow: the shown part comes first)
            for arg in args:
                text = _plain(_literal_text(arg))
                if _letters(text):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text.strip()[:50]!r}")
    assert offenders == [], "not wrapped in self.tr(): " + "; ".join(offenders)
