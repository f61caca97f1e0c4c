"""How many CPU threads llama.cpp may use.

llama.cpp's threads spin while they wait for each other, so more threads than free cores makes
generation many times slower (one answer took 2.0 s on one thread and 28.9 s on two while speech
recognition used the other core). While a consultation is recorded, speech recognition needs its
share: half the logical cores (the physical ones on most PCs). After Stop it has finished, and a
draft may use every physical core that is idle at that moment; one that another program keeps
busy is left alone.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

IDLE_BELOW_PERCENT = 30.0  # a logical core busier than this over the sample is taken
SAMPLE_S = 0.2


def shared_threads() -> int:
    """Threads while speech recognition runs beside the model: half the logical cores."""
    return max(1, (os.cpu_count() or 2) // 2)


def idle_threads(sample_s: float = SAMPLE_S) -> int:
    """Threads for work that has the machine to itself: the idle physical cores, never fewer
    than :func:`shared_threads` (without ``psutil``, that figure)."""
    floor = shared_threads()
    try:
        import psutil
    except ImportError:
        return floor
    logical = psutil.cpu_count() or os.cpu_count() or 2
    physical = psutil.cpu_count(logical=False) or max(1, logical // 2)
    busy = psutil.cpu_percent(interval=sample_s, percpu=True)
    idle_logical = sum(1 for p in busy if p < IDLE_BELOW_PERCENT)
    per_core = max(1, round(logical / physical))
    threads = max(floor, min(physical, idle_logical // per_core))
    log.info(
        "model threads: %d (%d of %d logical cores idle, %d physical)",
        threads,
        idle_logical,
        logical,
        physical,
    )
    return threads
