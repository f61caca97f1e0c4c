"""Pre-consultation intake sessions in the encrypted store.

Reception issues a one-time patient code (:func:`issue_code`); the patient's browser trades
it once for a session token (:func:`redeem_code`); the chat and the confirmed summary are
saved as the patient goes. The database holds only SHA-256 hashes of codes and tokens, so a
copy of the database (or of its key) does not let anyone open a patient's intake.

Every change is written to the store's audit log, in the same transaction, never with
clinical text. The functions take an unlocked :class:`~desktop.storage.store.Store` and use
its transaction and audit plumbing (same package), so the storage layer still checks roles.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.core.errors import UsageError
from desktop.storage.store import Store

# No 0/O, 1/I/L: a code read aloud or typed from the printout is not mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # about 49 bits
DEFAULT_LIFETIME = timedelta(hours=2)
STATES = ("issued", "open", "confirmed", "cancelled")


class IntakeCodeError(UsageError):
    """A code or session that cannot be used; ``kind`` is wrong, expired, used or cancelled."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class IssuedCode:
    session_id: int
    label: str  # the queue number staff and patient see ("0063")
    code: str  # the secret, shown once (QR code and printout)
    expires_at: datetime

    @property
    def pretty(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"


@dataclass
class IntakeSession:
    id: int
    label: str
    state: str
    language: str
    consultation_id: int | None
    created_at: str
    expires_at: str
    opened_at: str | None
    confirmed_at: str | None
    chat: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    category: int | None = None
    category_source: str = ""
    category_reason: str = ""

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= datetime.fromisoformat(self.expires_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "state": self.state,
            "language": self.language,
            "consultation_id": self.consultation_id,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "opened_at": self.opened_at,
            "confirmed_at": self.confirmed_at,
            "chat": self.chat,
            "answers": self.answers,
            "summary": self.summary,
            "category": self.category,
            "category_source": self.category_source,
            "category_reason": self.category_reason,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(text: str) -> str:
    """What the patient typed, as a code: upper case, spaces and dashes removed."""
    return "".join(c for c in text.upper() if c.isalnum())[: CODE_LENGTH * 2]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_COLUMNS = (
    "id, label, state, language, consultation_id, created_at, expires_at, opened_at, confirmed_at,"
    " chat, answers, summary, category, category_source, category_reason"
)


def _session(row: Any) -> IntakeSession:
    return IntakeSession(
        id=int(row[0]),
        label=str(row[1]),
        state=str(row[2]),
        language=str(row[3]),
        consultation_id=None if row[4] is None else int(row[4]),
        created_at=str(row[5]),
        expires_at=str(row[6]),
        opened_at=row[7],
        confirmed_at=row[8],
        chat=list(json.loads(row[9] or "[]")),
        answers=dict(json.loads(row[10] or "{}")),
        summary=str(row[11] or ""),
        category=None if row[12] is None else int(row[12]),
        category_source=str(row[13] or ""),
        category_reason=str(row[14] or ""),
    )


def day_bounds(moment: datetime, day: str | None = None) -> tuple[str, str]:
    """The clinic's day (this computer's local date) holding ``moment``, or ``day`` (YYYY-MM-DD),
    as the UTC times stored in ``created_at``: from its midnight to the next."""
    local = moment.astimezone()
    start_day = datetime.fromisoformat(day).date() if day else local.date()
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=local.tzinfo)
    return _iso(start.astimezone(UTC)), _iso((start + timedelta(days=1)).astimezone(UTC))


def _next_label(conn: Any, now: datetime) -> str:
    start, end = day_bounds(now)
    row = conn.execute(
        "SELECT count(*) FROM intake_sessions WHERE created_at >= ? AND created_at < ?", (start, end)
    ).fetchone()
    return f"{int(row[0]) + 1:04d}"


def issue_code(
    store: Store,
    *,
    language: str = "",
    consultation_id: int | None = None,
    lifetime: timedelta = DEFAULT_LIFETIME,
    now: datetime | None = None,
) -> IssuedCode:
    """A new intake and its one-time code (reception; needs a clinical role)."""
    store._require("write_clinical", "intake", "new")
    moment = now or _now()
    code = new_code()
    with store._write():
        conn = store._conn
        label = _next_label(conn, moment)
        cur = conn.execute(
            "INSERT INTO intake_sessions (label, code_hash, state, language, consultation_id, created_at,"
            " created_by, expires_at) VALUES (?, ?, 'issued', ?, ?, ?, ?, ?)",
            (
                label,
                digest(code),
                language,
                consultation_id,
                _iso(moment),
                store.user.id,
                _iso(moment + lifetime),
            ),
        )
        sid = int(cur.lastrowid)
        store._audit("intake_code_issued", "intake", sid, f"label {label}")
    return IssuedCode(sid, label, code, moment + lifetime)


def reissue_code(store: Store, session_id: int, *, now: datetime | None = None) -> IssuedCode:
    """A fresh code for an intake not yet confirmed (the patient lost their page); the chat stays."""
    store._require("write_clinical", "intake", session_id)
    moment = now or _now()
    code = new_code()
    with store._write():
        conn = store._conn
        row = conn.execute("SELECT label, state FROM intake_sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise UsageError(
                f"There is no intake {session_id}.", "List today's with `consult-scribe intake queue`."
            )
        if row[1] in ("confirmed", "cancelled"):
            raise UsageError(
                f"Intake {row[0]} is {row[1]}; it cannot be reopened.", "Issue a new code instead."
            )
        expires = moment + DEFAULT_LIFETIME
        conn.execute(
            "UPDATE intake_sessions SET code_hash = ?, token_hash = NULL, state = 'issued', expires_at = ?"
            " WHERE id = ?",
            (digest(code), _iso(expires), session_id),
        )
        store._audit("intake_code_reissued", "intake", session_id, f"label {row[0]}")
    return IssuedCode(session_id, str(row[0]), code, expires)


WRONG_CODE = "This code is not valid. Check it, or ask the staff at reception for a new one."
EXPIRED_CODE = "This code has expired. Please ask the staff at reception for a new one."
USED_CODE = "This code has already been used. If that was not you, please tell the staff at reception."
CANCELLED_CODE = "This intake was closed by the clinic. Please ask the staff at reception."


def redeem_code(store: Store, code: str, *, now: datetime | None = None) -> tuple[IntakeSession, str]:
    """Trade a code for a session token, once. Raises IntakeCodeError (wrong, expired, used, cancelled)."""
    moment = now or _now()
    wanted = normalise_code(code)
    refusal: IntakeCodeError | None = None
    with store._write():
        conn = store._conn
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM intake_sessions WHERE code_hash = ?", (digest(wanted),)
        ).fetchone()
        session = _session(row) if row is not None and len(wanted) == CODE_LENGTH else None
        if session is None:
            refusal = IntakeCodeError("wrong", WRONG_CODE)
        elif session.state == "cancelled":
            refusal = IntakeCodeError("cancelled", CANCELLED_CODE)
        elif session.state != "issued":
            refusal = IntakeCodeError("used", USED_CODE)
        elif session.expired(moment):
            refusal = IntakeCodeError("expired", EXPIRED_CODE)
        if refusal is not None or session is None:
            # Audited in this transaction, which commits: the refusal is raised after it.
            store._audit(
                "intake_code_refused",
                "intake",
                session.id if session else "",
                refusal.kind if refusal else "",
            )
        else:
            token = secrets.token_urlsafe(32)
            conn.execute(
                "UPDATE intake_sessions SET state = 'open', token_hash = ?, opened_at = coalesce(opened_at, ?)"
                " WHERE id = ?",
                (digest(token), _iso(moment), session.id),
            )
            store._audit("intake_opened", "intake", session.id, f"label {session.label}")
    if refusal is not None or session is None:
        raise refusal or IntakeCodeError("wrong", WRONG_CODE)
    session.state = "open"
    return session, token


