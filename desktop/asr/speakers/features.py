"""Acoustic features of a voice: MFCC statistics, pitch (YIN) and spectral shape.

Everything here is plain numpy on 16 kHz mono float32 audio. One call works on one utterance
(a VAD segment of a few seconds) in a few milliseconds, so it can run on every final segment
of the live transcript.

The frame-level features are summarised as *sufficient statistics* (frame counts, sums and
sums of squares). Statistics of several utterances add up exactly, which is how a speaker
model grows as the consultation goes on, and how the enrolment profile is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core.audio import SAMPLE_RATE

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
NFFT = 512
N_MELS = 40
N_CEPS = 20  # c0 .. c19; c0 (level) is used to find speech frames, c1..c19 describe the voice
F0_MIN = 60.0
F0_MAX = 420.0
PITCH_STEP = 2  # frames between pitch estimates
YIN_WINDOW = 480  # 30 ms: at least two periods of the lowest pitch the app expects


def _hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def _mel_filterbank(n_mels: int = N_MELS, nfft: int = NFFT, sr: int = SAMPLE_RATE) -> np.ndarray:
    low, high = _hz_to_mel(60.0), _hz_to_mel(7600.0)
    mel_points = np.linspace(float(low), float(high), n_mels + 2)
    bins = _mel_to_hz(mel_points) * nfft / sr
    freqs = np.arange(nfft // 2 + 1, dtype=np.float64)
    bank = np.zeros((n_mels, nfft // 2 + 1))
    for i in range(n_mels):
        left, centre, right = bins[i], bins[i + 1], bins[i + 2]
        rising = (freqs - left) / max(centre - left, 1e-9)
        falling = (right - freqs) / max(right - centre, 1e-9)
        bank[i] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def _dct_matrix(n_out: int = N_CEPS, n_in: int = N_MELS) -> np.ndarray:
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    mat = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    mat[0] /= np.sqrt(2.0)
    return mat


_MEL = _mel_filterbank()
_DCT = _dct_matrix()
_WINDOW = np.hamming(FRAME)
_FREQS = np.fft.rfftfreq(NFFT, 1.0 / SAMPLE_RATE)


def _frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    if len(x) < size:
        x = np.pad(x, (0, size - len(x)))
    count = 1 + (len(x) - size) // hop
    return np.lib.stride_tricks.sliding_window_view(x, size)[::hop][:count]


@dataclass
class FrameFeatures:
    """Per-frame features of one utterance (10 ms hop)."""

    mfcc: np.ndarray  # (frames, N_CEPS - 1): c1..c19
    level_db: np.ndarray  # (frames,)
    speech: np.ndarray  # (frames,) bool
    log_f0: np.ndarray  # (frames,) natural log of F0 in Hz, NaN where unvoiced
    centroid: np.ndarray  # (frames,) spectral centroid in kHz

    @property
    def speech_seconds(self) -> float:
        return float(self.speech.sum()) * HOP / SAMPLE_RATE


def frame_features(samples: np.ndarray) -> FrameFeatures:
    """MFCC, level, speech mask, pitch and spectral centroid for each 10 ms frame."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if len(x) == 0:
        empty = np.zeros(0)
        return FrameFeatures(np.zeros((0, N_CEPS - 1)), empty, empty.astype(bool), empty, empty)
    emphasised = np.append(x[0], x[1:] - 0.97 * x[:-1])
    frames = _frames(emphasised, FRAME, HOP) * _WINDOW
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2 / NFFT
    mel = np.log(power @ _MEL.T + 1e-10)
    ceps = mel @ _DCT.T
    raw = _frames(x, FRAME, HOP)
    level_db = 10.0 * np.log10(np.mean(raw**2, axis=1) + 1e-12)
    speech = _speech_mask(level_db)
    total = power.sum(axis=1) + 1e-12
    centroid = (power @ _FREQS) / total / 1000.0
    log_f0 = _yin_log_f0(x, len(level_db))
    log_f0[~speech] = np.nan
    return FrameFeatures(ceps[:, 1:], level_db, speech, log_f0, centroid)


def _speech_mask(level_db: np.ndarray) -> np.ndarray:
    if len(level_db) == 0:
        return np.zeros(0, dtype=bool)
    peak = float(np.percentile(level_db, 98))
    floor = float(np.percentile(level_db, 5))
    # Frames within 35 dB of the loud part and clearly above the quietest part; absolute floor
    # for digital silence.
    threshold = max(peak - 35.0, floor + 6.0, -75.0)
    mask: np.ndarray = level_db > threshold
    if peak - floor < 6.0:  # no contrast: a steady sound or a segment that is all speech
        mask = level_db > max(peak - 20.0, -75.0)
    return mask


