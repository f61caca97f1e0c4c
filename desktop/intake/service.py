"""The intake web application (Starlette): code entry, the chat, the summary, the thank-you page.

Pages are plain server-rendered HTML forms: no script (unless spoken answers are turned on:
then one script of this service's own records them), no font or file from anywhere but this
service, and a Content-Security-Policy that forbids everything else. The patient's browser
holds one random session token in a ``__Host-`` cookie (Secure, HttpOnly, SameSite=Strict),
given once in exchange for the one-time code; forms carry a token derived from it.

Request paths hold codes, so the service never logs them (uvicorn's access log is off).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from desktop.intake import plan
from desktop.intake.speech import MAX_AUDIO_BYTES, SpeechError, Transcriber
from desktop.intake.triage import ModelFn, triage_answers
from desktop.storage import intake as store_intake
from desktop.storage.intake import IntakeCodeError, IntakeSession

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "__Host-intake"
MAX_BODY = 256 * 1024
MAX_SUMMARY_CHARS = 6000
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "strict-transport-security": "max-age=31536000",
    "cache-control": "no-store",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
TOO_MANY = {
    "zh-Hant": "請求太多。請稍等一會再試，或告訴接待處職員。",
    "en": "Too many requests. Please wait a moment and try again, or tell the reception staff.",
    "zh-Hans": "请求太多。请稍等一会再试，或告诉接待处工作人员。",
}
TOO_MANY_CODES = {
    "zh-Hant": "輸入錯誤編號太多次。請過十五分鐘再試，或請接待處職員幫忙。",
    "en": "Too many wrong codes. Please try again in 15 minutes, or ask the reception staff.",
    "zh-Hans": "输入错误编号太多次。请过十五分钟再试，或请接待处工作人员帮忙。",
}
FAILED = {
    "zh-Hant": "系統出現問題。您已傳送的回答已經儲存。請告訴接待處職員。",
    "en": "Something went wrong on our side. The answers you already sent are saved. Please tell the reception staff.",
    "zh-Hans": "系统出现问题。您已发送的回答已经保存。请告诉接待处工作人员。",
}
NOT_FOUND = {
    "zh-Hant": "找不到這一頁。",
    "en": "This page does not exist.",
    "zh-Hans": "找不到这一页。",
}
TOO_BIG = {
    "zh-Hant": "傳送的內容太大。請縮短您的回答。",
    "en": "What you sent is too large. Please shorten your answer.",
    "zh-Hans": "发送的内容太大。请缩短您的回答。",
}
CODE_MESSAGES = {
    "wrong": {
        "zh-Hant": "這個編號無效。請檢查，或請接待處職員給您新的編號。",
        "zh-Hans": "这个编号无效。请检查，或请接待处工作人员给您新的编号。",
    },
    "expired": {
        "zh-Hant": "這個編號已過期。請接待處職員給您新的編號。",
        "zh-Hans": "这个编号已过期。请接待处工作人员给您新的编号。",
    },
    "used": {
        "zh-Hant": "這個編號已經用過。如果不是您本人使用，請告訴接待處職員。",
        "zh-Hans": "这个编号已经用过。如果不是您本人使用，请告诉接待处工作人员。",
    },
    "cancelled": {
        "zh-Hant": "診所已關閉這次問診。請聯絡接待處職員。",
        "zh-Hans": "诊所已关闭这次问诊。请联系接待处工作人员。",
    },
}
PAGE_GONE = {
    "zh-Hant": "這一頁已過期。請接待處職員給您新的編號。",
    "zh-Hans": "这一页已过期。请接待处工作人员给您新的编号。",
}
STALE_FORM = {
    "zh-Hant": "這一頁已更新。請再傳送一次；您的文字仍在下面。",
    "en": "This page was out of date. Please send again; your text is still below.",
    "zh-Hans": "这一页已更新。请再发送一次；您的文字仍在下面。",
}


@dataclass
class Limits:
    """Requests per client (an address, or an address and its session) and wrong codes per address."""

    requests: int = 60
    per_seconds: float = 60.0
    wrong_codes: int = 10
    wrong_code_seconds: float = 15 * 60.0


class RateLimiter:
    """Sliding-window counter per key, kept in memory (nothing about patients in it)."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > self.window_s:
            hits.popleft()
        return hits

    def hit(self, key: str) -> bool:
        """Count one request; False when the key is over its limit."""
        with self._lock:
            now = self.clock()
            hits = self._prune(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys, so the table cannot grow without bound
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._prune(key, self.clock())) >= self.limit

    def record(self, key: str) -> None:
        with self._lock:
            self._prune(key, self.clock()).append(self.clock())


def csrf_for(token: str) -> str:
    return hashlib.sha256(f"intake-form:{token}".encode()).hexdigest()[:32]


