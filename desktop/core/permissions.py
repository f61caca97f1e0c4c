"""Which roles may do what: pure rules, the same for the store, the app and the CLI.

Admins manage the store but see no clinical text unless they also hold a clinical role.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core.errors import UsageError

ROLES: tuple[str, ...] = ("doctor", "nurse", "admin")
CLINICAL_ROLES: frozenset[str] = frozenset({"doctor", "nurse"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "read_clinical": frozenset({"doctor", "nurse"}),
    "write_clinical": frozenset({"doctor", "nurse"}),
    "sign_note": frozenset({"doctor"}),
    "manage_users": frozenset({"admin"}),
    "manage_policy": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
    "purge": frozenset({"admin"}),
    "rekey": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
}


ACTION_WORDS = {
    "read_clinical": "read clinical records",
    "write_clinical": "change clinical records",
    "sign_note": "sign notes or letters",
    "manage_users": "manage user accounts",
    "manage_policy": "change the clinic policy",
    "read_audit": "read the audit log",
    "purge": "destroy recordings",
    "rekey": "change the database key",
    "keyring_unlock": "sign in with the keyring",
    "save_voice_profile": "change another person's voice profile",
    "delete_voice_profile": "delete another person's voice profile",
}


def parse_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(r.strip().lower() for r in roles if r.strip())
    unknown = chosen - set(ROLES)
    if not chosen or unknown:
        raise UsageError(
            f"Unknown role {', '.join(sorted(unknown)) or '(none)'}.",
            f"Choose from {', '.join(ROLES)}.",
        )
    return chosen


def can(roles: frozenset[str], action: str) -> bool:
    """Whether an account holding ``roles`` may do ``action`` (a key of PERMISSIONS)."""
    return bool(roles & PERMISSIONS[action])


# Documents a nurse may prepare and print. The others certify, prescribe, order or refer, so
# they are the doctor's (a nurse still sees them, and the doctor issues them).
NURSE_DOCUMENTS: frozenset[str] = frozenset({"patient_instructions", "follow_up"})


def may_prepare_document(roles: frozenset[str], kind: str) -> bool:
    """Whether an account holding ``roles`` may generate and print the document ``kind``."""
    if "doctor" in roles:
        return True
    return "nurse" in roles and kind in NURSE_DOCUMENTS
