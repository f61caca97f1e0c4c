"""Retention: recordings older than the clinic's period are destroyed (key first, then the file), audited."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from desktop.storage.recordings import RecordingsMixin

log = logging.getLogger(__name__)


class RetentionMixin(RecordingsMixin):
    """The clinic's retention rule for recordings."""

    def purge(self, older_than_days: int | None = None, *, now: datetime | None = None) -> list[int]:
        """Destroy the audio of consultations older than the retention period (policy ``retention_days``)."""
        self._require("purge", "audio", "*")
        return self._purge(older_than_days, now)

    def apply_retention(self, *, now: datetime | None = None) -> list[int]:
        """The clinic's retention rule, applied for whoever is signed in (the app does it at sign-in).

        Only the policy's ``retention_days`` counts (no override: that is :meth:`purge`, for
        administrators). Each destroyed recording is audited; a run that finds nothing writes nothing.
        """
        days = int(self.policy()["retention_days"])
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="milliseconds")
        with self._read() as conn:
            (due,) = conn.execute(
                "SELECT COUNT(*) FROM audio_journals a JOIN consultations c ON c.id = a.consultation_id"
                " WHERE a.state != 'purged' AND c.started_at < ?",
                (cutoff,),
            ).fetchone()
        return self._purge(None, now) if due else []

    def _purge(self, older_than_days: int | None, now: datetime | None) -> list[int]:
        days = int(self.policy()["retention_days"]) if older_than_days is None else int(older_than_days)
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="milliseconds")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.consultation_id FROM audio_journals a JOIN consultations c ON c.id ="
                " a.consultation_id"
                " WHERE a.state != 'purged' AND c.started_at < ? ORDER BY a.consultation_id",
                (cutoff,),
            ).fetchall()
        purged = []
        for (cid,) in rows:
            if cid in self._open_journals:
                continue
            self._destroy_audio(int(cid), f"retention {days} days")
            purged.append(int(cid))
        self._audit_now(
            "purge_run", "audio", "*", f"{len(purged)} recordings destroyed, retention {days} days"
        )
        return purged
