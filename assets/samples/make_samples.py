"""Rebuild the sample recording from consultation_en.txt with espeak-ng and sox.

Two synthetic voices (doctor: male, slower; patient: female, higher pitch) speak the turns
with short pauses, mixed with faint room noise. sox runs in repeatable mode (-R): its noise and
dither use a fixed seed, so the same script gives the same audio on every run. Run from the
repository root:

    python assets/samples/make_samples.py

Requires the Debian packages espeak-ng and sox (installed by .ci/run).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOICES = {"D": ("en-gb+m3", "45", "150"), "P": ("en-us+f3", "70", "165")}


def synthesise(script: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parts: list[str] = []
        lines = [
            ln for ln in script.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")
        ]
        for i, line in enumerate(lines):
            who, text = line.split("|", 1)
            voice, pitch, speed = VOICES[who]
            raw = Path(tmp) / f"{i:03d}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-p", pitch, "-s", speed, "-w", str(raw), text], check=True
            )
            turn = Path(tmp) / f"{i:03d}_16k.wav"
            subprocess.run(
                ["sox", "-R", str(raw), "-r", "16000", "-c", "1", str(turn), "pad", "0", "0.6"], check=True
            )
            parts.append(str(turn))
        speech = Path(tmp) / "speech.wav"
        subprocess.run(["sox", "-R", *parts, str(speech)], check=True)
        duration = subprocess.run(
            ["soxi", "-D", str(speech)], check=True, capture_output=True, text=True
        ).stdout.strip()
        noise = Path(tmp) / "noise.wav"
        subprocess.run(
            [
                "sox",
                "-R",
                "-n",
                "-r",
                "16000",
                "-c",
                "1",
                str(noise),
                "synth",
                duration,
                "pinknoise",
                "vol",
                "0.01",
            ],
            check=True,
        )
        subprocess.run(["sox", "-R", "-m", str(speech), str(noise), "-b", "16", str(out)], check=True)


if __name__ == "__main__":
    synthesise(HERE / "consultation_en.txt", HERE / "sample_consultation.flac")
    print(f"wrote {HERE / 'sample_consultation.flac'}")
