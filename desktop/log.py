"""Logging set-up. Logs carry sizes, durations and ids, never transcript or note text."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def configure(level: int = logging.INFO, log_dir: Path | None = None, to_stderr: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                log_dir / "consult-scribe.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(fmt)
            root.addHandler(handler)
        except OSError:
            pass  # a read-only or full disk must not stop the app; stderr still works
    if to_stderr:
        handler = logging.StreamHandler()
        handler.setFormatter(fmt)
        root.addHandler(handler)
    # Third-party libraries are chatty at INFO and some print recognised text at DEBUG.
    for noisy in ("faster_whisper", "llama_cpp", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
