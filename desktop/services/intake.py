"""The pre-consultation intake as the desktop app sees it: codes, today's queue, the alert, the
patient's confirmed summary and chat, and the intake as evidence for the draft.

The intake service (``desktop/intake/service.py``) writes intakes into the same encrypted store;
the app reads and changes them here, on the database worker's thread (``services/db.py``), through
:class:`IntakePort`. :class:`StoreIntake` is the real one (over ``desktop/storage/intake.py``);
widget tests use a fake. Nothing here imports Qt.

**Evidence.** The patient's confirmed summary (or, before it is confirmed, their answers under
each question's heading) becomes numbered lines ``i1…iN`` spoken by the patient. They are added
after the consultation's transcript in what the drafter reads (:func:`with_intake`), so the
model may cite them like transcript lines, the fact guard counts them as the patient's words,
and the read-ahead made while recording still matches the start of the drafter's input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from desktop.config import IntakeSettings
from desktop.core.errors import UsageError
from desktop.core.types import Transcript, TranscriptSegment
from desktop.services.ports import UserInfo

EVIDENCE_PREFIX = "i"  # intake line ids: i1, i2, …
CATEGORY_NAMES = {1: "critical", 2: "urgent", 3: "non-urgent"}


@dataclass
class IssuedIntake:
    """A one-time patient code, shown once: its QR code opens ``url`` on the patient's phone."""

    id: str
    label: str  # the day's queue number, "0063"
    code: str  # "ABCDE-FGHJK"
    url: str
    expires_at: datetime  # local time
    qr_svg: bytes = b""


@dataclass
class IntakeRow:
    """One line of today's queue."""

    id: str
    label: str
    state: str  # issued, open, confirmed, cancelled, expired
    category: int | None
    category_reason: str = ""
    category_source: str = ""  # rules, model, nurse
    waiting_minutes: int = 0
    summary: str = ""
    complaint: str = ""
    language: str = ""
    consultation_id: str = ""
    alert: bool = False  # Category 1 and nobody has acknowledged it yet
    acknowledged: bool = False


@dataclass
class IntakeDetail:
    """One intake for the consultation: the confirmed summary and the chat with the patient."""

    id: str
    label: str
    state: str
    language: str = ""
    consultation_id: str = ""
    summary: str = ""
    chat: list[tuple[str, str]] = field(default_factory=list)  # (role "patient"/"assistant", text)
    answers: dict[str, str] = field(default_factory=dict)
    category: int | None = None
    category_source: str = ""
    category_reason: str = ""
    confirmed_at: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.state == "confirmed"

    def evidence_lines(self) -> list[tuple[str, str]]:
        """(id, text) of each line the draft may cite: the confirmed summary, else the answers so far."""
        text = self.summary if self.summary.strip() else _answers_summary(self.answers, self.language)
        lines = [" ".join(line.split()) for line in text.splitlines()]
        return [(f"{EVIDENCE_PREFIX}{n}", line) for n, line in enumerate((x for x in lines if x), 1)]


def _answers_summary(answers: dict[str, str], language: str) -> str:
    from desktop.intake.plan import pick_lang, summary

    return summary(answers, pick_lang(language))


def intake_segments(detail: IntakeDetail | None, after: float = 0.0) -> list[TranscriptSegment]:
    """The intake's evidence lines as transcript lines spoken by the patient (``i1…``)."""
    if detail is None:
        return []
    lang = "zh" if detail.language.startswith("zh") else ("en" if detail.language else "")
    return [
        TranscriptSegment(sid, after, after, text, speaker="patient", language=lang, final=True)
        for sid, text in detail.evidence_lines()
    ]


def with_intake(transcript: Transcript, detail: IntakeDetail | None) -> Transcript:
    """What the drafter reads: the transcript, then the intake's lines (none without an intake)."""
    end = max((s.end for s in transcript.segments), default=0.0)
    extra = intake_segments(detail, end)
    if not extra:
        return transcript
    return Transcript(language=transcript.language, segments=[*transcript.segments, *extra])


def is_intake_line(segment_id: str) -> bool:
    return segment_id.startswith(EVIDENCE_PREFIX) and segment_id[len(EVIDENCE_PREFIX) :].isdigit()


class IntakePort(Protocol):
    """The intakes in the store. Called on the database worker's thread."""

    def issue(self, actor: UserInfo, consultation_id: str = "") -> IssuedIntake:
        """A new one-time code (linked to a consultation when given)."""
        ...

    def reissue(self, actor: UserInfo, intake_id: str) -> IssuedIntake:
        """A fresh code for an unfinished intake (the patient lost the page); the chat stays."""
        ...

    def queue(self, audit: bool = True) -> list[IntakeRow]:
        """Today's intakes, most urgent first, then longest waiting."""
        ...

    def get(self, intake_id: str) -> IntakeDetail: ...

    def for_consultation(self, consultation_id: str) -> IntakeDetail | None: ...

    def set_category(self, actor: UserInfo, intake_id: str, category: int, reason: str) -> None:
        """A nurse or doctor changes the category (audited with old and new)."""
        ...

    def acknowledge(self, actor: UserInfo, intake_id: str) -> None:
        """The Category 1 alert has been seen: it leaves every desk (audited)."""
        ...

    def link(self, actor: UserInfo, intake_id: str, consultation_id: str) -> None: ...

    def close(self, actor: UserInfo, intake_id: str) -> None:
        """End an intake that will not be used (its code stops working)."""
        ...


