"""The model store of this installation: the shipped manifest and the user's (or IT's) model folder."""

from __future__ import annotations

from desktop import paths
from desktop.model_store.store import ModelStore


def installed_models() -> ModelStore:
    return ModelStore(paths.models_dir(), paths.manifest_file())
