"""Models chosen by manifest: assemble the embedded defaults, verify, add clinic models."""

from desktop.model_store.store import ModelEntry, ModelFile, ModelStatus, ModelStore

__all__ = ["ModelEntry", "ModelFile", "ModelStatus", "ModelStore"]
