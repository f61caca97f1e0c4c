"""Synthesised evaluation sets: drug-dense sentences and whole consultations.

The sets are described in ``desktop/eval/sets/*.json`` (text, voices, noise) and rendered here
with :mod:`desktop.eval.tts` into ``FOLDER/<file>.wav`` with the reference text beside it
(``<file>.txt``, what ``bench asr`` reads) and ``manifest.json`` (per file: the sentences, who
said them, when, and the drug names in them).

Sets named ``*_dev`` are the development sets: settings are tuned on them. ``drugs_test`` and
``consult_heldout`` are frozen test sets (other engines, voices, sentences and scenarios) that
nothing is tuned on; their figures are reported apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.audio import SAMPLE_RATE
from desktop.eval.tts import TtsVoice, add_noise, silence, speak, write_wav

SETS_DIR = Path(__file__).resolve().parent / "sets"
DRUG_SETS = ("drugs_dev", "drugs_dev2", "drugs_test")
CONSULT_SETS = ("consult_dev", "consult_heldout")


@dataclass
class Sentence:
    text: str
    voice: str
    start: float = 0.0
    end: float = 0.0
    drugs: list[str] = field(default_factory=list)


@dataclass
class RenderedFile:
    name: str
    wav: Path
    reference: str
    sentences: list[Sentence]
    noise_snr_db: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "wav": self.wav.name,
            "noise_snr_db": self.noise_snr_db,
            "sentences": [vars(s) for s in self.sentences],
        }


def load_spec(name: str) -> dict[str, Any]:
    path = SETS_DIR / f"{name}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _voice(data: dict[str, Any]) -> TtsVoice:
    return TtsVoice(
        engine=str(data["engine"]),
        name=str(data["name"]),
        speed=float(data.get("speed", 1.0)),
        pitch=int(data.get("pitch", 50)),
    )


def drug_sentences(spec: dict[str, Any]) -> list[Sentence]:
    """One sentence per pair of drug names: every name of the set is said exactly once."""
    drugs: list[str] = list(spec["drugs"])
    templates: list[str] = list(spec["templates"])
    doses: list[str] = list(spec["doses"])
    voices = [_voice(v) for v in spec["voices"]]
    out: list[Sentence] = []
    for i in range(len(drugs) // 2):
        d1, d2 = drugs[2 * i], drugs[2 * i + 1]
        text = templates[i % len(templates)].format(
            d1=d1, d2=d2, dose1=doses[i % len(doses)], dose2=doses[(i + 3) % len(doses)]
        )
        out.append(Sentence(text=text, voice=voices[i % len(voices)].key, drugs=[d1, d2]))
    return out


def render_drug_set(name: str, folder: Path) -> list[RenderedFile]:
    """Render a drug set into ``folder`` (skipped when its manifest is already there)."""
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return read_manifest(folder)
    spec = load_spec(name)
    voices = {(_voice(v)).key: _voice(v) for v in spec["voices"]}
    sentences = drug_sentences(spec)
    per_file = int(spec["sentences_per_file"])
    noises = list(spec["noise_snr_db"])
    files: list[RenderedFile] = []
    for k in range(0, len(sentences), per_file):
        index = k // per_file
        chunk = sentences[k : k + per_file]
        audio = _join([(s, voices[s.voice]) for s in chunk], pause_s=0.9)
        snr = noises[index % len(noises)]
        audio = add_noise(audio, snr, seed=1000 + index)
        file_name = f"{name}_{index:02d}"
        wav = folder / f"{file_name}.wav"
        write_wav(wav, audio)
        reference = " ".join(s.text for s in chunk)
        wav.with_suffix(".txt").write_text(reference + "\n", encoding="utf-8")
        files.append(RenderedFile(file_name, wav, reference, chunk, snr))
    _write_manifest(folder, name, spec, files)
    return files


def render_consult_set(name: str, folder: Path) -> list[RenderedFile]:
    """Render the consultations of a set into ``folder`` (skipped when already there)."""
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return read_manifest(folder)
    spec = load_spec(name)
    files: list[RenderedFile] = []
    for index, consult in enumerate(spec["consultations"]):
        voices = {role: _voice(v) for role, v in consult["voices"].items()}
        turns = [Sentence(text=text, voice=voices[role].key) for role, text in consult["turns"]]
        rng = np.random.default_rng(7 + index)
        pauses = [float(p) for p in rng.uniform(0.5, 1.3, size=len(turns))]
        audio = _join([(t, voices[r]) for t, (r, _) in zip(turns, consult["turns"], strict=True)], pauses)
        snr = consult.get("noise_snr_db")
        audio = add_noise(audio, snr, seed=2000 + index)
        wav = folder / f"{consult['name']}.wav"
        write_wav(wav, audio)
        reference = " ".join(t.text for t in turns)
        wav.with_suffix(".txt").write_text(reference + "\n", encoding="utf-8")
        files.append(RenderedFile(consult["name"], wav, reference, turns, snr))
    _write_manifest(folder, name, spec, files)
    return files


def _join(parts: list[tuple[Sentence, TtsVoice]], pause_s: float | list[float]) -> np.ndarray:
    pieces = [silence(0.6)]
    cursor = 0.6
    for i, (sentence, voice) in enumerate(parts):
        spoken = speak(voice, sentence.text)
        sentence.start = round(cursor, 3)
        cursor += spoken.size / SAMPLE_RATE
        sentence.end = round(cursor, 3)
        pause = pause_s[i] if isinstance(pause_s, list) else pause_s
        pieces += [spoken, silence(pause)]
        cursor += pause
    return np.concatenate(pieces).astype(np.float32)


def _write_manifest(folder: Path, name: str, spec: dict[str, Any], files: list[RenderedFile]) -> None:
    data = {"set": name, "purpose": spec.get("purpose", ""), "files": [f.to_dict() for f in files]}
    (folder / "manifest.json").write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read_manifest(folder: Path) -> list[RenderedFile]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files: list[RenderedFile] = []
    for f in data["files"]:
        sentences = [Sentence(**s) for s in f["sentences"]]
        wav = folder / f["wav"]
        reference = " ".join(s.text for s in sentences)
        files.append(RenderedFile(f["name"], wav, reference, sentences, f.get("noise_snr_db")))
    return files


def render_set(name: str, folder: Path) -> list[RenderedFile]:
    folder.mkdir(parents=True, exist_ok=True)
    if name in DRUG_SETS:
        return render_drug_set(name, folder)
    if name in CONSULT_SETS:
        return render_consult_set(name, folder)
    raise ValueError(f"unknown evaluation set {name!r}")
