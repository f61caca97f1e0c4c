"""The live recogniser's audio buffer grows in place and cuts out any span of the recording."""

from __future__ import annotations

import numpy as np

from desktop.asr.streaming.live import RATE, _AudioBuffer


def test_spans_survive_growth_past_the_first_minute() -> None:
    buf = _AudioBuffer()
    assert buf.span(0, 10).shape == (0,)
    blocks = [np.full((RATE, 2), k, dtype=np.float32) for k in range(75)]  # 75 s of two-channel audio
    for block in blocks:
        buf.append(block)
    whole = np.concatenate(blocks)
    assert np.array_equal(buf.span(0, len(whole)), whole)
    assert np.array_equal(buf.span(70 * RATE, 71 * RATE), blocks[70])
    assert buf.span(74 * RATE, 80 * RATE).shape == (RATE, 2)  # cut at what was recorded


def test_mono_blocks_stay_mono() -> None:
    buf = _AudioBuffer()
    buf.append(np.arange(5, dtype=np.float32))
    buf.append(np.arange(5, 8, dtype=np.float32))
    assert buf.span(3, 7).tolist() == [3.0, 4.0, 5.0, 6.0]
