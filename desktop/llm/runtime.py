"""The language model runtime: one GGUF model in llama.cpp (llama-cpp-python).

One caller at a time owns the model (the LLM worker thread in the app). Output can be
constrained to a JSON schema (compiled to a llama.cpp grammar), streamed token by token,
and cancelled between tokens. Layers are offloaded to the GPU when the build supports it
and ``n_gpu_layers`` asks for it; on a CPU-only build the same call runs on the CPU.

llama.cpp keeps the tokens it last read in its KV cache and reuses the longest prefix a new
prompt shares with them, so ``prefill`` can read the transcript while the consultation is
still going: at Stop only what was said since the last prefill is left to read.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.errors import Cancelled, ModelError
from desktop.llm.threads import shared_threads

log = logging.getLogger(__name__)

TokenFn = Callable[[str], None]


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float = 0.0
    total_s: float = 0.0
    # Prompt tokens llama.cpp took from its KV cache instead of reading them again.
    cached_prompt_tokens: int = 0

    @property
    def tokens_per_second(self) -> float:
        gen = self.total_s - self.first_token_s
        return self.completion_tokens / gen if gen > 0 else 0.0


@dataclass
class PrefillStats:
    prompt_tokens: int  # the whole prompt
    cached_tokens: int  # already in the KV cache before this prefill
    seconds: float

    @property
    def new_tokens(self) -> int:
        return max(0, self.prompt_tokens - self.cached_tokens)


def _common_prefix(a: Any, b: Any) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if int(x) != int(y):
            break
        n += 1
    return n


def gpu_offload_supported() -> bool:
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:
        return False


class LlamaRuntime:
    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 8192,
        n_gpu_layers: int = -1,
        n_threads: int = 0,
        seed: int = 1234,
        name: str = "",
    ) -> None:
        self.model_path = model_path
        self.name = name or model_path.stem
        if not model_path.exists():
            raise ModelError(
                f"The language model file {model_path} is missing.",
                "Run 'consult-scribe models list' and re-add the model.",
            )
        # llama.cpp threads spin while they wait (desktop.llm.threads): 0 lets the drafting
        # choose per job, half the logical cores while speech recognition shares the CPU.
        self.auto_threads = n_threads <= 0
        threads = n_threads if n_threads > 0 else shared_threads()
        self.n_threads_used = threads
        self.n_gpu_layers = n_gpu_layers if gpu_offload_supported() else 0
        try:
            from llama_cpp import Llama

            started = time.perf_counter()
            self._llm: Any = Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_gpu_layers=self.n_gpu_layers,
                n_threads=threads,
                n_threads_batch=threads,
                seed=seed,
                verbose=False,
            )
            self.load_seconds = time.perf_counter() - started
        except Exception as exc:
            raise ModelError(
                f"The language model '{self.name}' could not be loaded from {model_path}.",
                "Run 'consult-scribe models verify'; the file may be damaged or not a GGUF model.",
            ) from exc
        trained = int(self._llm.metadata.get("llama.context_length", n_ctx) or n_ctx)
        self.context_length = min(n_ctx, trained) if trained > 0 else n_ctx
        self.last_stats = GenerationStats()
        self._lock = threading.Lock()
        log.info(
            "loaded LLM %s (ctx %d, gpu layers %d) in %.2f s",
            self.name,
            self.context_length,
            self.n_gpu_layers,
            self.load_seconds,
        )

    def use_threads(self, threads: int) -> None:
        """Run the next answers on ``threads`` CPU threads (a fixed ``n_threads`` setting wins)."""
        if not self.auto_threads or threads == self.n_threads_used or threads < 1:
            return
        with self._lock:
            self._llm._ctx.set_n_threads(threads, threads)
            self.n_threads_used = threads

    def close(self) -> None:
        """Free the model now. Left to llama-cpp's ``__del__`` at interpreter exit, freeing fails
        with a TypeError traceback on stderr (its module globals are already gone)."""
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_message_tokens(self, messages: list[dict[str, str]]) -> int:
        # Chat templates add a handful of tokens per message around the content.
        return sum(self.count_tokens(m["content"]) + 8 for m in messages) + 8

    def chat(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.1,
        on_token: TokenFn | None = None,
        cancel: threading.Event | None = None,
    ) -> str:
        """Run one chat completion and return its text (JSON text when ``schema`` is given)."""
        grammar = None
        if schema is not None:
            from llama_cpp import LlamaGrammar

            grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        pieces: list[str] = []
        stats = GenerationStats()
        started = time.perf_counter()
        with self._lock:
            cached_before = self._cached_tokens()
            stream = self._llm.create_chat_completion(
                messages=messages,
                grammar=grammar,
                max_tokens=max_tokens,
                temperature=temperature,
                repeat_penalty=1.1,
                stream=True,
            )
            try:
                for chunk in stream:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if not delta:
                        continue
                    if not pieces:
                        stats.first_token_s = time.perf_counter() - started
                    pieces.append(delta)
                    stats.completion_tokens += 1
                    if on_token is not None:
                        on_token(delta)
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
            after = self._cached_tokens()
        stats.total_s = time.perf_counter() - started
        # The cache now holds the prompt followed by the answer (its last token maybe not yet read).
        prompt_len = max(0, len(after) - stats.completion_tokens)
        stats.prompt_tokens = prompt_len or self.count_message_tokens(messages)
        stats.cached_prompt_tokens = min(_common_prefix(cached_before, after), prompt_len)
        self.last_stats = stats
        return "".join(pieces)

    def prefill(self, messages: list[dict[str, str]]) -> PrefillStats:
        """Read ``messages`` into the KV cache now, so a later prompt that starts the same way
        only reads what follows. Costs the new tokens plus one generated token."""
        started = time.perf_counter()
        with self._lock:
            before = self._cached_tokens()
            self._llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0)
            after = self._cached_tokens()
        prompt_len = max(0, len(after) - 1)
        return PrefillStats(
            prompt_tokens=prompt_len,
            cached_tokens=min(_common_prefix(before, after), prompt_len),
            seconds=time.perf_counter() - started,
        )

    def forget(self) -> None:
        """Empty the KV cache: the next prompt is read from its first token."""
        with self._lock:
            self._llm.reset()

    def _cached_tokens(self) -> list[int]:
        """The token ids in llama.cpp's KV cache, in order."""
        n = int(getattr(self._llm, "n_tokens", 0) or 0)
        ids = getattr(self._llm, "input_ids", None)
        return [] if ids is None or n <= 0 else [int(t) for t in ids[:n]]
