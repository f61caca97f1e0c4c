from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from desktop.audio.resample import StreamResampler, to_mono


def _stream(resampler: StreamResampler, x: np.ndarray, sizes: list[int]) -> np.ndarray:
    out: list[np.ndarray] = []
    pos = 0
    for size in sizes:
        out.append(resampler.process(x[pos : pos + size]))
        pos += size
    out.append(resampler.process(x[pos:]))
    out.append(resampler.flush())
    return np.concatenate(out)


@pytest.mark.parametrize("rate_in", [44_100, 48_000, 22_050, 8_000, 32_000])
def test_block_boundaries_do_not_change_the_result(rate_in: int) -> None:
    rng = np.random.default_rng(rate_in)
    x = rng.standard_normal(rate_in * 2 + 17).astype(np.float32) * 0.1
    one_shot = _stream(StreamResampler(rate_in), x, [])
    sizes = list(rng.integers(1, 3000, size=60))
    blocked = _stream(StreamResampler(rate_in), x, sizes)
    assert len(one_shot) == len(blocked) == -(-len(x) * 16_000 // rate_in)
    np.testing.assert_allclose(blocked, one_shot, atol=1e-6)


@pytest.mark.parametrize("rate_in", [44_100, 48_000, 8_000])
def test_matches_scipy_resample_poly(rate_in: int) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(rate_in).astype(np.float64) * 0.1
    r = StreamResampler(rate_in)
    got = _stream(r, x.astype(np.float32), list(rng.integers(100, 2000, size=20)))
    expected = signal.resample_poly(x, r.up, r.down)
    assert len(got) == len(expected)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_sine_keeps_its_frequency_and_level() -> None:
    rate = 44_100
    t = np.arange(rate) / rate
    x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    y = _stream(StreamResampler(rate), x, [441] * 90)
    spectrum = np.abs(np.fft.rfft(y[2000:-2000]))
    freqs = np.fft.rfftfreq(len(y) - 4000, 1 / 16_000)
    assert abs(freqs[int(np.argmax(spectrum))] - 440) < 2
    assert np.sqrt(np.mean(y[2000:-2000] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_content_above_8khz_is_removed() -> None:
    rate = 48_000
    t = np.arange(rate) / rate
    x = (0.5 * np.sin(2 * np.pi * 12_000 * t)).astype(np.float32)  # would alias to 4 kHz
    y = _stream(StreamResampler(rate), x, [480] * 99)
    assert np.sqrt(np.mean(y[1000:-1000] ** 2)) < 0.01


def test_passthrough_at_16k() -> None:
    x = np.arange(1000, dtype=np.float32)
    r = StreamResampler(16_000)
    assert np.array_equal(np.concatenate([r.process(x[:300]), r.process(x[300:]), r.flush()]), x)


def test_to_mono_mixes_channels_and_scales_integers() -> None:
    stereo = np.array([[1.0, 0.0], [0.5, 0.5]], dtype=np.float32)
    assert to_mono(stereo).tolist() == [0.5, 0.5]
    ints = np.array([[16384], [-32768]], dtype=np.int16)
    assert to_mono(ints).tolist() == pytest.approx([0.5, -1.0], abs=1e-4)
