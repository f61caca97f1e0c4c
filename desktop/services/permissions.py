"""Who may do what with a note: the role rules the editor enforces.

* A doctor edits every section, accepts suggestions and signs.
* A nurse edits the summary (chief complaint and subjective history) and the instructions to the
  patient, and prepares the documents ``core/permissions.NURSE_DOCUMENTS`` names; a nurse cannot
  sign or accept suggested assessment and plan, and records only where the clinic policy allows.
* An administrator manages users and policy and sees no clinical text.
* A signed note is read-only; changing it starts a new version that must be signed again.
"""

from __future__ import annotations

from desktop.core import permissions as rules
from desktop.core.types import NOTE_SECTIONS

NURSE_SECTIONS = frozenset({"subjective", "patient_instructions"})


def editable_sections(role: str, signed: bool) -> frozenset[str]:
    if signed:
        return frozenset()
    if role == "doctor":
        return frozenset(NOTE_SECTIONS)
    if role == "nurse":
        return NURSE_SECTIONS
    return frozenset()


def can_edit_chief_complaint(role: str, signed: bool) -> bool:
    return not signed and role in ("doctor", "nurse")


def can_sign(role: str) -> bool:
    return role == "doctor"


def can_accept_suggestions(role: str) -> bool:
    return role == "doctor"


def can_see_clinical(role: str) -> bool:
    return role in ("doctor", "nurse")


def can_record(role: str, nurses_may_record: bool = False) -> bool:
    """Doctors record; nurses only where the clinic policy allows it (policy.nurses_may_record)."""
    return role == "doctor" or (role == "nurse" and nurses_may_record)


def can_edit_letters(role: str) -> bool:
    return role in ("doctor", "nurse")


def can_prepare_document(role: str, kind: str) -> bool:
    """Which documents a role may generate and print (the rule lives in core/permissions.py)."""
    return rules.may_prepare_document(frozenset({role}), kind)
