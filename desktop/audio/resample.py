"""Streaming polyphase resampling to 16 kHz.

Microphones run at their own native rate (44.1 kHz, 48 kHz, ...). Speech recognition wants
16 kHz mono. :class:`StreamResampler` converts block by block with the same anti-aliasing
filter as :func:`scipy.signal.resample_poly` and keeps enough history between blocks that
the result does not depend on how the stream was cut into blocks: resampling a recording in
one go or in a thousand pieces gives the same samples. ``flush()`` returns the tail so that
the total output length is exactly ``ceil(n_in * up / down)``.
"""

from __future__ import annotations

import math

import numpy as np

from desktop.core.audio import SAMPLE_RATE as TARGET_RATE


class StreamResampler:
    """Resamples a stream of float32 mono blocks from ``rate_in`` to ``rate_out``.

    Not thread-safe: one thread feeds it (the recording thread, never the audio callback).
    """

    def __init__(self, rate_in: int, rate_out: int = TARGET_RATE) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive, got {rate_in} -> {rate_out}")
        g = math.gcd(int(rate_in), int(rate_out))
        self.rate_in = int(rate_in)
        self.rate_out = int(rate_out)
        self.up = self.rate_out // g
        self.down = self.rate_in // g
        self._passthrough = self.up == 1 and self.down == 1
        # The same low-pass design resample_poly uses: Kaiser window, cut-off at the lower Nyquist.
        max_rate = max(self.up, self.down)
        half_len = 10 * max_rate
        if self._passthrough:
            h = np.ones(1)
            half_len = 0
        else:
            from scipy import signal  # only when capture starts: keeps app start-up light

            h = signal.firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        delay = half_len  # group delay of the symmetric filter, in upsampled samples
        # Pad the front so the delay is a whole number of output steps: output m then reads
        # the filtered signal at upsampled position m*down + delay with integer indexing.
        extra = (-delay) % self.down
        self._h = np.concatenate([np.zeros(extra), h]).astype(np.float64)
        self._delay = delay + extra
        self._taps = len(self._h)
        self._buf = np.zeros(0, dtype=np.float64)
        self._b0 = 0  # global input index of _buf[0]; always a multiple of `down`
        self._n_in = 0  # input samples received
        self._m = 0  # next output index to produce
        self._flushed = False

    @property
    def samples_in(self) -> int:
        return self._n_in

    @property
    def samples_out(self) -> int:
        return self._m

    def expected_output(self, n_in: int) -> int:
        """Number of output samples a stream of ``n_in`` input samples resamples to."""
        return -(-n_in * self.up // self.down)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Resample one block; returns the output samples that are complete so far."""
        if self._flushed:
            raise RuntimeError("process() after flush()")
        x = np.asarray(block, dtype=np.float64).reshape(-1)
        self._n_in += len(x)
        if self._passthrough:
            self._m += len(x)
            return x.astype(np.float32)
        self._buf = np.concatenate([self._buf, x])
        return self._produce(available=self._n_in)

    def flush(self) -> np.ndarray:
        """The remaining output at the end of the stream (the signal is taken as silent after it)."""
        if self._flushed:
            return np.zeros(0, dtype=np.float32)
        self._flushed = True
        if self._passthrough:
            return np.zeros(0, dtype=np.float32)
        target = self.expected_output(self._n_in)
        pad = self._taps // self.up + 2 * self.down + 2
        self._buf = np.concatenate([self._buf, np.zeros(pad)])
        out = self._produce(available=self._n_in + pad, limit=target)
        return out

    def _produce(self, available: int, limit: int | None = None) -> np.ndarray:
        up, down, delay = self.up, self.down, self._delay
        # Output m needs upsampled position P = m*down + delay, i.e. input index floor(P/up).
        last_m = (available * up - 1 - delay) // down  # largest m with floor(P/up) <= available-1
        if limit is not None:
            last_m = min(last_m, limit - 1)
        if last_m < self._m:
            return np.zeros(0, dtype=np.float32)
        from scipy import signal

        y = signal.upfirdn(self._h, self._buf, up, down)
        # y[j] is the filtered signal at upsampled position b0*up + j*down.
        j0 = (self._m * down + delay - self._b0 * up) // down
        count = last_m - self._m + 1
        out = y[j0 : j0 + count]
        if len(out) < count:  # cannot happen with the history kept below; guard anyway
            out = np.concatenate([out, np.zeros(count - len(out))])
        self._m = last_m + 1
        # Keep the input the next output still needs, starting at a multiple of `down`.
        next_pos = self._m * down + delay
        first_needed = max(0, (next_pos - self._taps + 1) // up)
        keep_from = (first_needed // down) * down
        if keep_from > self._b0:
            self._buf = self._buf[keep_from - self._b0 :]
            self._b0 = keep_from
        return out.astype(np.float32)


def to_mono(block: np.ndarray) -> np.ndarray:
    """Mix a (frames, channels) or (frames,) block down to float32 mono."""
    arr = np.asarray(block)
    if arr.ndim == 2:
        arr = arr.mean(axis=1) if arr.shape[1] > 1 else arr[:, 0]
    if arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        arr = arr.astype(np.float32) / float(max(abs(info.min), info.max))
    return np.ascontiguousarray(arr, dtype=np.float32)


def level_dbfs(block: np.ndarray) -> float:
    """RMS level of a block in dBFS, floored at -90 (silence) for level meters."""
    arr = np.asarray(block, dtype=np.float32)
    rms = float(np.sqrt(np.mean(arr * arr))) if arr.size else 0.0
    return max(-90.0, 20.0 * float(np.log10(rms + 1e-9)))
