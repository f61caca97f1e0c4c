"""Shared fixtures of the note-check tests."""

from __future__ import annotations

import pytest

from desktop.checks.engine import Checker


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()
