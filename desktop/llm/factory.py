"""The language model the settings ask for: one place that turns ``[llm]`` settings into a runtime."""

from __future__ import annotations

from collections.abc import Callable

from desktop.config import LlmSettings
from desktop.llm.runtime import LlamaRuntime
from desktop.model_store.installed import installed_models
from desktop.model_store.store import ModelStore


def llama_runtime(
    llm: LlmSettings,
    *,
    n_ctx: int | None = None,
    models: ModelStore | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> LlamaRuntime:
    """Assemble (first use) and load the language model named by the settings."""
    model_file = (models or installed_models()).ensure(llm.model, progress=progress)
    if progress is not None:
        progress("loading language model", 0.0)
    return LlamaRuntime(
        model_file,
        n_ctx=llm.n_ctx if n_ctx is None else n_ctx,
        n_gpu_layers=llm.n_gpu_layers,
        n_threads=llm.n_threads,
        name=llm.model,
    )