SESSION_GONE = "This page has expired. Please ask the staff at reception for a new code."


def session_for_token(store: Store, token: str, *, now: datetime | None = None) -> IntakeSession:
    """The intake a browser's session token opens; IntakeCodeError when none or expired."""
    if not token:
        raise IntakeCodeError("wrong", SESSION_GONE)
    with store._read() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM intake_sessions WHERE token_hash = ?", (digest(token),)
        ).fetchone()
    if row is None:
        raise IntakeCodeError("wrong", SESSION_GONE)
    session = _session(row)
    if session.state == "cancelled":
        raise IntakeCodeError("cancelled", CANCELLED_CODE)
    if session.expired(now):  # a confirmed intake's thank-you page too: it shows the summary
        raise IntakeCodeError("expired", SESSION_GONE)
    return session


def save_progress(
    store: Store,
    session: IntakeSession,
    *,
    triage: dict[str, Any] | None = None,
    audit_action: str = "intake_answered",
) -> None:
    """Write the session's chat, answers, language and (rules or model) category."""
    with store._write():
        conn = store._conn
        state = conn.execute("SELECT state FROM intake_sessions WHERE id = ?", (session.id,)).fetchone()
        if state is None or state[0] != "open":
            raise IntakeCodeError("used", "This intake is already finished. Thank you.")
        conn.execute(
            "UPDATE intake_sessions SET chat = ?, answers = ?, language = ?, summary = ? WHERE id = ?",
            (
                json.dumps(session.chat, ensure_ascii=False),
                json.dumps(session.answers, ensure_ascii=False),
                session.language,
                session.summary,
                session.id,
            ),
        )
        if triage is not None:
            _set_triage(conn, session, triage)
        store._audit(audit_action, "intake", session.id, _category_detail(session))


