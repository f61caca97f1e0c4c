"""The audit log as administrators read it: entries, chain verification, CSV export."""

from __future__ import annotations

import csv
import logging
from typing import TextIO

from desktop.storage.base import GENESIS, AuditEntry, AuditReport, StoreBase, _entry_hash

log = logging.getLogger(__name__)


class AuditMixin(StoreBase):
    """Reading, verifying and exporting the hash-chained audit log."""

    # ------------------------------------------------------------------ audit log
    def audit_entries(self) -> list[AuditEntry]:
        self._require("read_audit", "audit", "*")
        return self._audit_rows()

    def _audit_rows(self) -> list[AuditEntry]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, at, actor, action, record_type, record_id, detail, prev_hash, hash FROM audit"
                " ORDER BY id"
            ).fetchall()
        return [AuditEntry(int(r[0]), *[str(x) for x in r[1:]]) for r in rows]

    def verify_audit(self) -> AuditReport:
        """Recompute the hash chain; any removed, inserted, reordered or altered entry is reported."""
        self._require("read_audit", "audit", "*")
        entries = self._audit_rows()
        report = AuditReport(entries=len(entries))
        prev_hash = GENESIS
        expected_id = 1
        for e in entries:
            if e.id != expected_id:
                report.problems.append(f"audit entries {expected_id}-{e.id - 1} are missing")
            if e.prev_hash != prev_hash:
                report.problems.append(f"audit entry {e.id} does not follow the entry before it")
            digest = _entry_hash(
                e.prev_hash, e.id, e.at, e.actor, e.action, e.record_type, e.record_id, e.detail
            )
            if digest != e.hash:
                report.problems.append(f"audit entry {e.id} was altered")
            prev_hash = e.hash
            expected_id = e.id + 1
        with self._read() as conn:
            head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        last = f"{entries[-1].id}:{entries[-1].hash}" if entries else ""
        if head is None or head[0] != last:
            report.problems.append(
                f"the audit log ends at entry {entries[-1].id if entries else 0} but its recorded end is "
                f"{head[0].split(':')[0] if head else 'missing'}: entries were removed from the end"
            )
        self._audit_now(
            "audit_verified", "audit", "*", "ok" if report.ok else f"{len(report.problems)} problems"
        )
        return report

    def export_audit_csv(self, out: TextIO) -> int:
        entries = self.audit_entries()
        writer = csv.writer(out)
        writer.writerow(
            ["id", "at", "actor", "action", "record_type", "record_id", "detail", "prev_hash", "hash"]
        )
        for e in entries:
            writer.writerow(
                [e.id, e.at, e.actor, e.action, e.record_type, e.record_id, e.detail, e.prev_hash, e.hash]
            )
        self._audit_now("audit_exported", "audit", "*", f"{len(entries)} entries")
        return len(entries)
