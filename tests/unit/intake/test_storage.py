"""Intake sessions in the encrypted store: one-time codes, hashes only, audit, queue order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.errors import PermissionDeniedError
from desktop.core.types import Patient
from desktop.storage import Store
from desktop.storage import intake as store_intake
from desktop.storage.intake import IntakeCodeError


def _audit_actions(store: Store) -> list[str]:
    return [r[0] for r in store._conn.execute("SELECT action FROM audit ORDER BY id")]


def test_code_opens_once_then_is_refused(nurse_store: Store) -> None:
    issued = store_intake.issue_code(nurse_store, language="en")
    assert len(issued.code) == 10 and set(issued.code) <= set(store_intake.CODE_ALPHABET)
    session, token = store_intake.redeem_code(nurse_store, issued.pretty.lower())  # typed by hand
    assert session.id == issued.session_id
    assert store_intake.session_for_token(nurse_store, token).state == "open"
    with pytest.raises(IntakeCodeError) as replay:
        store_intake.redeem_code(nurse_store, issued.code)
    assert replay.value.kind == "used"
    assert "already been used" in replay.value.message


def test_wrong_and_expired_codes(nurse_store: Store) -> None:
    with pytest.raises(IntakeCodeError) as wrong:
        store_intake.redeem_code(nurse_store, "ABCDE-FGHJK")
    assert wrong.value.kind == "wrong"
    past = datetime.now(UTC) - timedelta(hours=3)
    old = store_intake.issue_code(nurse_store, now=past)
    with pytest.raises(IntakeCodeError) as expired:
        store_intake.redeem_code(nurse_store, old.code)
    assert expired.value.kind == "expired"
    # Refusals are audited even though they raise.
    assert _audit_actions(nurse_store).count("intake_code_refused") == 2


def test_only_hashes_of_code_and_token_are_kept(nurse_store: Store) -> None:
    issued = store_intake.issue_code(nurse_store)
    _, token = store_intake.redeem_code(nurse_store, issued.code)
    dump = "\n".join(str(r) for r in nurse_store._conn.execute("SELECT * FROM intake_sessions"))
    assert issued.code not in dump and token not in dump
    assert store_intake.digest(token) in dump


def test_progress_confirm_and_nurse_category(nurse_store: Store) -> None:
    issued = store_intake.issue_code(nurse_store)
    session, token = store_intake.redeem_code(nurse_store, issued.code)
    session.chat.append({"role": "patient", "key": "complaint", "text": "chest pain and sweating"})
    session.answers["complaint"] = "chest pain and sweating"
    triage = {"category": 1, "source": "rules", "reasons": ["chest pain with sweating"]}
    store_intake.save_progress(nurse_store, session, triage=triage)
    store_intake.set_category(nurse_store, session.id, 2, "seen by nurse, pain settled")
    # A later rules result does not undo the nurse's decision.
    store_intake.confirm(nurse_store, session, "Chest pain this morning.", triage)
    saved = store_intake.get(nurse_store, session.id)
    assert (saved.state, saved.category, saved.category_source) == ("confirmed", 2, "nurse")
    assert saved.summary == "Chest pain this morning."
    assert saved.chat[0]["text"] == "chest pain and sweating"
    # The browser still sees its (read-only) thank-you page until the code's time is up.
    assert store_intake.session_for_token(nurse_store, token).state == "confirmed"
    later = datetime.now(UTC) + timedelta(hours=3)
    with pytest.raises(IntakeCodeError):
        store_intake.session_for_token(nurse_store, token, now=later)
    with pytest.raises(IntakeCodeError):
        store_intake.save_progress(nurse_store, saved)  # nothing changes after confirmation
    actions = _audit_actions(nurse_store)
    for action in (
        "intake_code_issued",
        "intake_opened",
        "intake_answered",
        "intake_category_changed",
        "intake_confirmed",
        "intake_viewed",
    ):
        assert action in actions


def test_queue_puts_category_1_first_with_an_alert(nurse_store: Store) -> None:
    calm = store_intake.issue_code(nurse_store)
    urgent = store_intake.issue_code(nurse_store)
    session, _ = store_intake.redeem_code(nurse_store, urgent.code)
    store_intake.save_progress(
        nurse_store, session, triage={"category": 1, "source": "rules", "reasons": ["severe bleeding"]}
    )
    rows = store_intake.queue(nurse_store)
    assert [r["id"] for r in rows] == [urgent.session_id, calm.session_id]
    assert rows[0]["alert"] and not rows[1]["alert"]
    assert rows[0]["label"] != rows[1]["label"]


def test_reissue_keeps_the_chat(nurse_store: Store) -> None:
    issued = store_intake.issue_code(nurse_store)
    session, old_token = store_intake.redeem_code(nurse_store, issued.code)
    session.answers["complaint"] = "sore knee"
    store_intake.save_progress(nurse_store, session)
    again = store_intake.reissue_code(nurse_store, session.id)
    with pytest.raises(IntakeCodeError):
        store_intake.session_for_token(nurse_store, old_token)
    reopened, _ = store_intake.redeem_code(nurse_store, again.code)
    assert reopened.answers == {"complaint": "sore knee"}


def test_admin_without_clinical_role_cannot_issue(tmp_path, intake_template) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.unit.storage.conftest import PASSWORDS

    shutil.copytree(intake_template.directory, tmp_path / "s")
    with Store.open(tmp_path / "s", "it", PASSWORDS["it"]) as admin, pytest.raises(PermissionDeniedError):
        store_intake.issue_code(admin)


def _category_1(store: Store) -> int:
    issued = store_intake.issue_code(store)
    session, _ = store_intake.redeem_code(store, issued.code)
    store_intake.save_progress(
        store, session, triage={"category": 1, "source": "rules", "reasons": ["chest pain with sweating"]}
    )
    return session.id


def test_an_acknowledged_alert_leaves_every_desk_and_is_audited(nurse_store: Store) -> None:
    sid = _category_1(nurse_store)
    assert store_intake.queue(nurse_store, audit=False)[0]["alert"]
    store_intake.acknowledge_alert(nurse_store, sid)
    store_intake.acknowledge_alert(nurse_store, sid)  # a second desk's click changes nothing
    row = store_intake.queue(nurse_store, audit=False)[0]
    assert not row["alert"] and row["acknowledged"] and row["category"] == 1
    assert _audit_actions(nurse_store).count("intake_alert_acknowledged") == 1
    # Lowered by a nurse, then raised to 1 again: the alert comes back.
    store_intake.set_category(nurse_store, sid, 2, "pain settled")
    store_intake.set_category(nurse_store, sid, 1, "sweating again")
    assert store_intake.queue(nurse_store, audit=False)[0]["alert"]


def test_polling_the_queue_unaudited_and_the_intake_of_a_consultation(nurse_store: Store) -> None:
    sid = _category_1(nurse_store)
    before = _audit_actions(nurse_store).count("intake_queue_listed")
    store_intake.queue(nurse_store, audit=False)
    assert _audit_actions(nurse_store).count("intake_queue_listed") == before
    assert store_intake.for_consultation(nurse_store, 12345) is None
    pid = nurse_store.add_patient(Patient(name="X"))
    cid = nurse_store.create_consultation(pid)
    store_intake.link_consultation(nurse_store, sid, cid)
    linked = store_intake.for_consultation(nurse_store, cid)
    assert linked is not None and linked.id == sid and linked.category == 1


def test_the_day_is_the_clinics_local_day(nurse_store: Store) -> None:
    now = datetime.now(UTC)
    start, end = store_intake.day_bounds(now)
    assert start <= store_intake._iso(now) < end
    local_midnight = datetime.fromisoformat(start).astimezone()
    assert (local_midnight.hour, local_midnight.minute) == (0, 0)
    assert local_midnight.date() == now.astimezone().date()
    yesterday = store_intake.issue_code(nurse_store, now=datetime.fromisoformat(start) - timedelta(minutes=1))
    today = store_intake.issue_code(nurse_store, now=datetime.fromisoformat(start) + timedelta(minutes=1))
    assert yesterday.label == today.label == "0001"
    ids = [
        r["id"]
        for r in store_intake.queue(nurse_store, now=datetime.fromisoformat(start) + timedelta(hours=1))
    ]
    assert ids == [today.session_id]