def _set_triage(conn: Any, session: IntakeSession, triage: dict[str, Any]) -> None:
    # A nurse's category stays until a nurse changes it again.
    row = conn.execute(
        "SELECT category_source, category FROM intake_sessions WHERE id = ?", (session.id,)
    ).fetchone()
    if row is not None and row[0] == "nurse":
        return
    session.category = int(triage["category"])
    session.category_source = str(triage["source"])
    session.category_reason = "; ".join(triage["reasons"])
    conn.execute(
        "UPDATE intake_sessions SET category = ?, category_source = ?, category_reason = ?, category_at = ?"
        " WHERE id = ?",
        (session.category, session.category_source, session.category_reason, _iso(_now()), session.id),
    )
    _rearm_alert(conn, session.id, _row_category(row), session.category)


def _row_category(row: Any) -> int | None:
    return None if row is None or len(row) < 2 or row[1] is None else int(row[1])


def _rearm_alert(conn: Any, session_id: int, old: int | None, new: int | None) -> None:
    """A category that becomes 1 raises the alert again, even if an earlier one was acknowledged."""
    if new == 1 and old != 1:
        conn.execute(
            "UPDATE intake_sessions SET alert_ack_by = NULL, alert_ack_at = NULL WHERE id = ?", (session_id,)
        )


def _category_detail(session: IntakeSession) -> str:
    return f"category {session.category}" if session.category else ""


def confirm(store: Store, session: IntakeSession, summary: str, triage: dict[str, Any]) -> None:
    """The patient confirmed their (edited) summary: the intake is finished."""
    session.summary = summary
    with store._write():
        save_progress(store, session, triage=triage, audit_action="intake_summary_saved")
        store._conn.execute(
            "UPDATE intake_sessions SET state = 'confirmed', confirmed_at = ? WHERE id = ?",
            (_iso(_now()), session.id),
        )
        store._audit("intake_confirmed", "intake", session.id, _category_detail(session))
    session.state = "confirmed"


