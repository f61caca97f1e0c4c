"""The speech engine the settings ask for: one place that turns ``[asr]`` settings into an engine."""

from __future__ import annotations

from collections.abc import Callable

from desktop.asr.engine import WhisperEngine
from desktop.config import AsrSettings
from desktop.model_store.installed import installed_models
from desktop.model_store.store import ModelStore


def whisper_engine(
    asr: AsrSettings,
    *,
    model: str | None = None,
    device: str | None = None,
    compute_type: str | None = None,
    threads: int | None = None,
    models: ModelStore | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> WhisperEngine:
    """Assemble (first use) and load the speech model; the keyword arguments override the settings."""
    name = model or asr.model
    model_dir = (models or installed_models()).ensure(name, progress=progress)
    if progress is not None:
        progress("loading speech model", 0.0)
    return WhisperEngine(
        model_dir,
        device=device or asr.device,
        compute_type=compute_type or asr.compute_type,
        cpu_threads=asr.cpu_threads if threads is None else threads,
        name=name,
    )
