"""The note as a file (``note.json``) and what a document may take from a note that is not signed.

``consult-scribe process`` writes ``note.json``: the SOAP note with each statement's
``accepted`` flag, the note's ``signed`` state and the checks against the transcript. A file
written before these existed reads as a draft: no suggestion accepted, not signed.

Every document, in the app and from the command line, is made from :func:`document_note`: a
note that is not signed gives only what is fact (the history, the findings, the instructions and
the suggestions a doctor accepted), so a sick-leave certificate from a draft never carries a
suggested diagnosis, and the document is marked DRAFT (``render_document(draft=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.types import NOTE_SECTIONS, SUGGESTED_SECTIONS, SoapNote


def accepted_statements(note: SoapNote) -> SoapNote:
    """The note without the suggestions no doctor has accepted: what a document may state as fact."""
    out = SoapNote(chief_complaint=note.chief_complaint)
    for name in NOTE_SECTIONS:
        items = note.section(name)
        setattr(out, name, [st for st in items if st.accepted] if name in SUGGESTED_SECTIONS else list(items))
    return out


def document_note(note: SoapNote, draft: bool) -> SoapNote:
    """What a document made from ``note`` may use: all of a signed note, the facts of a draft."""
    return accepted_statements(note) if draft else note


@dataclass
class NoteFile:
    """A ``note.json`` as read: the note, and whether a doctor signed it."""

    note: SoapNote
    signed: bool = False

    @property
    def draft(self) -> bool:
        """Documents made from it carry the DRAFT mark and take only accepted suggestions."""
        return not self.signed


def note_file_data(note: SoapNote, *, signed: bool, checks: dict[str, Any] | None = None) -> dict[str, Any]:
    """``note.json``'s content: the note (each statement with ``accepted``), ``signed``, the checks."""
    data: dict[str, Any] = {**note.to_dict(), "signed": signed}
    if checks is not None:
        data["checks"] = checks
    return data


def read_note_file(data: dict[str, Any]) -> NoteFile:
    """A ``note.json`` object; without ``accepted`` or ``signed`` (older files) it is an unsigned draft."""
    return NoteFile(note=SoapNote.from_dict(data), signed=data.get("signed") is True)