def _yin_log_f0(x: np.ndarray, n_frames: int, threshold: float = 0.2) -> np.ndarray:
    """Fundamental frequency per frame by YIN (de Cheveigné & Kawahara, 2002), vectorised."""
    out = np.full(n_frames, np.nan)
    tau_min = int(SAMPLE_RATE / F0_MAX)
    tau_max = int(SAMPLE_RATE / F0_MIN)
    span = YIN_WINDOW + tau_max
    # Frame i's analysis window starts where the 25 ms MFCC frame starts, shifted to centre.
    offset = (FRAME - YIN_WINDOW) // 2
    padded = np.pad(x, (max(0, -offset) + 0, span + HOP))
    # Pitch every other frame (20 ms) is plenty for speaker statistics and halves the cost.
    starts = np.arange(0, n_frames, PITCH_STEP) * HOP + max(offset, 0)
    valid = starts + span <= len(padded)
    starts = starts[valid]
    if len(starts) == 0:
        return out
    idx = starts[:, None] + np.arange(span)[None, :]
    seg = padded[idx]  # (frames, span)
    head = seg[:, :YIN_WINDOW]
    # Lags 0..tau_max of the window against the span never wrap round an FFT of length >= span.
    n = 1 << int(np.ceil(np.log2(span)))
    cross = np.fft.irfft(np.fft.rfft(seg, n) * np.conj(np.fft.rfft(head, n)), n)[:, : tau_max + 1]
    sq = np.concatenate([np.zeros((len(starts), 1)), np.cumsum(seg**2, axis=1)], axis=1)
    energy0 = sq[:, YIN_WINDOW][:, None]
    taus = np.arange(tau_max + 1)
    energy_tau = sq[:, taus + YIN_WINDOW] - sq[:, taus]
    diff = np.maximum(energy0 + energy_tau - 2.0 * cross, 0.0)
    diff[:, 0] = 0.0
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * taus[1:][None, :] / np.maximum(cumulative, 1e-12)
    cmnd[:, :tau_min] = 1.0
    below = cmnd < threshold
    # First dip under the threshold, then follow it down to its local minimum.
    voiced = below.any(axis=1)
    first = np.where(voiced, below.argmax(axis=1), tau_max)
    # From the first dip under the threshold, follow the curve down to its local minimum.
    rising = np.zeros_like(below)
    rising[:, :-1] = cmnd[:, :-1] <= cmnd[:, 1:]
    rising[:, -1] = True
    rising &= taus[None, :] >= first[:, None]
    t = rising.argmax(axis=1)
    t = np.clip(t, 1, tau_max - 1)
    rows = np.arange(len(starts))
    a, b, c = cmnd[rows, t - 1], cmnd[rows, t], cmnd[rows, t + 1]
    denom = a - 2.0 * b + c
    safe = np.where(np.abs(denom) > 1e-12, denom, 1.0)
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / safe, 0.0)
    period = t + np.clip(shift, -1.0, 1.0)
    result = np.where(voiced, np.log(SAMPLE_RATE / period), np.nan)
    coarse = np.full(len(valid), np.nan)
    coarse[np.flatnonzero(valid)] = result
    out[:] = np.repeat(coarse, PITCH_STEP)[:n_frames]
    return out


# --- Sufficient statistics -------------------------------------------------------------------

N_MFCC = N_CEPS - 1
# Layout of the statistics vector (all float64):
#   [0] speech frames, [1] voiced frames,
#   [2 : 2+D] sum of MFCC, [2+D : 2+2D] sum of squared MFCC,
#   then sum/sum² of log F0 (voiced frames), sum/sum² of centroid (speech frames).
STATS_SIZE = 2 + 2 * N_MFCC + 4


def voice_statistics(features: FrameFeatures) -> np.ndarray:
    """Sufficient statistics of the speech frames of one utterance (adds up across utterances)."""
    stats = np.zeros(STATS_SIZE)
    mask = features.speech
    if not mask.any():
        return stats
    m = features.mfcc[mask]
    stats[0] = len(m)
    stats[2 : 2 + N_MFCC] = m.sum(axis=0)
    stats[2 + N_MFCC : 2 + 2 * N_MFCC] = (m**2).sum(axis=0)
    f0 = features.log_f0[mask]
    f0 = f0[np.isfinite(f0)]
    stats[1] = len(f0)
    base = 2 + 2 * N_MFCC
    stats[base] = f0.sum()
    stats[base + 1] = (f0**2).sum()
    cen = features.centroid[mask]
    stats[base + 2] = cen.sum()
    stats[base + 3] = (cen**2).sum()
    return stats


@dataclass
class VoiceSummary:
    """Means and variances derived from a statistics vector."""

    frames: float
    voiced: float
    mfcc_mean: np.ndarray
    mfcc_var: np.ndarray
    f0_mean: float  # log Hz; NaN when nothing was voiced
    f0_var: float
    centroid_mean: float
    centroid_var: float

    @property
    def pitch_hz(self) -> float:
        return float(np.exp(self.f0_mean)) if np.isfinite(self.f0_mean) else float("nan")


MFCC_VAR_FLOOR = 0.5
F0_VAR_FLOOR = 0.06**2  # ±6 % pitch spread at least


def summarise(stats: np.ndarray) -> VoiceSummary:
    n = max(float(stats[0]), 1.0)
    mean = stats[2 : 2 + N_MFCC] / n
    var = np.maximum(stats[2 + N_MFCC : 2 + 2 * N_MFCC] / n - mean**2, MFCC_VAR_FLOOR)
    base = 2 + 2 * N_MFCC
    voiced = float(stats[1])
    if voiced >= 3:
        f0_mean = float(stats[base] / voiced)
        f0_var = max(float(stats[base + 1] / voiced - f0_mean**2), F0_VAR_FLOOR)
    else:
        f0_mean, f0_var = float("nan"), float("nan")
    c_mean = float(stats[base + 2] / n)
    c_var = max(float(stats[base + 3] / n - c_mean**2), 0.01)
    return VoiceSummary(float(stats[0]), voiced, mean, var, f0_mean, f0_var, c_mean, c_var)
