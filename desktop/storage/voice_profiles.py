"""Clinicians' voice profiles, kept in the store for speaker labelling."""

from __future__ import annotations

import logging

from desktop.storage.base import StoreBase, _now

log = logging.getLogger(__name__)


class VoiceProfilesMixin(StoreBase):
    """Clinicians' voice profiles for speaker labelling."""

    def save_voice_profile(self, username: str, profile: bytes) -> None:
        """Store a clinician's voice profile (the clinician themself, or an administrator)."""
        if username != self.user.username and not self.user.can("manage_users"):
            self._deny("save_voice_profile", "voice_profile", username)
        uid = self._user_id(username)
        with self._write():
            self._conn.execute(
                "INSERT INTO voice_profiles (user_id, profile, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET profile = excluded.profile, created_at ="
                " excluded.created_at",
                (uid, bytes(profile), _now()),
            )
            self._audit("voice_profile_saved", "voice_profile", username, f"{len(profile)} bytes")

    def load_voice_profile(self, username: str) -> bytes | None:
        """A clinician's voice profile, for speaker labelling (clinical accounts only)."""
        if not self.user.is_clinician:
            self._deny("read_clinical", "voice_profile", username)
        uid = self._user_id(username)
        with self._read() as conn:
            row = conn.execute("SELECT profile FROM voice_profiles WHERE user_id = ?", (uid,)).fetchone()
        return bytes(row[0]) if row else None

    def delete_voice_profile(self, username: str) -> bool:
        """Delete a voice profile: only the clinician themself or an administrator."""
        if username != self.user.username and not self.user.can("manage_users"):
            self._deny("delete_voice_profile", "voice_profile", username)
        uid = self._user_id(username)
        with self._write():
            cur = self._conn.execute("DELETE FROM voice_profiles WHERE user_id = ?", (uid,))
            self._audit("voice_profile_deleted", "voice_profile", username)
        return bool(cur.rowcount)
