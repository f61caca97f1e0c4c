"""Chinese script conversion with OpenCC.

The clinic chooses one script for every transcript and document: ``hk`` (Traditional,
Hong Kong variant; the default), ``tw`` (Traditional, Taiwan) or ``cn`` (Simplified).
Latin-script words (English drug names, units) pass through unchanged.
"""

from __future__ import annotations

import functools
import re

# Traditional targets go through s2t first: it maps only Simplified characters, so
# Traditional input (including Cantonese 係, 咗, 喺) is never folded through Simplified
# and back, which would lose distinctions such as 係/系/繫.
_CONFIGS = {"hk": ("s2t", "t2hk"), "tw": ("s2t", "t2tw"), "cn": ("t2s",)}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=8)
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


class ScriptConverter:
    """Converts Chinese text to one script. Thread-safe (OpenCC converters are read-only)."""

    def __init__(self, script: str = "hk") -> None:
        if script not in _CONFIGS:
            raise ValueError(f"unknown script {script!r}; expected one of {sorted(_CONFIGS)}")
        self.script = script
        self._config = _CONFIGS[script]

    def convert(self, text: str) -> str:
        if not text or not _CJK.search(text):
            return text
        for config in self._config:
            text = str(_converter(config).convert(text))
        return text


def cjk_characters(text: str) -> list[str]:
    return _CJK.findall(text)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
