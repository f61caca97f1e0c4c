"""Sign-in throttling: a growing wait after wrong passwords, per account and for the whole store.

Failed attempts cannot be written into the encrypted database (nobody is signed in), so they
are counted in ``sign-in-throttle.json`` beside it. The file holds no names in clear (accounts
are keyed by a hash) and a sequence number that only grows: every failure adds one, and the
database keeps the last number it has seen. A sign-in that finds the number lower than the
database's (the file was deleted or rolled back), or failures counted that never reached the
audit log (the sealed ``sign-in-failures`` file was deleted), writes that into the audit log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.storage.keyfile import atomic_write

log = logging.getLogger(__name__)

THROTTLE_FILE = "sign-in-throttle.json"
FREE_ATTEMPTS = 3  # wrong passwords allowed before any wait
MAX_WAIT_S = 300.0
STORE_WINDOW_S = 15 * 60  # failures on all accounts within this window count together
STORE_LIMIT = 20  # then everyone waits STORE_WAIT_S
STORE_WAIT_S = 60.0

clock: Callable[[], float] = time.time  # replaced in tests


@dataclass
class Throttle:
    seq: int
    accounts: dict[str, dict[str, float]]
    recent: list[float]  # times of recent failures on any account

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "accounts": self.accounts, "recent": self.recent}


def _account_key(store_id: str, username: str) -> str:
    return hashlib.sha256(f"{store_id}\0{username.casefold()}".encode()).hexdigest()[:24]


def load(directory: Path) -> Throttle | None:
    """The throttle file, or None when it is missing or unreadable."""
    try:
        data = json.loads((directory / THROTTLE_FILE).read_text(encoding="utf-8"))
        return Throttle(
            int(data["seq"]),
            {
                str(k): {"failures": float(v["failures"]), "last": float(v["last"])}
                for k, v in data["accounts"].items()
            },
            [float(t) for t in data.get("recent", [])],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save(directory: Path, throttle: Throttle) -> None:
    try:
        atomic_write(directory / THROTTLE_FILE, json.dumps(throttle.to_json()).encode("utf-8"))
    except OSError:
        log.warning("could not update the sign-in throttle file (read-only store folder?)")


def wait_seconds(directory: Path, store_id: str, username: str) -> float:
    """How long ``username`` must wait before the next attempt (0 when free to try)."""
    throttle = load(directory)
    if throttle is None:
        return 0.0
    now = clock()
    wait = 0.0
    entry = throttle.accounts.get(_account_key(store_id, username))
    if entry is not None and entry["failures"] > FREE_ATTEMPTS:
        delay = min(MAX_WAIT_S, 2.0 ** (entry["failures"] - FREE_ATTEMPTS))
        wait = max(wait, entry["last"] + delay - now)
    recent = [t for t in throttle.recent if now - t < STORE_WINDOW_S]
    if len(recent) >= STORE_LIMIT:
        wait = max(wait, recent[-1] + STORE_WAIT_S - now)
    return max(0.0, wait)


def record_failure(directory: Path, store_id: str, username: str) -> None:
    throttle = load(directory) or Throttle(0, {}, [])
    now = clock()
    key = _account_key(store_id, username)
    entry = throttle.accounts.setdefault(key, {"failures": 0.0, "last": now})
    entry["failures"] += 1
    entry["last"] = now
    throttle.seq += 1
    throttle.recent = [*[t for t in throttle.recent if now - t < STORE_WINDOW_S][-STORE_LIMIT:], now]
    _save(directory, throttle)


def record_success(directory: Path, store_id: str, username: str) -> int:
    """Clear the account's count; returns the sequence number (0 when the file was missing)."""
    throttle = load(directory)
    if throttle is None:
        _save(directory, Throttle(0, {}, []))
        return 0
    if throttle.accounts.pop(_account_key(store_id, username), None) is not None:
        _save(directory, throttle)
    return throttle.seq


def create(directory: Path) -> None:
    _save(directory, Throttle(0, {}, []))


def restore(directory: Path, seq: int) -> None:
    """Put the sequence back to what the database has seen (after a deletion was audited)."""
    throttle = load(directory) or Throttle(0, {}, [])
    throttle.seq = seq
    _save(directory, throttle)


def describe_wait(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min"
