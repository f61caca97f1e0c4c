"""The app's clinic-policy calls over the real encrypted store: admins change it, audited; others cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.config import Settings
from desktop.core.errors import PermissionDeniedError, UserFacingError
from desktop.services.adapters import StoreRecords
from desktop.services.backend import apply_clinic_policy, save_clinic_policy
from desktop.storage import KdfParams, Store

KDF = KdfParams(n=2**10, r=8, p=1)


def test_clinic_policy_round_trip_through_the_store(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "store", "it", "admin-pass-1", kdf=KDF)
    store.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M1")
    store.close()
    records = StoreRecords(tmp_path / "store", kdf=KDF)
    try:
        admin = records.sign_in("it", "admin-pass-1")
        settings = Settings()
        settings.policy.retention_days, settings.policy.auto_lock_minutes = 3650, 4
        settings.clinic.name, settings.clinic.phone = "Harbour Clinic", "2345 6789"
        save_clinic_policy(settings, records, admin)
        assert records.clinic_policy()["retention_days"] == 3650
        assert records.clinic_policy()["letterhead"] == {
            "name": "Harbour Clinic",
            "name_zh": "",
            "address": "",
            "phone": "2345 6789",
        }
        assert any(e.action == "policy_changed" for e in records.audit_entries())

        doctor = records.sign_in("drwong", "doctor-pass-1")
        fresh = Settings()  # another PC, its own defaults
        assert apply_clinic_policy(fresh, records, doctor) == {}
        assert (fresh.policy.retention_days, fresh.policy.auto_lock_minutes) == (3650, 4)
        assert (fresh.clinic.name, fresh.clinic.phone) == ("Harbour Clinic", "2345 6789")
        fresh.policy.retention_days = 30
        with pytest.raises(PermissionDeniedError):
            save_clinic_policy(fresh, records, doctor)
    finally:
        records.close()
    # The purge reads the same value the app showed.
    again = Store.open(tmp_path / "store", "it", "admin-pass-1")
    try:
        assert again.policy()["retention_days"] == 3650
    finally:
        again.close()


def test_keyring_sign_in_through_the_apps_records_port(tmp_path: Path) -> None:
    from tests.unit.storage.test_accounts import MemoryKeyring

    store, _ = Store.create(tmp_path / "store", "it", "admin-pass-1", kdf=KDF)
    store.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M1")
    store.set_policy(keyring_unlock=True)
    store.close()
    kr = MemoryKeyring()
    records = StoreRecords(tmp_path / "store", kdf=KDF, keyring_backend=kr)
    try:
        assert not records.keyring_ready("drwong")
        doctor = records.sign_in("drwong", "doctor-pass-1")
        records.set_keyring_sign_in(doctor, True, "doctor-pass-1")
        assert records.keyring_ready("drwong") and not records.keyring_ready("it")
        records.close()
        again = records.sign_in_with_keyring("drwong")
        assert again.username == "drwong" and again.registration_no == "M1"
        assert records.consultations() == []  # the store is open and readable
        records.set_keyring_sign_in(again, False)
        assert not records.keyring_ready("drwong") and kr.values == {}
    finally:
        records.close()


def test_signing_in_applies_the_retention_rule(tmp_path: Path) -> None:
    import numpy as np

    from desktop.core.types import Patient

    store, _ = Store.create(tmp_path / "store", "it", "admin-pass-1", kdf=KDF)
    store.add_user("drwong", "doctor-pass-1", ["doctor"], "Dr Wong", "M1")
    store.close()
    with Store.open(tmp_path / "store", "drwong", "doctor-pass-1") as doctor:
        pid = doctor.add_patient(Patient(name="Chan Tai Man", mrn="A1"))
        old = doctor.create_consultation(pid, consent=True, started_at="2020-01-01T09:00:00.000+00:00")
        with doctor.open_journal(old) as journal:
            journal.append(np.full(16000, 0.1, dtype=np.float32))
    with Store.open(tmp_path / "store", "it", "admin-pass-1") as admin:
        admin.set_policy(retention_days=30)
    records = StoreRecords(tmp_path / "store", kdf=KDF)
    try:
        records.sign_in("drwong", "doctor-pass-1")
        with pytest.raises(UserFacingError, match="destroyed"):
            records.read_audio(str(old), 0.0, 1.0)
    finally:
        records.close()