def _local(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value


def _detail(session: Any) -> IntakeDetail:
    return IntakeDetail(
        id=str(session.id),
        label=session.label,
        state=session.state,
        language=session.language,
        consultation_id="" if session.consultation_id is None else str(session.consultation_id),
        summary=session.summary,
        chat=[(str(m.get("role", "")), str(m.get("text", ""))) for m in session.chat],
        answers=dict(session.answers),
        category=session.category,
        category_source=session.category_source,
        category_reason=session.category_reason,
        confirmed_at=_local(session.confirmed_at),
    )


class StoreIntake:
    """IntakePort over ``desktop.storage.intake`` on the signed-in account's store.

    The queue is polled every few seconds; its listing is audited when what it shows changed
    (an intake added, answered, confirmed, recategorised…), not on every poll.
    """

    def __init__(self, records: Any, settings: IntakeSettings) -> None:
        self.records = records  # StoreRecords: its ``store`` is the signed-in account's
        self.settings = settings
        self._last_listing: tuple[Any, ...] | None = None

    def _issued(self, issued: Any) -> IssuedIntake:
        from desktop.intake.codes import intake_url, public_base_url, qr_svg

        url = intake_url(public_base_url(self.settings), issued.code)
        expires = issued.expires_at.astimezone().replace(tzinfo=None)
        return IssuedIntake(
            str(issued.session_id), issued.label, issued.pretty, url, expires, qr_svg(url).encode("utf-8")
        )

    def issue(self, actor: UserInfo, consultation_id: str = "") -> IssuedIntake:
        from desktop.storage import intake

        issued = intake.issue_code(
            self.records.store,
            consultation_id=int(consultation_id) if consultation_id else None,
            lifetime=timedelta(minutes=max(1, self.settings.code_minutes)),
        )
        return self._issued(issued)

    def reissue(self, actor: UserInfo, intake_id: str) -> IssuedIntake:
        from desktop.storage import intake

        return self._issued(intake.reissue_code(self.records.store, int(intake_id)))

    def queue(self, audit: bool = True) -> list[IntakeRow]:
        from desktop.storage import intake

        rows = intake.queue(self.records.store, audit=False)
        listing = tuple(
            (r["id"], r["state"], r["category"], r["category_source"], r["summary"], r["acknowledged"])
            for r in rows
        )
        if audit or listing != self._last_listing:
            self.records.store.record_event("intake_queue_shown", "intake", "*", f"{len(rows)} intakes")
            self._last_listing = listing
        return [
            IntakeRow(
                id=str(r["id"]),
                label=str(r["label"]),
                state=str(r["state"]),
                category=r["category"],
                category_reason=str(r["category_reason"]),
                category_source=str(r["category_source"]),
                waiting_minutes=int(r["waiting_minutes"]),
                summary=str(r["summary"]),
                complaint=str(r.get("complaint", "")),
                language=str(r["language"]),
                consultation_id="" if r["consultation_id"] is None else str(r["consultation_id"]),
                alert=bool(r["alert"]),
                acknowledged=bool(r.get("acknowledged")),
            )
            for r in rows
        ]

    def get(self, intake_id: str) -> IntakeDetail:
        from desktop.storage import intake

        return _detail(intake.get(self.records.store, int(intake_id)))

    def for_consultation(self, consultation_id: str) -> IntakeDetail | None:
        from desktop.storage import intake

        session = intake.for_consultation(self.records.store, int(consultation_id))
        return None if session is None else _detail(session)

    def set_category(self, actor: UserInfo, intake_id: str, category: int, reason: str) -> None:
        from desktop.storage import intake

        if not reason.strip():
            raise UsageError("Say why the category changes.", "The reason is kept with the intake.")
        intake.set_category(self.records.store, int(intake_id), category, reason.strip())

    def acknowledge(self, actor: UserInfo, intake_id: str) -> None:
        from desktop.storage import intake

        intake.acknowledge_alert(self.records.store, int(intake_id))

    def link(self, actor: UserInfo, intake_id: str, consultation_id: str) -> None:
        from desktop.storage import intake

        intake.link_consultation(self.records.store, int(intake_id), int(consultation_id))

    def close(self, actor: UserInfo, intake_id: str) -> None:
        from desktop.storage import intake

        intake.cancel(self.records.store, int(intake_id))
