"""The app's drafter takes its limits from the settings (real SmolLM2, a short typed consultation)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from desktop.config import LlmSettings
from desktop.core.types import Patient, Transcript, TranscriptSegment
from desktop.services.adapters import LanguageModel, LlmDrafter


class _Store:
    def __init__(self, path: Path) -> None:
        self.path = path

    def ensure(self, name: str, progress: Any = None) -> Path:
        return self.path


def test_the_section_token_limit_comes_from_the_settings(llm_model_path: Path) -> None:
    settings = LlmSettings(max_tokens=48, n_threads=1, n_ctx=2048, prefill_seconds=0)
    model = LanguageModel(_Store(llm_model_path), settings)
    drafter = LlmDrafter(model)
    drafter.load()
    runtime = model.runtime
    limits: list[int] = []
    completions: list[int] = []
    chat = runtime.chat

    def spy(messages: list[dict[str, str]], **kw: Any) -> str:
        limits.append(kw["max_tokens"])
        text = chat(messages, **kw)
        completions.append(runtime.last_stats.completion_tokens)
        return text

    runtime.chat = spy
    transcript = Transcript(
        "en",
        [
            TranscriptSegment("s1", 0.0, 2.0, "What brings you in today?", speaker="doctor"),
            TranscriptSegment("s2", 2.5, 6.0, "I have had a cough for five days.", speaker="patient"),
        ],
    )
    note = drafter.draft(transcript, Patient(name="Chan Tai Man"), "cough", None, None, threading.Event())
    assert limits and set(limits) == {48}
    assert max(completions) <= 48
    assert note.chief_complaint
