"""Which voice description the app uses: a clinic's model, or the built-in statistics.

A speaker-embedding model in ONNX format that the clinic added (role ``speaker``, format
``onnx``) is used when installed; otherwise the built-in MFCC/pitch statistics, which need no
model file. The GE2E speaker encoder (``ge2e-resemblyzer`` in the model manifest, assembled from
the ``resemblyzer`` package's weights and verified by size and SHA-256) is measured beside them by
``consult-scribe bench speakers --embedder ge2e``; on the frozen test voices it was not better
than the statistics (docs/speakers.md), so it is not the default.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from desktop.asr.speakers.embed import Embedder, MfccEmbedder, OnnxEmbedder
from desktop.asr.speakers.ge2e import Ge2eEmbedder
from desktop.core.errors import ModelError

log = logging.getLogger(__name__)

GE2E_MODEL = "ge2e-resemblyzer"


def speaker_model_file(store: Any) -> tuple[str, Path] | None:
    """The installed speaker-embedding model from the model store, if a clinic added one."""
    for entry in store.entries():
        if entry.role != "speaker" or entry.format != "onnx":
            continue
        status = store.status(entry)
        if not status.usable or not status.installed:
            log.warning("speaker model %s is listed but not usable: %s", entry.name, status.problem)
            continue
        onnx_files = [f.path for f in entry.files if f.path.endswith(".onnx")]
        if onnx_files:
            return entry.name, Path(store.model_path(entry)) / onnx_files[0]
    return None


def ge2e_embedder(store: Any) -> Ge2eEmbedder | None:
    """The embedded speaker encoder, assembled and verified on first use; None when not installed."""
    try:
        entry = store.entry(GE2E_MODEL)
    except ModelError:
        return None
    if not store.status(entry).usable:
        return None
    try:
        folder = Path(store.ensure(GE2E_MODEL))
        return Ge2eEmbedder(folder / entry.files[0].path)
    except ModelError:
        log.exception("the speaker encoder could not be loaded; using built-in voice features")
        return None


def default_embedder(store: Any | None = None) -> Embedder:
    """A clinic's ONNX model when installed, else the built-in statistics."""
    if store is not None:
        found = speaker_model_file(store)
        if found is not None:
            name, path = found
            try:
                return OnnxEmbedder(path, name)
            except ModelError:
                log.exception("speaker model %s could not be loaded; using built-in voice features", name)
    return MfccEmbedder()
