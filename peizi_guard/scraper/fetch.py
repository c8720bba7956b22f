"""Downloads for `refresh`: retries with backoff, Retry-After, conditional requests, a size cap.

The HTTP mechanics (address guard, deadlines, body reading, messages, User-Agent) are
`http.py`'s, shared with `scan`. No database and no parsing here; `locate` combines this with
page discovery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping

import requests

from .http import MAX_REDIRECTS, blocked, describe, guarded_session, human_size, host_of, read_body, user_agent
from .http import deadline as request_deadline
from .netguard import BlockedAddress, DnsError

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = (10.0, 30.0)  # (connect, read) seconds
RETRIES = 3  # extra attempts after the first
BACKOFF = 1.0  # first wait; doubles per retry
MAX_WAIT = 60.0  # cap on any single wait, Retry-After included
DEADLINE = 600.0  # seconds for a whole run of the fetcher (all sources, pages and documents)

__all__ = ["FetchError", "FetchResult", "Fetcher", "retry_after", "user_agent", "DEADLINE"]


class FetchError(Exception):
    """A download that failed; str() is a one-line message for people."""

    def __init__(self, message: str, url: str = "", transient: bool = False):
        super().__init__(message)
        self.url = url
        self.transient = transient  # a failure that may pass (5xx, a timeout, a broken connection): try later


@dataclass
class FetchResult:
    url: str  # final URL, after redirects
    status: int  # 200 (or another 2xx) | 304
    content: bytes = b""  # b"" for 304
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


def retry_after(value: str, cap: float = MAX_WAIT) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped; None if absent/bad."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        secs = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        secs = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(secs, 0.0), cap)


class _BodyBroken(Exception):
    """The body did not arrive whole (timed out, connection reset …)."""


def _retryable(exc: requests.RequestException) -> bool:
    if isinstance(
        exc,
        (
            requests.exceptions.SSLError,
            requests.TooManyRedirects,
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
        ),
    ):
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))


def _status_message(resp: requests.Response) -> str:
    reason = f" {resp.reason}" if resp.reason else ""
    return f"HTTP {resp.status_code}{reason} from {resp.url}"


class Fetcher:
    """GETs with an honest User-Agent, timeouts, retries with backoff, a size cap and validators.

    The default session is the scanner's guarded one: every hop's address is vetted (no
    loopback, private, link-local or metadata addresses unless `allow_private`). Each request
    has a total deadline (connect + read timeouts) that a server dripping bytes cannot stretch,
    and the whole life of the fetcher is bounded by `deadline` seconds."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: tuple[float, float] = TIMEOUT,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        max_bytes: int = MAX_BYTES,
        max_wait: float = MAX_WAIT,
        allow_private: bool = False,
        deadline: float = DEADLINE,
    ):
        if session is None:
            session = guarded_session(allow_private)
            session.max_redirects = MAX_REDIRECTS
            # a new connection per request: the deadline watchdog is armed when a connection opens,
            # so a kept-alive one would carry the previous request's deadline into the next
            session.headers["Connection"] = "close"
        session.headers["User-Agent"] = user_agent()
        session.headers.setdefault("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
        self.session, self.sleep = session, sleep
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.max_bytes, self.max_wait = max_bytes, max_wait
        self.deadline, self.ends = deadline, time.monotonic() + deadline

    def _left(self, url: str) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise FetchError(
                f"the deadline of {self.deadline:g} s for this run ran out (at {url})", url, transient=True
            )
        return left

    def get(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        """The body of `url`; status 304 with empty content when the validators still match."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            wait = None
            allowed = min(sum(self.timeout), self._left(url))
            ends = time.monotonic() + allowed
            late = f"timed out after {allowed:.0f} s fetching {host_of(url)}"
            try:
                with (
                    request_deadline(ends),
                    self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as resp,
                ):
                    if resp.status_code == 429 or resp.status_code >= 500:
                        error = _status_message(resp)
                        wait = retry_after(resp.headers.get("Retry-After", ""), self.max_wait)
                    else:
                        return self._result(resp, etag, last_modified, ends)
            except (BlockedAddress, DnsError) as exc:
                raise FetchError(
                    f"{exc}: {url}"
                    if isinstance(exc, BlockedAddress)
                    else f"cannot resolve host name {exc.host or host_of(url)}",
                    url,
                    transient=isinstance(exc, DnsError) and exc.temporary,  # the resolver down for now
                ) from None
            except _BodyBroken as exc:  # retried like a broken connection
                error = (
                    late if str(exc) == "timed out" else f"connection to {host_of(url)} broke off mid-download ({exc})"
                )
            except requests.RequestException as exc:
                error = describe(exc, url, self.timeout)
                if time.monotonic() >= ends:
                    error = late
                refused = blocked(exc)
                if refused:
                    raise FetchError(f"{refused}: {url}", url) from exc
                if not _retryable(exc):
                    raise FetchError(error, url) from exc
            if attempt < attempts:
                self.sleep(min(wait if wait is not None else self._backoff(attempt), self._left(url)))
        raise FetchError(f"{error} (gave up after {attempts} attempts)", url, transient=True)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)

    def _result(self, resp: requests.Response, etag: str, last_modified: str, ends: float) -> FetchResult:
        h = resp.headers
        if resp.status_code == 304:
            # a 304 need not repeat the validators: keep the ones we sent
            return FetchResult(
                url=resp.url,
                status=304,
                content_type=h.get("Content-Type", ""),
                etag=h.get("ETag", etag),
                last_modified=h.get("Last-Modified", last_modified),
                headers=h,
            )
        if not 200 <= resp.status_code < 300:
            raise FetchError(_status_message(resp), resp.url)
        return FetchResult(
            url=resp.url,
            status=resp.status_code,
            content=self._read(resp, ends),
            content_type=h.get("Content-Type", ""),
            etag=h.get("ETag", ""),
            last_modified=h.get("Last-Modified", ""),
            headers=h,
        )

    def _read(self, resp: requests.Response, ends: float) -> bytes:
        """The body, refusing anything over max_bytes (declared length first, then as it streams)."""
        too_big = FetchError(f"response larger than {human_size(self.max_bytes)} from {resp.url}", resp.url)
        declared = resp.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        body, truncated, error = read_body(resp, self.max_bytes, ends)
        if error:
            raise _BodyBroken(error)
        if truncated:
            raise too_big
        return body
