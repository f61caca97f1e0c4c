"""Which note section a transcript line belongs to: a small linear classifier run in plain numpy.

The model is a multinomial logistic regression over TF-IDF-weighted features of one line:
English words and word pairs, character n-grams inside words (robust to spelling and
recognition slips), Chinese characters and character pairs, who spoke, whether it is a
question, and how long it is. It was trained on silver labels (ACI-Bench note sentences
labelled by their section headers, and dialogue sentences aligned to those note sentences);
``desktop/eval/train_sections.py`` trains it and ``consult-scribe eval sections`` scores it.

The weights ship as ``assets/sections/sections.npz`` (no pickle: vocabulary as UTF-8 text,
numbers as arrays) and are checked against the size and SHA-256 recorded in
``assets/sections/manifest.json`` before use. The training data is English: Chinese
characters only carry weight where they were seen in training, so a line that is mostly
Chinese gets little more than its speaker and length from this model (see
:func:`cjk_share`; the extractive sorter keeps its rules for such lines).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from desktop import paths
from desktop.core.errors import ModelError

LABELS: tuple[str, ...] = ("subjective", "objective", "assessment", "plan", "patient_instructions", "none")
ASSET_DIR = "sections"
ASSET_FILE = "sections.npz"
MANIFEST_FILE = "manifest.json"

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,/:]\d+)*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[a-z\u3400-\u9fff]")
_DIGITS = re.compile(r"\d")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|(?<=[。！？])")
_HAS_WORD = re.compile(r"[A-Za-z\u3400-\u9fff]")


@dataclass(frozen=True)
class SectionGuess:
    """The most likely section of one line, with its probability and every label's."""

    label: str
    probability: float
    probabilities: dict[str, float] = field(default_factory=dict)


def _normalise(text: str) -> str:
    # NFKC folds full-width letters and digits (ＢＰ１２０) into ASCII.
    return unicodedata.normalize("NFKC", text).lower()


def _length_bucket(n: int) -> str:
    for limit, name in ((1, "1"), (3, "2-3"), (7, "4-7"), (15, "8-15"), (30, "16-30")):
        if n <= limit:
            return name
    return "31+"


def features(text: str, speaker: str = "") -> Counter[str]:
    """The named features of one line and how often each occurs (the same code trains and runs)."""
    t = _normalise(text)
    words = [_DIGITS.sub("0", w) if w[0].isdigit() else w for w in _WORD.findall(t)]
    out: Counter[str] = Counter()
    for w in words:
        out["w:" + w] += 1
        if w[0].isalpha() and len(w) > 3:
            padded = f"<{w}>"
            for n in (3, 4):
                for i in range(len(padded) - n + 1):
                    out["c:" + padded[i : i + n]] += 1
    for a, b in itertools.pairwise(words):
        out[f"b:{a} {b}"] += 1
    cjk = _CJK.findall(t)
    for ch in cjk:
        out["h:" + ch] += 1
    for run in re.findall(r"[\u3400-\u9fff]+", t):
        for i in range(len(run) - 1):
            out["h:" + run[i : i + 2]] += 1
    if speaker:
        out["spk:" + speaker] += 1
    if t.rstrip().endswith(("?", "？")):
        out["q:" + (speaker or "any")] += 1
    out["len:" + _length_bucket(len(words) + len(cjk))] += 1
    if any(w[0].isdigit() for w in words):
        out["num:" + (speaker or "any")] += 1
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of a line (a spoken turn often holds a finding, a question and a plan)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if _HAS_WORD.search(s)]


def cjk_share(text: str) -> float:
    """Share of a line's letters that are Chinese characters (0 for English, 1 for Chinese)."""
    letters = _LETTER.findall(_normalise(text))
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _CJK.match(ch)) / len(letters)


