"""A decode that writes an earlier sentence of its prompt again is decoded once more without it."""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop.asr.filters import copies_earlier
from desktop.asr.streaming.decoder import WindowResult
from desktop.asr.streaming.policy import HypWord
from desktop.asr.streaming.recognizer import StreamingOptions, StreamingRecognizer
from desktop.core.audio import SAMPLE_RATE
from desktop.core.types import TranscriptSegment


def test_a_sentence_split_over_two_earlier_lines_is_recognised_as_copied() -> None:
    earlier = ["Do you have any fever", "or shortness of breath?"]
    assert copies_earlier("Do you have any fever or shortness of breath?", earlier)
    # one sentence of a longer text is enough
    assert copies_earlier("Yeah. Do you have any fever or shortness of breath?", earlier)


def test_other_sentences_and_short_repeats_are_not_copies() -> None:
    earlier = ["Do you have any fever or shortness of breath?", "Yes."]
    assert not copies_earlier("I have had a fever for two nights.", earlier)
    assert not copies_earlier("Yes.", earlier)
    assert not copies_earlier("Any fever?", earlier)  # under four words: people repeat short questions
    assert not copies_earlier("Do you have any fever or shortness of breath?", [])


class _ScriptedDecoder:
    """Writes the prompt's last sentence again when it has a prompt (the fault), the speech without."""

    model = None

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def decode(self, audio: np.ndarray, offset: float, language: str | None, **kwargs: Any) -> WindowResult:
        prompt = kwargs.get("prompt", "")
        self.prompts.append(prompt)
        text = "Do you have any fever or shortness of breath?" if prompt else "I had a fever two nights ago."
        words = [
            HypWord(offset + 0.3 * i, offset + 0.3 * i + 0.25, f" {w}") for i, w in enumerate(text.split())
        ]
        return WindowResult(words, text, "en", -0.2, 0.01, 1.1)


def test_the_live_recogniser_decodes_a_copying_window_again_without_its_prompt() -> None:
    decoder = _ScriptedDecoder()
    recognizer = StreamingRecognizer(None, StreamingOptions(language="en"), decoder=decoder)  # type: ignore[arg-type]
    recognizer._segments.append(
        TranscriptSegment(id="u1-1", start=0.0, end=2.0, text="Do you have any fever or shortness of breath?")
    )
    recognizer._base = 3 * SAMPLE_RATE  # the window starts after that line
    result = recognizer._decode(np.zeros(2 * SAMPLE_RATE, dtype=np.float32), final=True)
    assert result.text == "I had a fever two nights ago."
    assert decoder.prompts[0] and decoder.prompts[-1] == ""
    assert recognizer.stats.rejected["copied_context"] == 1


def test_a_window_that_does_not_copy_is_decoded_once() -> None:
    decoder = _ScriptedDecoder()
    recognizer = StreamingRecognizer(None, StreamingOptions(language="en"), decoder=decoder)  # type: ignore[arg-type]
    recognizer._segments.append(TranscriptSegment(id="u1-1", start=0.0, end=2.0, text="Good morning."))
    recognizer._base = 3 * SAMPLE_RATE
    recognizer._decode(np.zeros(2 * SAMPLE_RATE, dtype=np.float32), final=True)
    assert len(decoder.prompts) == 1
    assert not recognizer.stats.rejected["copied_context"]
