"""The intake service over HTTP (Starlette's TestClient, HTTPS base URL): codes, the chat, bad input."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from desktop.intake import plan
from desktop.intake.service import COOKIE, CSP, Limits, create_app
from desktop.storage import Store
from desktop.storage import intake as store_intake
from tests.unit.storage.conftest import PASSWORDS, StoreSetup, make_store

BASE = "https://intake.clinic.test"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> StoreSetup:
    return make_store(tmp_path_factory.mktemp("intake-http") / "store")


@pytest.fixture
def store(tmp_path: Path, template: StoreSetup) -> Iterator[Store]:
    shutil.copytree(template.directory, tmp_path / "store")
    s = Store.open(tmp_path / "store", "nurse", PASSWORDS["nurse"])
    yield s
    s.close()


def _client(store: Store, limits: Limits | None = None) -> TestClient:
    return TestClient(create_app(store, limits=limits), base_url=BASE, follow_redirects=True)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _key(html: str) -> str:
    match = re.search(r'name="key" value="(\w+)"', html)
    assert match, html[:500]
    return match.group(1)


def _start(client: TestClient, code: str, lang: str = "en") -> str:
    page = client.get(f"/c/{code}?lang={lang}")
    assert page.status_code == 200 and code in page.text
    chat = client.post("/start", data={"code": code, "lang": lang})
    assert chat.status_code == 200, chat.text
    return chat.text


def _answer(client: TestClient, html: str, text: str) -> str:
    reply = client.post("/answer", data={"answer": text, "csrf": _csrf(html), "key": _key(html)})
    assert reply.status_code == 200, reply.text[:300]
    return reply.text


def test_headers_forbid_third_party_content(store: Store) -> None:
    client = _client(store)
    page = client.get("/")
    assert page.headers["content-security-policy"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert page.headers["cache-control"] == "no-store"
    # Nothing on any page is fetched from another origin.
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert 'name="viewport" content="width=device-width' in page.text
    assert plan.t("disclaimer", "zh-Hant") in page.text  # Traditional Chinese by default


def test_a_whole_intake_in_english(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code)
    assert plan.OPENING.text["en"] in html and "This is not a diagnosis" in html
    cookie = client.cookies.get(COOKIE)
    assert cookie
    answers = [
        "An itchy rash on my arms",
        "Since Saturday",
        "4, about the same",
        "No",
        "None",
        "Penicillin",
        "Asthma",
        "No",
    ]
    asked = 0
    while "/answer" in html:
        html = _answer(client, html, answers[min(asked, len(answers) - 1)])
        asked += 1
    assert asked - 1 <= plan.MAX_FOLLOW_UPS
    assert "Please check the description" in html
    assert "Main problem: An itchy rash on my arms" in html and "Allergies" in html
    # The contextual follow-up for a rash was asked.
    saved = store_intake.get(store, issued.session_id)
    assert "exposure" in saved.answers
    edited = "Main problem: itchy rash on both arms since Saturday.\nAllergies: penicillin."
    done = client.post("/summary", data={"summary": edited, "csrf": _csrf(html), "action": "done"})
    assert done.status_code == 200 and "Thank you" in done.text
    saved = store_intake.get(store, issued.session_id)
    assert (saved.state, saved.summary, saved.category) == ("confirmed", edited, 3)
    assert [m["role"] for m in saved.chat[:2]] == ["assistant", "patient"]


def test_chinese_intake_with_a_red_flag_shows_the_alert(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code, "zh-Hant")
    assert plan.OPENING.text["zh-Hant"] in html
    html = _answer(client, html, "心口好痛，出晒冷汗")
    assert plan.t("alert", "zh-Hant") in html
    row = next(r for r in store_intake.queue(store) if r["id"] == issued.session_id)
    assert row["category"] == 1 and row["alert"] and "chest pain" in row["category_reason"]


def test_reset_restores_the_generated_summary(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code, "zh-Hans")
    while "/answer" in html:
        html = _answer(client, html, "没有")
    assert "请检查描述" in html
    reset = client.post("/summary", data={"summary": "x", "csrf": _csrf(html), "action": "reset"})
    assert "主要问题: 没有" in reset.text


def test_wrong_expired_and_replayed_codes_get_one_plain_sentence(store: Store) -> None:
    client = _client(store)
    wrong = client.post("/start", data={"code": "ZZZZZ-ZZZZZ", "lang": "en"})
    assert wrong.status_code == 403 and "This code is not valid" in wrong.text
    old = store_intake.issue_code(store, now=datetime.now(UTC) - timedelta(hours=3))
    expired = client.post("/start", data={"code": old.code, "lang": "en"})
    assert expired.status_code == 410 and "expired" in expired.text
    issued = store_intake.issue_code(store)
    _start(client, issued.code)
    other = _client(store)  # someone else with the same code (a photo of the QR code)
    replay = other.post("/start", data={"code": issued.code, "lang": "zh-Hant"})
    assert replay.status_code == 410 and "這個編號已經用過" in replay.text
    for page in (wrong, expired, replay):
        assert "Traceback" not in page.text and "<script" not in page.text


def test_one_code_opens_only_its_intake(store: Store) -> None:
    mine = store_intake.issue_code(store)
    theirs = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, mine.code)
    _answer(client, html, "sore knee")
    other = _client(store)
    _answer(other, _start(other, theirs.code), "headache")
    assert store_intake.get(store, mine.session_id).answers == {"complaint": "sore knee"}
    assert store_intake.get(store, theirs.session_id).answers == {"complaint": "headache"}
    assert "headache" not in client.get("/chat").text


def test_no_session_means_a_plain_message(store: Store) -> None:
    client = _client(store)
    for path in ("/chat?lang=en", "/summary?lang=en"):
        page = client.get(path)
        assert page.status_code == 401 and "ask the staff at reception" in page.text.lower()
    posted = client.post("/answer", data={"answer": "hello"})
    assert posted.status_code == 401
    assert client.get("/nowhere").status_code == 404


def test_ten_thousand_characters_are_refused_and_kept(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code)
    long = "pain " * 2000
    reply = client.post("/answer", data={"answer": long, "csrf": _csrf(html), "key": _key(html)})
    assert reply.status_code == 422
    assert "too long (10000 characters)" in reply.text
    assert long.strip() in reply.text  # the text is given back to shorten, nothing lost
    assert store_intake.get(store, issued.session_id).answers == {}
    huge = client.post(
        "/answer",
        content=b"answer=" + b"x" * 300_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413 and "too large" in huge.text


def test_html_and_script_are_shown_as_text(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code)
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    page = _answer(client, html, evil)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    assert store_intake.get(store, issued.session_id).answers["complaint"] == evil  # kept as typed


def test_a_form_without_its_token_is_refused_and_kept(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code)
    reply = client.post("/answer", data={"answer": "my text", "csrf": "forged", "key": _key(html)})
    assert reply.status_code == 400 and "my text" in reply.text
    assert store_intake.get(store, issued.session_id).answers == {}


def test_a_resent_answer_is_not_saved_twice(store: Store) -> None:
    issued = store_intake.issue_code(store)
    client = _client(store)
    html = _start(client, issued.code)
    form = {"answer": "cough", "csrf": _csrf(html), "key": _key(html)}
    client.post("/answer", data=form)
    client.post("/answer", data=form)  # the same form again (the line dropped before the reply came)
    saved = store_intake.get(store, issued.session_id)
    assert saved.answers == {"complaint": "cough"}
    assert sum(1 for m in saved.chat if m["role"] == "patient") == 1


def test_a_hundred_rapid_requests(store: Store) -> None:
    client = _client(store, Limits(requests=60, per_seconds=60))
    codes = [client.get("/").status_code for _ in range(100)]
    assert codes.count(200) == 60 and codes.count(429) == 40
    limited = client.get("/")
    assert "Too many requests" in limited.text or "請求太多" in limited.text
    assert limited.headers["retry-after"] == "60"


def test_wrong_codes_are_limited_per_address(store: Store) -> None:
    client = _client(store, Limits(wrong_codes=5))
    statuses = [
        client.post("/start", data={"code": f"AAAAA{i:05d}", "lang": "en"}).status_code for i in range(7)
    ]
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]
    issued = store_intake.issue_code(store)
    # Even a right code waits out the block: guessing cannot go on.
    assert client.post("/start", data={"code": issued.code, "lang": "en"}).status_code == 429


def test_a_failure_inside_the_service_is_one_plain_page(tmp_path: Path, template: StoreSetup) -> None:
    shutil.copytree(template.directory, tmp_path / "s")
    broken = Store.open(tmp_path / "s", "nurse", PASSWORDS["nurse"])
    issued = store_intake.issue_code(broken)
    client = _client(broken)
    _start(client, issued.code)
    broken.close()  # the store goes away under the running service
    page = client.get("/chat?lang=en")
    assert page.status_code == 500
    assert "Something went wrong on our side. The answers you already sent are saved." in page.text
    assert "Traceback" not in page.text and "UsageError" not in page.text
