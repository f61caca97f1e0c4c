"""The store is private to the user who runs it: folders 0700, files 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np

from desktop.core.types import Patient
from desktop.storage import Store
from tests.unit.storage.conftest import FAST_KDF as FAST


def _modes(directory: Path) -> dict[str, int]:
    return {
        str(p.relative_to(directory)) or ".": stat.S_IMODE(p.stat().st_mode)
        for p in [directory, *directory.rglob("*")]
    }


def test_store_files_are_owner_only_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store, _ = Store.create(tmp_path / "store", "it", "admin-pass-1", kdf=FAST, roles=("admin", "doctor"))
        with store:
            pid = store.add_patient(Patient(name="CHAN Tai Man", mrn="A1"))
            cid = store.create_consultation(pid, consent=True)
            with store.open_journal(cid) as journal:
                journal.append(np.zeros(16000, dtype=np.float32))
    finally:
        os.umask(old)
    modes = _modes(tmp_path / "store")
    assert modes, "the store wrote nothing"
    for name, mode in modes.items():
        is_dir = (tmp_path / "store" / name).is_dir() if name != "." else True
        assert mode == (0o700 if is_dir else 0o600), f"{name} is {oct(mode)}"


def test_opening_mends_a_store_made_with_open_permissions(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "store", "it", "admin-pass-1", kdf=FAST)
    store.close()
    for path in [tmp_path / "store", *(tmp_path / "store").rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    Store.open(tmp_path / "store", "it", "admin-pass-1").close()
    assert all(mode & 0o077 == 0 for mode in _modes(tmp_path / "store").values())
