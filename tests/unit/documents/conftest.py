"""Fixtures for the document tests."""

from __future__ import annotations

import pytest

from desktop.config import ClinicSettings
from desktop.core.types import Patient, SoapNote
from tests.unit.documents.fixtures import make_clinic, make_note, make_patient


@pytest.fixture
def note() -> SoapNote:
    return make_note()


@pytest.fixture
def patient() -> Patient:
    return make_patient()


@pytest.fixture
def clinic() -> ClinicSettings:
    return make_clinic()
