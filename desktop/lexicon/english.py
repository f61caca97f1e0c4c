"""Common English words, to tell an ordinary word from a drug name heard wrong.

The word list is the English frequency dictionary shipped in the PyPI package
``pyspellchecker`` (MIT; about 160,000 words counted in subtitles). Only its data file is read.
Every word in the list counts as common (the list starts at 50 occurrences): "reflux", "distal",
"bilaterally" and "opera" are; "sympathatin", "caribals" and most drug names are not.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import logging
from pathlib import Path

from desktop import paths

log = logging.getLogger(__name__)

PACKAGE = "spellchecker"
DATA_FILE = Path("resources") / "en.json.gz"
MIN_COUNT = 1


def _data_file() -> Path | None:
    bundled = paths.resource_root() / PACKAGE / DATA_FILE  # the frozen app carries the data file only
    if bundled.is_file():
        return bundled
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    found = Path(next(iter(spec.submodule_search_locations))) / DATA_FILE
    return found if found.is_file() else None


@functools.lru_cache(maxsize=4)
def common_english_words(min_count: int = MIN_COUNT) -> frozenset[str]:
    """Lower-case English words counted at least ``min_count`` times (empty without the package)."""
    path = _data_file()
    if path is None:
        log.warning(
            "the English word list (%s) is not installed: drug-name correction is more cautious", PACKAGE
        )
        return frozenset()
    try:
        counts = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError) as exc:
        log.warning("the English word list is unreadable (%s)", exc)
        return frozenset()
    return frozenset(str(w).lower() for w, n in counts.items() if isinstance(n, int) and n >= min_count)
