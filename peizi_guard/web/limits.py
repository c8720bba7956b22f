"""What keeps the service up: body caps, a per-client rate limit, errors as problem objects
(RFC 9457, application/problem+json) and never a traceback."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from .page import error_page, language

MAX_BODY = 2 * 1024 * 1024  # bytes of any request body (JSON escapes make text longer than it reads)

TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem_body(status: int, detail: str) -> dict:
    return {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}


def page_lang(scope: Mapping[str, Any]) -> str | None:
    """The page's language when the answer is for a person: on the page ("/", whatever the client
    accepts: the page's form posts there) or on another path outside the API asked for as HTML.
    None: the answer is the API's problem object."""
    path = str(scope.get("path", ""))
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    if path != "/" and (path.startswith("/api") or b"text/html" not in accept):
        return None
    query = parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
    return language((query.get("lang") or [""])[0])


async def send_problem(send: Callable, scope: dict, status: int, en: str, zh: str, headers: dict | None = None) -> None:
    """The problem as JSON (in English), or on the page as a short page in its language."""
    lang = page_lang(scope)
    if lang:
        body = error_page(lang, status, en, zh).encode("utf-8")
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps(problem_body(status, en), ensure_ascii=False).encode("utf-8")
        kind = b"application/problem+json"
    raw = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` is refused with 413, by its Content-Length or,
    when it is sent in chunks, as soon as it grows past the cap (the rest is never read); a body
    sent encoded (Content-Encoding: gzip …), which nothing here decodes, with 415."""

    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int = MAX_BODY):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        coding = headers.get(b"content-encoding", b"").decode("latin-1").strip()
        body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
        if body and coding.lower() not in ("", "identity"):
            en = f"the body must be sent as it is, not encoded (content-encoding: {coding})"
            zh = f"提交的内容须原样发送，不要压缩或编码（content-encoding: {coding}）"
            return await send_problem(send, scope, 415, en, zh, {"Accept-Encoding": "identity"})
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self.refuse(scope, send)
        seen, started, over = 0, False, False

        async def limited() -> dict:
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _TooLarge
            return msg

        async def tracked(msg: dict) -> None:
            nonlocal started
            if over:
                return  # the app's answer to a body it never got whole (it may call it a parse error)
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited, tracked)
        except _TooLarge:
            pass
        if over and not started:
            await self.refuse(scope, send)

    async def refuse(self, scope: dict, send: Callable) -> None:
        en, zh = f"request body over {self.max_bytes:,} bytes", f"提交的内容超过 {self.max_bytes:,} 字节"
        await send_problem(send, scope, 413, en, zh)


class RateLimit:
    """ASGI middleware: a token bucket per client address, `per_minute` requests a minute with
    bursts of up to the same number; over it, 429 with Retry-After. 0 turns it off. Each worker
    process keeps its own buckets."""

    def __init__(self, app: Callable[..., Awaitable[None]], per_minute: int, exempt: tuple[str, ...] = ("/healthz",)):
        self.app, self.per_minute, self.exempt = app, per_minute, exempt
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self.lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> float:
        """0 when the request may go on, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60
        with self.lock:
            tokens, when = self.buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - when) * rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                if len(self.buckets) > 100_000:  # forget the idle ones
                    self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 120}
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / rate

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or scope.get("path") in self.exempt:
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.allow(client)
        if wait:
            after = max(1, math.ceil(wait))  # whole seconds, rounded up: the header and the text say the same
            en = f"more than {self.per_minute} requests a minute from {client}: try again in {after} s"
            zh = f"每分钟来自 {client} 的请求超过 {self.per_minute} 次：请 {after} 秒后再试"
            return await send_problem(send, scope, 429, en, zh, {"retry-after": str(after)})
        await self.app(scope, receive, send)