def set_category(store: Store, session_id: int, category: int, reason: str) -> None:
    """A nurse or doctor changes the category (audited with the old and new category)."""
    store._require("write_clinical", "intake", session_id)
    if category not in (1, 2, 3):
        raise UsageError("The category must be 1, 2 or 3.")
    with store._write():
        conn = store._conn
        row = conn.execute("SELECT category FROM intake_sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise UsageError(f"There is no intake {session_id}.")
        conn.execute(
            "UPDATE intake_sessions SET category = ?, category_source = 'nurse', category_reason = ?,"
            " category_by = ?, category_at = ? WHERE id = ?",
            (category, reason[:500], store.user.id, _iso(_now()), session_id),
        )
        _rearm_alert(conn, session_id, None if row[0] is None else int(row[0]), category)
        store._audit("intake_category_changed", "intake", session_id, f"category {row[0]} -> {category}")


def cancel(store: Store, session_id: int) -> None:
    store._require("write_clinical", "intake", session_id)
    with store._write():
        store._conn.execute(
            "UPDATE intake_sessions SET state = 'cancelled', token_hash = NULL WHERE id = ?", (session_id,)
        )
        store._audit("intake_cancelled", "intake", session_id)


def link_consultation(store: Store, session_id: int, consultation_id: int) -> None:
    store._require("write_clinical", "intake", session_id)
    with store._write():
        store._conn.execute(
            "UPDATE intake_sessions SET consultation_id = ? WHERE id = ?", (consultation_id, session_id)
        )
        store._audit("intake_linked", "intake", session_id, f"consultation {consultation_id}")


def get(store: Store, session_id: int) -> IntakeSession:
    """One intake with its chat and summary, for staff (audited as viewed)."""
    store._require("read_clinical", "intake", session_id)
    with store._read() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM intake_sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise UsageError(
            f"There is no intake {session_id}.", "List today's with `consult-scribe intake queue`."
        )
    store._audit_now("intake_viewed", "intake", session_id)
    return _session(row)


def acknowledge_alert(store: Store, session_id: int) -> None:
    """Someone has seen a Category 1 intake's alert: it leaves every desk's screen (audited)."""
    store._require("write_clinical", "intake", session_id)
    with store._write():
        row = store._conn.execute(
            "SELECT category, alert_ack_at FROM intake_sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise UsageError(f"There is no intake {session_id}.")
        if row[1] is not None:
            return  # a colleague acknowledged it first
        store._conn.execute(
            "UPDATE intake_sessions SET alert_ack_by = ?, alert_ack_at = ? WHERE id = ?",
            (store.user.id, _iso(_now()), session_id),
        )
        store._audit("intake_alert_acknowledged", "intake", session_id, f"category {row[0]}")


def for_consultation(store: Store, consultation_id: int) -> IntakeSession | None:
    """The intake linked to a consultation (the latest one not cancelled), audited as viewed."""
    store._require("read_clinical", "intake", f"consultation {consultation_id}")
    with store._read() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM intake_sessions WHERE consultation_id = ? AND state != 'cancelled'"
            " ORDER BY id DESC LIMIT 1",
            (consultation_id,),
        ).fetchone()
    if row is None:
        return None
    session = _session(row)
    store._audit_now("intake_viewed", "intake", session.id, f"consultation {consultation_id}")
    return session


def queue(
    store: Store, *, day: str | None = None, now: datetime | None = None, audit: bool = True
) -> list[dict[str, Any]]:
    """Today's intakes, most urgent first, then longest waiting: what the desktop queue shows.

    ``audit=False`` is for the desktop's polling, which audits a listing only when the queue it
    shows has changed (see ``services/intake.py``); every other listing is audited.
    """
    store._require("read_clinical", "intake", "*")
    moment = now or _now()
    start, end = day_bounds(moment, day)
    with store._read() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS}, alert_ack_at FROM intake_sessions WHERE created_at >= ? AND created_at < ?",
            (start, end),
        ).fetchall()
    if audit:
        store._audit_now("intake_queue_listed", "intake", "*", f"{len(rows)} intakes")
    out: list[dict[str, Any]] = []
    for row in rows:
        s = _session(row)
        acknowledged = row[15] is not None
        started = datetime.fromisoformat(s.created_at)
        out.append(
            {
                "id": s.id,
                "label": s.label,
                "state": "expired" if s.state in ("issued", "open") and s.expired(moment) else s.state,
                "category": s.category,
                "category_source": s.category_source,
                "category_reason": s.category_reason,
                "waiting_minutes": max(0, int((moment - started).total_seconds() // 60)),
                "summary": s.summary,
                "complaint": s.answers.get("complaint", ""),
                "language": s.language,
                "consultation_id": s.consultation_id,
                "alert": s.category == 1 and s.state != "cancelled" and not acknowledged,
                "acknowledged": acknowledged,
                "expires_at": s.expires_at,
            }
        )
    out.sort(key=_queue_order)
    return out


def _queue_order(row: dict[str, Any]) -> tuple[int, int]:
    return int(row["category"] or 3), -int(row["waiting_minutes"])
