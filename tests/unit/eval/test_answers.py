"""Model answers kept between evaluation runs are read back only for the same question."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, cast

from desktop.eval.answers import AnswerBook
from desktop.llm.runtime import GenerationStats, LlamaRuntime


class _Model:
    """Stands in for the llama.cpp runtime: answers with a counter, so a repeat is visible."""

    name = "test-model"

    def __init__(self) -> None:
        self.calls = 0
        self.last_stats = GenerationStats()

    def chat(
        self,
        messages: list[dict[str, str]],
        schema: Any = None,
        max_tokens: int = 1024,
        temperature: float = 0.1,
        on_token: Any = None,
        cancel: Any = None,
    ) -> str:
        self.calls += 1
        self.last_stats = GenerationStats(prompt_tokens=10 * self.calls, completion_tokens=self.calls)
        return f"answer {self.calls}"


def test_the_same_question_is_read_back_and_another_is_asked(tmp_path: Path) -> None:
    model = _Model()
    runtime = cast(LlamaRuntime, model)
    book = AnswerBook(tmp_path / "answers")
    book.attach(runtime)
    question = [{"role": "user", "content": "Plan?"}]
    assert runtime.chat(question, max_tokens=64) == "answer 1"
    assert runtime.chat([{"role": "user", "content": "Other?"}], max_tokens=64) == "answer 2"

    again = _Model()
    later = AnswerBook(tmp_path / "answers")
    later.attach(cast(LlamaRuntime, again))
    assert cast(LlamaRuntime, again).chat(question, max_tokens=64) == "answer 1"
    assert again.calls == 0 and again.last_stats.prompt_tokens == 10  # the kept figures come back
    assert cast(LlamaRuntime, again).chat(question, max_tokens=32) == "answer 1"  # another limit: asked
    assert again.calls == 1 and (later.reused, later.asked) == (1, 1)
    files = list((tmp_path / "answers").iterdir())
    assert len(files) == 3
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
