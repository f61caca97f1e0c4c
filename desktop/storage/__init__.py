"""Encrypted store (SQLCipher), accounts and roles, audit log, encrypted audio journal.

Entry points: :class:`Store` (``Store.create`` / ``Store.open``), ``store.open_journal`` and
``store.read_audio`` for audio, :func:`save_processed` for a processed consultation. See
docs/storage.md.
"""

from desktop.storage.crypto import PRODUCTION_KDF, KdfParams
from desktop.storage.journal import AudioJournal
from desktop.storage.service import save_processed
from desktop.storage.store import AuditReport, NoteVersion, Store, User

__all__ = [
    "PRODUCTION_KDF",
    "AudioJournal",
    "AuditReport",
    "KdfParams",
    "NoteVersion",
    "Store",
    "User",
    "save_processed",
]