def tfidf_row(counts: Counter[str], index: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and L2-normalised weights (1 + log tf) x idf of the known features of a line."""
    cols = [index[f] for f in counts if f in index]
    if not cols:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    tf = np.array([1.0 + math.log(counts[f]) for f in counts if f in index])
    cols_arr = np.array(cols, dtype=np.int64)
    values = tf * idf[cols_arr]
    norm = float(np.sqrt(np.dot(values, values)))
    return cols_arr, values / norm if norm else values


@dataclass
class SectionModel:
    """The trained weights: vocabulary, idf, coefficients (features x labels) and intercepts."""

    labels: tuple[str, ...]
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def __post_init__(self) -> None:
        self.index = {f: i for i, f in enumerate(self.vocabulary)}

    def predict_proba(self, texts: Sequence[str], speakers: Sequence[str]) -> np.ndarray:
        scores = np.tile(self.intercept.astype(np.float64), (len(texts), 1))
        for row, (text, speaker) in enumerate(zip(texts, speakers, strict=True)):
            cols, values = tfidf_row(features(text, speaker), self.index, self.idf)
            if len(cols):
                scores[row] += values @ self.coef[cols].astype(np.float64)
        scores -= scores.max(axis=1, keepdims=True)
        expo = np.exp(scores)
        return np.asarray(expo / expo.sum(axis=1, keepdims=True))

    def save(self, folder: Path, about: dict[str, object]) -> Path:
        """Write the weights and a manifest holding their size and SHA-256; returns the weights' path."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / ASSET_FILE
        arrays: dict[str, np.ndarray] = {
            "labels": np.frombuffer("\n".join(self.labels).encode("utf-8"), dtype=np.uint8),
            "vocabulary": np.frombuffer("\n".join(self.vocabulary).encode("utf-8"), dtype=np.uint8),
            "idf": self.idf.astype(np.float32),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
        }
        # An .npz written by hand with fixed timestamps: the same weights give the same SHA-256.
        with zipfile.ZipFile(target, "w") as zf:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buffer.getvalue())
        data = target.read_bytes()
        manifest = {
            "file": ASSET_FILE,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "labels": list(self.labels),
            "features": len(self.vocabulary),
            **about,
        }
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return target


def load_model(folder: Path) -> SectionModel:
    """Read the weights after checking them against the manifest's size and SHA-256."""
    manifest_path, weights = folder / MANIFEST_FILE, folder / ASSET_FILE
    hint = "Reinstall ConsultScribe, or retrain with: consult-scribe eval sections --train."
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        data = weights.read_bytes()
    except (OSError, ValueError) as exc:
        raise ModelError(f"The section classifier in {folder} cannot be read.", hint) from exc
    if len(data) != manifest.get("size") or hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise ModelError(
            f"The section classifier {weights} does not match its recorded size and SHA-256.", hint
        )
    with np.load(weights, allow_pickle=False) as npz:

        def text(name: str) -> list[str]:
            return bytes(npz[name]).decode("utf-8").split("\n")

        model = SectionModel(
            labels=tuple(text("labels")),
            vocabulary=text("vocabulary"),
            idf=npz["idf"].astype(np.float64),
            coef=npz["coef"].astype(np.float32),
            intercept=npz["intercept"].astype(np.float64),
        )
    if model.coef.shape != (len(model.vocabulary), len(model.labels)) or set(model.labels) != set(LABELS):
        raise ModelError(f"The section classifier {weights} has an unexpected shape.", hint)
    return model


@lru_cache(maxsize=1)
def default_model() -> SectionModel:
    return load_model(paths.assets_dir() / ASSET_DIR)


def classify(
    lines: Sequence[str], speakers: Iterable[str] | None = None, model: SectionModel | None = None
) -> list[SectionGuess]:
    """The likely note section of each transcript line (speakers: "doctor", "patient", … or "")."""
    texts = list(lines)
    who = list(speakers) if speakers is not None else [""] * len(texts)
    if not texts:
        return []
    m = model or default_model()
    probs = m.predict_proba(texts, who)
    out = []
    for row in probs:
        best = int(np.argmax(row))
        out.append(
            SectionGuess(
                label=m.labels[best],
                probability=float(row[best]),
                probabilities={label: float(p) for label, p in zip(m.labels, row, strict=True)},
            )
        )
    return out
