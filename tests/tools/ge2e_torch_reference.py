"""The PyTorch half of the GE2E check (desktop/eval/ge2e_check.py): run with a Python that has torch.

    TORCH_PYTHON tests/tools/ge2e_torch_reference.py pretrained.pt out.npz

Loads Resemblyzer's weights with ``torch.load``, builds its encoder (``torch.nn.LSTM`` 40 -> 256 x 3,
``Linear``, ``ReLU``) and writes the weights and its outputs on the check's random mel inputs to
``out.npz``. It lives outside the app package: the app never imports torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.eval.ge2e_check import random_mels


def torch_outputs(weights: Path, out: Path) -> None:
    import torch

    checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    state = checkpoint["model_state"]
    lstm = torch.nn.LSTM(40, 256, 3, batch_first=True)
    linear = torch.nn.Linear(256, 256)
    lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
    linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
    results: dict[str, np.ndarray] = {k: v.numpy() for k, v in state.items()}
    with torch.no_grad():
        for k, mels in enumerate(random_mels()):
            _, (hidden, _) = lstm(torch.from_numpy(mels.transpose(1, 0, 2).copy()))
            results[f"out{k}"] = torch.relu(linear(hidden[-1])).numpy()
    np.savez(out, **results)  # type: ignore[arg-type]


if __name__ == "__main__":
    torch_outputs(Path(sys.argv[1]), Path(sys.argv[2]))
