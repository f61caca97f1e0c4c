"""Synthesised recordings for streaming tests and benchmarks (espeak-ng and sox).

* :func:`synth_consultation` — a short English GP consultation, two voices, pauses between
  turns, drug names from the clinic vocabulary; its reference text is written beside it
  (``.txt``), as ``bench asr`` expects.
* :func:`synth_nonspeech` — silence, room tone, mains hum, coughs and clicks with no speech
  at all (an empty ``.txt`` reference marks it as non-speech): anything recognised in it is
  a hallucination.

Both need the ``espeak-ng`` and ``sox`` programs; a missing one is a UserFacingError. sox runs
in repeatable mode (``-R``), so its noise and dither are the same on every run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from desktop.core.errors import UserFacingError

CONSULTATION: tuple[tuple[str, str], ...] = (
    ("doctor", "Good morning. What brings you in today?"),
    ("patient", "I have had a cough and a sore throat for five days, and a fever since Sunday."),
    ("doctor", "Any shortness of breath or chest pain?"),
    ("patient", "No chest pain, but I get breathless when I climb the stairs."),
    ("doctor", "Are you taking any regular medicines?"),
    ("patient", "I take metformin for my diabetes and amlodipine for my blood pressure."),
    ("doctor", "Do you have any allergies to medicines?"),
    ("patient", "Yes, I am allergic to penicillin. It gives me a rash."),
    ("doctor", "Your temperature is thirty eight degrees and your chest sounds clear."),
    (
        "doctor",
        "I think this is a viral infection. Take paracetamol every six hours when you need it, "
        "and drink plenty of fluids.",
    ),
    ("patient", "Should I take antibiotics?"),
    (
        "doctor",
        "Not now. If the fever lasts three more days, or you feel more breathless, come back to see me.",
    ),
    ("patient", "Thank you, doctor."),
)
VOICES = {"doctor": ("en-us", "150"), "patient": ("en-gb+f3", "145")}


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise UserFacingError(
            f"The program '{program}' is needed to synthesise test recordings but is not installed.",
            "On Debian/Ubuntu: apt install espeak-ng sox libsox-fmt-all.",
        )
    return path


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def synth_consultation(
    folder: Path, name: str = "synth_consultation_en", pause_s: float = 1.0, turns: int | None = None
) -> Path:
    """Write ``folder/name.wav`` (16 kHz mono) and its reference ``folder/name.txt``.

    ``turns`` keeps only the first turns of the dialogue (short recordings for tests).
    """
    dialogue = CONSULTATION[:turns] if turns else CONSULTATION
    espeak, sox = _need("espeak-ng"), _need("sox")
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[str] = []
    work = folder / f".{name}.parts"
    work.mkdir(exist_ok=True)
    try:
        silence = work / "pause.wav"
        _run([sox, "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim", "0", f"{pause_s}"])
        lead = work / "lead.wav"
        _run([sox, "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(lead), "trim", "0", "0.5"])
        parts.append(str(lead))
        for i, (speaker, text) in enumerate(dialogue):
            voice, speed = VOICES[speaker]
            raw = work / f"turn{i:02d}.raw.wav"
            turn = work / f"turn{i:02d}.wav"
            _run([espeak, "-v", voice, "-s", speed, "-w", str(raw), text])
            _run([sox, "-R", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(turn)])
            parts += [str(turn), str(silence)]
        wav = folder / f"{name}.wav"
        _run([sox, "-R", *parts, str(wav)])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    reference = " ".join(text for _, text in dialogue)
    (folder / f"{name}.txt").write_text(reference + "\n", encoding="utf-8")
    return wav


def synth_nonspeech(folder: Path, name: str = "synth_nonspeech") -> Path:
    """Write ``folder/name.wav``: 48 s of silence, room noise, hum, coughs and clicks, no speech."""
    sox = _need("sox")
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / f".{name}.parts"
    work.mkdir(exist_ok=True)
    fmt = ["-r", "16000", "-c", "1", "-b", "16"]
    try:
        pieces: list[str] = []

        def make(label: str, *effects: str) -> str:
            path = work / f"{label}.wav"
            _run([sox, "-R", "-n", *fmt, str(path), *effects])
            return str(path)

        pieces.append(make("silence", "trim", "0", "8"))
        pieces.append(make("room", "synth", "8", "pinknoise", "vol", "0.02"))
        pieces.append(
            make("hum", "synth", "8", "sine", "100", "synth", "8", "whitenoise", "mix", "vol", "0.05")
        )
        cough = make(
            "cough",
            "synth",
            "0.3",
            "brownnoise",
            "lowpass",
            "2500",
            "fade",
            "q",
            "0.02",
            "0.3",
            "0.2",
            "vol",
            "0.7",
        )
        gap = make("gap", "trim", "0", "1.2")
        pieces += [cough, gap, cough, gap, cough, gap, cough, gap]
        click = make("click", "synth", "0.015", "whitenoise", "vol", "0.4")
        short_gap = make("short", "trim", "0", "0.35")
        pieces += [click, short_gap] * 12
        pieces.append(
            make(
                "breath", "synth", "6", "brownnoise", "lowpass", "600", "tremolo", "0.3", "90", "vol", "0.05"
            )
        )
        pieces.append(make("tail", "trim", "0", "4"))
        wav = folder / f"{name}.wav"
        _run([sox, "-R", *pieces, str(wav)])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (folder / f"{name}.txt").write_text("", encoding="utf-8")  # an empty reference: no speech
    return wav