class IntakeApp:
    """Routes and state of one running service, bound to an unlocked store."""

    def __init__(
        self,
        store: Any,
        *,
        model: ModelFn | None = None,
        limits: Limits | None = None,
        transcriber: Transcriber | None = None,
    ) -> None:
        self.store = store
        self.model = model
        self.transcriber = transcriber
        self.tickets: dict[int, int] = {}  # intake id -> its recording's place in the queue
        self.limits = limits or Limits()
        self.requests = RateLimiter(self.limits.requests, self.limits.per_seconds)
        self.wrong_codes = RateLimiter(self.limits.wrong_codes, self.limits.wrong_code_seconds)
        self.env = Environment(
            loader=FileSystemLoader(str(HERE / "templates")),
            autoescape=select_autoescape(["html"]),
        )

    # ---------------------------------------------------------------- rendering
    def page(self, name: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
        template = self.env.get_template(name)

        def tr(key: str, **kw: Any) -> str:
            return plan.t(key, lang, **kw)

        html = template.render(
            lang=lang, t=tr, languages=[(code, plan.LANG_NAMES[code]) for code in plan.LANGS], **values
        )
        return HTMLResponse(html, status_code=status)

    def message(self, lang: str, text: str, status: int) -> HTMLResponse:
        return self.page("message.html", lang, status=status, message=text)

    # ---------------------------------------------------------------- helpers
    @staticmethod
    async def form(request: Request) -> dict[str, str] | None:
        """The url-encoded form, or None when the body is larger than MAX_BODY."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            return None
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return None
        except ClientDisconnect:  # the line dropped mid-answer: nothing of it is saved
            return {}
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def session(self, request: Request) -> IntakeSession:
        return store_intake.session_for_token(self.store, request.cookies.get(COOKIE, ""))

    @staticmethod
    def lang_of(request: Request, session: IntakeSession | None = None) -> str:
        wanted = request.query_params.get("lang")
        if wanted in plan.LANGS:
            return str(wanted)
        if session is not None and session.language in plan.LANGS:
            return session.language
        return plan.pick_lang(request.cookies.get("intake-lang"))

    def code_error(self, lang: str, error: IntakeCodeError) -> HTMLResponse:
        text = error.message if lang == "en" else CODE_MESSAGES.get(error.kind, {}).get(lang, error.message)
        return self.message(lang, text, 410 if error.kind in ("expired", "used") else 403)

    def session_error(self, lang: str, error: IntakeCodeError) -> HTMLResponse:
        if error.kind == "wrong" or error.kind == "expired":
            text = error.message if lang == "en" else PAGE_GONE.get(lang, error.message)
            return self.message(lang, text, 401)
        return self.code_error(lang, error)

    # ---------------------------------------------------------------- routes
    async def home(self, request: Request) -> Response:
        lang = self.lang_of(request)
        return self.page("start.html", lang, code="", message="")

    async def code_link(self, request: Request) -> Response:
        """The QR code's target: the code filled in, one tap to start (a link preview cannot use it up)."""
        lang = self.lang_of(request)
        code = store_intake.normalise_code(str(request.path_params["code"]))
        return self.page("start.html", lang, code=code, message="")

    async def start(self, request: Request) -> Response:
        form = await self.form(request)
        lang = plan.pick_lang((form or {}).get("lang"))
        if form is None:
            return self.message(lang, TOO_BIG[lang], 413)
        address = request.client.host if request.client else "?"
        if self.wrong_codes.blocked(address):
            return self.message(lang, TOO_MANY_CODES[lang], 429)
        try:
            session, token = store_intake.redeem_code(self.store, form.get("code", ""))
        except IntakeCodeError as exc:
            if exc.kind == "wrong":
                self.wrong_codes.record(address)
            return self.code_error(lang, exc)
        session.language = lang
        if not session.chat:
            session.chat.append({"role": "assistant", "key": "complaint", "text": plan.OPENING.text[lang]})
        store_intake.save_progress(self.store, session, audit_action="intake_language_set")
        response = RedirectResponse("/chat", status_code=303)
        response.set_cookie(
            COOKIE, token, max_age=4 * 3600, path="/", secure=True, httponly=True, samesite="strict"
        )
        return response

    async def chat(self, request: Request) -> Response:
        lang = self.lang_of(request)
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return self.session_error(lang, exc)
        lang = self.lang_of(request, session)
        if "lang" in request.query_params and session.state == "open" and session.language != lang:
            session.language = lang
            store_intake.save_progress(self.store, session, audit_action="intake_language_set")
        return self.render_chat(request, session, lang)

    def render_chat(
        self,
        request: Request,
        session: IntakeSession,
        lang: str,
        message: str = "",
        draft: str = "",
        status: int = 200,
    ) -> Response:
        if session.state == "confirmed":
            return self.page(
                "done.html", lang, label=session.label, summary=session.summary, alert=session.category == 1
            )
        question = plan.next_question(session.answers)
        if question is None:
            return RedirectResponse("/summary", status_code=303)
        questions = plan.questions_for(session.answers)
        return self.page(
            "chat.html",
            lang,
            status=status,
            label=session.label,
            chat=[m for m in session.chat if m.get("key") != question.key or m["role"] == "patient"],
            question=question,
            number=[q.key for q in questions].index(question.key) + 1,
            total=len(questions),
            csrf=csrf_for(request.cookies.get(COOKIE, "")),
            message=message,
            draft=draft,
            alert=session.category == 1,
            speech=self.transcriber is not None,
        )

    async def answer(self, request: Request) -> Response:
        lang = self.lang_of(request)
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return self.session_error(lang, exc)
        lang = self.lang_of(request, session)
        form = await self.form(request)
        if form is None:
            return self.render_chat(request, session, lang, TOO_BIG[lang], status=413)
        text = form.get("answer", "")
        if form.get("csrf") != csrf_for(request.cookies.get(COOKIE, "")):
            return self.render_chat(request, session, lang, STALE_FORM[lang], text, status=400)
        if session.state != "open":
            return RedirectResponse("/chat", status_code=303)
        question = plan.next_question(session.answers)
        if question is None:
            return RedirectResponse("/summary", status_code=303)
        if form.get("key") != question.key:  # sent twice (a double tap, a resend after a dropped line)
            return RedirectResponse("/chat", status_code=303)
        problem = plan.check_answer(text, lang)
        if problem is not None:
            return self.render_chat(request, session, lang, problem, text[: plan.MAX_ANSWER_CHARS * 5], 422)
        answer = text.strip()
        session.answers[question.key] = answer
        session.chat = [
            m for m in session.chat if not (m["role"] == "assistant" and m.get("key") == question.key)
        ]
        session.chat.append({"role": "assistant", "key": question.key, "text": question.text[lang]})
        session.chat.append({"role": "patient", "key": question.key, "text": answer, "at": _stamp()})
        following = plan.next_question(session.answers)
        if following is not None:
            session.chat.append({"role": "assistant", "key": following.key, "text": following.text[lang]})
        result = triage_answers(session.answers)
        store_intake.save_progress(self.store, session, triage=result.to_dict())
        return RedirectResponse("/chat" if following is not None else "/summary", status_code=303)

    async def summary_page(self, request: Request) -> Response:
        lang = self.lang_of(request)
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return self.session_error(lang, exc)
        lang = self.lang_of(request, session)
        if session.state == "confirmed" or plan.next_question(session.answers) is not None:
            return RedirectResponse("/chat", status_code=303)
        return self.render_summary(
            request, session, lang, session.summary or plan.summary(session.answers, lang)
        )

    def render_summary(
        self,
        request: Request,
        session: IntakeSession,
        lang: str,
        text: str,
        message: str = "",
        status: int = 200,
    ) -> Response:
        return self.page(
            "summary.html",
            lang,
            status=status,
            label=session.label,
            summary=text,
            message=message,
            csrf=csrf_for(request.cookies.get(COOKIE, "")),
            alert=session.category == 1,
        )

    async def summary_post(self, request: Request) -> Response:
        lang = self.lang_of(request)
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return self.session_error(lang, exc)
        lang = self.lang_of(request, session)
        form = await self.form(request)
        if form is None:
            return self.render_summary(request, session, lang, session.summary, TOO_BIG[lang], 413)
        text = form.get("summary", "").replace("\r\n", "\n")
        if form.get("csrf") != csrf_for(request.cookies.get(COOKIE, "")):
            return self.render_summary(request, session, lang, text, STALE_FORM[lang], 400)
        if session.state != "open":
            return RedirectResponse("/chat", status_code=303)
        if form.get("action") == "reset":
            session.summary = ""
            store_intake.save_progress(self.store, session, audit_action="intake_summary_reset")
            return RedirectResponse("/summary", status_code=303)
        if not text.strip():
            return self.render_summary(request, session, lang, text, plan.t("summary_empty", lang), 422)
        if len(text) > MAX_SUMMARY_CHARS:
            message = plan.t("too_long", lang, n=len(text), max=MAX_SUMMARY_CHARS)
            return self.render_summary(request, session, lang, text, message, 422)
        answers = dict(session.answers)
        answers["summary"] = text  # what the patient corrected counts for triage too
        result = triage_answers(answers, self.model)
        store_intake.confirm(self.store, session, text.strip(), result.to_dict())
        response = RedirectResponse("/chat", status_code=303)
        response.set_cookie("intake-lang", lang, path="/", secure=True, httponly=True, samesite="strict")
        return response

    async def speech(self, request: Request) -> Response:
        """A recorded answer -> its text (JSON), for the patient to check before sending."""
        lang = self.lang_of(request)
        if self.transcriber is None:
            return JSONResponse({"message": plan.t("speech_failed", lang)}, status_code=404)
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return JSONResponse({"message": exc.message}, status_code=401)
        lang = self.lang_of(request, session)
        if request.headers.get("x-intake-form") != csrf_for(request.cookies.get(COOKIE, "")):
            return JSONResponse({"message": STALE_FORM[lang]}, status_code=400)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_AUDIO_BYTES:
            return JSONResponse({"message": plan.t("speech_too_long", lang)}, status_code=413)
        data = bytearray()
        try:
            async for chunk in request.stream():
                data += chunk
                if len(data) > MAX_AUDIO_BYTES:
                    return JSONResponse({"message": plan.t("speech_too_long", lang)}, status_code=413)
        except ClientDisconnect:
            return JSONResponse({"message": plan.t("speech_failed", lang)}, status_code=400)
        ticket = self.transcriber.queue.take()
        self.tickets[session.id] = ticket
        try:
            text = await run_in_threadpool(self.transcriber.transcribe, ticket, bytes(data), lang)
        except SpeechError as exc:
            key = "speech_too_long" if str(exc) == "too_long" else "speech_failed"
            return JSONResponse({"message": plan.t(key, lang)}, status_code=422)
        finally:
            self.tickets.pop(session.id, None)
            data.clear()  # the recording is not kept
        if not text:
            return JSONResponse({"message": plan.t("speech_failed", lang)}, status_code=422)
        return JSONResponse({"text": text[: plan.MAX_ANSWER_CHARS]})

    async def speech_wait(self, request: Request) -> Response:
        """How many recordings are ahead of this patient's."""
        try:
            session = self.session(request)
        except IntakeCodeError as exc:
            return JSONResponse({"message": exc.message}, status_code=401)
        ticket = self.tickets.get(session.id)
        ahead = self.transcriber.queue.ahead(ticket) if self.transcriber and ticket is not None else 0
        return JSONResponse({"ahead": ahead})

    async def health(self, request: Request) -> Response:
        return Response("ok", media_type="text/plain")


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_app(
    store: Any,
    *,
    model: ModelFn | None = None,
    limits: Limits | None = None,
    transcriber: Transcriber | None = None,
) -> Starlette:
    """The ASGI application for one clinic's store; ``transcriber`` turns on spoken answers."""
    intake = IntakeApp(store, model=model, limits=limits, transcriber=transcriber)
    headers = dict(SECURITY_HEADERS)
    if transcriber is not None:  # the recorder script, its uploads, and the microphone: this origin only
        headers["content-security-policy"] = CSP + "; script-src 'self'; connect-src 'self'"
        headers["permissions-policy"] = "camera=(), microphone=(self), geolocation=()"
    routes = [
        Route("/", intake.home),
        Route("/c/{code}", intake.code_link),
        Route("/start", intake.start, methods=["POST"]),
        Route("/chat", intake.chat),
        Route("/answer", intake.answer, methods=["POST"]),
        Route("/summary", intake.summary_page),
        Route("/summary", intake.summary_post, methods=["POST"]),
        Route("/speech", intake.speech, methods=["POST"]),
        Route("/speech/wait", intake.speech_wait),
        Route("/healthz", intake.health),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        lang = intake.lang_of(request)
        return intake.message(lang, NOT_FOUND[lang], 404)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("intake request failed: %s", type(exc).__name__)  # never the text of the request
        lang = intake.lang_of(request)
        return intake.message(lang, FAILED[lang], 500)

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        address = request.client.host if request.client else "?"
        token = request.cookies.get(COOKIE, "")
        key = f"{address}|{hashlib.sha256(token.encode()).hexdigest()[:16]}" if token else address
        polling = request.url.path == "/speech/wait"  # cheap, polled while a recording waits its turn
        if not polling and not intake.requests.hit(key):
            lang = intake.lang_of(request)
            response: Response = intake.message(lang, TOO_MANY[lang], 429)
            response.headers["retry-after"] = str(int(intake.limits.per_seconds))
        else:
            try:
                response = await call_next(request)
            except Exception as exc:  # one plain page; the log names the error, never the request
                log.error("intake request failed: %s", type(exc).__name__)
                lang = intake.lang_of(request)
                response = intake.message(lang, FAILED[lang], 500)
        for name, value in headers.items():
            response.headers[name] = value
        return response

    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found, 500: server_error},
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
    )
    app.state.intake = intake
    return app
