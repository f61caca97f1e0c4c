"""Check the torch-free GE2E encoder against PyTorch, once, on a machine that has PyTorch.

The app reads Resemblyzer's weights itself and runs the LSTM in onnxruntime
(:mod:`desktop.asr.speakers.ge2e`). This compares, on the same random mel inputs:

1. the weights as read by the restricted unpickler with ``torch.load`` (bit for bit);
2. the onnxruntime encoder with ``torch.nn.LSTM`` + ``Linear`` + ``ReLU`` built as Resemblyzer
   builds its ``VoiceEncoder``, and with a plain numpy LSTM (written out below, step by step).

It runs in two steps so that PyTorch never enters the app or its environment::

    TORCH_PYTHON tests/tools/ge2e_torch_reference.py WEIGHTS OUT.npz   # a venv with torch and numpy only
    python -m desktop.eval.ge2e_check compare WEIGHTS OUT.npz          # the app's venv

The second prints the largest differences and exits non-zero when they exceed 1e-4.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SEED = 14
SHAPES = ((160, 3), (73, 1), (160, 1))  # (frames, partials): full partials and a short utterance


def random_mels() -> list[np.ndarray]:
    rng = np.random.default_rng(SEED)
    return [(rng.gamma(0.6, 0.05, size=(t, n, 40))).astype(np.float32) for t, n in SHAPES]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def numpy_lstm(weights: dict[str, np.ndarray], mels: np.ndarray) -> np.ndarray:
    """Reference: the encoder written out step by step in numpy (slow; for checking only)."""
    x = mels.astype(np.float64)
    frames, batch, _ = x.shape
    h = np.zeros((batch, 256))
    for layer in range(3):
        w_ih, w_hh = weights[f"lstm.weight_ih_l{layer}"], weights[f"lstm.weight_hh_l{layer}"]
        bias = weights[f"lstm.bias_ih_l{layer}"] + weights[f"lstm.bias_hh_l{layer}"]
        h, c = np.zeros((batch, 256)), np.zeros((batch, 256))
        outputs = np.zeros((frames, batch, 256))
        for t in range(frames):
            z = x[t] @ w_ih.T + h @ w_hh.T + bias
            i, f, g, o = np.split(z, 4, axis=1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            outputs[t] = h
        x = outputs
    return np.asarray(np.maximum(h @ weights["linear.weight"].T + weights["linear.bias"], 0.0))


def _compare(weights_file: Path, torch_file: Path) -> int:
    from desktop.asr.speakers.ge2e import Ge2eEmbedder, read_torch_weights

    ours = read_torch_weights(weights_file)
    reference = np.load(torch_file)
    weight_diff = max(float(np.max(np.abs(ours[k] - reference[k]))) for k in ours)
    missing = sorted(k for k in reference.files if not k.startswith("out") and k not in ours)
    encoder = Ge2eEmbedder(weights_file)
    worst_torch = worst_numpy = 0.0
    for k, mels in enumerate(random_mels()):
        onnx = encoder.encode(mels)
        worst_torch = max(worst_torch, float(np.max(np.abs(onnx - reference[f"out{k}"]))))
        worst_numpy = max(worst_numpy, float(np.max(np.abs(onnx - numpy_lstm(ours, mels)))))
    print(
        f"weights: {len(ours)} tensors, largest difference from torch.load {weight_diff:.3g}, missing {missing}"
    )
    print(
        f"encoder: largest difference onnxruntime - torch {worst_torch:.3g}, onnxruntime - numpy {worst_numpy:.3g}"
    )
    return 0 if weight_diff == 0.0 and not missing and worst_torch < 1e-4 and worst_numpy < 1e-4 else 1


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "compare":
        print(__doc__)
        return 2
    return _compare(Path(argv[1]), Path(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
