"""Model answers kept between evaluation runs, so the drafting around the model can be measured
again without asking the model again.

``eval notes --answers DIR`` wraps the runtime's ``chat``: each answer is stored under the hash of
everything that decides it (model, messages, schema, token limit, temperature) and read back when
a later run asks the same question. What the drafting does with the answers (repairs, filling,
links, flags) is the app's code, run anew each time; the times of a run that read answers back
are not drafting times.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop.core.files import atomic_write
from desktop.llm.runtime import GenerationStats, LlamaRuntime, TokenFn


def answer_key(
    model: str, messages: list[dict[str, str]], schema: Any, max_tokens: int, temperature: float
) -> str:
    blob = json.dumps(
        {
            "model": model,
            "messages": messages,
            "schema": schema,
            "max_tokens": max_tokens,
            "temperature": temperature,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerBook:
    """Counts what was read back (``reused``) and what the model was asked (``asked``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.reused = 0
        self.asked = 0

    def attach(self, runtime: LlamaRuntime) -> None:
        """Route ``runtime.chat`` through the book."""
        ask = runtime.chat

        def chat(
            messages: list[dict[str, str]],
            schema: dict[str, Any] | None = None,
            max_tokens: int = 1024,
            temperature: float = 0.1,
            on_token: TokenFn | None = None,
            cancel: threading.Event | None = None,
        ) -> str:
            path = self.folder / f"{answer_key(runtime.name, messages, schema, max_tokens, temperature)}.json"
            if path.exists():
                kept = json.loads(path.read_text(encoding="utf-8"))
                runtime.last_stats = GenerationStats(**kept["stats"])
                self.reused += 1
                return str(kept["answer"])
            answer = ask(messages, schema, max_tokens, temperature, on_token, cancel)
            self.asked += 1
            record = {"answer": answer, "stats": asdict(runtime.last_stats)}
            atomic_write(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))
            return answer

        setattr(runtime, "chat", chat)  # noqa: B010 - an instance attribute shadows the method
