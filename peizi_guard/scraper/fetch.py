"""The network edge: polite HTTP GETs with timeouts, retries, a size cap and conditional requests.

No database and no parsing here; `locate` combines this with page discovery.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError, ReadTimeoutError

from .netguard import BlockedAddress, DnsError

PROJECT_URL = "https://github.com/peizi-guard/peizi-guard"
MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = (10.0, 30.0)  # (connect, read) seconds
RETRIES = 3  # extra attempts after the first
BACKOFF = 1.0  # first wait; doubles per retry
MAX_WAIT = 60.0  # cap on any single wait, Retry-After included
MAX_REDIRECTS = 10
DEADLINE = 600.0  # seconds for a whole run of the fetcher (all sources, pages and documents)


class FetchError(Exception):
    """A download that failed; str() is a one-line message for people."""

    def __init__(self, message: str, url: str = ""):
        super().__init__(message)
        self.url = url


@dataclass
class FetchResult:
    url: str  # final URL, after redirects
    status: int  # 200 (or another 2xx) | 304
    content: bytes = b""  # b"" for 304
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("peizi-guard")
    except Exception:  # not installed (e.g. run from a source tree)
        return "0+unknown"


def user_agent() -> str:
    # header values must be latin-1, so 配资 is spelt in pinyin
    return f"peizi-guard/{_version()} (+{PROJECT_URL}; checks official peizi blacklists)"


def human_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


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


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3 error inside requests' wrappers (MaxRetryError.reason etc.)."""
    seen = exc
    for _ in range(5):
        inner = getattr(seen, "reason", None) or (seen.args[0] if seen.args else None)
        if not isinstance(inner, BaseException):
            break
        seen = inner
    return seen


def _short(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^)\"']+)", text)
    if m:
        text = m.group(1)
    text = re.sub(r"^\[SSL: [A-Z_]+\] |\s*\(_ssl\.c:\d+\)", "", text).strip() or type(exc).__name__
    return text[:1].lower() + text[1:]


def describe(exc: requests.RequestException, url: str, timeout: tuple[float, float]) -> str:
    """One line saying what went wrong with a request."""
    host, cause = _host(url), _root_cause(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return f"timed out after {timeout[0]:g} s connecting to {host}"
    if isinstance(exc, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError):
        return f"timed out after {timeout[1]:g} s waiting for {host}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error with {host}: {_short(cause)}"
    if isinstance(exc, requests.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects from {url}"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return f"invalid URL: {url}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"connection to {host} broke off mid-download"
    if isinstance(cause, NameResolutionError):
        return f"cannot resolve host name {host}"
    if isinstance(exc, requests.ConnectionError) or isinstance(cause, NewConnectionError):
        return f"cannot connect to {host}: {_short(cause)}"
    return f"request to {host} failed: {_short(cause)}"


def _blocked(exc: BaseException) -> str:
    """The address guard's one-line refusal inside a requests error, or ""."""
    from .pages import exception_chain

    return next((str(e) for e in exception_chain(exc) if isinstance(e, BlockedAddress)), "")


def _retryable(exc: requests.RequestException) -> bool:
    if isinstance(exc, (requests.exceptions.SSLError, requests.TooManyRedirects,
                        requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout,
                            requests.exceptions.ChunkedEncodingError))


def _status_message(resp: requests.Response) -> str:
    reason = f" {resp.reason}" if resp.reason else ""
    return f"HTTP {resp.status_code}{reason} from {resp.url}"


class Fetcher:
    """GETs with an honest User-Agent, timeouts, retries with backoff, a size cap and validators.

    The default session is the scanner's guarded one: every hop's address is vetted (no
    loopback, private, link-local or metadata addresses unless `allow_private`). Each request
    has a total deadline (connect + read timeouts) that a server dripping bytes cannot stretch,
    and the whole life of the fetcher is bounded by `deadline` seconds."""

    def __init__(self, *, session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 timeout: tuple[float, float] = TIMEOUT, retries: int = RETRIES, backoff: float = BACKOFF,
                 max_bytes: int = MAX_BYTES, max_wait: float = MAX_WAIT, allow_private: bool = False,
                 deadline: float = DEADLINE):
        if session is None:
            from .pages import guarded_session

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
            raise FetchError(f"the deadline of {self.deadline:g} s for this run has passed before {url}", url)
        return left

    def get(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        """The body of `url`; status 304 with empty content when the validators still match."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        from .pages import FETCH_DEADLINE

        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            wait = None
            allowed = min(sum(self.timeout), self._left(url))
            ends = time.monotonic() + allowed
            FETCH_DEADLINE.deadline = ends
            try:
                with self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as resp:
                    if resp.status_code == 429 or resp.status_code >= 500:
                        error = _status_message(resp)
                        wait = retry_after(resp.headers.get("Retry-After", ""), self.max_wait)
                    else:
                        return self._result(resp, etag, last_modified)
            except (BlockedAddress, DnsError) as exc:
                raise FetchError(f"{exc}: {url}" if isinstance(exc, BlockedAddress)
                                 else f"cannot resolve host name {_host(url)}", url) from None
            except requests.RequestException as exc:
                error = describe(exc, url, self.timeout)
                if time.monotonic() >= ends:
                    error = f"timed out after {allowed:.0f} s fetching {_host(url)}"
                blocked = _blocked(exc)
                if blocked:
                    raise FetchError(f"{blocked}: {url}", url) from exc
                if not _retryable(exc):
                    raise FetchError(error, url) from exc
            finally:
                FETCH_DEADLINE.deadline = None
            if attempt < attempts:
                self.sleep(min(wait if wait is not None else self._backoff(attempt), self._left(url)))
        raise FetchError(f"{error} (gave up after {attempts} attempts)", url)

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)

    def _result(self, resp: requests.Response, etag: str, last_modified: str) -> FetchResult:
        h = resp.headers
        if resp.status_code == 304:
            # a 304 need not repeat the validators: keep the ones we sent
            return FetchResult(url=resp.url, status=304, content_type=h.get("Content-Type", ""),
                               etag=h.get("ETag", etag), last_modified=h.get("Last-Modified", last_modified),
                               headers=h)
        if not 200 <= resp.status_code < 300:
            raise FetchError(_status_message(resp), resp.url)
        return FetchResult(url=resp.url, status=resp.status_code, content=self._read(resp),
                           content_type=h.get("Content-Type", ""), etag=h.get("ETag", ""),
                           last_modified=h.get("Last-Modified", ""), headers=h)

    def _read(self, resp: requests.Response) -> bytes:
        """The body, refusing anything over max_bytes (declared length first, then as it streams)."""
        too_big = FetchError(f"response larger than {human_size(self.max_bytes)} from {resp.url}", resp.url)
        declared = resp.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        chunks, total = [], 0
        for chunk in resp.iter_content(64 * 1024):
            total += len(chunk)
            if total > self.max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)
