"""A small store with a nurse account (cheap key derivation) for the intake tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.storage import Store
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, make_store


@pytest.fixture(scope="session")
def intake_template(tmp_path_factory: pytest.TempPathFactory) -> StoreSetup:
    return make_store(tmp_path_factory.mktemp("intake-template") / "store")


@pytest.fixture
def nurse_store(tmp_path: Path, intake_template: StoreSetup) -> Iterator[Store]:
    target = tmp_path / "store"
    shutil.copytree(intake_template.directory, target)
    store = Store.open(target, "nurse", PASSWORDS["nurse"])
    yield store
    store.close()
